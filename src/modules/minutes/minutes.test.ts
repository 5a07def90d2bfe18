import { createHash } from 'node:crypto'
import { PostgresQueryCompiler, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { addDays, todayInLondon } from '../../platform/dates.js'
import { NotFoundError } from '../../platform/http/errors.js'
import { STALE_EDIT_MESSAGE } from '../cases/case-access.js'
import { meetingsRepository } from '../meetings/meetings.repository.js'
import { MINUTES_NOT_PUBLISHED, MINUTES_NOT_WRITTEN, minutesOrder } from './meeting-record.js'
import { minutesRepository } from './minutes.repository.js'
import { CHANGE_REASON_REQUIRED, NO_ATTENDANCE_MESSAGE, printedDate } from './minutes.service.js'

let t: TestApp
const db = () => t.testDb.database.db
let counter = 0
const unique = () => `${Date.now().toString(36)}-${counter++}`

beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const today = todayInLondon()
const past = addDays(today, -20)
const future = addDays(today, 30)

const STANDARD_AGENDA = [
  ['apologies', 'Apologies'],
  ['previous_minutes', 'Minutes of the previous meeting'],
  ['action_log', 'Action log'],
  ['declarations', 'Declarations of interest'],
  ['report', 'Anti-social behaviour report'],
  ['report', 'Drone bid'],
  ['presentation', 'Hate crime presentation'],
  ['any_other_business', 'Any other business'],
  ['next_meeting', 'Date of next meeting'],
] as const

type Clerk = Agent & { user: { id: string; email: string; organisationId: string } }

async function addMeeting(bodyId: string, createdBy: string, meetsOn: string, agenda: readonly (readonly [string, string])[] = STANDARD_AGENDA) {
  const meeting = await db().insertInto('meetings').values({ body_id: bodyId, meets_on: meetsOn, starts_at: '10:00', venue: 'Microsoft Teams', created_by: createdBy }).returning('id').executeTakeFirstOrThrow()
  const items: string[] = []
  for (const [index, [kind, title]] of agenda.entries()) {
    const row = await db().insertInto('agenda_items').values({ body_id: bodyId, meeting_id: meeting.id, position: index + 1, kind, title, created_by: createdBy }).returning('id').executeTakeFirstOrThrow()
    items.push(row.id)
  }
  /** The id of agenda item number n. */
  const item = (n: number) => items[n - 1]!
  return { id: meeting.id, items, item }
}

/**
 * A body with a clerk (the signed-in coordinator), a chair and a member with accounts, a member without an account,
 * and a meeting with the standard agenda.
 */
async function arrange(options: { visibility?: 'open' | 'closed'; numbering?: 'letters' | 'numbers'; meetsOn?: string } = {}) {
  const clerk = (await t.signInAs(['partnership_coordinator'])) as Clerk
  const council = await t.factories.organisation({ name: `Charnwood Borough Council ${unique()}` })
  const police = await t.factories.organisation({ name: `Leicestershire Police ${unique()}`, type: 'police' })
  const body = await db()
    .insertInto('bodies')
    .values({ name: `Charnwood CSP ${unique()}`, kind: 'csp', visibility: options.visibility ?? 'open', resolution_numbering: options.numbering ?? 'letters', created_by: clerk.user.id })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow()
  const chair = await t.factories.user({ roles: ['board_member'], organisationId: council.id, name: `Cllr Ann Chair ${unique()}` })
  const member = await t.factories.user({ roles: ['board_member'], organisationId: police.id, name: `Insp Ben Member ${unique()}` })
  const contact = await db()
    .insertInto('governance_contacts')
    .values({ name: `Pat Volunteer ${unique()}`, organisation_name: 'Voluntary Action Charnwood', created_by: clerk.user.id })
    .returning('id')
    .executeTakeFirstOrThrow()
  const membership = (values: { userId?: string; contactId?: string; role: string }) =>
    db()
      .insertInto('body_members')
      .values({ body_id: body.id, user_id: values.userId ?? null, contact_id: values.contactId ?? null, role: values.role, from_date: '2020-01-01', created_by: clerk.user.id })
      .returning('id')
      .executeTakeFirstOrThrow()
  await membership({ userId: clerk.user.id, role: 'clerk' })
  await membership({ userId: chair.id, role: 'chair' })
  await membership({ userId: member.id, role: 'member' })
  await membership({ contactId: contact.id, role: 'member' })
  const meeting = await addMeeting(body.id, clerk.user.id, options.meetsOn ?? past)
  return { clerk, body, council, police, chair, member, contactId: contact.id, meeting, membership }
}
type Arranged = Awaited<ReturnType<typeof arrange>>

const versionOf = async (meetingId: string) => (await db().selectFrom('meetings').select('version').where('id', '=', meetingId).executeTakeFirstOrThrow()).version
const meetingRow = (meetingId: string) => db().selectFrom('meetings').selectAll().where('id', '=', meetingId).executeTakeFirstOrThrow()
const itemRow = (itemId: string) => db().selectFrom('agenda_items').selectAll().where('id', '=', itemId).executeTakeFirstOrThrow()
const attendanceRows = (meetingId: string) => db().selectFrom('meeting_attendance').selectAll().where('meeting_id', '=', meetingId).execute()
const auditRows = (action: string, recordId: string) => db().selectFrom('audit_events').selectAll().where('action', '=', action).where('record_id', '=', recordId).execute()
const recordOf = (a: Arranged, meetingId = a.meeting.id, includeExempt = true) => t.services.minutes.record({ userId: a.clerk.user.id, organisationId: a.clerk.user.organisationId, ip: null }, meetingId, { includeExempt })

const statusField = (key: string) => `status-${key.replace(':', '-')}`
/** The attendance form as a browser posts it: each listed person, their radios, and optionally someone else. */
function attendanceFields(version: number, statuses: Record<string, string>, other: Record<string, string> = {}) {
  return { version: String(version), person: Object.keys(statuses), ...Object.fromEntries(Object.entries(statuses).map(([key, status]) => [statusField(key), status])), ...other }
}

/** Chair present, the police member sent apologies, the contact present, the clerk in attendance. */
async function recordUsualAttendance(a: Arranged, meetingId = a.meeting.id) {
  const response = await a.clerk.submit(
    `/meetings/${meetingId}/attendance`,
    attendanceFields(await versionOf(meetingId), { [`user:${a.chair.id}`]: 'present', [`user:${a.member.id}`]: 'apologies', [`contact:${a.contactId}`]: 'present', [`user:${a.clerk.user.id}`]: 'in_attendance' }),
  )
  expect(response.statusCode, response.body.slice(0, 2000)).toBe(302)
}

const errorSummary = (body: string) => /govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? ''

describe('the minutes page', () => {
  it('shows the attendance, declarations and each item in agenda order with its links, the closing time and the publish button', async () => {
    const a = await arrange()
    const page = await a.clerk.get(`/meetings/${a.meeting.id}/minutes`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`href="/meetings/${a.meeting.id}/attendance"`)
    expect(page.body).toContain(`href="/meetings/${a.meeting.id}/declarations"`)
    expect(page.body).toContain('No declarations of interest were made.')
    expect(page.body).toContain(`/meetings/${a.meeting.id}/minutes.docx`)
    expect(page.body).toContain(`/meetings/${a.meeting.id}/minutes.pdf`)
    expect(page.body).toContain('Publish minutes')
    expect(page.body).toContain('Time the meeting closed')
    for (const n of [1, 5, 9]) {
      expect(page.body).toContain(`/meetings/${a.meeting.id}/items/${a.meeting.item(n)}/actions/new`)
      expect(page.body).toContain(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(n)}`)
    }
    const positions = STANDARD_AGENDA.map(([, title], index) => page.body.indexOf(`Item ${index + 1}: ${title}`))
    expect(positions.every((position) => position > 0)).toBe(true)
    expect([...positions].sort((x, y) => x - y)).toEqual(positions)
  })

  it('lists the actions of each item with owners, due and status', async () => {
    const a = await arrange()
    const action = await db()
      .insertInto('actions')
      .values({ body_id: a.body.id, meeting_id: a.meeting.id, agenda_item_id: a.meeting.item(6), text: 'MC to circulate the drone bid to partners', due_next_meeting: true, created_by: a.clerk.user.id })
      .returning('id')
      .executeTakeFirstOrThrow()
    await db().insertInto('action_owners').values({ action_id: action.id, user_id: a.chair.id }).execute()
    const page = await a.clerk.get(`/meetings/${a.meeting.id}/minutes`)
    const section = page.body.slice(page.body.indexOf('Item 6: Drone bid'), page.body.indexOf('Item 7:'))
    expect(section).toContain('MC to circulate the drone bid to partners')
    expect(section).toContain('Next meeting')
    expect(section).toContain('Open')
    expect(section).toContain(a.council.name)
    const itemPage = await a.clerk.get(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(6)}`)
    expect(itemPage.body).toContain('MC to circulate the drone bid to partners')
    expect(itemPage.body).toContain(`href="/meetings/${a.meeting.id}/items/${a.meeting.item(6)}/actions/new"`)
  })
})

describe('reads of the full minutes by the clerk', () => {
  it('audits the minutes page, the item page and the resolution page, with ids only', async () => {
    const a = await arrange()
    await db().updateTable('agenda_items').set({ exempt: true, minutes: 'Confidential discussion' }).where('id', '=', a.meeting.item(6)).execute()
    const resolution = await db().insertInto('resolutions').values({ agenda_item_id: a.meeting.item(6), position: 1, text: 'that it be noted', created_by: a.clerk.user.id }).returning('id').executeTakeFirstOrThrow()
    expect((await a.clerk.get(`/meetings/${a.meeting.id}/minutes`)).statusCode).toBe(200)
    expect((await a.clerk.get(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(6)}`)).body).toContain('Confidential discussion')
    expect((await a.clerk.get(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(6)}/resolutions/${resolution.id}/edit`)).statusCode).toBe(200)
    const rows = await auditRows('minutes.viewed', a.meeting.id)
    expect(rows.map((row) => [row.user_id, row.details])).toEqual([
      [a.clerk.user.id, { via: 'clerk-page', exemptItems: 1 }],
      [a.clerk.user.id, { via: 'clerk-item-page', itemId: a.meeting.item(6), exempt: true }],
      [a.clerk.user.id, { via: 'clerk-resolution-page', itemId: a.meeting.item(6), exempt: true }],
    ])
  })
})

describe('attendance', () => {
  it("lists the body's members on the meeting date with Present, Sent apologies and Not recorded, and In attendance for officers", async () => {
    const a = await arrange()
    const ended = await t.factories.user({ roles: ['board_member'], name: `Former Member ${unique()}` })
    await db().insertInto('body_members').values({ body_id: a.body.id, user_id: ended.id, role: 'member', from_date: '2019-01-01', to_date: addDays(past, -1), created_by: a.clerk.user.id }).execute()
    const page = await a.clerk.get(`/meetings/${a.meeting.id}/attendance`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`name="status-user-${a.chair.id}" type="radio" value="present"`)
    expect(page.body).toContain(`name="status-user-${a.chair.id}" type="radio" value="apologies"`)
    expect(page.body).toContain(`name="status-user-${a.chair.id}" type="radio" value="not_recorded"`)
    expect(page.body).not.toContain(`name="status-user-${a.chair.id}" type="radio" value="in_attendance"`)
    expect(page.body).toContain(`name="status-user-${a.clerk.user.id}" type="radio" value="in_attendance"`)
    expect(page.body).toContain(`name="status-contact-${a.contactId}" type="radio" value="present"`)
    expect(page.body).toContain('Add someone else')
    expect(page.body.slice(0, page.body.indexOf('Add someone else'))).not.toContain('Former Member')
  })

  it('saves statuses with role and organisation defaulting from the membership, marks the meeting held and its minutes draft, and audits', async () => {
    const a = await arrange()
    const guest = await t.factories.user({ roles: ['case_manager'], name: `Guest Officer ${unique()}` })
    const response = await a.clerk.submit(
      `/meetings/${a.meeting.id}/attendance`,
      attendanceFields(
        1,
        { [`user:${a.chair.id}`]: 'present', [`user:${a.member.id}`]: 'apologies', [`contact:${a.contactId}`]: 'present', [`user:${a.clerk.user.id}`]: 'in_attendance' },
        { otherPerson: `user:${guest.id}`, otherStatus: 'in_attendance', otherRoleLabel: 'Community Safety Manager', otherOrganisationName: 'Leicestershire Police', otherNote: 'Substitute for the Inspector' },
      ),
    )
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/meetings/${a.meeting.id}/minutes?notice=attendance#attendance`)
    const rows = await attendanceRows(a.meeting.id)
    const byUser = (id: string) => rows.find((row) => row.user_id === id)
    expect(byUser(a.chair.id)).toMatchObject({ status: 'present', role_label: 'Chair', organisation_name: a.council.name, recorded_by: a.clerk.user.id })
    expect(byUser(a.member.id)).toMatchObject({ status: 'apologies', role_label: null, organisation_name: a.police.name })
    expect(byUser(a.clerk.user.id)).toMatchObject({ status: 'in_attendance', role_label: 'Clerk' })
    expect(byUser(guest.id)).toMatchObject({ status: 'in_attendance', role_label: 'Community Safety Manager', organisation_name: 'Leicestershire Police', note: 'Substitute for the Inspector' })
    expect(rows.find((row) => row.contact_id === a.contactId)).toMatchObject({ status: 'present', organisation_name: 'Voluntary Action Charnwood' })

    expect(await meetingRow(a.meeting.id)).toMatchObject({ status: 'held', minutes_status: 'draft', version: 2 })
    const [audit] = await auditRows('minutes.attendance_recorded', a.meeting.id)
    expect(audit!.details).toEqual({ present: 2, inAttendance: 2, apologies: 1, replaced: 0 })

    const page = await a.clerk.get(`/meetings/${a.meeting.id}/minutes`)
    expect(page.body).toContain('Community Safety Manager')
    // The guest is not a member, so the form lists them under "others" to change or take off.
    const form = await a.clerk.get(`/meetings/${a.meeting.id}/attendance`)
    expect(form.body).toContain('Others recorded at this meeting')
    expect(form.body).toContain(`name="status-user-${guest.id}" type="radio" value="in_attendance" checked`)
  })

  it('replaces the entries of the people on the form: "Not recorded" takes someone off, and people not on the form keep theirs', async () => {
    const a = await arrange()
    await recordUsualAttendance(a)
    const response = await a.clerk.submit(`/meetings/${a.meeting.id}/attendance`, attendanceFields(2, { [`user:${a.chair.id}`]: 'present', [`user:${a.member.id}`]: 'not_recorded' }))
    expect(response.statusCode).toBe(302)
    const rows = await attendanceRows(a.meeting.id)
    expect(rows.find((row) => row.user_id === a.member.id)).toBeUndefined()
    expect(rows.find((row) => row.contact_id === a.contactId)?.status).toBe('present')
    expect(rows).toHaveLength(3)
  })

  it('refuses the same person twice (a member added again as someone else) with a GOV.UK error, and loses nothing saved', async () => {
    const a = await arrange()
    await recordUsualAttendance(a)
    const before = await attendanceRows(a.meeting.id)
    const response = await a.clerk.submit(
      `/meetings/${a.meeting.id}/attendance`,
      attendanceFields(2, { [`user:${a.chair.id}`]: 'apologies', [`user:${a.member.id}`]: 'apologies', [`contact:${a.contactId}`]: 'present', [`user:${a.clerk.user.id}`]: 'in_attendance' }, { otherPerson: `user:${a.member.id}`, otherStatus: 'present' }),
    )
    expect(response.statusCode).toBe(400)
    expect(errorSummary(response.body)).toContain('is already on the attendance list: record each person once')
    expect(errorSummary(response.body)).toContain('href="#otherPerson"')
    // What was typed is shown again.
    expect(response.body).toContain(`name="status-user-${a.chair.id}" type="radio" value="apologies" checked`)
    expect(await attendanceRows(a.meeting.id)).toEqual(before)
    expect(await versionOf(a.meeting.id)).toBe(2)
  })

  it('refuses the same person posted twice through the API', async () => {
    const a = await arrange()
    await recordUsualAttendance(a)
    const response = await a.clerk.json('POST', `/api/v1/meetings/${a.meeting.id}/attendance`, {
      version: 2,
      attendees: [
        { userId: a.chair.id, status: 'apologies' },
        { userId: a.chair.id, status: 'present' },
      ],
    })
    expect(response.statusCode).toBe(400)
    expect(response.json().message).toContain('is already on the attendance list')
    expect((await attendanceRows(a.meeting.id)).find((row) => row.user_id === a.chair.id)?.status).toBe('present')
  })

  it('explains a clash with the unique index (a row that was not replaced) instead of failing, and keeps what was saved', async () => {
    const a = await arrange()
    await recordUsualAttendance(a)
    // Another writer keeps the chair's row in place: the new row for the chair then breaks the unique index.
    await sql`create function keep_attendance() returns trigger language plpgsql as $$ begin return null; end $$`.execute(db())
    await sql`create trigger keep_attendance before delete on meeting_attendance for each row execute function keep_attendance()`.execute(db())
    try {
      const response = await a.clerk.submit(`/meetings/${a.meeting.id}/attendance`, attendanceFields(2, { [`user:${a.chair.id}`]: 'apologies' }))
      expect(response.statusCode).toBe(400)
      expect(errorSummary(response.body)).toContain('already recorded at this meeting')
    } finally {
      await sql`drop trigger keep_attendance on meeting_attendance`.execute(db())
      await sql`drop function keep_attendance()`.execute(db())
    }
    expect((await attendanceRows(a.meeting.id)).find((row) => row.user_id === a.chair.id)?.status).toBe('present')
    expect(await versionOf(a.meeting.id)).toBe(2)
  })

  it('takes only apologies for a meeting that has not taken place, and leaves it scheduled', async () => {
    const a = await arrange({ meetsOn: future })
    const refused = await a.clerk.submit(`/meetings/${a.meeting.id}/attendance`, attendanceFields(1, { [`user:${a.chair.id}`]: 'present' }))
    expect(refused.statusCode).toBe(400)
    expect(errorSummary(refused.body)).toContain('The meeting has not taken place yet: you can only record apologies')
    expect(await attendanceRows(a.meeting.id)).toHaveLength(0)

    const apologies = await a.clerk.submit(`/meetings/${a.meeting.id}/attendance`, attendanceFields(1, { [`user:${a.chair.id}`]: 'apologies' }))
    expect(apologies.statusCode).toBe(302)
    expect(await meetingRow(a.meeting.id)).toMatchObject({ status: 'scheduled', minutes_status: 'draft' })
  })

  it('asks for the status of someone else added, and for the person when a status is given', async () => {
    const a = await arrange()
    const noStatus = await a.clerk.submit(`/meetings/${a.meeting.id}/attendance`, attendanceFields(1, {}, { otherPerson: `contact:${a.contactId}` }))
    expect(noStatus.statusCode).toBe(400)
    expect(errorSummary(noStatus.body)).toContain('Select whether they were present, in attendance or sent apologies')
    const noPerson = await a.clerk.submit(`/meetings/${a.meeting.id}/attendance`, attendanceFields(1, {}, { otherStatus: 'present' }))
    expect(errorSummary(noPerson.body)).toContain('Select the person to add from the list')
  })

  it('records attendance through the API, returning the new version', async () => {
    const a = await arrange()
    const response = await a.clerk.json('POST', `/api/v1/meetings/${a.meeting.id}/attendance`, {
      version: 1,
      attendees: [
        { userId: a.chair.id, status: 'present', roleLabel: 'Chair (in the Chair)' },
        { contactId: a.contactId, status: 'apologies' },
      ],
    })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ version: 2 })
    const rows = await attendanceRows(a.meeting.id)
    expect(rows.find((row) => row.user_id === a.chair.id)?.role_label).toBe('Chair (in the Chair)')
    const bad = await a.clerk.json('POST', `/api/v1/meetings/${a.meeting.id}/attendance`, { version: 2, attendees: [{ status: 'present' }] })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toContain('Give either a userId or a contactId for each attendee')
  })
})

describe('declarations of interest', () => {
  it('records a declaration by someone present, about an item or not, shows it in the minutes, and removes it', async () => {
    const a = await arrange()
    await recordUsualAttendance(a)
    const response = await a.clerk.submit(`/meetings/${a.meeting.id}/declarations`, { version: '2', person: `user:${a.chair.id}`, itemId: a.meeting.item(6), interest: 'A trustee of the charity bidding for the drone' })
    expect(response.statusCode).toBe(302)
    const general = await a.clerk.submit(`/meetings/${a.meeting.id}/declarations`, { version: '3', person: `contact:${a.contactId}`, itemId: '', interest: 'Employed by a housing provider' })
    expect(general.statusCode).toBe(302)

    const record = await recordOf(a)
    expect(record.declarations).toEqual([
      { name: expect.stringContaining('Pat Volunteer'), itemNumber: null, interest: 'Employed by a housing provider' },
      { name: expect.stringContaining('Cllr Ann Chair'), itemNumber: 6, interest: 'A trustee of the charity bidding for the drone' },
    ])
    const page = await a.clerk.get(`/meetings/${a.meeting.id}/minutes`)
    expect(page.body).toContain('(item 6): A trustee of the charity bidding for the drone')
    expect(page.body).not.toContain('No declarations of interest were made.')
    expect(await auditRows('minutes.declaration_recorded', a.meeting.id)).toHaveLength(2)

    const [first] = await db().selectFrom('meeting_declarations').select('id').where('meeting_id', '=', a.meeting.id).execute()
    const removed = await a.clerk.submit(`/meetings/${a.meeting.id}/declarations/${first!.id}/remove`, { version: '4' })
    expect(removed.statusCode).toBe(302)
    expect(await db().selectFrom('meeting_declarations').select('id').where('meeting_id', '=', a.meeting.id).execute()).toHaveLength(1)
  })

  it('refuses a declaration by someone not at the meeting, or with no interest, with GOV.UK errors', async () => {
    const a = await arrange()
    await recordUsualAttendance(a)
    const absent = await a.clerk.submit(`/meetings/${a.meeting.id}/declarations`, { version: '2', person: `user:${a.member.id}`, interest: 'Something' })
    expect(absent.statusCode).toBe(400)
    expect(errorSummary(absent.body)).toContain('Select someone recorded as present or in attendance')
    const blank = await a.clerk.submit(`/meetings/${a.meeting.id}/declarations`, { version: '2', person: `user:${a.chair.id}`, interest: '  ' })
    expect(errorSummary(blank.body)).toContain('Enter the interest declared')
    expect(await db().selectFrom('meeting_declarations').select('id').where('meeting_id', '=', a.meeting.id).execute()).toHaveLength(0)
  })
})

describe('item minutes and resolutions', () => {
  it('saves the minutes text of an item', async () => {
    const a = await arrange()
    const response = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(5)}`, { form: 'minutes', version: '1', minutes: 'The Community Safety Manager presented the report.' })
    expect(response.statusCode).toBe(302)
    expect((await itemRow(a.meeting.item(5))).minutes).toBe('The Community Safety Manager presented the report.')
    expect(await meetingRow(a.meeting.id)).toMatchObject({ minutes_status: 'draft', version: 2 })
    expect(await auditRows('minutes.item_recorded', a.meeting.id)).toHaveLength(1)
  })

  it('offers the standard wording for the action log and reports in one click', async () => {
    const a = await arrange()
    const page = await a.clerk.get(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(3)}`)
    expect(page.body).toContain('Use standard wording')
    expect(page.body).toContain('that the status of the action log be noted')
    expect((await a.clerk.get(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(5)}`)).body).toContain('that the contents of the report be noted')
    expect((await a.clerk.get(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(8)}`)).body).not.toContain('Use standard wording')

    const response = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(3)}/resolutions`, { form: 'standard', version: '1', kind: 'resolved', text: 'that the status of the action log be noted' })
    expect(response.statusCode).toBe(302)
    const record = await recordOf(a)
    expect(record.items[2]!.resolutions).toEqual([{ kind: 'resolved', label: '(a)', text: 'that the status of the action log be noted' }])
  })

  it('adds, changes, moves and removes resolutions, numbering each kind (a), (b)', async () => {
    const a = await arrange()
    const item = a.meeting.item(6)
    const add = async (kind: string, text: string) => {
      const response = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${item}/resolutions`, { form: 'resolution', version: String(await versionOf(a.meeting.id)), kind, text })
      expect(response.statusCode).toBe(302)
    }
    await add('resolved', 'that the contents of the report be noted')
    await add('resolved', 'that the bid be approved')
    await add('agreed', 'that partners circulate the bid')
    const texts = async () => (await recordOf(a)).items[5]!.resolutions.map((resolution) => `${resolution.kind} ${resolution.label} ${resolution.text}`)
    expect(await texts()).toEqual(['resolved (a) that the contents of the report be noted', 'resolved (b) that the bid be approved', 'agreed (a) that partners circulate the bid'])

    const ids = await db().selectFrom('resolutions').select(['id', 'text']).where('agenda_item_id', '=', item).execute()
    const idOf = (text: string) => ids.find((row) => row.text === text)!.id
    const base = `/meetings/${a.meeting.id}/minutes/items/${item}/resolutions`
    const edit = await a.clerk.get(`${base}/${idOf('that the bid be approved')}/edit`)
    expect(edit.statusCode).toBe(200)
    expect(edit.body).toContain('Change resolution (b)')

    const changed = await a.clerk.submit(`${base}/${idOf('that the bid be approved')}/edit`, { form: 'edit', version: String(await versionOf(a.meeting.id)), kind: 'agreed', text: 'that the bid of 2,380.00 be approved' })
    expect(changed.statusCode).toBe(302)
    expect(await texts()).toEqual(['resolved (a) that the contents of the report be noted', 'agreed (a) that partners circulate the bid', 'agreed (b) that the bid of 2,380.00 be approved'])

    const moved = await a.clerk.submit(`${base}/${idOf('that the bid be approved')}/move`, { form: 'order', version: String(await versionOf(a.meeting.id)), direction: 'up' })
    expect(moved.statusCode).toBe(302)
    expect(await texts()).toEqual(['resolved (a) that the contents of the report be noted', 'agreed (a) that the bid of 2,380.00 be approved', 'agreed (b) that partners circulate the bid'])

    const removed = await a.clerk.submit(`${base}/${idOf('that the bid be approved')}/remove`, { form: 'order', version: String(await versionOf(a.meeting.id)) })
    expect(removed.statusCode).toBe(302)
    expect(await texts()).toEqual(['resolved (a) that the contents of the report be noted', 'agreed (a) that partners circulate the bid'])
    expect(await auditRows('minutes.resolution_recorded', a.meeting.id)).toHaveLength(6)
  })

  it('numbers resolutions 1., 2. for a body that numbers them', async () => {
    const a = await arrange({ numbering: 'numbers' })
    for (const [version, text] of [
      ['1', 'that the report be noted'],
      ['2', 'that the plan be approved'],
    ]) {
      await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(5)}/resolutions`, { form: 'resolution', version: version!, kind: 'resolved', text: text! })
    }
    expect((await recordOf(a)).items[4]!.resolutions.map((resolution) => resolution.label)).toEqual(['1.', '2.'])
  })

  it('refuses a resolution with no text, and the removal of one that records an election', async () => {
    const a = await arrange()
    const blank = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(5)}/resolutions`, { form: 'resolution', version: '1', kind: 'resolved', text: ' ' })
    expect(blank.statusCode).toBe(400)
    expect(errorSummary(blank.body)).toContain('Enter the text of the resolution')

    const resolution = await db()
      .insertInto('resolutions')
      .values({ agenda_item_id: a.meeting.item(5), position: 1, text: 'that Cllr Chair be elected Chair for 2026/27', created_by: a.clerk.user.id })
      .returning('id')
      .executeTakeFirstOrThrow()
    await db().updateTable('body_members').set({ elected_by_resolution_id: resolution.id }).where('user_id', '=', a.chair.id).execute()
    const refused = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(5)}/resolutions/${resolution.id}/remove`, { form: 'order', version: '1' })
    expect(refused.statusCode).toBe(400)
    expect(errorSummary(refused.body)).toContain('records the election of a chair or deputy chair')
    expect(await db().selectFrom('resolutions').select('id').where('id', '=', resolution.id).execute()).toHaveLength(1)
  })

  it('records an item through the API: the text and the resolutions, replacing those recorded', async () => {
    const a = await arrange()
    const url = `/api/v1/meetings/${a.meeting.id}/items/${a.meeting.item(5)}/minutes`
    const first = await a.clerk.json('POST', url, {
      version: 1,
      minutes: 'The report was presented.',
      resolutions: [
        { kind: 'resolved', text: 'that the report be noted' },
        { kind: 'resolved', text: 'that a task group be set up' },
      ],
    })
    expect(first.statusCode).toBe(200)
    expect(first.json()).toEqual({ version: 2 })
    const second = await a.clerk.json('POST', url, { version: 2, minutes: null, resolutions: [{ kind: 'agreed', text: 'that the report be noted' }] })
    expect(second.statusCode).toBe(200)
    const item = (await recordOf(a)).items[4]!
    expect(item.minutes).toBeNull()
    expect(item.resolutions).toEqual([{ kind: 'agreed', label: '(a)', text: 'that the report be noted' }])
  })
})

describe('agenda variance', () => {
  it('records an item taken early; the minutes read correctly at both places', async () => {
    const a = await arrange()
    const response = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(7)}/variance`, { form: 'variance', version: '1', takenBeforeItemId: a.meeting.item(5) })
    expect(response.statusCode).toBe(302)
    expect((await itemRow(a.meeting.item(7))).taken_before_item_id).toBe(a.meeting.item(5))

    const record = await recordOf(a)
    expect(record.items[6]!.takenBeforeNumber).toBe(5)
    const order = minutesOrder(record.items).map((entry) => (entry.type === 'item' ? `${entry.minuteNumber}:${entry.item.number}` : `note ${entry.item.number} ${entry.when} ${entry.minuteNumber}`))
    expect(order).toEqual(['1:1', '2:2', '3:3', '4:4', '5:7', '6:5', '7:6', 'note 7 earlier 5', '8:8', '9:9'])

    const page = await a.clerk.get(`/meetings/${a.meeting.id}/minutes`)
    expect(page.body).toContain('Agenda Item 7, Hate crime presentation, was considered earlier in the meeting (see minute 5).')
    expect(page.body).toContain('Taken before item 5')
    expect(await auditRows('minutes.variance_recorded', a.meeting.id)).toHaveLength(1)

    const cleared = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(7)}/variance`, { form: 'variance', version: '2', takenBeforeItemId: '' })
    expect(cleared.statusCode).toBe(302)
    expect((await itemRow(a.meeting.item(7))).taken_before_item_id).toBeNull()
  })

  it('refuses the item itself or an item of another meeting', async () => {
    const a = await arrange()
    const other = await addMeeting(a.body.id, a.clerk.user.id, addDays(past, -60))
    const self = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(7)}/variance`, { form: 'variance', version: '1', takenBeforeItemId: a.meeting.item(7) })
    expect(self.statusCode).toBe(400)
    expect(errorSummary(self.body)).toContain('an item cannot be taken before itself')
    const elsewhere = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(7)}/variance`, { form: 'variance', version: '1', takenBeforeItemId: other.item(5) })
    expect(errorSummary(elsewhere.body)).toContain('Select an item of this meeting')
    expect((await itemRow(a.meeting.item(7))).taken_before_item_id).toBeNull()
  })
})

describe('deferral', () => {
  const reason = 'deferred until the next meeting due to absence'

  it("puts a copy of the item on the next scheduled meeting's agenda, before its closing items; undo deletes it and closes the gap", async () => {
    const a = await arrange()
    await db().updateTable('agenda_items').set({ presenter_name: 'Jo Bloggs', presenter_role: 'Drone project lead', description: 'Bid for 2,380.00', exempt: true, exempt_reason: 'Commercial' }).where('id', '=', a.meeting.item(6)).execute()
    const next = await addMeeting(a.body.id, a.clerk.user.id, future)
    const response = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(6)}/defer`, { form: 'defer', version: '1', deferredReason: reason })
    expect(response.statusCode).toBe(302)
    expect((await itemRow(a.meeting.item(6))).deferred_reason).toBe(reason)

    const copy = await db().selectFrom('agenda_items').selectAll().where('deferred_from_item_id', '=', a.meeting.item(6)).executeTakeFirstOrThrow()
    expect(copy).toMatchObject({ meeting_id: next.id, position: 8, kind: 'report', title: 'Drone bid', presenter_name: 'Jo Bloggs', presenter_role: 'Drone project lead', description: 'Bid for 2,380.00', exempt: true, minutes: null })
    expect((await itemRow(next.item(8))).position).toBe(9)
    expect((await recordOf(a)).items[5]!.deferredReason).toBe(reason)
    const page = await a.clerk.get(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(6)}`)
    expect(page.body).toContain(`It is on the agenda of the meeting on`)
    expect(await auditRows('minutes.item_deferred', a.meeting.id)).toHaveLength(1)

    const undo = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(6)}/defer/undo`, { form: 'undo', version: '2' })
    expect(undo.statusCode).toBe(302)
    expect(await db().selectFrom('agenda_items').select('id').where('deferred_from_item_id', '=', a.meeting.item(6)).execute()).toHaveLength(0)
    expect((await itemRow(a.meeting.item(6))).deferred_reason).toBeNull()
    const positions = (await db().selectFrom('agenda_items').select('position').where('meeting_id', '=', next.id).orderBy('position').execute()).map((row) => row.position)
    expect(positions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('never puts the copy on a meeting whose minutes are confirmed (and so locked): it goes to the next one after it', async () => {
    const a = await arrange({ meetsOn: addDays(today, -40) })
    const confirmed = await addMeeting(a.body.id, a.clerk.user.id, past)
    await db().updateTable('meetings').set({ status: 'held', minutes_status: 'confirmed' }).where('id', '=', confirmed.id).execute()
    const response = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(6)}/defer`, { form: 'defer', version: '1', deferredReason: reason })
    expect(response.statusCode).toBe(302)
    const copy = await db().selectFrom('agenda_items').selectAll().where('deferred_from_item_id', '=', a.meeting.item(6)).executeTakeFirstOrThrow()
    expect(copy.meeting_id).toBeNull()
    expect(await db().selectFrom('agenda_items').select('id').where('meeting_id', '=', confirmed.id).execute()).toHaveLength(9)

    const next = await addMeeting(a.body.id, a.clerk.user.id, future)
    await meetingsRepository(db()).attachDeferredItems(a.body.id)
    expect((await itemRow(copy.id)).meeting_id).toBe(next.id)
  })

  it('keeps the copy in the forward programme when no next meeting is scheduled, until one is', async () => {
    const a = await arrange()
    const response = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(6)}/defer`, { form: 'defer', version: '1', deferredReason: reason })
    expect(response.statusCode).toBe(302)
    const copy = await db().selectFrom('agenda_items').selectAll().where('deferred_from_item_id', '=', a.meeting.item(6)).executeTakeFirstOrThrow()
    expect(copy).toMatchObject({ meeting_id: null, position: null, body_id: a.body.id })
    expect((await a.clerk.get(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(6)}`)).body).toContain('It is in the forward programme')

    // Scheduling the next meeting places waiting deferred items on it.
    const next = await addMeeting(a.body.id, a.clerk.user.id, future)
    await meetingsRepository(db()).attachDeferredItems(a.body.id)
    expect((await itemRow(copy.id)).meeting_id).toBe(next.id)
  })

  it('refuses to undo once the copy has been minuted, to defer a standing item, or to defer without a reason', async () => {
    const a = await arrange()
    const next = await addMeeting(a.body.id, a.clerk.user.id, future)
    await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(6)}/defer`, { form: 'defer', version: '1', deferredReason: reason })
    await db().updateTable('agenda_items').set({ minutes: 'Discussed at last.' }).where('deferred_from_item_id', '=', a.meeting.item(6)).execute()
    const undo = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(6)}/defer/undo`, { form: 'undo', version: '2' })
    expect(undo.statusCode).toBe(400)
    expect(errorSummary(undo.body)).toContain('The deferred item has already been minuted at the meeting on')
    expect(await db().selectFrom('agenda_items').select('id').where('meeting_id', '=', next.id).execute()).toHaveLength(10)

    const standing = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(3)}/defer`, { form: 'defer', version: '2', deferredReason: reason })
    expect(errorSummary(standing.body)).toContain('Standing items are on every agenda')
    const blank = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(5)}/defer`, { form: 'defer', version: '2', deferredReason: '' })
    expect(blank.statusCode).toBe(400)
    expect(errorSummary(blank.body)).toContain('Enter why the item is deferred')
    expect((await itemRow(a.meeting.item(5))).deferred_reason).toBeNull()
  })
})

describe('the time the meeting closed', () => {
  it('saves a time after the start, and refuses one before it or not a time', async () => {
    const a = await arrange()
    const saved = await a.clerk.submit(`/meetings/${a.meeting.id}/closed`, { version: '1', closedAt: '12:30' })
    expect(saved.statusCode).toBe(302)
    expect((await meetingRow(a.meeting.id)).closed_at).toMatch(/^12:30/)
    expect((await recordOf(a)).meeting.closedAt).toBe('12:30')
    expect(await auditRows('minutes.meeting_closed', a.meeting.id)).toHaveLength(1)

    const early = await a.clerk.submit(`/meetings/${a.meeting.id}/closed`, { version: '2', closedAt: '09:45' })
    expect(early.statusCode).toBe(400)
    expect(errorSummary(early.body)).toContain('The meeting must close after it started at 10:00')
    const nonsense = await a.clerk.submit(`/meetings/${a.meeting.id}/closed`, { version: '2', closedAt: 'noon' })
    expect(errorSummary(nonsense.body)).toContain('Enter the time the meeting closed in the 24-hour clock')
    expect((await meetingRow(a.meeting.id)).closed_at).toMatch(/^12:30/)
  })
})

describe('publishing the minutes', () => {
  it('is refused until who was present is recorded, then publishes the draft and audits', async () => {
    const a = await arrange()
    const refused = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/publish`, { version: '1' })
    expect(refused.statusCode).toBe(400)
    expect(errorSummary(refused.body)).toContain(NO_ATTENDANCE_MESSAGE)
    expect((await meetingRow(a.meeting.id)).minutes_status).toBe('none')
    const api = await a.clerk.json('POST', `/api/v1/meetings/${a.meeting.id}/minutes/publish`, { version: 1 })
    expect(api.statusCode).toBe(400)
    expect(api.json().message).toBe(NO_ATTENDANCE_MESSAGE)

    await recordUsualAttendance(a)
    const published = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/publish`, { version: '2' })
    expect(published.statusCode).toBe(302)
    const row = await meetingRow(a.meeting.id)
    expect(row).toMatchObject({ minutes_status: 'published', version: 3 })
    expect(row.minutes_published_at).not.toBeNull()
    expect(await auditRows('minutes.published', a.meeting.id)).toHaveLength(1)

    const again = await a.clerk.json('POST', `/api/v1/meetings/${a.meeting.id}/minutes/publish`, { version: 3 })
    expect(again.statusCode).toBe(400)
    expect(again.json().message).toBe('These minutes have already been published')
  })

  it('is refused for a meeting that has not taken place', async () => {
    const a = await arrange({ meetsOn: future })
    await a.clerk.submit(`/meetings/${a.meeting.id}/attendance`, attendanceFields(1, { [`user:${a.chair.id}`]: 'apologies' }))
    await db().insertInto('meeting_attendance').values({ meeting_id: a.meeting.id, user_id: a.member.id, status: 'present', recorded_by: a.clerk.user.id }).execute()
    const refused = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/publish`, { version: '2' })
    expect(refused.statusCode).toBe(400)
    expect(errorSummary(refused.body)).toContain('The meeting has not taken place yet')
  })
})

/** Meeting P (published minutes) and the next meeting M, at which P's minutes are confirmed. */
async function arrangeConfirmation() {
  const a = await arrange({ meetsOn: addDays(today, -40) })
  await recordUsualAttendance(a)
  await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(5)}`, { form: 'minutes', version: '2', minutes: 'Shoplifting rose by 35%.' })
  expect((await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/publish`, { version: '3' })).statusCode).toBe(302)
  const next = await addMeeting(a.body.id, a.clerk.user.id, addDays(today, -5))
  return { ...a, previous: a.meeting, next }
}

describe('confirming the minutes of the previous meeting', () => {
  it('offers the previous published minutes on the "Minutes of the previous meeting" item', async () => {
    const c = await arrangeConfirmation()
    const page = await c.clerk.get(`/meetings/${c.next.id}/minutes`)
    expect(page.body).toContain(`Confirm the minutes of the meeting held on ${printedDate(addDays(today, -40))}`)
    expect((await c.clerk.get(`/meetings/${c.previous.id}/minutes`)).body).toContain('There are no published minutes of an earlier meeting of this body to confirm.')
  })

  it('requires the amendment when confirmed subject to amendment', async () => {
    const c = await arrangeConfirmation()
    const response = await c.clerk.submit(`/meetings/${c.next.id}/minutes/confirm-previous`, { version: '1', subjectToAmendment: 'yes', amendment: '' })
    expect(response.statusCode).toBe(400)
    expect(errorSummary(response.body)).toContain('Enter the amendment to the minutes')
    expect((await meetingRow(c.previous.id)).minutes_status).toBe('published')
  })

  it('locks the previous minutes, records the resolution at this meeting and keeps version 1 of the confirmed record', async () => {
    const c = await arrangeConfirmation()
    const response = await c.clerk.submit(`/meetings/${c.next.id}/minutes/confirm-previous`, { version: '1', subjectToAmendment: 'yes', amendment: 'Shoplifting rose by 35.7%.' })
    expect(response.statusCode).toBe(302)

    const previous = await meetingRow(c.previous.id)
    expect(previous).toMatchObject({ minutes_status: 'confirmed', minutes_confirmed_at_meeting_id: c.next.id, minutes_subject_to_amendment: true, minutes_amendment: 'Shoplifting rose by 35.7%.', version: 5 })
    expect(previous.minutes_confirmed_at).not.toBeNull()
    const [resolution] = await db().selectFrom('resolutions').selectAll().where('agenda_item_id', '=', c.next.item(2)).execute()
    expect(resolution!.text).toBe(`that the minutes of the meeting held on ${printedDate(addDays(today, -40))} be taken as read and confirmed as a correct record, subject to the following amendment: Shoplifting rose by 35.7%.`)
    expect(resolution!.kind).toBe('resolved')

    const [version] = await db().selectFrom('minutes_versions').selectAll().where('meeting_id', '=', c.previous.id).execute()
    expect(version).toMatchObject({ version: 1, reason: `Confirmed as a correct record at the meeting on ${printedDate(addDays(today, -5))}`, changed_by: c.clerk.user.id })
    const record = version!.record as { meeting: { minutesStatus: string; confirmation: unknown }; items: { minutes: string | null }[] }
    expect(record.meeting.minutesStatus).toBe('confirmed')
    expect(record.meeting.confirmation).toEqual({ atMeetingId: c.next.id, atMeetingOn: addDays(today, -5), subjectToAmendment: true, amendment: 'Shoplifting rose by 35.7%.' })
    expect(record.items[4]!.minutes).toBe('Shoplifting rose by 35%.')

    const [audit] = await auditRows('minutes.confirmed', c.previous.id)
    expect(audit!.details).toEqual({ atMeetingId: c.next.id, subjectToAmendment: true, version: 1 })
    expect((await c.clerk.get(`/meetings/${c.next.id}/minutes`)).body).toContain('were confirmed as a correct record at this meeting, subject to amendment')
  })

  it('confirms through the API, and says so when there is nothing to confirm', async () => {
    const c = await arrangeConfirmation()
    const response = await c.clerk.json('POST', `/api/v1/meetings/${c.next.id}/minutes/confirm-previous`, { version: 1, subjectToAmendment: false })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ version: 2, confirmedMeetingId: c.previous.id })
    const [resolution] = await db().selectFrom('resolutions').select('text').where('agenda_item_id', '=', c.next.item(2)).execute()
    expect(resolution!.text).toBe(`that the minutes of the meeting held on ${printedDate(addDays(today, -40))} be taken as read and confirmed as a correct record`)

    const nothing = await c.clerk.json('POST', `/api/v1/meetings/${c.next.id}/minutes/confirm-previous`, { version: 2, subjectToAmendment: false })
    expect(nothing.statusCode).toBe(400)
    expect(nothing.json().message).toBe('There are no published minutes of an earlier meeting of this body to confirm')
  })
})

describe('confirmed minutes are locked', () => {
  async function confirmed() {
    const c = await arrangeConfirmation()
    expect((await c.clerk.submit(`/meetings/${c.next.id}/minutes/confirm-previous`, { version: '1' })).statusCode).toBe(302)
    return c
  }

  it('refuses a change without a reason, and changes nothing', async () => {
    const c = await confirmed()
    const page = await c.clerk.get(`/meetings/${c.previous.id}/minutes/items/${c.previous.item(5)}`)
    expect(page.body).toContain('Reason for changing confirmed minutes')
    const response = await c.clerk.submit(`/meetings/${c.previous.id}/minutes/items/${c.previous.item(5)}`, { form: 'minutes', version: '5', minutes: 'Shoplifting rose by 35.7%.' })
    expect(response.statusCode).toBe(400)
    expect(errorSummary(response.body)).toContain(CHANGE_REASON_REQUIRED)
    expect(errorSummary(response.body)).toContain('href="#minutes-changeReason"')
    expect((await itemRow(c.previous.item(5))).minutes).toBe('Shoplifting rose by 35%.')
    expect(await versionOf(c.previous.id)).toBe(5)

    const api = await c.clerk.json('POST', `/api/v1/meetings/${c.previous.id}/attendance`, { version: 5, attendees: [{ userId: c.chair.id, status: 'apologies' }] })
    expect(api.statusCode).toBe(400)
    expect(api.json().message).toBe(CHANGE_REASON_REQUIRED)
    const closed = await c.clerk.submit(`/meetings/${c.previous.id}/closed`, { version: '5', closedAt: '11:00' })
    expect(errorSummary(closed.body)).toContain('href="#closed-changeReason"')
    expect(await db().selectFrom('minutes_versions').select('version').where('meeting_id', '=', c.previous.id).execute()).toHaveLength(1)
  })

  it('with a reason, makes the change, keeps version 2 of the record with who and why, and audits the amendment', async () => {
    const c = await confirmed()
    const response = await c.clerk.submit(`/meetings/${c.previous.id}/minutes/items/${c.previous.item(5)}`, { form: 'minutes', version: '5', minutes: 'Shoplifting rose by 35.7%.', changeReason: 'Figure corrected as the meeting agreed' })
    expect(response.statusCode).toBe(302)
    expect((await itemRow(c.previous.item(5))).minutes).toBe('Shoplifting rose by 35.7%.')
    const versions = await db().selectFrom('minutes_versions').selectAll().where('meeting_id', '=', c.previous.id).orderBy('version').execute()
    expect(versions.map((version) => version.version)).toEqual([1, 2])
    expect(versions[1]).toMatchObject({ reason: 'Figure corrected as the meeting agreed', changed_by: c.clerk.user.id })
    expect((versions[1]!.record as { items: { minutes: string }[] }).items[4]!.minutes).toBe('Shoplifting rose by 35.7%.')
    const [audit] = await auditRows('minutes.amended', c.previous.id)
    expect(audit!.details).toEqual({ version: 2, change: 'minutes.item_recorded' })

    const list = await c.clerk.get(`/meetings/${c.previous.id}/minutes/versions`)
    expect(list.statusCode).toBe(200)
    expect(list.body).toContain('Figure corrected as the meeting agreed')
    expect(list.body).toContain(`/meetings/${c.previous.id}/minutes/versions/1`)
    const first = await c.clerk.get(`/meetings/${c.previous.id}/minutes/versions/1`)
    expect(first.statusCode).toBe(200)
    expect(first.body).toContain('Shoplifting rose by 35%.')
    expect(first.body).not.toContain('Shoplifting rose by 35.7%.')
    expect((await c.clerk.get(`/meetings/${c.previous.id}/minutes/versions/3`)).statusCode).toBe(404)
  })

  it('refuses a stale form with the stale edit message and overwrites nothing', async () => {
    const a = await arrange()
    await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(5)}`, { form: 'minutes', version: '1', minutes: 'First' })
    const stale = await a.clerk.submit(`/meetings/${a.meeting.id}/minutes/items/${a.meeting.item(5)}`, { form: 'minutes', version: '1', minutes: 'Second' })
    expect(stale.statusCode).toBe(409)
    expect(stale.body).toContain(STALE_EDIT_MESSAGE.replace("'", '&#39;'))
    expect((await itemRow(a.meeting.item(5))).minutes).toBe('First')
    const api = await a.clerk.json('POST', `/api/v1/meetings/${a.meeting.id}/minutes/publish`, { version: 1 })
    expect(api.statusCode).toBe(409)
    expect(api.json().message).toBe(STALE_EDIT_MESSAGE)
    expect(await versionOf(a.meeting.id)).toBe(2)
  })
})

describe('record()', () => {
  it('builds the meeting record: chair, attendance with organisations, items with presenters, papers, resolutions and actions with owners', async () => {
    const a = await arrange()
    await recordUsualAttendance(a)
    const presenter = await t.factories.user({ name: `Mark Oswin ${unique()}`, organisationId: a.council.id })
    await db().updateTable('agenda_items').set({ presenter_user_id: presenter.id, presenter_role: 'Community Safety Manager' }).where('id', '=', a.meeting.item(5)).execute()
    await db().updateTable('agenda_items').set({ presenter_name: 'Jo Bloggs', exempt: true, exempt_reason: 'Commercial' }).where('id', '=', a.meeting.item(6)).execute()
    const paper = (title: string, removed: boolean) =>
      db()
        .insertInto('agenda_papers')
        .values({
          agenda_item_id: a.meeting.item(5),
          title,
          file_name: `${title}.pdf`,
          mime_type: 'application/pdf',
          size_bytes: 10,
          sha256: createHash('sha256').update(title).digest('hex'),
          uploaded_by: a.clerk.user.id,
          removed_at: removed ? new Date() : null,
          removed_by: removed ? a.clerk.user.id : null,
        })
        .execute()
    await paper('ASB report', false)
    await paper('Old draft', true)
    // Actions of one item are listed in the order raised; PGlite's clock has only milliseconds, so each is a second apart.
    const raisedFrom = Date.now()
    let raised = 0
    const action = async (values: { text: string; dueOn?: string }, owners: { user_id?: string; contact_id?: string; organisation_id?: string }[]) => {
      const row = await db()
        .insertInto('actions')
        .values({ body_id: a.body.id, meeting_id: a.meeting.id, agenda_item_id: a.meeting.item(5), text: values.text, due_on: values.dueOn ?? null, due_next_meeting: !values.dueOn, created_by: a.clerk.user.id, created_at: new Date(raisedFrom + 1000 * raised++) })
        .returning('id')
        .executeTakeFirstOrThrow()
      for (const owner of owners) await db().insertInto('action_owners').values({ action_id: row.id, ...owner }).execute()
    }
    await action({ text: 'MO to circulate the report' }, [{ user_id: presenter.id }, { contact_id: a.contactId }])
    await action({ text: 'Police to share the figures', dueOn: '2027-01-31' }, [{ organisation_id: a.police.id }])
    const next = await addMeeting(a.body.id, a.clerk.user.id, future, [['apologies', 'Apologies']])

    const record = await recordOf(a)
    expect(record.body).toEqual({ id: a.body.id, name: a.body.name, kind: 'csp', resolutionNumbering: 'letters' })
    expect(record.meeting).toMatchObject({ id: a.meeting.id, meetsOn: past, startsAt: '10:00', venue: 'Microsoft Teams', status: 'held', minutesStatus: 'draft', confirmation: null })
    expect(record.chair).toEqual({ name: expect.stringContaining('Cllr Ann Chair'), roleLabel: 'Chair' })
    expect(record.present[0]).toEqual({ name: expect.stringContaining('Cllr Ann Chair'), organisationName: a.council.name, roleLabel: 'Chair', note: null })
    expect(record.present[1]).toEqual({ name: expect.stringContaining('Pat Volunteer'), organisationName: 'Voluntary Action Charnwood', roleLabel: null, note: null })
    expect(record.inAttendance).toEqual([{ name: expect.any(String), organisationName: expect.any(String), roleLabel: 'Clerk', note: null }])
    expect(record.apologies).toEqual([{ name: expect.stringContaining('Insp Ben Member'), organisationName: a.police.name, roleLabel: null, note: null }])

    const report = record.items[4]!
    expect(report.presenter).toEqual({ name: expect.stringContaining('Mark Oswin'), role: 'Community Safety Manager' })
    expect(report.papers).toEqual([{ id: expect.any(String), title: 'ASB report', label: 'Agenda Item 5', fileName: 'ASB report.pdf' }])
    expect(report.actions).toEqual([
      { id: expect.any(String), text: 'MO to circulate the report', owners: [expect.stringMatching(new RegExp(`^Mark Oswin .+ \\(${a.council.name}\\)$`)), expect.stringMatching(/^Pat Volunteer .+ \(Voluntary Action Charnwood\)$/)], due: 'Next meeting', status: 'Open' },
      { id: expect.any(String), text: 'Police to share the figures', owners: [a.police.name], due: '2027-01-31', status: 'Open' },
    ])
    expect(record.items[5]!.presenter).toEqual({ name: 'Jo Bloggs', role: null })
    expect(record.nextMeeting).toEqual({ id: next.id, meetsOn: future, startsAt: '10:00', venue: 'Microsoft Teams' })

    const publicRecord = await recordOf(a, a.meeting.id, false)
    expect(publicRecord.items.map((item) => item.number)).toEqual([1, 2, 3, 4, 5, 7, 8, 9])
  })

  it("takes the chair from the body's chair on the date when no attendee is recorded as Chair", async () => {
    const a = await arrange()
    expect((await recordOf(a)).chair).toEqual({ name: expect.stringContaining('Cllr Ann Chair'), roleLabel: 'Chair' })
    expect((await recordOf(a)).present).toEqual([])
  })

  it('takes a present deputy chair as chair when the chair sent apologies', async () => {
    const a = await arrange()
    const deputy = await t.factories.user({ roles: ['board_member'], name: `Cllr Dee Deputy ${unique()}` })
    await a.membership({ userId: deputy.id, role: 'deputy_chair' })
    await a.clerk.submit(`/meetings/${a.meeting.id}/attendance`, attendanceFields(1, { [`user:${a.chair.id}`]: 'apologies', [`user:${deputy.id}`]: 'present' }))
    expect((await recordOf(a)).chair).toEqual({ name: expect.stringContaining('Cllr Dee Deputy'), roleLabel: 'Deputy Chair' })
  })

  it('refuses a reader who may not see a closed body', async () => {
    const a = await arrange({ visibility: 'closed' })
    const outsider = await t.factories.user({ roles: ['partnership_coordinator'] })
    await expect(t.services.minutes.record({ userId: outsider.id, organisationId: outsider.organisationId, ip: null }, a.meeting.id)).rejects.toBeInstanceOf(NotFoundError)
  })
})

describe('the minutes API', () => {
  it('returns the record as JSON, audited, with exempt items only for members and managers', async () => {
    const a = await arrange()
    await db().updateTable('agenda_items').set({ exempt: true }).where('id', '=', a.meeting.item(6)).execute()
    await db().updateTable('meetings').set({ minutes_status: 'published' }).where('id', '=', a.meeting.id).execute()
    const response = await a.clerk.json('GET', `/api/v1/meetings/${a.meeting.id}/minutes`)
    expect(response.statusCode).toBe(200)
    expect(response.json().items).toHaveLength(9)
    expect(response.json().body.name).toBe(a.body.name)
    expect(response.json().withheldItemNumbers).toEqual([])
    expect(response.json().meeting.version).toBe(await versionOf(a.meeting.id))
    expect(await auditRows('minutes.viewed', a.meeting.id)).toHaveLength(1)

    const reader = await t.signInAs(['board_member'])
    const readerView = await reader.json('GET', `/api/v1/meetings/${a.meeting.id}/minutes`)
    expect(readerView.statusCode).toBe(200)
    expect(readerView.json().items.map((item: { number: number }) => item.number)).toEqual([1, 2, 3, 4, 5, 7, 8, 9])
    expect(readerView.json().withheldItemNumbers).toEqual([6])
    await a.membership({ userId: reader.user.id, role: 'member' })
    expect((await reader.json('GET', `/api/v1/meetings/${a.meeting.id}/minutes`)).json().items).toHaveLength(9)
  })

  it('follows the rule of the minutes page and documents: none written is not found, a draft only for those who run the body', async () => {
    const a = await arrange()
    const reader = await t.signInAs(['board_member'])
    const url = `/api/v1/meetings/${a.meeting.id}/minutes`
    const none = await a.clerk.json('GET', url)
    expect(none.statusCode).toBe(404)
    expect(none.json().message).toBe(MINUTES_NOT_WRITTEN)

    await db().updateTable('meetings').set({ minutes_status: 'draft' }).where('id', '=', a.meeting.id).execute()
    expect((await a.clerk.json('GET', url)).statusCode).toBe(200)
    const draft = await reader.json('GET', url)
    expect(draft.statusCode).toBe(404)
    expect(draft.json().message).toBe(MINUTES_NOT_PUBLISHED)
    // A member of the body does not run it: the draft is not theirs either.
    const member = await t.signInAs(['board_member'])
    await a.membership({ userId: member.user.id, role: 'member' })
    expect((await member.json('GET', url)).statusCode).toBe(404)
    // Only the clerk's read was audited.
    expect(await auditRows('minutes.viewed', a.meeting.id)).toHaveLength(1)

    await db().updateTable('meetings').set({ minutes_status: 'published' }).where('id', '=', a.meeting.id).execute()
    expect((await reader.json('GET', url)).statusCode).toBe(200)
  })
})

describe('exempt items', () => {
  it('are shown in a version of the minutes, and counted visible, only for members and managers of the body', async () => {
    const a = await arrange()
    await db().updateTable('agenda_items').set({ exempt: true, minutes: 'Confidential discussion' }).where('id', '=', a.meeting.item(6)).execute()
    await db().insertInto('minutes_versions').values({ meeting_id: a.meeting.id, version: 1, record: JSON.stringify(await recordOf(a)), reason: 'Confirmed', changed_by: a.clerk.user.id }).execute()
    const reader = await t.signInAs(['board_member'])
    const actor = { userId: reader.user.id, organisationId: reader.user.organisationId, ip: null }
    expect(await t.services.minutes.exemptVisibleTo(actor, a.meeting.id)).toBe(false)
    const outside = await reader.get(`/meetings/${a.meeting.id}/minutes/versions/1`)
    expect(outside.statusCode).toBe(200)
    expect(outside.body).not.toContain('Confidential discussion')
    await a.membership({ userId: reader.user.id, role: 'member' })
    expect(await t.services.minutes.exemptVisibleTo(actor, a.meeting.id)).toBe(true)
    expect((await reader.get(`/meetings/${a.meeting.id}/minutes/versions/1`)).body).toContain('Confidential discussion')
  })
})

describe('meetings that cannot be minuted', () => {
  it('refuses any change to a cancelled meeting', async () => {
    const a = await arrange()
    await db().updateTable('meetings').set({ status: 'cancelled', cancelled_reason: 'Not quorate' }).where('id', '=', a.meeting.id).execute()
    const response = await a.clerk.submit(`/meetings/${a.meeting.id}/closed`, { version: '1', closedAt: '12:00' })
    expect(response.statusCode).toBe(409)
    expect(response.body).toContain('This meeting was cancelled, so it has no minutes to record')
    expect((await meetingRow(a.meeting.id)).closed_at).toBeNull()
  })

  it('refuses to confirm previous minutes at a meeting that has not taken place', async () => {
    const c = await arrangeConfirmation()
    const later = await addMeeting(c.body.id, c.clerk.user.id, future)
    const response = await c.clerk.submit(`/meetings/${later.id}/minutes/confirm-previous`, { version: '1' })
    expect(response.statusCode).toBe(400)
    expect(errorSummary(response.body)).toContain('this meeting has not taken place yet')
    expect((await meetingRow(c.previous.id)).minutes_status).toBe('published')
  })
})

describe('access', () => {
  /** Every minutes route of a meeting: [method, url, fields]. */
  function routes(a: Arranged, extra: { resolutionId: string; declarationId: string }) {
    const m = a.meeting.id
    const item = a.meeting.item(5)
    const reads: [string, string][] = [
      ['GET', `/meetings/${m}/minutes/versions`],
      ['GET', `/meetings/${m}/minutes/versions/1`],
      ['GET', `/api/v1/meetings/${m}/minutes`],
    ]
    const pages: [string, string][] = [
      ['GET', `/meetings/${m}/minutes`],
      ['GET', `/meetings/${m}/attendance`],
      ['GET', `/meetings/${m}/declarations`],
      ['GET', `/meetings/${m}/minutes/items/${item}`],
      ['GET', `/meetings/${m}/minutes/items/${item}/resolutions/${extra.resolutionId}/edit`],
    ]
    const changes: [string, string, Record<string, unknown>][] = [
      ['POST', `/meetings/${m}/attendance`, attendanceFields(1, { [`user:${a.chair.id}`]: 'present' })],
      ['POST', `/meetings/${m}/declarations`, { version: '1', person: `user:${a.chair.id}`, interest: 'x' }],
      ['POST', `/meetings/${m}/declarations/${extra.declarationId}/remove`, { version: '1' }],
      ['POST', `/meetings/${m}/minutes/items/${item}`, { version: '1', minutes: 'x' }],
      ['POST', `/meetings/${m}/minutes/items/${item}/resolutions`, { version: '1', kind: 'resolved', text: 'x' }],
      ['POST', `/meetings/${m}/minutes/items/${item}/resolutions/${extra.resolutionId}/edit`, { version: '1', kind: 'resolved', text: 'x' }],
      ['POST', `/meetings/${m}/minutes/items/${item}/resolutions/${extra.resolutionId}/move`, { version: '1', direction: 'up' }],
      ['POST', `/meetings/${m}/minutes/items/${item}/resolutions/${extra.resolutionId}/remove`, { version: '1' }],
      ['POST', `/meetings/${m}/minutes/items/${item}/variance`, { version: '1', takenBeforeItemId: a.meeting.item(3) }],
      ['POST', `/meetings/${m}/minutes/items/${item}/defer`, { version: '1', deferredReason: 'x' }],
      ['POST', `/meetings/${m}/minutes/items/${item}/defer/undo`, { version: '1' }],
      ['POST', `/meetings/${m}/closed`, { version: '1', closedAt: '12:00' }],
      ['POST', `/meetings/${m}/minutes/publish`, { version: '1' }],
      ['POST', `/meetings/${m}/minutes/confirm-previous`, { version: '1' }],
      ['POST', `/api/v1/meetings/${m}/attendance`, { version: 1, attendees: [{ userId: a.chair.id, status: 'present' }] }],
      ['POST', `/api/v1/meetings/${m}/items/${item}/minutes`, { version: 1, minutes: 'x', resolutions: [] }],
      ['POST', `/api/v1/meetings/${m}/minutes/publish`, { version: 1 }],
      ['POST', `/api/v1/meetings/${m}/minutes/confirm-previous`, { version: 1, subjectToAmendment: false }],
    ]
    return { reads, pages, changes }
  }

  async function call(agent: Agent, method: string, url: string, fields?: Record<string, unknown>) {
    if (url.startsWith('/api/')) return agent.json(method as 'GET' | 'POST', url, fields)
    if (method === 'GET') return agent.get(url)
    return agent.submit(url, fields as Record<string, string | string[]>, { formPage: '/' })
  }

  async function closedBody() {
    const a = await arrange({ visibility: 'closed' })
    await db().insertInto('meeting_attendance').values({ meeting_id: a.meeting.id, user_id: a.chair.id, status: 'present', recorded_by: a.clerk.user.id }).execute()
    const resolution = await db().insertInto('resolutions').values({ agenda_item_id: a.meeting.item(5), position: 1, text: 'that it be noted', created_by: a.clerk.user.id }).returning('id').executeTakeFirstOrThrow()
    const declaration = await db().insertInto('meeting_declarations').values({ meeting_id: a.meeting.id, user_id: a.chair.id, interest: 'x', recorded_by: a.clerk.user.id }).returning('id').executeTakeFirstOrThrow()
    await db().insertInto('minutes_versions').values({ meeting_id: a.meeting.id, version: 1, record: JSON.stringify(await recordOf(a)), reason: 'Confirmed', changed_by: a.clerk.user.id }).execute()
    await db().updateTable('meetings').set({ minutes_status: 'published' }).where('id', '=', a.meeting.id).execute()
    return { a, all: routes(a, { resolutionId: resolution.id, declarationId: declaration.id }) }
  }

  const snapshot = async (meetingId: string) => ({
    meeting: await meetingRow(meetingId),
    attendance: await attendanceRows(meetingId),
    resolutions: await db().selectFrom('resolutions').innerJoin('agenda_items', 'agenda_items.id', 'resolutions.agenda_item_id').select(['resolutions.id', 'resolutions.text']).where('agenda_items.meeting_id', '=', meetingId).execute(),
  })

  it("a closed body's minutes are not found for a coordinator who is not a member, on every route, and nothing changes", async () => {
    const { a, all } = await closedBody()
    const outsider = await t.signInAs(['partnership_coordinator'])
    const before = await snapshot(a.meeting.id)
    for (const [method, url, fields] of [...all.reads, ...all.pages, ...all.changes]) {
      const response = await call(outsider, method, url, fields)
      expect(response.statusCode, `${method} ${url}`).toBe(404)
    }
    expect(await snapshot(a.meeting.id)).toEqual(before)
  })

  it('a board member who is not a member gets "not found" for the reads and is turned away at the gate from the clerk pages and every change', async () => {
    const { all } = await closedBody()
    const outsider = await t.signInAs(['board_member'])
    for (const [method, url] of all.reads) expect((await call(outsider, method, url)).statusCode, url).toBe(404)
    for (const [method, url, fields] of [...all.pages, ...all.changes]) expect((await call(outsider, method, url, fields)).statusCode, `${method} ${url}`).toBe(403)
  })

  it('a board member who is a member reads the minutes and versions but may change nothing', async () => {
    const { a, all } = await closedBody()
    const member = await t.signInAs(['board_member'])
    await a.membership({ userId: member.user.id, role: 'member' })
    const before = await snapshot(a.meeting.id)
    for (const [method, url] of all.reads) expect((await call(member, method, url)).statusCode, url).toBe(200)
    for (const [method, url, fields] of [...all.pages, ...all.changes]) expect((await call(member, method, url, fields)).statusCode, `${method} ${url}`).toBe(403)
    expect(await snapshot(a.meeting.id)).toEqual(before)
  })

  it("a coordinator who sits on an open body as a plain member cannot record its minutes", async () => {
    const a = await arrange()
    const coordinator = await t.signInAs(['partnership_coordinator'])
    await a.membership({ userId: coordinator.user.id, role: 'member' })
    expect((await coordinator.get(`/meetings/${a.meeting.id}/minutes`)).statusCode).toBe(403)
    expect((await coordinator.submit(`/meetings/${a.meeting.id}/closed`, { version: '1', closedAt: '12:00' }, { formPage: '/' })).statusCode).toBe(403)
    expect((await meetingRow(a.meeting.id)).closed_at).toBeNull()
  })
})

describe('the minutes repository', () => {
  /** An executor that keeps the SQL of every statement it runs, to check which take the meeting's lock. */
  function recording() {
    const statements: string[] = []
    const compiler = new PostgresQueryCompiler()
    const executor = db().withPlugin({
      transformQuery: (args) => {
        statements.push(compiler.compileQuery(args.node, args.queryId).sql)
        return args.node
      },
      transformResult: async (args) => args.result,
    })
    return { executor, statements }
  }

  it("insertResolution locks the item's meeting before it reads the next position", async () => {
    const a = await arrange()
    const { executor, statements } = recording()
    const first = await minutesRepository(executor).insertResolution({ agendaItemId: a.meeting.item(5), kind: 'resolved', text: 'that the report be noted', createdBy: a.clerk.user.id })
    const second = await minutesRepository(executor).insertResolution({ agendaItemId: a.meeting.item(5), kind: 'resolved', text: 'that it be circulated', createdBy: a.clerk.user.id })
    expect([first.position, second.position]).toEqual([1, 2])
    expect(statements[0]).toMatch(/^select "id" from "meetings" where "id" = \(select "meeting_id" from "agenda_items" where "id" = \$1\) for update$/)
    expect(statements[1]).toContain('max(position)')
  })

  it("deleteDeferredCopy locks the copy's meeting, then closes the gap from where the copy is now", async () => {
    const a = await arrange()
    const next = await addMeeting(a.body.id, a.clerk.user.id, future)
    // The copy is item 8, before the closing items: the gap to close is there.
    await db().updateTable('agenda_items').set({ position: sql`position + 100` }).where('meeting_id', '=', next.id).where('position', '>=', 8).execute()
    await db().updateTable('agenda_items').set({ position: sql`position - 99` }).where('meeting_id', '=', next.id).where('position', '>', 100).execute()
    const copy = await db()
      .insertInto('agenda_items')
      .values({ body_id: a.body.id, meeting_id: next.id, position: 8, kind: 'report', title: 'Deferred', deferred_from_item_id: a.meeting.item(6), created_by: a.clerk.user.id })
      .returning('id')
      .executeTakeFirstOrThrow()
    const { executor, statements } = recording()
    await minutesRepository(executor).deleteDeferredCopy({ id: copy.id, meetingId: next.id })
    expect(statements[0]).toMatch(/^select "id" from "meetings" where "id" = \$1 for update$/)
    const positions = (await db().selectFrom('agenda_items').select('position').where('meeting_id', '=', next.id).orderBy('position').execute()).map((row) => row.position)
    expect(positions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it("isCurrentMember goes by today's date in the UK, whatever the database's time zone", async () => {
    const a = await arrange()
    const starting = await t.factories.user({ roles: ['board_member'] })
    const ended = await t.factories.user({ roles: ['board_member'] })
    const values = { body_id: a.body.id, role: 'member', created_by: a.clerk.user.id }
    await db().insertInto('body_members').values([
      { ...values, user_id: starting.id, from_date: addDays(today, 1) },
      { ...values, user_id: ended.id, from_date: '2020-01-01', to_date: addDays(today, -1) },
    ]).execute()
    // At any hour, one of these zones is on another date than London: a day ahead, or a day behind.
    for (const zone of ['Pacific/Kiritimati', 'Etc/GMT+12']) {
      await db().transaction().execute(async (trx) => {
        await sql`set local time zone ${sql.lit(zone)}`.execute(trx)
        expect(await minutesRepository(trx).isCurrentMember(a.body.id, starting.id), zone).toBe(false)
        expect(await minutesRepository(trx).isCurrentMember(a.body.id, ended.id), zone).toBe(false)
        expect(await minutesRepository(trx).isCurrentMember(a.body.id, a.member.id), zone).toBe(true)
      })
    }
  })
})

describe('the OpenAPI document', () => {
  it('documents the minutes API under its tag', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })
    expect(response.statusCode).toBe(200)
    const paths = response.json().paths as Record<string, Record<string, { tags?: string[] }>>
    expect(paths['/api/v1/meetings/{meetingId}/minutes']?.get?.tags).toEqual(['Minutes'])
    for (const path of ['/api/v1/meetings/{meetingId}/attendance', '/api/v1/meetings/{meetingId}/items/{itemId}/minutes', '/api/v1/meetings/{meetingId}/minutes/publish', '/api/v1/meetings/{meetingId}/minutes/confirm-previous']) {
      expect(paths[path]?.post?.tags, path).toEqual(['Minutes'])
    }
  })
})
