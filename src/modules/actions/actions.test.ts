import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { asbFactories } from '../../../test/helpers/asb-factories.js'
import { addDays, todayInLondon } from '../../platform/dates.js'
import type { Actor } from '../audit/audit.events.js'
import type { Role } from '../auth/permissions.js'
import { STALE_EDIT_MESSAGE } from '../cases/case-access.js'
import { governanceFixtures, parseCsv, unzip } from './actions.fixtures.js'
import { actionsRepository } from './actions.repository.js'
import type { ActionInput } from './actions.schemas.js'
import { shortDate } from './actions.service.js'

let t: TestApp
let gov: ReturnType<typeof governanceFixtures>
const db = () => t.testDb.database.db
const today = todayInLondon()

beforeAll(async () => {
  t = await createTestApp()
  gov = governanceFixtures(db())
})
afterAll(() => t.close())

type SignedIn = Agent & { user: { id: string; email: string; organisationId: string } }
const actorOf = (agent: SignedIn): Actor => ({ userId: agent.user.id, organisationId: agent.user.organisationId, ip: null })
/** The page's words: inline tags vanish, block tags become spaces. */
const text = (html: string) => html.replace(/<\/?(strong|a)\b[^>]*>/g, '').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ')
const actionRows = (bodyId: string) => db().selectFrom('actions').selectAll().where('body_id', '=', bodyId).execute()
const auditRows = (action: string, recordId: string) => db().selectFrom('audit_events').selectAll().where('action', '=', action).where('record_id', '=', recordId).execute()
const dateParts = (iso: string) => {
  const [year, month, day] = iso.split('-')
  return { 'dueOn-day': String(Number(day)), 'dueOn-month': String(Number(month)), 'dueOn-year': year! }
}

/**
 * A body run by a clerk (a partnership coordinator who is its clerk), with a board member, a meeting 30 days ago and
 * its item 6.
 */
async function board(options: { visibility?: 'open' | 'closed'; reminderDaysBefore?: number; clerkRoles?: Role[] } = {}) {
  const council = await t.factories.organisation({ name: `Charnwood Borough Council ${Math.random().toString(36).slice(2, 8)}` })
  const clerk = await t.signInAs(options.clerkRoles ?? ['partnership_coordinator'], { organisationId: council.id })
  const body = await gov.body({ createdBy: clerk.user.id, visibility: options.visibility, reminderDaysBefore: options.reminderDaysBefore })
  await gov.member(body.id, { userId: clerk.user.id }, { role: 'clerk', createdBy: clerk.user.id })
  const member = await t.signInAs(['board_member'], { organisationId: council.id })
  await gov.member(body.id, { userId: member.user.id }, { role: 'member', createdBy: clerk.user.id })
  const meeting = await gov.meeting(body.id, { meetsOn: addDays(today, -30), createdBy: clerk.user.id })
  const item = await gov.item(meeting, body.id, { position: 6, title: 'Drone bid', createdBy: clerk.user.id })
  return { council, clerk, member, body, meeting, item }
}
type Board = Awaited<ReturnType<typeof board>>

/** An officer with no governance role at all, who can still own an action. */
const outsider = (roles: Role[] = ['case_viewer'], organisationId?: string) => t.signInAs(roles, { organisationId })

function raise(b: Board, input: Partial<ActionInput> & { owners: ActionInput['owners'] }, origin: { meetingId: string; agendaItemId?: string } | { bodyId: string } = { meetingId: b.meeting.id, agendaItemId: b.item.id }) {
  return t.services.actions.create(actorOf(b.clerk), origin, { text: 'Circulate the drone bid to partners', due: { kind: 'date', on: addDays(today, 14) }, link: null, ...input })
}

describe('adding an action under an agenda item', () => {
  it('records the text, owners of each kind, the due date and the case, then goes back to the minutes', async () => {
    const b = await board({ clerkRoles: ['partnership_coordinator', 'case_viewer'] })
    const officer = await outsider()
    const contact = await gov.contact({ createdBy: b.clerk.user.id, name: 'Tom McCabe' })
    await gov.member(b.body.id, { contactId: contact.id }, { role: 'member', createdBy: b.clerk.user.id })
    const police = await t.factories.organisation({ name: `Leicestershire Police ${Math.random().toString(36).slice(2, 6)}`, type: 'police' })
    const record = await asbFactories(db()).case({ owningOrganisationId: b.council.id })

    const form = await b.clerk.get(`/meetings/${b.meeting.id}/items/${b.item.id}/actions/new`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('Tom McCabe (Voluntary Action)')
    expect(form.body).toContain(`value="user:${b.member.user.id}"`)

    const response = await b.clerk.submit(`/meetings/${b.meeting.id}/items/${b.item.id}/actions/new`, {
      text: 'MC to circulate the drone bid to partners',
      owners: [`user:${b.member.user.id}`, `contact:${contact.id}`],
      ownerUser: `user:${officer.user.id}`,
      ownerContact: '',
      ownerOrganisation: `organisation:${police.id}`,
      due: 'date',
      ...dateParts(addDays(today, 21)),
      link: 'case',
      caseReference: record.reference.toLowerCase(),
    })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/meetings/${b.meeting.id}/minutes?notice=action-added`)

    const [action] = await actionRows(b.body.id)
    expect(action).toMatchObject({ text: 'MC to circulate the drone bid to partners', meeting_id: b.meeting.id, agenda_item_id: b.item.id, due_on: addDays(today, 21), due_next_meeting: false, status: 'open', linked_record_type: 'case', linked_record_id: record.id })
    const owners = await db().selectFrom('action_owners').selectAll().where('action_id', '=', action!.id).execute()
    expect(owners).toHaveLength(4)
    const [audit] = await auditRows('action.created', action!.id)
    expect(audit!.details).toMatchObject({ bodyId: b.body.id, meetingId: b.meeting.id, owners: 4, linkedRecordType: 'case' })
    expect(JSON.stringify(audit!.details)).not.toContain('drone')

    // The action page: where it came from, its owners, and that the police get no email.
    const page = await b.clerk.get(`/actions/${action!.id}`)
    expect(page.statusCode).toBe(200)
    const shown = text(page.body)
    expect(shown).toContain(`Action ${shortDate(b.meeting.meetsOn)} Item 6`)
    expect(shown).toContain('item 6: Drone bid')
    expect(shown).toContain('No email reminder: owned by an organisation')
    expect(page.body).toContain(`/cases/${record.id}`)
    // The member's organisation can see the case, but the member does not read cases: no link, no reference.
    const memberPage = await b.member.get(`/actions/${action!.id}`)
    expect(text(memberPage.body)).toContain('An ASB case (you cannot open it)')
    expect(memberPage.body).not.toContain(`/cases/${record.id}`)
    expect(memberPage.body).not.toContain(record.reference)
  })

  it('refuses an action with no owner, says so, and saves nothing', async () => {
    const b = await board()
    const response = await b.clerk.submit(`/meetings/${b.meeting.id}/items/${b.item.id}/actions/new`, { text: 'Write to the landlord', due: 'next_meeting', ownerUser: '', ownerContact: '', ownerOrganisation: '' })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('govuk-error-summary')
    expect(response.body).toContain('Choose at least one owner')
    expect(response.body).toContain('href="#owners"')
    expect(response.body).toContain('Write to the landlord')
    expect(await actionRows(b.body.id)).toHaveLength(0)
  })

  it('says what is wrong with the due date and a case the clerk cannot see, and saves nothing', async () => {
    const b = await board()
    const owners = [`user:${b.member.user.id}`]
    const noDue = await b.clerk.submit(`/meetings/${b.meeting.id}/items/${b.item.id}/actions/new`, { text: 'Write to the landlord', owners })
    expect(noDue.statusCode).toBe(400)
    expect(noDue.body).toContain('Choose when the action is due')

    const notReal = await b.clerk.submit(`/meetings/${b.meeting.id}/items/${b.item.id}/actions/new`, { text: 'Write to the landlord', owners, due: 'date', 'dueOn-day': '31', 'dueOn-month': '2', 'dueOn-year': '2027' })
    expect(notReal.statusCode).toBe(400)
    expect(notReal.body).toContain('The due date must be a real date')
    expect(notReal.body).toContain('href="#dueOn-day"')

    const beforeMeeting = await b.clerk.submit(`/meetings/${b.meeting.id}/items/${b.item.id}/actions/new`, { text: 'Write to the landlord', owners, due: 'date', ...dateParts(addDays(b.meeting.meetsOn, -1)) })
    expect(beforeMeeting.statusCode).toBe(400)
    expect(beforeMeeting.body).toContain('The due date must be on or after')

    const elsewhere = await t.factories.organisation()
    const hidden = await asbFactories(db()).case({ owningOrganisationId: elsewhere.id })
    const unseen = await b.clerk.submit(`/meetings/${b.meeting.id}/items/${b.item.id}/actions/new`, { text: 'Write to the landlord', owners, due: 'next_meeting', link: 'case', caseReference: hidden.reference })
    expect(unseen.statusCode).toBe(400)
    expect(unseen.body).toContain('No case with that reference that you can see')
    expect(unseen.body).toContain('href="#caseReference"')

    const forged = await b.clerk.submit(`/meetings/${b.meeting.id}/items/${b.item.id}/actions/new`, { text: 'Write to the landlord', owners: ['user:not-an-id'], due: 'next_meeting' })
    expect(forged.statusCode).toBe(400)
    expect(forged.body).toContain('Choose owners from the lists')
    expect(await actionRows(b.body.id)).toHaveLength(0)
  })

  it('is for those who run the body: a board member is refused, a coordinator of another body too, and a closed body is not found', async () => {
    const b = await board()
    expect((await b.member.get(`/meetings/${b.meeting.id}/items/${b.item.id}/actions/new`)).statusCode).toBe(403)
    const post = await b.member.submit(`/meetings/${b.meeting.id}/items/${b.item.id}/actions/new`, { text: 'x', owners: [`user:${b.member.user.id}`], due: 'next_meeting' }, { formPage: '/' })
    expect(post.statusCode).toBe(403)
    expect((await b.member.get(`/bodies/${b.body.id}/actions/new`)).statusCode).toBe(403)

    const otherCoordinator = await outsider(['partnership_coordinator'])
    expect((await otherCoordinator.get(`/meetings/${b.meeting.id}/items/${b.item.id}/actions/new`)).statusCode).toBe(403)
    const closed = await board({ visibility: 'closed' })
    expect((await otherCoordinator.get(`/meetings/${closed.meeting.id}/items/${closed.item.id}/actions/new`)).statusCode).toBe(404)
    expect((await otherCoordinator.get(`/bodies/${closed.body.id}/actions/new`)).statusCode).toBe(404)
    // An item of another meeting is not found.
    const other = await gov.meeting(b.body.id, { meetsOn: addDays(today, -10), createdBy: b.clerk.user.id })
    expect((await b.clerk.get(`/meetings/${other.id}/items/${b.item.id}/actions/new`)).statusCode).toBe(404)
    expect(await actionRows(b.body.id)).toHaveLength(0)
  })
})

describe('adding an action between meetings', () => {
  it('puts it on the body log, due by the next meeting, with a "Between meetings" reference', async () => {
    const b = await board()
    const next = await gov.meeting(b.body.id, { meetsOn: addDays(today, 20), createdBy: b.clerk.user.id })
    const response = await b.clerk.submit(`/bodies/${b.body.id}/actions/new`, { text: 'Book the venue for the summer event', owners: [`user:${b.member.user.id}`], due: 'next_meeting' })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/bodies/${b.body.id}/action-log?notice=action-added`)
    const [action] = await actionRows(b.body.id)
    expect(action).toMatchObject({ meeting_id: null, agenda_item_id: null, due_on: null, due_next_meeting: true })

    const log = text((await b.clerk.get(`/bodies/${b.body.id}/action-log`)).body)
    expect(log).toContain(`${shortDate(today)} Between meetings`)
    expect(log).toContain('Book the venue for the summer event')
    expect(log).toContain(`Next meeting (${new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${next.meetsOn}T00:00:00Z`))})`)
  })
})

describe('an owner reporting progress', () => {
  it('lets an owner with no governance role see it in My actions and on the home page and mark it complete with a comment', async () => {
    const b = await board({ visibility: 'closed' })
    const officer = await outsider(['case_viewer'])
    const { id } = await raise(b, { owners: [{ type: 'user', id: officer.user.id }], text: 'PCSO patrols at the Ashby Road shops' })

    const mine = text((await officer.get('/actions')).body)
    expect(mine).toContain('PCSO patrols at the Ashby Road shops')
    expect(mine).toContain(`${shortDate(b.meeting.meetsOn)} Item 6`)
    const home = text((await officer.get('/')).body)
    expect(home).toContain('My actions')
    expect(home).toContain('1 open action')
    expect(home).toContain('PCSO patrols at the Ashby Road shops')

    // Their own action on a closed body they do not sit on: theirs to see; the rest of the body's log is not.
    expect((await officer.get(`/actions/${id}`)).statusCode).toBe(200)
    expect((await officer.get(`/bodies/${b.body.id}/action-log`)).statusCode).toBe(403)

    const form = await officer.get(`/actions/${id}/update?from=mine`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('value="complete"')
    expect(form.body).not.toContain('value="withdrawn"')
    expect(form.body).not.toContain('name="meetingId"')

    const noComment = await officer.submit(`/actions/${id}/update`, { status: 'incomplete', comment: '', version: '1', returnTo: 'mine' })
    expect(noComment.statusCode).toBe(400)
    expect(noComment.body).toContain('Enter a comment saying why the action is incomplete')
    const notAllowed = await officer.submit(`/actions/${id}/update`, { status: 'withdrawn', comment: 'Not needed', version: '1' })
    expect(notAllowed.statusCode).toBe(400)
    expect(notAllowed.body).toContain('Choose Ongoing, Complete or Incomplete')
    expect(await db().selectFrom('action_updates').select('id').where('action_id', '=', id).execute()).toHaveLength(0)

    const done = await officer.submit(`/actions/${id}/update`, { status: 'complete', comment: 'Patrols done weekly since June', version: '1', returnTo: 'mine' })
    expect(done.statusCode).toBe(302)
    expect(done.headers.location).toBe('/actions?notice=updated')
    const row = await db().selectFrom('actions').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row.status).toBe('complete')
    expect(row.completed_at).toBeInstanceOf(Date)
    expect(row.version).toBe(2)
    const updates = await db().selectFrom('action_updates').selectAll().where('action_id', '=', id).execute()
    expect(updates).toMatchObject([{ status: 'complete', comment: 'Patrols done weekly since June', updated_by: officer.user.id, meeting_id: null }])
    const [audit] = await auditRows('action.status_updated', id)
    expect(audit!.details).toMatchObject({ from: 'open', to: 'complete', asOwner: true })

    const page = text((await officer.get(`/actions/${id}`)).body)
    expect(page).toContain('Complete')
    expect(page).toContain('Patrols done weekly since June')
    expect(text((await officer.get('/')).body)).toContain('no open actions')
  })

  it('refuses a stale update: someone else changed the action first', async () => {
    const b = await board()
    const { id } = await raise(b, { owners: [{ type: 'user', id: b.member.user.id }] })
    await b.member.get(`/actions/${id}/update`)
    await t.services.actions.updateStatus(actorOf(b.clerk), id, { status: 'ongoing', comment: 'Chased', version: 1 })
    const stale = await b.member.submit(`/actions/${id}/update`, { status: 'complete', comment: 'Done', version: '1' })
    expect(stale.statusCode).toBe(409)
    expect(stale.body).toContain(STALE_EDIT_MESSAGE)
    expect((await db().selectFrom('actions').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('ongoing')
  })

  it('lets users of an owning organisation see and update an open body\'s action, under "For" their organisation', async () => {
    const b = await board()
    const police = await t.factories.organisation({ name: `Leicestershire Police ${Math.random().toString(36).slice(2, 6)}`, type: 'police' })
    const sergeant = await outsider(['case_manager'], police.id)
    const { id } = await raise(b, { owners: [{ type: 'organisation', id: police.id }], text: 'Police to review the dispersal order' })
    const mine = text((await sergeant.get('/actions')).body)
    expect(mine).toContain(`For ${police.name}`)
    expect(mine).toContain('Police to review the dispersal order')
    expect(text((await sergeant.get('/')).body)).toContain('Police to review the dispersal order')
    expect((await sergeant.submit(`/actions/${id}/update`, { status: 'ongoing', comment: 'Inspector reviewing', version: '1' })).statusCode).toBe(302)
  })

  it('does not open a closed body\'s organisation-owned action to users of that organisation who do not sit on it', async () => {
    const b = await board({ visibility: 'closed' })
    const police = await t.factories.organisation({ name: `Leicestershire Police ${Math.random().toString(36).slice(2, 6)}`, type: 'police' })
    const sergeant = await outsider(['case_manager'], police.id)
    const { id } = await raise(b, { owners: [{ type: 'organisation', id: police.id }], text: 'Police to review the dispersal order' })
    expect((await sergeant.get(`/actions/${id}`)).statusCode).toBe(404)
    expect((await sergeant.get(`/actions/${id}/update`)).statusCode).toBe(404)
    expect((await sergeant.submit(`/actions/${id}/update`, { status: 'ongoing', comment: 'x', version: '1' }, { formPage: '/' })).statusCode).toBe(404)
    expect((await sergeant.json('GET', `/api/v1/actions/${id}`)).statusCode).toBe(404)
    expect(text((await sergeant.get('/actions')).body)).not.toContain('Police to review the dispersal order')
    expect((await sergeant.json('GET', '/api/v1/actions/mine')).json().organisation).toEqual([])
    const home = text((await sergeant.get('/')).body)
    expect(home).not.toContain('Police to review the dispersal order')
    expect(home).toContain('You have no open actions')

    // Once they sit on the body, their organisation's action is theirs.
    await gov.member(b.body.id, { userId: sergeant.user.id }, { role: 'member', createdBy: b.clerk.user.id })
    expect(text((await sergeant.get('/actions')).body)).toContain(`For ${police.name}`)
    expect((await sergeant.submit(`/actions/${id}/update`, { status: 'ongoing', comment: 'Inspector reviewing', version: '1' })).statusCode).toBe(302)
  })

  it('hides a closed body\'s action from anyone who neither owns it nor sits on the body, on every route', async () => {
    const b = await board({ visibility: 'closed' })
    const { id } = await raise(b, { owners: [{ type: 'user', id: b.member.user.id }] })
    const stranger = await outsider(['board_member'])
    expect((await stranger.get(`/actions/${id}`)).statusCode).toBe(404)
    expect((await stranger.get(`/actions/${id}/update`)).statusCode).toBe(404)
    expect((await stranger.submit(`/actions/${id}/update`, { status: 'complete', comment: 'x', version: '1' }, { formPage: '/' })).statusCode).toBe(404)
    expect((await stranger.get(`/meetings/${b.meeting.id}/action-log`)).statusCode).toBe(404)
    expect((await stranger.get(`/meetings/${b.meeting.id}/action-log.csv`)).statusCode).toBe(404)
    expect((await stranger.get(`/bodies/${b.body.id}/action-log`)).statusCode).toBe(404)
    expect((await stranger.json('GET', `/api/v1/actions/${id}`)).statusCode).toBe(404)
    expect((await stranger.json('GET', `/api/v1/meetings/${b.meeting.id}/action-log`)).statusCode).toBe(404)
    expect((await stranger.json('GET', `/api/v1/bodies/${b.body.id}/actions`)).statusCode).toBe(404)
    expect(text((await stranger.get('/actions')).body)).not.toContain('drone bid')
    // A member of the body and an administrator see it.
    expect((await b.member.get(`/actions/${id}`)).statusCode).toBe(200)
    const admin = await outsider(['admin'])
    expect((await admin.get(`/actions/${id}`)).statusCode).toBe(200)
    // A member who does not own it may read it but not report progress.
    const otherMember = await outsider(['board_member'], b.council.id)
    await gov.member(b.body.id, { userId: otherMember.user.id }, { role: 'member', createdBy: b.clerk.user.id })
    expect((await otherMember.get(`/actions/${id}`)).statusCode).toBe(200)
    expect((await otherMember.get(`/actions/${id}/update`)).statusCode).toBe(403)
  })
})

describe('changing an action', () => {
  it('lets the clerk change the text, owners and due date, audited by field name; others are refused', async () => {
    const b = await board()
    const { id } = await raise(b, { owners: [{ type: 'user', id: b.member.user.id }] })
    expect((await b.member.get(`/actions/${id}/edit`)).statusCode).toBe(403)
    const form = await b.clerk.get(`/actions/${id}/edit`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('Circulate the drone bid to partners')

    const none = await b.clerk.submit(`/actions/${id}/edit`, { text: 'Circulate the revised drone bid', due: 'next_meeting', version: '1' })
    expect(none.statusCode).toBe(400)
    expect(none.body).toContain('Choose at least one owner')

    const saved = await b.clerk.submit(`/actions/${id}/edit`, { text: 'Circulate the revised drone bid', owners: [`user:${b.clerk.user.id}`], due: 'next_meeting', link: 'none', version: '1' })
    expect(saved.statusCode).toBe(302)
    const row = await db().selectFrom('actions').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ text: 'Circulate the revised drone bid', due_on: null, due_next_meeting: true, version: 2 })
    const owners = await db().selectFrom('action_owners').select('user_id').where('action_id', '=', id).execute()
    expect(owners).toEqual([{ user_id: b.clerk.user.id }])
    const [audit] = await auditRows('action.updated', id)
    expect((audit!.details as { fields: string[] }).fields.sort()).toEqual(['due', 'owners', 'text'])

    const stale = await b.clerk.submit(`/actions/${id}/edit`, { text: 'Another change', owners: [`user:${b.clerk.user.id}`], due: 'next_meeting', version: '1' })
    expect(stale.statusCode).toBe(409)
    expect(stale.body).toContain(STALE_EDIT_MESSAGE)
  })
})

describe('the action log carried from meeting to meeting', () => {
  it('carries an incomplete action to each later meeting, shows it complete once, then drops it', async () => {
    const b = await board()
    const at = (days: number) => gov.meeting(b.body.id, { meetsOn: addDays(today, days), createdBy: b.clerk.user.id })
    const m1 = await at(-90)
    const m2 = await at(-60)
    const m3 = await at(-45)
    const m4 = await at(20)
    const m5 = await at(50)
    const item1 = await gov.item(m1, b.body.id, { position: 6, createdBy: b.clerk.user.id })
    const item2 = await gov.item(m2, b.body.id, { position: 4, createdBy: b.clerk.user.id })
    const carried = await raise(b, { owners: [{ type: 'user', id: b.member.user.id }], text: 'Map the hotspots for the drone', due: { kind: 'next_meeting' } }, { meetingId: m1.id, agendaItemId: item1.id })
    const later = await raise(b, { owners: [{ type: 'user', id: b.member.user.id }], text: 'Report back on the CCTV pilot', due: { kind: 'next_meeting' } }, { meetingId: m2.id, agendaItemId: item2.id })

    // The clerk records, from meeting 2's log, that the action was not done.
    const logPage = await b.clerk.get(`/meetings/${m2.id}/action-log`)
    expect(logPage.body).toContain(`/actions/${carried.id}/update?from=meeting:${m2.id}&amp;meetingId=${m2.id}`)
    const form = await b.clerk.get(`/actions/${carried.id}/update?from=meeting:${m2.id}&meetingId=${m2.id}`)
    expect(form.body).toMatch(new RegExp(`<option value="${m2.id}" selected>`))
    const recorded = await b.clerk.submit(`/actions/${carried.id}/update`, { status: 'incomplete', comment: 'Awaiting police data', meetingId: m2.id, version: '1', returnTo: `meeting:${m2.id}` })
    expect(recorded.statusCode).toBe(302)
    expect(recorded.headers.location).toBe(`/meetings/${m2.id}/action-log?notice=updated`)

    const log = async (meetingId: string) => text((await b.clerk.get(`/meetings/${meetingId}/action-log`)).body)
    expect(await log(m1.id)).not.toContain('Map the hotspots')
    const second = await log(m2.id)
    expect(second).toContain(`${shortDate(m1.meetsOn)} Item 6 Map the hotspots for the drone`)
    expect(second).toContain('Incomplete (carried forward): Awaiting police data')
    expect(second).not.toContain('Report back on the CCTV pilot')

    // The owner finishes it today, between meeting 3 and meeting 4.
    await t.services.actions.updateStatus(actorOf(b.member), carried.id, { status: 'complete', comment: 'Hotspot map shared', version: 2 })

    const third = await log(m3.id)
    expect(third).toContain('Incomplete (carried forward): Awaiting police data')
    expect(third).not.toContain('Hotspot map shared')
    expect(third).toContain('Report back on the CCTV pilot')
    const fourth = await log(m4.id)
    expect(fourth).toContain('Complete: Hotspot map shared')
    expect(fourth).toMatch(/Complete: Hotspot map shared .*Incomplete \(carried forward\): Awaiting police data/)
    expect(fourth).toContain('Report back on the CCTV pilot')
    expect(await log(m5.id)).not.toContain('Map the hotspots')
    expect(await log(m5.id)).toContain('Report back on the CCTV pilot')
    expect(await auditRows('action_log.viewed', m4.id)).not.toHaveLength(0)

    // Oldest first.
    expect(fourth.indexOf('Map the hotspots')).toBeLessThan(fourth.indexOf('Report back on the CCTV pilot'))
    // Meeting 3 is past the "next meeting" of the CCTV action: it is overdue.
    expect(text((await b.clerk.get(`/bodies/${b.body.id}/action-log?overdue=yes`)).body)).toContain('Report back on the CCTV pilot')
    expect(later.id).toBeTruthy()
  })

  it('shows an action completed on the day of a meeting, after it, on the next log; one reported at the meeting is not shown again', async () => {
    const b = await board()
    const at = (days: number) => gov.meeting(b.body.id, { meetsOn: addDays(today, days), createdBy: b.clerk.user.id })
    const earlier = await at(-30)
    const todays = await at(0)
    const next = await at(21)
    const item = await gov.item(earlier, b.body.id, { position: 6, createdBy: b.clerk.user.id })
    const owner = { owners: [{ type: 'user' as const, id: b.member.user.id }], due: { kind: 'next_meeting' as const } }
    const afterMeeting = await raise(b, { ...owner, text: 'Circulate the needs assessment' }, { meetingId: earlier.id, agendaItemId: item.id })
    const atMeeting = await raise(b, { ...owner, text: 'Book the community safety day venue' }, { meetingId: earlier.id, agendaItemId: item.id })
    // Today: the clerk records one as complete at today's meeting; the owner completes the other afterwards.
    await t.services.actions.updateStatus(actorOf(b.clerk), atMeeting.id, { status: 'complete', comment: 'Venue booked', meetingId: todays.id, version: 1 })
    await t.services.actions.updateStatus(actorOf(b.member), afterMeeting.id, { status: 'complete', comment: 'Sent to partners', version: 1 })

    const nextLog = text((await b.clerk.get(`/meetings/${next.id}/action-log`)).body)
    expect(nextLog).toContain('Complete: Sent to partners')
    expect(nextLog).not.toContain('Book the community safety day venue')
  })

  it('filters the body log by status, owner and overdue', async () => {
    const b = await board()
    const officer = await outsider()
    const overdue = await raise(b, { owners: [{ type: 'user', id: officer.user.id }], text: 'Overdue leaflet drop', due: { kind: 'date', on: b.meeting.meetsOn } })
    await raise(b, { owners: [{ type: 'user', id: b.member.user.id }], text: 'Future youth event' })
    const done = await raise(b, { owners: [{ type: 'user', id: b.member.user.id }], text: 'Finished knife amnesty' })
    await t.services.actions.updateStatus(actorOf(b.clerk), done.id, { status: 'complete', comment: 'Done', version: 1 })

    const all = text((await b.member.get(`/bodies/${b.body.id}/action-log`)).body)
    expect(all).toContain('Overdue leaflet drop')
    expect(all).toContain('Future youth event')
    expect(all).not.toContain('Finished knife amnesty')
    expect(all).toContain('2 actions')
    const complete = text((await b.member.get(`/bodies/${b.body.id}/action-log?status=complete`)).body)
    expect(complete).toContain('Finished knife amnesty')
    expect(complete).not.toContain('Future youth event')
    const byOwner = text((await b.member.get(`/bodies/${b.body.id}/action-log?owner=user:${officer.user.id}`)).body)
    expect(byOwner).toContain('Overdue leaflet drop')
    expect(byOwner).not.toContain('Future youth event')
    const late = text((await b.member.get(`/bodies/${b.body.id}/action-log?overdue=yes`)).body)
    expect(late).toContain('Overdue leaflet drop')
    expect(late).not.toContain('Future youth event')
    const [audit] = await auditRows('action_log.viewed', b.body.id)
    expect(audit!.record_type).toBe('body')
    expect(overdue.id).toBeTruthy()
  })

  it('shows coordinators the overdue actions of every body they run, by body', async () => {
    const b = await board()
    const other = await board()
    await raise(b, { owners: [{ type: 'user', id: b.member.user.id }], text: 'Late CCTV review', due: { kind: 'date', on: b.meeting.meetsOn } })
    await raise(b, { owners: [{ type: 'user', id: b.member.user.id }], text: 'Not yet due' })
    await raise(other, { owners: [{ type: 'user', id: other.member.user.id }], text: 'Another body late action', due: { kind: 'date', on: other.meeting.meetsOn } })
    const page = text((await b.clerk.get('/actions/overdue')).body)
    expect(page).toContain(b.body.name)
    expect(page).toContain('Late CCTV review')
    expect(page).not.toContain('Not yet due')
    expect(page).not.toContain('Another body late action')
    expect((await b.member.get('/actions/overdue')).statusCode).toBe(403)
    const admin = await outsider(['admin'])
    const everything = text((await admin.get('/actions/overdue')).body)
    expect(everything).toContain('Late CCTV review')
    expect(everything).toContain('Another body late action')
  })
})

describe('exporting a meeting\'s action log', () => {
  async function loggedMeeting() {
    const b = await board()
    const next = await gov.meeting(b.body.id, { meetsOn: addDays(today, 10), createdBy: b.clerk.user.id })
    const { id } = await raise(b, { owners: [{ type: 'user', id: b.member.user.id }], text: '=HYPERLINK("http://evil.example","Click")' })
    await raise(b, { owners: [{ type: 'user', id: b.member.user.id }], text: 'Circulate the drone bid to partners' })
    await t.services.actions.updateStatus(actorOf(b.clerk), id, { status: 'incomplete', comment: '+ still waiting', version: 1 })
    return { ...b, next }
  }

  it('writes a Word document with a heading and a real table with a header row', async () => {
    const b = await loggedMeeting()
    const response = await b.member.get(`/meetings/${b.next.id}/action-log.docx`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('wordprocessingml')
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="action-log-.*\.docx"$/)
    const mammoth = await import('mammoth')
    const html = (await mammoth.convertToHtml({ buffer: response.rawPayload })).value
    expect(html).toContain(`<h1>${b.body.name}: action log</h1>`)
    expect(html).toMatch(/<h2>For the meeting on \d{1,2} \w+ \d{4}<\/h2>/)
    const table = /<table>(.*)<\/table>/s.exec(html)?.[1] ?? ''
    const rows = [...table.matchAll(/<tr>(.*?)<\/tr>/gs)].map((row) => [...row[1]!.matchAll(/<t[hd]>(.*?)<\/t[hd]>/gs)].map((cell) => cell[1]!.replace(/<[^>]+>/g, '')))
    expect(rows[0]).toEqual(['Meeting and item', 'Action', 'Owner', 'Status and comment'])
    expect(rows).toHaveLength(3)
    expect(rows[2]).toEqual([`${shortDate(b.meeting.meetsOn)} Item 6`, 'Circulate the drone bid to partners', expect.stringContaining(''), 'Open'])
    const [audit] = await auditRows('action_log.exported', b.next.id)
    expect(audit!.details).toMatchObject({ format: 'docx', actions: 2 })
  })

  it('writes a spreadsheet with the log\'s columns, the due date and the last update', async () => {
    const b = await loggedMeeting()
    const response = await b.member.get(`/meetings/${b.next.id}/action-log.xlsx`)
    expect(response.statusCode).toBe(200)
    // Read back with node's inflate (no XLSX reader is installed): the sheet and its strings.
    const files = unzip(response.rawPayload)
    expect(files.get('xl/workbook.xml')).toContain('name="Action log"')
    const content = [...files.entries()].filter(([name]) => name.startsWith('xl/')).map(([, xml]) => xml).join('')
    for (const heading of ['Meeting and item', 'Action', 'Owner', 'Status and comment', 'Due', 'Last updated']) expect(content).toContain(`>${heading}<`)
    expect(content).toContain('Circulate the drone bid to partners')
    expect(content).not.toContain('<f>')
  })

  it('writes CSV that parses back, with formulas defused', async () => {
    const b = await loggedMeeting()
    const response = await b.member.get(`/meetings/${b.next.id}/action-log.csv`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('text/csv')
    const rows = parseCsv(response.body)
    expect(rows[0]).toEqual(['Meeting and item', 'Action', 'Owner', 'Status and comment', 'Due', 'Last updated'])
    expect(rows).toHaveLength(3)
    const hostile = rows.find((row) => row[1]!.includes('HYPERLINK'))!
    expect(hostile[1]).toBe(`'=HYPERLINK("http://evil.example","Click")`)
    expect(hostile[3]).toBe('Incomplete (carried forward): + still waiting')
    expect(rows[2]![1]).toBe('Circulate the drone bid to partners')
  })
})

describe('the actions API', () => {
  it('creates, reads, updates and lists actions, and explains bad input', async () => {
    const b = await board()
    const noOwner = await b.clerk.json('POST', '/api/v1/actions', { meetingId: b.meeting.id, agendaItemId: b.item.id, text: 'Write to the landlord', owners: [], dueNextMeeting: true })
    expect(noOwner.statusCode).toBe(400)
    expect(noOwner.json().message).toContain('Choose at least one owner')
    const both = await b.clerk.json('POST', '/api/v1/actions', { bodyId: b.body.id, meetingId: b.meeting.id, text: 'x', owners: [{ type: 'user', id: b.member.user.id }], dueNextMeeting: true })
    expect(both.statusCode).toBe(400)
    expect(await actionRows(b.body.id)).toHaveLength(0)
    expect((await b.member.json('POST', '/api/v1/actions', { bodyId: b.body.id, text: 'x', owners: [{ type: 'user', id: b.member.user.id }], dueNextMeeting: true })).statusCode).toBe(403)

    const created = await b.clerk.json('POST', '/api/v1/actions', { meetingId: b.meeting.id, agendaItemId: b.item.id, text: 'Write to the landlord', owners: [{ type: 'user', id: b.member.user.id }], dueOn: addDays(today, 5) })
    expect(created.statusCode).toBe(201)
    const action = created.json()
    expect(action).toMatchObject({ reference: `${shortDate(b.meeting.meetsOn)} Item 6`, status: 'open', statusLabel: 'Open', dueOn: addDays(today, 5), history: [], version: 1 })
    expect(action.owners).toEqual([expect.objectContaining({ type: 'user', id: b.member.user.id })])
    expect(action.owners[0]).not.toHaveProperty('email')

    const mine = await b.member.json('GET', '/api/v1/actions/mine')
    expect(mine.json().mine.map((row: { id: string }) => row.id)).toEqual([action.id])
    const missingComment = await b.member.json('POST', `/api/v1/actions/${action.id}/updates`, { status: 'incomplete', version: 1 })
    expect(missingComment.statusCode).toBe(400)
    expect(missingComment.json().message).toContain('Enter a comment saying why the action is incomplete')
    const updated = await b.member.json('POST', `/api/v1/actions/${action.id}/updates`, { status: 'ongoing', comment: 'Letter drafted', version: 1 })
    expect(updated.statusCode).toBe(201)
    expect(updated.json()).toMatchObject({ status: 'ongoing', version: 2, history: [{ status: 'ongoing', comment: 'Letter drafted' }] })
    const stale = await b.member.json('POST', `/api/v1/actions/${action.id}/updates`, { status: 'complete', version: 1 })
    expect(stale.statusCode).toBe(409)

    const next = await gov.meeting(b.body.id, { meetsOn: addDays(today, 7), createdBy: b.clerk.user.id })
    const log = await b.member.json('GET', `/api/v1/meetings/${next.id}/action-log`)
    expect(log.statusCode).toBe(200)
    expect(log.json()).toMatchObject({ body: { id: b.body.id }, meeting: { id: next.id, previousMeetingOn: b.meeting.meetsOn }, actions: [{ id: action.id, status: 'ongoing' }] })
    const list = await b.member.json('GET', `/api/v1/bodies/${b.body.id}/actions?status=ongoing`)
    expect(list.json()).toMatchObject({ total: 1, actions: [{ id: action.id }] })
    expect((await b.member.json('GET', `/api/v1/actions/${action.id}`)).json()).toMatchObject({ id: action.id, text: 'Write to the landlord' })
  })
})

describe('case links', () => {
  it('links to the case for a viewer who reads cases and whose organisation can see it', async () => {
    const b = await board()
    const coordinatorWhoReadsCases = await outsider(['partnership_coordinator', 'case_viewer'], b.council.id)
    await gov.member(b.body.id, { userId: coordinatorWhoReadsCases.user.id }, { role: 'officer', createdBy: b.clerk.user.id })
    const record = await asbFactories(db()).case({ owningOrganisationId: b.council.id })
    const response = await coordinatorWhoReadsCases.submit(`/bodies/${b.body.id}/actions/new`, { text: 'Refer the family to the case conference', owners: [`user:${b.member.user.id}`], due: 'next_meeting', link: 'case', caseReference: record.reference })
    expect(response.statusCode).toBe(302)
    const [action] = await actionRows(b.body.id)
    const page = await coordinatorWhoReadsCases.get(`/actions/${action!.id}`)
    expect(page.body).toContain(`href="/cases/${record.id}"`)
    expect(page.body).toContain(`ASB case ${record.reference}`)
  })

  it('does not let a user without a case role link a case, even one their organisation can see', async () => {
    const b = await board()
    const record = await asbFactories(db()).case({ owningOrganisationId: b.council.id })
    const response = await b.clerk.submit(`/bodies/${b.body.id}/actions/new`, { text: 'Refer the family to the case conference', owners: [`user:${b.member.user.id}`], due: 'next_meeting', link: 'case', caseReference: record.reference })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('No case with that reference that you can see')
    expect(await actionRows(b.body.id)).toHaveLength(0)
  })
})

describe('actions of exempt agenda items', () => {
  it('are seen only by those who run the body, its members and the owners, on every log, export and the API', async () => {
    const b = await board()
    await db().updateTable('agenda_items').set({ exempt: true }).where('id', '=', b.item.id).execute()
    const open = await gov.item(b.meeting, b.body.id, { position: 7, title: 'Performance', createdBy: b.clerk.user.id })
    const owner = await outsider(['case_viewer'])
    const { id } = await raise(b, { owners: [{ type: 'user', id: owner.user.id }], text: 'Evict the tenant at number 12' })
    await raise(b, { owners: [{ type: 'user', id: b.member.user.id }], text: 'Publish the performance report' }, { meetingId: b.meeting.id, agendaItemId: open.id })
    const next = await gov.meeting(b.body.id, { meetsOn: addDays(today, 7), createdBy: b.clerk.user.id })
    const reader = await outsider(['board_member'])

    const views = async (agent: Agent) => [
      text((await agent.get(`/meetings/${next.id}/action-log`)).body),
      text((await agent.get(`/bodies/${b.body.id}/action-log`)).body),
      (await agent.get(`/meetings/${next.id}/action-log.csv`)).body,
      [...unzip((await agent.get(`/meetings/${next.id}/action-log.xlsx`)).rawPayload).values()].join(''),
      [...unzip((await agent.get(`/meetings/${next.id}/action-log.docx`)).rawPayload).values()].join(''),
      (await agent.json('GET', `/api/v1/meetings/${next.id}/action-log`)).body,
      (await agent.json('GET', `/api/v1/bodies/${b.body.id}/actions`)).body,
    ]
    for (const view of await views(reader)) {
      expect(view).toContain('Publish the performance report')
      expect(view).not.toContain('Evict the tenant')
      expect(view).not.toContain(owner.user.id)
    }
    expect((await reader.get(`/actions/${id}`)).statusCode).toBe(404)
    expect((await reader.json('GET', `/api/v1/actions/${id}`)).statusCode).toBe(404)

    for (const view of await views(b.member)) expect(view).toContain('Evict the tenant')
    for (const agent of [b.member, b.clerk, owner]) expect((await agent.get(`/actions/${id}`)).statusCode).toBe(200)
    expect(text((await owner.get('/actions')).body)).toContain('Evict the tenant')
  })
})

describe('reading an action', () => {
  it('audits each read of the page and the API by ids, but not the API\'s answer to a change', async () => {
    const b = await board()
    const created = await b.clerk.json('POST', '/api/v1/actions', { bodyId: b.body.id, text: 'Write to the landlord', owners: [{ type: 'user', id: b.member.user.id }], dueNextMeeting: true })
    const { id } = created.json()
    expect(await auditRows('action.viewed', id)).toHaveLength(0)
    expect((await b.member.get(`/actions/${id}`)).statusCode).toBe(200)
    expect((await b.clerk.json('GET', `/api/v1/actions/${id}`)).statusCode).toBe(200)
    const rows = await auditRows('action.viewed', id)
    expect(rows.map((row) => row.user_id).sort()).toEqual([b.member.user.id, b.clerk.user.id].sort())
    expect(rows.map((row) => row.details)).toEqual([{ bodyId: b.body.id }, { bodyId: b.body.id }])
  })
})

describe('the action log\'s London day boundary', () => {
  it('keeps an action completed just after midnight in London on the day before the previous meeting, whatever the server time zone', async () => {
    const b = await board()
    const raisedAt = await gov.meeting(b.body.id, { meetsOn: '2025-06-10', createdBy: b.clerk.user.id })
    const previous = await gov.meeting(b.body.id, { meetsOn: '2025-07-10', createdBy: b.clerk.user.id })
    const meeting = await gov.meeting(b.body.id, { meetsOn: '2025-08-14', createdBy: b.clerk.user.id })
    const { id } = await raise(b, { owners: [{ type: 'user', id: b.member.user.id }], due: { kind: 'next_meeting' } }, { meetingId: raisedAt.id })
    // 00:30 on 9 July in London (BST) is 23:30 on 8 July in UTC.
    await db().updateTable('actions').set({ status: 'complete', completed_at: new Date('2025-07-08T23:30:00Z') }).where('id', '=', id).execute()
    const candidates = await db().transaction().execute(async (trx) => {
      await sql`set local TimeZone = 'UTC'`.execute(trx)
      return actionsRepository(trx).meetingLogCandidates({ bodyId: b.body.id, meetsOn: meeting.meetsOn, startsAt: '10:00' }, previous.meetsOn, { userId: b.clerk.user.id, organisationId: b.clerk.user.organisationId }, today, trx)
    })
    expect(candidates.map((row) => row.id)).toEqual([id])
  })
})

describe('every action route', () => {
  it('answers an unknown id with "not found" (or refuses), never an error, for a coordinator', async () => {
    const coordinator = await outsider(['partnership_coordinator'])
    const mine = t.app.accessTable.filter((route) => route.method !== 'HEAD' && /^\/(api\/v1\/)?(actions|meetings\/:meetingId\/(action-log|items)|bodies\/:bodyId\/(action|actions))/.test(route.url))
    expect(mine.length).toBeGreaterThanOrEqual(20)
    for (const route of mine) {
      const url = route.url.replace(/:[A-Za-z]+/g, () => randomUUID())
      const response = route.method === 'GET' ? await coordinator.get(url) : url.startsWith('/api/') ? await coordinator.json('POST', url, {}) : await coordinator.submit(url, {}, { formPage: '/' })
      expect([200, 400, 403, 404], `${route.method} ${route.url}: ${response.statusCode}`).toContain(response.statusCode)
    }
  })
})
