import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { governanceFactories } from '../../../test/helpers/governance-factories.js'
import { addDays, todayInLondon } from '../../platform/dates.js'
import { partsFromDate } from '../../platform/http/date-input.js'
import { bodiesRepository } from './bodies.repository.js'
import { municipalYearOf } from './bodies.service.js'

let t: TestApp
let gov: ReturnType<typeof governanceFactories>
const db = () => t.testDb.database.db
const today = todayInLondon()
const longDate = (iso: string) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`))
const unique = () => Math.random().toString(36).slice(2, 8)

beforeAll(async () => {
  t = await createTestApp()
  gov = governanceFactories(db())
})
afterAll(() => t.close())

const dateFields = (prefix: string, iso: string) => {
  const parts = partsFromDate(iso)
  return { [`${prefix}-day`]: parts.day, [`${prefix}-month`]: parts.month, [`${prefix}-year`]: parts.year }
}
const bodyFields = (overrides: Record<string, string> = {}) => ({ name: `Test CSP ${unique()}`, kind: 'csp', visibility: 'open', reminderDaysBefore: '7', resolutionNumbering: 'letters', ...overrides })
const bodyRow = (id: string) => db().selectFrom('bodies').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const memberRows = (bodyId: string) => db().selectFrom('body_members').selectAll().where('body_id', '=', bodyId).orderBy('created_at').execute()
const auditRows = (action: string, recordId: string) => db().selectFrom('audit_events').selectAll().where('action', '=', action).where('record_id', '=', recordId).execute()
const idFrom = (location: unknown) => /\/bodies\/([0-9a-f-]{36})/.exec(String(location))![1]!

/** A body run by a coordinator who is its clerk; the test user is created and signed in. */
async function bodyWithClerk(options: { visibility?: 'open' | 'closed'; name?: string } = {}) {
  const clerk = await t.signInAs(['partnership_coordinator'])
  const body = await gov.body({ createdBy: clerk.user.id, visibility: options.visibility, name: options.name })
  await gov.member({ bodyId: body.id, userId: clerk.user.id, role: 'clerk', createdBy: clerk.user.id })
  return { clerk, body }
}

async function createViaForm(agent: Agent, fields: Record<string, string>) {
  const response = await agent.submit('/bodies/new', fields)
  expect(response.statusCode, response.body).toBe(302)
  return idFrom(response.headers.location)
}

describe('municipal years', () => {
  it('run from May to April', () => {
    expect(municipalYearOf('2026-05-14')).toBe('2026/27')
    expect(municipalYearOf('2026-04-30')).toBe('2025/26')
    expect(municipalYearOf('2027-01-10')).toBe('2026/27')
    expect(municipalYearOf('2099-06-01')).toBe('2099/00')
  })
})

describe('creating a body', () => {
  it('saves the body from the form, makes its creator the clerk from today, and audits both', async () => {
    const coordinator = await t.signInAs(['partnership_coordinator'])
    const lead = await t.factories.organisation({ name: `Lead council ${unique()}` })
    const form = await coordinator.get('/bodies/new')
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('Joint Action Group (JAG)')
    expect(form.body).toContain('Meetings, papers, minutes and actions only for members')

    const name = `Charnwood Test CSP ${unique()}`
    const id = await createViaForm(coordinator, bodyFields({ name, kind: 'jag', visibility: 'closed', leadOrganisationId: lead.id, description: 'Tasking for hotspots', defaultVenue: 'Microsoft Teams', defaultStartTime: '9:30', reminderDaysBefore: '14', resolutionNumbering: 'numbers' }))
    expect(await bodyRow(id)).toMatchObject({ name, kind: 'jag', visibility: 'closed', lead_organisation_id: lead.id, description: 'Tasking for hotspots', default_venue: 'Microsoft Teams', default_start_time: '09:30:00', reminder_days_before: 14, resolution_numbering: 'numbers', created_by: coordinator.user.id })
    const [clerk] = await memberRows(id)
    expect(clerk).toMatchObject({ user_id: coordinator.user.id, role: 'clerk', from_date: today, to_date: null, organisation_id: coordinator.user.organisationId })
    expect((await auditRows('body.created', id))[0]!.details).toEqual({ kind: 'jag', visibility: 'closed', parentId: null })
    expect((await auditRows('body.member_added', id))[0]!.details).toEqual({ memberId: clerk!.id, role: 'clerk' })

    const page = await coordinator.get(`/bodies/${id}?notice=created`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Body added. You are its clerk.')
    expect(page.body).toContain('Closed')
    expect(page.body).toContain('09:30')
    expect(page.body).toContain('1., 2., 3.')
  })

  it('uses the defaults for the reminder days and resolution numbering', async () => {
    const coordinator = await t.signInAs(['partnership_coordinator'])
    const id = await createViaForm(coordinator, { name: `Defaults ${unique()}`, kind: 'other', visibility: 'open' })
    expect(await bodyRow(id)).toMatchObject({ reminder_days_before: 7, resolution_numbering: 'letters', default_start_time: null, parent_id: null })
  })

  it('refuses a name already taken, whatever its case, and saves nothing', async () => {
    const coordinator = await t.signInAs(['partnership_coordinator'])
    const name = `Melton CSP ${unique()}`
    await createViaForm(coordinator, bodyFields({ name }))
    const response = await coordinator.submit('/bodies/new', bodyFields({ name: name.toUpperCase() }))
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('There is a problem')
    expect(response.body).toContain('A body with this name already exists')
    expect(response.body).toContain(`value="${name.toUpperCase()}"`)
    expect(await db().selectFrom('bodies').select('id').where('name', 'ilike', name).execute()).toHaveLength(1)
  })

  it('shows every problem with the form at once', async () => {
    const coordinator = await t.signInAs(['partnership_coordinator'])
    const response = await coordinator.submit('/bodies/new', { name: ' ', defaultStartTime: '25:00', reminderDaysBefore: '61' })
    expect(response.statusCode).toBe(400)
    for (const message of ['Enter the name of the body', 'Select the kind of body', 'Select whether the body is open or closed', 'Enter the start time as hours and minutes on the 24-hour clock, like 14:00', 'Enter the number of days as a whole number from 0 to 60']) {
      expect(response.body).toContain(message)
    }
    expect(response.body).toContain('href="#kind"')
  })

  it('nests a delivery group under its CSP, and refuses a parent the creator cannot see', async () => {
    const coordinator = await t.signInAs(['partnership_coordinator'])
    const csp = await createViaForm(coordinator, bodyFields({ name: `A Parent CSP ${unique()}` }))
    const group = await createViaForm(coordinator, bodyFields({ name: `ASB Delivery Group ${unique()}`, kind: 'delivery_group', parentId: csp }))
    expect((await bodyRow(group)).parent_id).toBe(csp)

    const other = await bodyWithClerk({ visibility: 'closed' })
    const hidden = await coordinator.submit('/bodies/new', bodyFields({ parentId: other.body.id }))
    expect(hidden.statusCode).toBe(400)
    expect(hidden.body).toContain('Select the body it reports to from the list')
    const form = await coordinator.get('/bodies/new')
    expect(form.body).not.toContain(other.body.name)
  })

  it('is refused to a board member', async () => {
    const member = await t.signInAs(['board_member'])
    expect((await member.get('/bodies/new')).statusCode).toBe(403)
    const response = await member.submit('/bodies/new', bodyFields(), { formPage: '/bodies' })
    expect(response.statusCode).toBe(403)
  })
})

describe('the list of bodies', () => {
  it('nests bodies under their parent, with kind, open or closed, chair today and member count', async () => {
    const coordinator = await t.signInAs(['partnership_coordinator'])
    const parent = await gov.body({ createdBy: coordinator.user.id, name: `AAA Blaby CSP ${unique()}` })
    const child = await gov.body({ createdBy: coordinator.user.id, name: `ZZZ Blaby delivery ${unique()}`, kind: 'delivery_group', parentId: parent.id })
    const unrelated = await gov.body({ createdBy: coordinator.user.id, name: `BBB Unrelated ${unique()}` })
    const chair = await t.factories.user({ roles: ['board_member'], name: `Chair Person ${unique()}` })
    await gov.member({ bodyId: parent.id, userId: chair.id, role: 'chair', createdBy: coordinator.user.id })
    await gov.member({ bodyId: parent.id, userId: coordinator.user.id, role: 'clerk', createdBy: coordinator.user.id })
    const past = await t.factories.user({ roles: ['board_member'] })
    await db().insertInto('body_members').values({ body_id: parent.id, user_id: past.id, role: 'member', from_date: '2019-01-01', to_date: '2019-12-31', created_by: coordinator.user.id }).execute()

    const page = await coordinator.get('/bodies')
    expect(page.statusCode).toBe(200)
    const html = page.body
    expect(html.indexOf(parent.name)).toBeLessThan(html.indexOf(child.name))
    expect(html.indexOf(child.name)).toBeLessThan(html.indexOf(unrelated.name))
    expect(html).toContain(`Under ${parent.name}`)
    expect(html).toContain('Delivery group')

    const listed = (await coordinator.json('GET', '/api/v1/bodies')).json() as { id: string; chairName: string | null; memberCount: number; parentId: string | null }[]
    const parentRow = listed.find((row) => row.id === parent.id)!
    expect(parentRow.memberCount).toBe(2)
    expect(parentRow.chairName).toMatch(/^Chair Person/)
    expect(listed.find((row) => row.id === child.id)!.parentId).toBe(parent.id)
    expect(listed.findIndex((row) => row.id === parent.id)).toBe(listed.findIndex((row) => row.id === child.id) - 1)
  })
})

describe('a closed body', () => {
  it('is not found by a board member who is not a member, and visible to a member and to an administrator', async () => {
    const { clerk, body } = await bodyWithClerk({ visibility: 'closed', name: `Loughborough JAG ${unique()}` })
    const outsider = await t.signInAs(['board_member'])
    const insider = await t.signInAs(['board_member'])
    await gov.member({ bodyId: body.id, userId: insider.user.id, createdBy: clerk.user.id })
    const admin = await t.signInAs(['admin'])

    expect((await outsider.get(`/bodies/${body.id}`)).statusCode).toBe(404)
    expect((await outsider.get('/bodies')).body).not.toContain(body.name)
    expect((await outsider.json('GET', `/api/v1/bodies/${body.id}`)).statusCode).toBe(404)
    expect(((await outsider.json('GET', '/api/v1/bodies')).json() as { id: string }[]).some((row) => row.id === body.id)).toBe(false)

    for (const agent of [insider, admin]) {
      const page = await agent.get(`/bodies/${body.id}`)
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain(body.name)
      expect((await agent.get('/bodies')).body).toContain(body.name)
      expect((await agent.json('GET', `/api/v1/bodies/${body.id}`)).statusCode).toBe(200)
    }
  })

  it('is not found on every route for a coordinator who is not a member, and nothing changes', async () => {
    const { clerk, body } = await bodyWithClerk({ visibility: 'closed' })
    const member = await gov.member({ bodyId: body.id, userId: (await t.factories.user({ roles: ['board_member'] })).id, createdBy: clerk.user.id })
    const meeting = await gov.meeting({ bodyId: body.id, meetsOn: addDays(today, -7), createdBy: clerk.user.id, status: 'held' })
    const coordinator = await t.signInAs(['partnership_coordinator'])
    await coordinator.get('/bodies')
    for (const url of ['', '/edit', '/members/new', `/members/${member.id}/end`, '/elections/new']) expect((await coordinator.get(`/bodies/${body.id}${url}`)).statusCode, url).toBe(404)
    const posts: [string, Record<string, string>][] = [
      ['/edit', bodyFields()],
      ['/members/new', { memberType: 'user', userId: coordinator.user.id, role: 'clerk', ...dateFields('fromDate', today) }],
      [`/members/${member.id}/end`, dateFields('toDate', today)],
      ['/elections/new', { meetingId: meeting.id, office: 'chair', memberId: member.id }],
    ]
    for (const [url, fields] of posts) expect((await coordinator.submit(`/bodies/${body.id}${url}`, fields)).statusCode, url).toBe(404)
    expect((await coordinator.json('POST', `/api/v1/bodies/${body.id}/members`, { userId: coordinator.user.id, role: 'clerk' })).statusCode).toBe(404)
    expect(await memberRows(body.id)).toHaveLength(2)
    expect((await memberRows(body.id)).every((row) => row.to_date === null)).toBe(true)
  })
})

describe('the body page', () => {
  it('shows details, current and past members, sub-bodies and links; the managing links only to those who run it', async () => {
    const { clerk, body } = await bodyWithClerk({ name: `Overview CSP ${unique()}` })
    const child = await gov.body({ createdBy: clerk.user.id, name: `Overview group ${unique()}`, kind: 'delivery_group', parentId: body.id })
    const closedChild = await gov.body({ createdBy: clerk.user.id, name: `Overview closed JAG ${unique()}`, kind: 'jag', visibility: 'closed', parentId: body.id })
    const contact = await gov.contact({ createdBy: clerk.user.id, name: `Charity Presenter ${unique()}` })
    await gov.member({ bodyId: body.id, contactId: contact.id, role: 'in_attendance', createdBy: clerk.user.id })
    const formerName = `Former Member ${unique()}`
    const former = await t.factories.user({ roles: ['board_member'], name: formerName })
    await db().insertInto('body_members').values({ body_id: body.id, user_id: former.id, role: 'member', from_date: '2019-01-01', to_date: '2020-03-31', created_by: clerk.user.id }).execute()
    const officer = await t.factories.user({ roles: ['case_manager'], name: `Case Officer ${unique()}` })
    await gov.member({ bodyId: body.id, userId: officer.id, role: 'officer', createdBy: clerk.user.id })

    const page = await clerk.get(`/bodies/${body.id}`)
    expect(page.statusCode).toBe(200)
    const html = page.body
    expect(html).toContain(contact.name)
    expect(html).toContain('In attendance')
    expect(html).toContain('No account')
    expect(html).toContain('Past members (1)')
    expect(html).toContain('31 March 2020')
    expect(html).toContain(child.name)
    expect(html).not.toContain(closedChild.name)
    expect(html).toContain(`/bodies/${body.id}/forward-programme`)
    expect(html).toContain(`/bodies/${body.id}/action-log`)
    expect(html).toContain(`/bodies/${body.id}/meetings/new`)
    expect(html).toContain(`/bodies/${body.id}/elections/new`)
    expect(html).toContain(`/bodies/${body.id}/members/new`)
    // The case officer may be listed but cannot read papers; the clerk and the former member are not flagged.
    expect(html.match(/Cannot sign in to read papers: needs the board member role/g)).toHaveLength(1)
    expect(html.indexOf('Case Officer')).toBeLessThan(html.indexOf('Cannot sign in to read papers'))
    expect(html.match(/<h1/g)).toHaveLength(1)

    const reader = await t.signInAs(['board_member'])
    const readerPage = await reader.get(`/bodies/${body.id}`)
    expect(readerPage.statusCode).toBe(200)
    expect(readerPage.body).toContain(`/bodies/${body.id}/forward-programme`)
    expect(readerPage.body).not.toContain(`/bodies/${body.id}/meetings/new`)
    expect(readerPage.body).not.toContain(`/bodies/${body.id}/elections/new`)
    expect(readerPage.body).not.toContain('/end"')
  })

  it('is not found for a body that does not exist', async () => {
    const reader = await t.signInAs(['board_member'])
    expect((await reader.get('/bodies/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404)
    expect((await reader.get('/bodies/not-a-uuid')).statusCode).toBe(404)
  })
})

describe('changing a body', () => {
  it('saves changes by its clerk and audits the fields changed', async () => {
    const { clerk, body } = await bodyWithClerk()
    const form = await clerk.get(`/bodies/${body.id}/edit`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain(`value="${body.name}"`)
    const response = await clerk.submit(`/bodies/${body.id}/edit`, bodyFields({ name: body.name, defaultVenue: 'Southfields, Loughborough', reminderDaysBefore: '10' }))
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/bodies/${body.id}?notice=updated`)
    expect(await bodyRow(body.id)).toMatchObject({ default_venue: 'Southfields, Loughborough', reminder_days_before: 10 })
    expect((await auditRows('body.updated', body.id))[0]!.details).toEqual({ fields: ['defaultVenue', 'reminderDaysBefore'] })
  })

  it('refuses to put a body under itself or under a body nested within it', async () => {
    const { clerk, body } = await bodyWithClerk()
    const child = await gov.body({ createdBy: clerk.user.id, kind: 'delivery_group', parentId: body.id })
    const grandchild = await gov.body({ createdBy: clerk.user.id, kind: 'other', parentId: child.id })
    for (const parentId of [body.id, child.id, grandchild.id]) {
      const response = await clerk.submit(`/bodies/${body.id}/edit`, bodyFields({ name: body.name, parentId }))
      expect(response.statusCode).toBe(400)
      expect(response.body).toContain('A body cannot report to itself or to a body that sits under it')
    }
    expect((await bodyRow(body.id)).parent_id).toBeNull()
    const form = await clerk.get(`/bodies/${body.id}/edit`)
    expect(form.body).not.toContain(`value="${child.id}"`)
  })

  it('refuses a name another body has', async () => {
    const { clerk, body } = await bodyWithClerk()
    const other = await gov.body({ createdBy: clerk.user.id })
    const response = await clerk.submit(`/bodies/${body.id}/edit`, bodyFields({ name: other.name }))
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('A body with this name already exists')
  })

  it('is refused (403) to a board member, even its chair, and to a coordinator who is only a member', async () => {
    const { clerk, body } = await bodyWithClerk()
    const chair = await t.signInAs(['board_member'])
    await gov.member({ bodyId: body.id, userId: chair.user.id, role: 'chair', createdBy: clerk.user.id })
    const coordinator = await t.signInAs(['partnership_coordinator'])
    await gov.member({ bodyId: body.id, userId: coordinator.user.id, role: 'member', createdBy: clerk.user.id })
    const stranger = await t.signInAs(['partnership_coordinator'])
    for (const agent of [chair, coordinator, stranger]) {
      expect((await agent.get(`/bodies/${body.id}/edit`)).statusCode).toBe(403)
      expect((await agent.submit(`/bodies/${body.id}/edit`, bodyFields(), { formPage: '/bodies' })).statusCode).toBe(403)
      expect((await agent.get(`/bodies/${body.id}/members/new`)).statusCode).toBe(403)
      expect((await agent.get(`/bodies/${body.id}/elections/new`)).statusCode).toBe(403)
    }
  })

  it('is allowed to an administrator who is not a member, and to a coordinator who is an officer', async () => {
    const { clerk, body } = await bodyWithClerk({ visibility: 'closed' })
    const admin = await t.signInAs(['admin'])
    const officer = await t.signInAs(['partnership_coordinator'])
    await gov.member({ bodyId: body.id, userId: officer.user.id, role: 'officer', createdBy: clerk.user.id })
    expect((await admin.submit(`/bodies/${body.id}/edit`, bodyFields({ name: body.name, visibility: 'closed', defaultVenue: 'County Hall' }))).statusCode).toBe(302)
    expect((await officer.submit(`/bodies/${body.id}/edit`, bodyFields({ name: body.name, visibility: 'closed', defaultVenue: 'Fearon Hall' }))).statusCode).toBe(302)
    expect((await bodyRow(body.id)).default_venue).toBe('Fearon Hall')
  })
})

describe('members', () => {
  it('adds a user, representing their own organisation by default, and lists them', async () => {
    const { clerk, body } = await bodyWithClerk()
    const organisation = await t.factories.organisation({ name: `Police ${unique()}`, type: 'police' })
    const inspector = await t.factories.user({ roles: ['board_member'], organisationId: organisation.id, name: `Inspector ${unique()}` })
    const form = await clerk.get(`/bodies/${body.id}/members/new`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain(`(${organisation.name})`)
    expect(form.body).toContain(`name="fromDate-year" type="text" value="${today.slice(0, 4)}"`)

    const response = await clerk.submit(`/bodies/${body.id}/members/new`, { memberType: 'user', userId: inspector.id, role: 'member', ...dateFields('fromDate', today) })
    expect(response.statusCode, response.body).toBe(302)
    const row = (await memberRows(body.id)).find((member) => member.user_id === inspector.id)!
    expect(row).toMatchObject({ role: 'member', organisation_id: organisation.id, from_date: today, to_date: null, created_by: clerk.user.id })
    const audit = (await auditRows('body.member_added', body.id)).find((entry) => (entry.details as { memberId: string }).memberId === row.id)!
    expect(audit.details).toEqual({ memberId: row.id, role: 'member', memberType: 'user' })
    const page = await clerk.get(`/bodies/${body.id}`)
    expect(page.body).toContain(organisation.name)
  })

  it('adds a contact without an account, for the organisation chosen', async () => {
    const { clerk, body } = await bodyWithClerk()
    const contact = await gov.contact({ createdBy: clerk.user.id })
    const organisation = await t.factories.organisation({ type: 'voluntary' })
    const response = await clerk.submit(`/bodies/${body.id}/members/new`, { memberType: 'contact', contactId: contact.id, role: 'in_attendance', organisationId: organisation.id, ...dateFields('fromDate', '2026-01-01'), ...dateFields('toDate', '2026-12-31') })
    expect(response.statusCode, response.body).toBe(302)
    expect((await memberRows(body.id)).find((member) => member.contact_id === contact.id)).toMatchObject({ role: 'in_attendance', organisation_id: organisation.id, from_date: '2026-01-01', to_date: '2026-12-31', user_id: null })
  })

  it('refuses a person who is already a member over those dates, but takes them back after their membership ended', async () => {
    const { clerk, body } = await bodyWithClerk()
    const name = `Returning Member ${unique()}`
    const person = await t.factories.user({ roles: ['board_member'], name })
    await db().insertInto('body_members').values({ body_id: body.id, user_id: person.id, role: 'member', from_date: '2024-01-01', to_date: '2025-12-31', created_by: clerk.user.id }).execute()

    const overlapping = await clerk.submit(`/bodies/${body.id}/members/new`, { memberType: 'user', userId: person.id, role: 'officer', ...dateFields('fromDate', '2025-06-01') })
    expect(overlapping.statusCode).toBe(400)
    expect(overlapping.body).toContain(`${name} is already a member of this body`)
    expect(overlapping.body).toContain('href="#userId"')

    const after = await clerk.submit(`/bodies/${body.id}/members/new`, { memberType: 'user', userId: person.id, role: 'member', ...dateFields('fromDate', '2026-01-01') })
    expect(after.statusCode).toBe(302)
    expect((await memberRows(body.id)).filter((member) => member.user_id === person.id)).toHaveLength(2)

    const again = await clerk.submit(`/bodies/${body.id}/members/new`, { memberType: 'user', userId: person.id, role: 'member', ...dateFields('fromDate', '2030-01-01') })
    expect(again.statusCode).toBe(400)
    expect(again.body).toContain('is already a member of this body')
  })

  it('refuses an end date before the start date, a missing person and a date that is not real, keeping what was entered', async () => {
    const { clerk, body } = await bodyWithClerk()
    const person = await t.factories.user({ roles: ['board_member'] })
    const before = await memberRows(body.id)
    const backwards = await clerk.submit(`/bodies/${body.id}/members/new`, { memberType: 'user', userId: person.id, role: 'member', ...dateFields('fromDate', '2026-05-14'), ...dateFields('toDate', '2026-05-13') })
    expect(backwards.statusCode).toBe(400)
    expect(backwards.body).toContain('The end date must be the same as or after the start date')
    expect(backwards.body).toContain('href="#toDate-day"')
    expect(backwards.body).toContain('value="13"')

    const nobody = await clerk.submit(`/bodies/${body.id}/members/new`, { memberType: 'user', role: 'member', 'fromDate-day': '31', 'fromDate-month': '2', 'fromDate-year': '2026' })
    expect(nobody.statusCode).toBe(400)
    expect(nobody.body).toContain('Select the person from the list of users')
    expect(nobody.body).toContain('Enter the date they became a member as a real date')

    const nothing = await clerk.submit(`/bodies/${body.id}/members/new`, {})
    expect(nothing.statusCode).toBe(400)
    for (const message of ['Select whether the person has an account', 'Select their role on the body', 'Enter the date they became a member']) expect(nothing.body).toContain(message)
    expect(await memberRows(body.id)).toHaveLength(before.length)
  })

  it('marks a member whose roles cannot read governance', async () => {
    const { clerk, body } = await bodyWithClerk()
    const caseManager = await t.factories.user({ roles: ['case_manager'] })
    expect((await clerk.submit(`/bodies/${body.id}/members/new`, { memberType: 'user', userId: caseManager.id, role: 'member', ...dateFields('fromDate', today) })).statusCode).toBe(302)
    const page = await clerk.get(`/bodies/${body.id}`)
    expect(page.body).toContain('Cannot sign in to read papers: needs the board member role')
  })

  it('preselects a contact just added from the member form', async () => {
    const { clerk, body } = await bodyWithClerk()
    const contact = await gov.contact({ createdBy: clerk.user.id })
    const form = await clerk.get(`/bodies/${body.id}/members/new?contactId=${contact.id}&notice=contact-added`)
    expect(form.body).toContain('Contact added. They are selected below.')
    expect(form.body).toContain(`value="${contact.id}" selected`)
    expect(form.body).toMatch(/value="contact" checked/)
  })

  it('ends a membership, moving it to the past members, and refuses an end before its start', async () => {
    const { clerk, body } = await bodyWithClerk()
    const person = await t.factories.user({ roles: ['board_member'], name: `Leaving Member ${unique()}` })
    const member = await gov.member({ bodyId: body.id, userId: person.id, fromDate: '2024-06-01', createdBy: clerk.user.id })
    const form = await clerk.get(`/bodies/${body.id}/members/${member.id}/end`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('1 June 2024')

    const early = await clerk.submit(`/bodies/${body.id}/members/${member.id}/end`, dateFields('toDate', '2024-05-31'))
    expect(early.statusCode).toBe(400)
    expect(early.body).toContain('The end date must be on or after the date they became a member, 1 June 2024')
    const blank = await clerk.submit(`/bodies/${body.id}/members/${member.id}/end`, {})
    expect(blank.statusCode).toBe(400)
    expect(blank.body).toContain('Enter the date the membership ends')

    const yesterday = addDays(today, -1)
    const response = await clerk.submit(`/bodies/${body.id}/members/${member.id}/end`, dateFields('toDate', yesterday))
    expect(response.statusCode).toBe(302)
    expect((await memberRows(body.id)).find((row) => row.id === member.id)!.to_date).toBe(yesterday)
    expect((await auditRows('body.member_ended', body.id))[0]!.details).toEqual({ memberId: member.id })
    expect((await clerk.get(`/bodies/${body.id}`)).body).toContain('Past members (1)')

    const twice = await clerk.submit(`/bodies/${body.id}/members/${member.id}/end`, dateFields('toDate', today))
    expect(twice.statusCode).toBe(400)
    expect(twice.body).toContain('This membership already ended on')
  })

  it('is not found for a member of another body', async () => {
    const { clerk, body } = await bodyWithClerk()
    const other = await gov.body({ createdBy: clerk.user.id })
    const elsewhere = await gov.member({ bodyId: other.id, userId: clerk.user.id, createdBy: clerk.user.id })
    expect((await clerk.get(`/bodies/${body.id}/members/${elsewhere.id}/end`)).statusCode).toBe(404)
  })
})

describe('current members', () => {
  it('lists those whose membership covers the date, chair first, then deputy, members, officers, clerk and in attendance, then by name', async () => {
    const { clerk, body } = await bodyWithClerk()
    const organisation = await t.factories.organisation({ name: `Sat for ${unique()}` })
    const make = async (name: string, role: string, fromDate = '2020-01-01', toDate: string | null = null, organisationId: string | null = null) => {
      const user = await t.factories.user({ roles: ['board_member'], name })
      await db().insertInto('body_members').values({ body_id: body.id, user_id: user.id, role, from_date: fromDate, to_date: toDate, organisation_id: organisationId, created_by: clerk.user.id }).execute()
      return user
    }
    await make('Zed Member', 'member')
    await make('Amy Member', 'member', '2020-01-01', null, organisation.id)
    await make('Olly Officer', 'officer')
    await make('Dee Deputy', 'deputy_chair')
    await make('Cal Chair', 'chair')
    await make('Gone Before', 'member', '2019-01-01', '2025-12-31')
    await make('Not Yet', 'member', '2027-01-01')
    const contactOrganisation = await t.factories.organisation({ name: `Charity partner ${unique()}` })
    const typed = await db().insertInto('governance_contacts').values({ name: 'Ivy Visitor', organisation_name: 'Soar Valley Youth Trust', email: 'ivy@example.org', created_by: clerk.user.id }).returning('id').executeTakeFirstOrThrow()
    const partner = await db().insertInto('governance_contacts').values({ name: 'Ian Visitor', organisation_id: contactOrganisation.id, created_by: clerk.user.id }).returning('id').executeTakeFirstOrThrow()
    for (const contact of [typed, partner]) await gov.member({ bodyId: body.id, contactId: contact.id, role: 'in_attendance', fromDate: '2020-01-01', createdBy: clerk.user.id })

    const members = await bodiesRepository(db()).currentMembers(body.id, '2026-06-01')
    expect(members.map((member) => member.name.replace(/^Test User.*/, 'clerk'))).toEqual(['Cal Chair', 'Dee Deputy', 'Amy Member', 'Zed Member', 'Olly Officer', 'clerk', 'Ian Visitor', 'Ivy Visitor'])
    expect(members.map((member) => member.roleLabel)).toEqual(['Chair', 'Deputy Chair', 'Member', 'Member', 'Officer', 'Clerk', 'In attendance', 'In attendance'])
    expect(members.find((member) => member.name === 'Amy Member')!.organisationName).toBe(organisation.name)
    expect(members.find((member) => member.name === 'Ivy Visitor')).toMatchObject({ organisationName: 'Soar Valley Youth Trust', email: 'ivy@example.org', userId: null, contactId: typed.id })
    expect(members.find((member) => member.name === 'Ian Visitor')!.organisationName).toBe(contactOrganisation.name)
    const clerkRow = members.find((member) => member.userId === clerk.user.id)!
    const clerkOrganisation = await db().selectFrom('organisations').select('name').where('id', '=', clerk.user.organisationId).executeTakeFirstOrThrow()
    expect(clerkRow).toMatchObject({ email: clerk.user.email, organisationName: clerkOrganisation.name, role: 'clerk' })

    const earlier = await bodiesRepository(db()).currentMembers(body.id, '2025-12-31')
    expect(earlier.map((member) => member.name)).toContain('Gone Before')
    const later = await t.services.bodies.currentMembers({ userId: clerk.user.id, organisationId: clerk.user.organisationId, ip: null }, body.id, '2027-01-01')
    expect(later.map((member) => member.name)).toContain('Not Yet')
  })
})

describe('contacts without an account', () => {
  it('lists contacts to a board member, who may not add one', async () => {
    const { clerk } = await bodyWithClerk()
    const contact = await gov.contact({ createdBy: clerk.user.id, name: `Listed Contact ${unique()}` })
    const reader = await t.signInAs(['board_member'])
    const page = await reader.get('/contacts')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(contact.name)
    expect(page.body).not.toContain('/contacts/new')
    expect((await reader.get('/contacts/new')).statusCode).toBe(403)
    expect((await reader.get(`/contacts/${contact.id}/edit`)).statusCode).toBe(403)
  })

  it('adds a contact, validating the email and the organisation, and audits without personal data', async () => {
    const coordinator = await t.signInAs(['partnership_coordinator'])
    const partner = await t.factories.organisation({ type: 'voluntary' })
    const bad = await coordinator.submit('/contacts/new', { name: 'Robin Presenter', email: 'not-an-email', organisationId: partner.id, organisationName: 'Also typed' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Enter an email address in the correct format, like name@example.org')
    expect(bad.body).toContain('Select a partner organisation or type the name of another, not both')
    expect(bad.body).toContain('value="Robin Presenter"')
    const name = `Robin Presenter ${unique()}`
    const response = await coordinator.submit('/contacts/new', { name, organisationName: 'Loughborough Street Pastors', jobTitle: 'Coordinator', email: 'robin@example.org' })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe('/contacts?notice=added')
    const row = await db().selectFrom('governance_contacts').selectAll().where('name', '=', name).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ organisation_id: null, organisation_name: 'Loughborough Street Pastors', job_title: 'Coordinator', email: 'robin@example.org', created_by: coordinator.user.id })
    const [audit] = await auditRows('contact.created', row.id)
    expect(JSON.stringify(audit!.details ?? {})).not.toContain('Robin')
  })

  it('returns to the member form only for a path of a body', async () => {
    const { clerk, body } = await bodyWithClerk()
    const returnTo = `/bodies/${body.id}/members/new`
    const form = await clerk.get(`/contacts/new?returnTo=${encodeURIComponent(returnTo)}`)
    expect(form.body).toContain(`name="returnTo" value="${returnTo}"`)
    const response = await clerk.submit('/contacts/new', { name: `Returning ${unique()}`, returnTo })
    expect(response.statusCode).toBe(302)
    expect(String(response.headers.location)).toMatch(new RegExp(`^${returnTo}\\?contactId=[0-9a-f-]{36}&notice=contact-added$`))
    for (const evil of ['https://evil.example/bodies/', '//evil.example/bodies/x', '/bodies/../admin', '/cases/1']) {
      const refused = await clerk.submit('/contacts/new', { name: `Evil ${unique()}`, returnTo: evil })
      expect(refused.headers.location, evil).toBe('/contacts?notice=added')
    }
  })

  it('changes a contact and audits the fields changed', async () => {
    const coordinator = await t.signInAs(['partnership_coordinator'])
    const partner = await t.factories.organisation({ type: 'voluntary', name: `Voluntary Action ${unique()}` })
    const contact = await gov.contact({ createdBy: coordinator.user.id })
    const form = await coordinator.get(`/contacts/${contact.id}/edit`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain(`value="${contact.name}"`)
    const response = await coordinator.submit(`/contacts/${contact.id}/edit`, { name: contact.name, organisationId: partner.id, email: 'new@example.org' })
    expect(response.statusCode).toBe(302)
    const row = await db().selectFrom('governance_contacts').selectAll().where('id', '=', contact.id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ organisation_id: partner.id, email: 'new@example.org' })
    expect((await auditRows('contact.updated', contact.id))[0]!.details).toEqual({ fields: ['organisationId', 'email'] })
    expect((await coordinator.get('/contacts')).body).toContain(partner.name)
    expect((await coordinator.get('/contacts/00000000-0000-4000-8000-000000000000/edit')).statusCode).toBe(404)
  })

  it('lets only those who run every body a contact sits on change their details (their email receives its papers)', async () => {
    const { clerk, body } = await bodyWithClerk({ visibility: 'closed' })
    const contact = await gov.contact({ createdBy: clerk.user.id, email: 'member@example.org' })
    await gov.member({ bodyId: body.id, contactId: contact.id, createdBy: clerk.user.id })
    const other = await t.signInAs(['partnership_coordinator'])
    expect((await other.get(`/contacts/${contact.id}/edit`)).statusCode).toBe(403)
    const refused = await other.submit(`/contacts/${contact.id}/edit`, { name: contact.name, email: 'intercept@example.org' }, { formPage: '/contacts' })
    expect(refused.statusCode).toBe(403)
    expect((await db().selectFrom('governance_contacts').select('email').where('id', '=', contact.id).executeTakeFirstOrThrow()).email).toBe('member@example.org')
    expect((await clerk.submit(`/contacts/${contact.id}/edit`, { name: contact.name, email: 'member.new@example.org' }, { formPage: `/contacts/${contact.id}/edit` })).statusCode).toBe(302)
    const admin = await t.signInAs(['admin'])
    expect((await admin.get(`/contacts/${contact.id}/edit`)).statusCode).toBe(200)
  })

  it('audits each listing of contacts and each reading of a body and its members, with counts only', async () => {
    const { clerk, body } = await bodyWithClerk()
    await clerk.get('/contacts')
    await clerk.json('GET', '/api/v1/contacts')
    const listed = await db().selectFrom('audit_events').select(['details']).where('action', '=', 'contacts.listed').where('user_id', '=', clerk.user.id).execute()
    expect(listed).toHaveLength(2)
    expect(Object.keys(listed[0]!.details)).toEqual(['count'])
    await clerk.get(`/bodies/${body.id}`)
    await clerk.json('GET', `/api/v1/bodies/${body.id}`)
    const viewed = await auditRows('body.viewed', body.id)
    expect(viewed).toHaveLength(2)
    expect(viewed[0]!.details).toEqual({ members: 1 })
  })
})

describe('elections', () => {
  /** A body with a chair (a user) and a member (a contact), and a meeting held a month ago. */
  async function electionSetUp(options: { minutesStatus?: 'none' | 'confirmed' } = {}) {
    const { clerk, body } = await bodyWithClerk({ name: `Election CSP ${unique()}` })
    const oldChair = await t.factories.user({ roles: ['board_member'], name: `Old Chair ${unique()}` })
    const oldChairRow = await gov.member({ bodyId: body.id, userId: oldChair.id, role: 'chair', fromDate: '2020-05-14', createdBy: clerk.user.id })
    const contact = await gov.contact({ createdBy: clerk.user.id, name: `New Chair ${unique()}` })
    const newChairRow = await gov.member({ bodyId: body.id, contactId: contact.id, role: 'member', fromDate: '2021-01-01', createdBy: clerk.user.id })
    const meetsOn = addDays(today, -30)
    const meeting = await gov.meeting({ bodyId: body.id, meetsOn, createdBy: clerk.user.id, status: 'held', minutesStatus: options.minutesStatus })
    await gov.item({ bodyId: body.id, meetingId: meeting.id, position: 1, kind: 'apologies', title: 'Apologies', createdBy: clerk.user.id })
    await gov.item({ bodyId: body.id, meetingId: meeting.id, position: 2, kind: 'any_other_business', title: 'Any other business', createdBy: clerk.user.id })
    await gov.item({ bodyId: body.id, meetingId: meeting.id, position: 3, kind: 'next_meeting', title: 'Date of next meeting', createdBy: clerk.user.id })
    return { clerk, body, oldChair, oldChairRow, contact, newChairRow, meetsOn, meeting }
  }

  it('records the resolution under a new election item, ends the old chair’s term the day before, and elects the new chair from the meeting date', async () => {
    const { clerk, body, oldChair, oldChairRow, contact, newChairRow, meetsOn, meeting } = await electionSetUp()
    const year = municipalYearOf(meetsOn)
    const form = await clerk.get(`/bodies/${body.id}/elections/new`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain(longDate(meetsOn))
    expect(form.body).toContain(contact.name)

    const response = await clerk.submit(`/bodies/${body.id}/elections/new`, { meetingId: meeting.id, office: 'chair', memberId: newChairRow.id })
    expect(response.statusCode, response.body).toBe(302)

    const items = await db().selectFrom('agenda_items').select(['id', 'kind', 'title', 'position']).where('meeting_id', '=', meeting.id).orderBy('position').execute()
    expect(items.map((item) => item.kind)).toEqual(['apologies', 'election', 'any_other_business', 'next_meeting'])
    expect(items[1]!.title).toBe(`Election of Chair and Deputy Chair for ${year}`)
    const [resolution] = await db().selectFrom('resolutions').selectAll().where('agenda_item_id', '=', items[1]!.id).execute()
    expect(resolution).toMatchObject({ kind: 'resolved', position: 1, text: `that ${contact.name} be elected Chair of the ${body.name} for the municipal year ${year}`, created_by: clerk.user.id })

    const rows = await memberRows(body.id)
    expect(rows.find((row) => row.id === oldChairRow.id)!.to_date).toBe(addDays(meetsOn, -1))
    expect(rows.filter((row) => row.user_id === oldChair.id && row.to_date === null)).toMatchObject([{ role: 'member', from_date: meetsOn }])
    expect(rows.find((row) => row.id === newChairRow.id)!.to_date).toBe(addDays(meetsOn, -1))
    expect(rows.filter((row) => row.contact_id === contact.id && row.to_date === null)).toMatchObject([{ role: 'chair', from_date: meetsOn, municipal_year: year, elected_by_resolution_id: resolution!.id }])

    const current = await bodiesRepository(db()).currentMembers(body.id, today)
    expect(current[0]).toMatchObject({ name: contact.name, role: 'chair' })
    expect(current.filter((member) => member.contactId === contact.id)).toHaveLength(1)
    expect(current.filter((member) => member.userId === oldChair.id)).toMatchObject([{ role: 'member' }])

    const page = await clerk.get(`/bodies/${body.id}?notice=election`)
    expect(page.body).toContain(`Chair ${year}: ${contact.name} (elected ${longDate(meetsOn)})`)
    const [audit] = await auditRows('body.election_recorded', body.id)
    expect(audit!.details).toMatchObject({ meetingId: meeting.id, resolutionId: resolution!.id, office: 'chair', municipalYear: year })
  })

  it('adds a deputy chair’s election to the same item as resolution (b)', async () => {
    const { clerk, body, newChairRow, meeting } = await electionSetUp()
    const deputy = await t.factories.user({ roles: ['board_member'] })
    const deputyRow = await gov.member({ bodyId: body.id, userId: deputy.id, createdBy: clerk.user.id })
    expect((await clerk.submit(`/bodies/${body.id}/elections/new`, { meetingId: meeting.id, office: 'chair', memberId: newChairRow.id, municipalYear: '2025/26' })).statusCode).toBe(302)
    expect((await clerk.submit(`/bodies/${body.id}/elections/new`, { meetingId: meeting.id, office: 'deputy_chair', memberId: deputyRow.id, municipalYear: '2025/26' })).statusCode).toBe(302)
    const items = await db().selectFrom('agenda_items').select('id').where('meeting_id', '=', meeting.id).where('kind', '=', 'election').execute()
    expect(items).toHaveLength(1)
    const resolutions = await db().selectFrom('resolutions').select(['position', 'text']).where('agenda_item_id', '=', items[0]!.id).orderBy('position').execute()
    expect(resolutions.map((row) => row.position)).toEqual([1, 2])
    expect(resolutions[1]!.text).toContain('be elected Deputy Chair of the')
    expect(resolutions[1]!.text).toContain('for the municipal year 2025/26')
  })

  it('refuses a municipal year in the wrong form, a meeting in the future and one with confirmed minutes', async () => {
    const { clerk, body, newChairRow, meeting } = await electionSetUp()
    for (const municipalYear of ['2026/28', '2026-27', '26/27']) {
      const response = await clerk.submit(`/bodies/${body.id}/elections/new`, { meetingId: meeting.id, office: 'chair', memberId: newChairRow.id, municipalYear })
      expect(response.statusCode, municipalYear).toBe(400)
      expect(response.body).toContain('Enter the municipal year as the year it starts and the next, like 2026/27')
    }
    const future = await gov.meeting({ bodyId: body.id, meetsOn: addDays(today, 10), createdBy: clerk.user.id })
    const tooSoon = await clerk.submit(`/bodies/${body.id}/elections/new`, { meetingId: future.id, office: 'chair', memberId: newChairRow.id })
    expect(tooSoon.statusCode).toBe(400)
    expect(tooSoon.body).toContain('Select a meeting of this body held today or earlier')
    const form = await clerk.get(`/bodies/${body.id}/elections/new`)
    expect(form.body).not.toContain(future.id)

    const confirmed = await gov.meeting({ bodyId: body.id, meetsOn: addDays(today, -60), createdBy: clerk.user.id, status: 'held', minutesStatus: 'confirmed' })
    const locked = await clerk.submit(`/bodies/${body.id}/elections/new`, { meetingId: confirmed.id, office: 'chair', memberId: newChairRow.id })
    expect(locked.statusCode).toBe(400)
    expect(locked.body).toContain('are confirmed, so no resolution can be added to them')

    const empty = await clerk.submit(`/bodies/${body.id}/elections/new`, {})
    expect(empty.statusCode).toBe(400)
    for (const message of ['Select the meeting at which the election was held', 'Select the office: Chair or Deputy Chair', 'Select who was elected']) expect(empty.body).toContain(message)
    expect(await db().selectFrom('resolutions').innerJoin('agenda_items', 'agenda_items.id', 'resolutions.agenda_item_id').select('resolutions.id').where('agenda_items.body_id', '=', body.id).execute()).toHaveLength(0)
  })

  it('refuses a meeting of another body and a person who is not a current member', async () => {
    const { clerk, body, meeting } = await electionSetUp()
    const other = await electionSetUp()
    const response = await clerk.submit(`/bodies/${body.id}/elections/new`, { meetingId: other.meeting.id, office: 'chair', memberId: other.newChairRow.id })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('Select a meeting of this body held today or earlier')
    const stranger = await clerk.submit(`/bodies/${body.id}/elections/new`, { meetingId: meeting.id, office: 'chair', memberId: other.newChairRow.id })
    expect(stranger.statusCode).toBe(400)
    expect(stranger.body).toContain('Select who was elected from the current members')
  })

  it('elects a member recorded only after the meeting, from the meeting date', async () => {
    const { clerk, body, meetsOn, meeting } = await electionSetUp()
    const person = await t.factories.user({ roles: ['board_member'] })
    const late = await gov.member({ bodyId: body.id, userId: person.id, fromDate: today, createdBy: clerk.user.id })
    expect((await clerk.submit(`/bodies/${body.id}/elections/new`, { meetingId: meeting.id, office: 'deputy_chair', memberId: late.id })).statusCode).toBe(302)
    expect((await memberRows(body.id)).filter((row) => row.user_id === person.id)).toMatchObject([{ id: late.id, role: 'deputy_chair', from_date: meetsOn, to_date: null }])
  })

  it('is refused (403) to a board member who chairs the body', async () => {
    const { body, oldChair, meeting, newChairRow } = await electionSetUp()
    const agent = await t.signIn(oldChair.email, oldChair.password)
    expect((await agent.get(`/bodies/${body.id}/elections/new`)).statusCode).toBe(403)
    expect((await agent.submit(`/bodies/${body.id}/elections/new`, { meetingId: meeting.id, office: 'chair', memberId: newChairRow.id }, { formPage: '/bodies' })).statusCode).toBe(403)
  })
})

describe('the API', () => {
  it('creates a body, adds members and reads it back with its members, chair first', async () => {
    const coordinator = await t.signInAs(['partnership_coordinator'])
    await coordinator.get('/bodies')
    const name = `API Strategy Board ${unique()}`
    const created = await coordinator.json('POST', '/api/v1/bodies', { name, kind: 'strategy_board', visibility: 'open', defaultStartTime: '14:00' })
    expect(created.statusCode, created.body).toBe(201)
    const body = created.json() as { id: string; name: string; defaultStartTime: string; currentMembers: { role: string }[] }
    expect(body).toMatchObject({ name, defaultStartTime: '14:00', reminderDaysBefore: 7, resolutionNumbering: 'letters' })
    expect(body.currentMembers).toMatchObject([{ role: 'clerk', roleLabel: 'Clerk', userId: coordinator.user.id }])

    const chair = await t.factories.user({ roles: ['board_member'] })
    const added = await coordinator.json('POST', `/api/v1/bodies/${body.id}/members`, { userId: chair.id, role: 'chair' })
    expect(added.statusCode, added.body).toBe(201)
    const contact = (await coordinator.json('POST', '/api/v1/contacts', { name: 'API Contact', organisationName: 'Youth charity', email: 'api.contact@example.org' }))
    expect(contact.statusCode, contact.body).toBe(201)
    const contactId = (contact.json() as { id: string }).id
    expect(contact.json()).toMatchObject({ name: 'API Contact', organisationName: 'Youth charity', email: 'api.contact@example.org', organisationId: null, jobTitle: null })
    expect((await coordinator.json('POST', `/api/v1/bodies/${body.id}/members`, { contactId, role: 'in_attendance', fromDate: '2026-01-01' })).statusCode).toBe(201)

    const read = (await coordinator.json('GET', `/api/v1/bodies/${body.id}`)).json() as { currentMembers: { role: string; name: string }[] }
    expect(read.currentMembers.map((member) => member.role)).toEqual(['chair', 'clerk', 'in_attendance'])
    const contacts = (await coordinator.json('GET', '/api/v1/contacts')).json() as { id: string }[]
    expect(contacts.some((row) => row.id === contactId)).toBe(true)
  })

  it('answers bad input with 400 and a message a person understands', async () => {
    const { clerk, body } = await bodyWithClerk()
    const person = await t.factories.user({ roles: ['board_member'] })
    const contact = await gov.contact({ createdBy: clerk.user.id })
    await clerk.get('/bodies')
    const duplicate = await clerk.json('POST', '/api/v1/bodies', { name: body.name, kind: 'csp', visibility: 'open' })
    expect(duplicate.statusCode).toBe(400)
    expect(duplicate.json().message).toBe('A body with this name already exists: choose another name')
    const invalid = await clerk.json('POST', '/api/v1/bodies', { name: 'x', kind: 'club', visibility: 'open' })
    expect(invalid.statusCode).toBe(400)
    expect(invalid.json().message).toContain('Select the kind of body')
    const both = await clerk.json('POST', `/api/v1/bodies/${body.id}/members`, { userId: person.id, contactId: contact.id, role: 'member' })
    expect(both.statusCode).toBe(400)
    expect(both.json().message).toContain('Give either userId or contactId')
    const backwards = await clerk.json('POST', `/api/v1/bodies/${body.id}/members`, { userId: person.id, role: 'member', fromDate: '2026-05-14', toDate: '2026-05-01' })
    expect(backwards.statusCode).toBe(400)
    expect(backwards.json().message).toContain('The end date must be the same as or after the start date')
    expect((await clerk.json('POST', `/api/v1/bodies/${body.id}/members`, { userId: person.id, role: 'member' })).statusCode).toBe(201)
    const again = await clerk.json('POST', `/api/v1/bodies/${body.id}/members`, { userId: person.id, role: 'officer' })
    expect(again.statusCode).toBe(400)
    expect(again.json().message).toMatch(/is already a member of this body$/)
    const badEmail = await clerk.json('POST', '/api/v1/contacts', { name: 'No Email', email: 'nope' })
    expect(badEmail.statusCode).toBe(400)
    expect(badEmail.json().message).toContain('Enter an email address in the correct format')
  })

  it('refuses changes to a board member and to a coordinator who does not run the body', async () => {
    const { body } = await bodyWithClerk()
    const reader = await t.signInAs(['board_member'])
    await reader.get('/bodies')
    expect((await reader.json('POST', '/api/v1/bodies', { name: `No ${unique()}`, kind: 'csp', visibility: 'open' })).statusCode).toBe(403)
    expect((await reader.json('POST', '/api/v1/contacts', { name: 'No one' })).statusCode).toBe(403)
    const coordinator = await t.signInAs(['partnership_coordinator'])
    await coordinator.get('/bodies')
    expect((await coordinator.json('POST', `/api/v1/bodies/${body.id}/members`, { userId: coordinator.user.id, role: 'clerk' })).statusCode).toBe(403)
    expect((await memberRows(body.id)).some((row) => row.user_id === coordinator.user.id)).toBe(false)
  })

  it('is described in the OpenAPI document under Bodies', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })
    expect(response.statusCode).toBe(200)
    const paths = (response.json() as { paths: Record<string, Record<string, { tags?: string[] }>> }).paths
    for (const [path, method] of [['/api/v1/bodies', 'get'], ['/api/v1/bodies', 'post'], ['/api/v1/bodies/{bodyId}', 'get'], ['/api/v1/bodies/{bodyId}/members', 'post'], ['/api/v1/contacts', 'get'], ['/api/v1/contacts', 'post']] as const) {
      expect(paths[path]?.[method]?.tags, `${method} ${path}`).toEqual(['Bodies'])
    }
    expect(Object.keys(paths).some((path) => path.startsWith('/bodies') || path.startsWith('/contacts'))).toBe(false)
  })
})
