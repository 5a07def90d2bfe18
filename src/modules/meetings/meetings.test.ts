import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { dateParts, expectPageError, type GovernanceFixtures, governanceFixtures, inDays, today } from './meetings.fixtures.js'
import { meetingDate, meetingDay } from './meetings.format.js'

let t: TestApp
let g: GovernanceFixtures
const db = () => t.testDb.database.db

beforeAll(async () => {
  t = await createTestApp()
  g = governanceFixtures(t)
})
afterAll(() => t.close())

const PAST_MESSAGE = 'The meeting date must be today or in the future. To record a meeting that has already taken place, tick “This meeting has already taken place”'
const STANDING = [
  ['apologies', 'Apologies for absence'],
  ['previous_minutes', 'Minutes of the previous meeting'],
  ['matters_arising', 'Matters arising'],
  ['action_log', 'Action log'],
  ['declarations', 'Declarations of interest'],
]
const CLOSING = [
  ['any_other_business', 'Any other business'],
  ['next_meeting', 'Date of next meeting'],
]

const meetingsOf = (bodyId: string) => db().selectFrom('meetings').selectAll().where('body_id', '=', bodyId).orderBy('meets_on').execute()
const kindsAndTitles = async (meetingId: string) => (await g.agenda(meetingId)).map((item) => [item.position, item.kind, item.title])

describe('scheduling a meeting', () => {
  it('offers the body’s default time and venue, and its items to be programmed', async () => {
    const { agent, body, userId } = await g.clerk({ defaultVenue: 'Council Chamber, Southfields', defaultStartTime: '14:00' })
    const waiting = await g.item(body.id, { createdBy: userId, title: 'Knife crime deep dive' })
    const page = await agent.get(`/bodies/${body.id}/meetings/new`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Schedule a meeting')
    expect(page.body).toContain('value="14:00"')
    expect(page.body).toMatch(/value="in_person" checked/)
    expect(page.body).toContain('value="Council Chamber, Southfields"')
    expect(page.body).toContain('Knife crime deep dive')
    expect(page.body).toContain(`value="${waiting.id}"`)
    expect(page.body).toContain('This meeting has already taken place: I will record its minutes')

    // Linked from an item of the forward programme: that item comes ticked.
    const fromItem = await agent.get(`/bodies/${body.id}/meetings/new?item=${waiting.id}`)
    expect(fromItem.body).toMatch(new RegExp(`value="${waiting.id}" checked`))
  })

  it('creates the meeting with the standing items in order, Hot Topics with its topic, and records it', async () => {
    const { agent, body, userId } = await g.clerk()
    const meetsOn = inDays(21)
    const response = await agent.submit(`/bodies/${body.id}/meetings/new`, { ...dateParts(meetsOn), startsAt: '9:30', venueType: 'in_person', venue: 'Room 2, Southfields', hotTopics: 'yes', hotTopic: 'Shoplifting in the town centre' })
    expect(response.statusCode).toBe(302)
    const [meeting] = await meetingsOf(body.id)
    expect(response.headers.location).toBe(`/meetings/${meeting!.id}?notice=scheduled`)
    expect(meeting).toMatchObject({ meets_on: meetsOn, starts_at: '09:30:00', venue: 'Room 2, Southfields', status: 'scheduled', created_by: userId, agenda_published_at: null })
    expect(await kindsAndTitles(meeting!.id)).toEqual([...STANDING, ['hot_topics', 'Hot Topics'], ...CLOSING].map(([kind, title], index) => [index + 1, kind, title]))
    expect((await g.agenda(meeting!.id)).find((item) => item.kind === 'hot_topics')!.hot_topic).toBe('Shoplifting in the town centre')

    const [audit] = (await g.auditRows('meeting.scheduled')).filter((row) => row.record_id === meeting!.id)
    expect(audit).toMatchObject({ user_id: userId, record_type: 'meeting' })
    expect(audit!.details).toEqual({ bodyId: body.id, status: 'scheduled', hotTopics: true, programmedItems: 0, deferredItems: 0 })

    const page = await agent.get(response.headers.location as string)
    expect(page.body).toContain('Meeting scheduled.')
    expect(page.body).toContain(`Meeting on ${meetingDay(meetsOn)}`)
    expect(page.body).toContain('6. Hot Topics: Shoplifting in the town centre')
  })

  it('without Hot Topics has seven standing items; Microsoft Teams is a venue of its own', async () => {
    const { agent, body } = await g.clerk()
    const response = await agent.submit(`/bodies/${body.id}/meetings/new`, { ...dateParts(today()), startsAt: '10:00', venueType: 'teams', venue: 'ignored' })
    expect(response.statusCode).toBe(302)
    const [meeting] = await meetingsOf(body.id)
    expect(meeting!.venue).toBe('Microsoft Teams')
    expect(await kindsAndTitles(meeting!.id)).toEqual([...STANDING, ...CLOSING].map(([kind, title], index) => [index + 1, kind, title]))
  })

  it('refuses a date in the past with the GOV.UK error, keeping what was typed and saving nothing', async () => {
    const { agent, body } = await g.clerk()
    const response = await agent.submit(`/bodies/${body.id}/meetings/new`, { ...dateParts(inDays(-1)), startsAt: '18:15', venueType: 'in_person', venue: 'The Stables, Melton', hotTopics: 'yes', hotTopic: 'Rural crime' })
    expectPageError(response, PAST_MESSAGE, '#meetsOn-day')
    expect(response.body).toContain('value="18:15"')
    expect(response.body).toContain('value="The Stables, Melton"')
    expect(response.body).toContain('value="Rural crime"')
    expect(await meetingsOf(body.id)).toHaveLength(0)
    expect(await db().selectFrom('agenda_items').select('id').where('body_id', '=', body.id).execute()).toHaveLength(0)
  })

  it('records a meeting already held, in the past, and sends the clerk to its minutes', async () => {
    const { agent, body } = await g.clerk()
    const meetsOn = inDays(-40)
    const response = await agent.submit(`/bodies/${body.id}/meetings/new`, { ...dateParts(meetsOn), startsAt: '10:00', venueType: 'teams', alreadyHeld: 'yes' })
    expect(response.statusCode).toBe(302)
    const [meeting] = await meetingsOf(body.id)
    expect(response.headers.location).toBe(`/meetings/${meeting!.id}/minutes`)
    expect(meeting).toMatchObject({ meets_on: meetsOn, status: 'held' })
    expect(await g.agenda(meeting!.id)).toHaveLength(7)

    const future = await agent.submit(`/bodies/${body.id}/meetings/new`, { ...dateParts(inDays(3)), startsAt: '10:00', venueType: 'teams', alreadyHeld: 'yes' })
    expectPageError(future, 'A meeting that has already taken place must have a date of today or earlier', '#alreadyHeld')
  })

  it('refuses a second meeting of the body at the same date and time, but not at another time or after a cancellation', async () => {
    const { agent, body, userId } = await g.clerk()
    const meetsOn = inDays(30)
    const fields = { ...dateParts(meetsOn), startsAt: '10:00', venueType: 'teams' }
    expect((await agent.submit(`/bodies/${body.id}/meetings/new`, fields)).statusCode).toBe(302)
    const again = await agent.submit(`/bodies/${body.id}/meetings/new`, { ...fields, startsAt: '10.00' })
    expectPageError(again, `This body already has a meeting on ${meetingDate(meetsOn)} at 10:00`, '#meetsOn-day')
    expect(await meetingsOf(body.id)).toHaveLength(1)
    expect((await agent.submit(`/bodies/${body.id}/meetings/new`, { ...fields, startsAt: '14:00' })).statusCode).toBe(302)

    // Another body's meeting at the same time is no clash; a cancelled one leaves the slot free.
    const other = await g.body({ createdBy: userId })
    await g.meeting(other.id, { createdBy: userId, meetsOn: inDays(31) })
    await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(31), status: 'cancelled' })
    expect((await agent.submit(`/bodies/${body.id}/meetings/new`, { ...fields, ...dateParts(inDays(31)) })).statusCode).toBe(302)
  })

  it('shows every problem at once: no date, a bad time, no venue, a hot topic without its topic', async () => {
    const { agent, body } = await g.clerk()
    const empty = await agent.submit(`/bodies/${body.id}/meetings/new`, { startsAt: '25:00' })
    expectPageError(empty, 'Enter the meeting date', '#meetsOn-day')
    expect(empty.body).toContain('Enter the start time using the 24-hour clock, for example 10:00 or 14:30')
    expect(empty.body).toContain('Select whether the meeting is on Microsoft Teams or in person')
    const noVenue = await agent.submit(`/bodies/${body.id}/meetings/new`, { 'meetsOn-day': '31', 'meetsOn-month': '2', 'meetsOn-year': '2030', startsAt: '10:00', venueType: 'in_person', hotTopics: 'yes' })
    expectPageError(noVenue, 'Enter the meeting date as a real date, for example 4 12 2026', '#meetsOn-day')
    expect(noVenue.body).toContain('<a href="#venue">Enter the venue, for example Council Chamber, Southfields, Loughborough</a>')
    expect(noVenue.body).toContain('<a href="#hotTopic">Enter the hot topic, or untick Hot Topics</a>')
    expect(await meetingsOf(body.id)).toHaveLength(0)
  })

  it('puts the chosen items to be programmed before the closing items, in the forward programme’s order', async () => {
    const { agent, body, userId } = await g.clerk()
    const first = await g.item(body.id, { createdBy: userId, title: 'Serious violence duty update' })
    const second = await g.item(body.id, { createdBy: userId, title: 'PSPO consultation' })
    const left = await g.item(body.id, { createdBy: userId, title: 'Annual report' })
    const response = await agent.submit(`/bodies/${body.id}/meetings/new`, { ...dateParts(inDays(14)), startsAt: '10:00', venueType: 'teams', programmeItemIds: [second.id, first.id] })
    expect(response.statusCode).toBe(302)
    const [meeting] = await meetingsOf(body.id)
    expect((await g.agenda(meeting!.id)).map((item) => item.title)).toEqual([...STANDING.map(([, title]) => title), 'Serious violence duty update', 'PSPO consultation', ...CLOSING.map(([, title]) => title)])
    const stillWaiting = await db().selectFrom('agenda_items').select(['id', 'meeting_id']).where('id', '=', left.id).executeTakeFirstOrThrow()
    expect(stillWaiting.meeting_id).toBeNull()

    // An item of another body, or one already on an agenda, cannot be chosen.
    const otherBody = await g.body({ createdBy: userId })
    const foreign = await g.item(otherBody.id, { createdBy: userId })
    const refused = await agent.submit(`/bodies/${body.id}/meetings/new`, { ...dateParts(inDays(15)), startsAt: '10:00', venueType: 'teams', programmeItemIds: foreign.id })
    expectPageError(refused, 'Select items from the forward programme of this body', '#programmeItemIds')
  })

  it('attaches a deferred item to the next meeting when it is scheduled', async () => {
    const { agent, body, userId } = await g.clerk()
    const earlier = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(-20), status: 'held', reports: [{ title: 'Drone bid' }] })
    const original = earlier.itemIds[5]!
    await db().updateTable('agenda_items').set({ deferred_reason: 'Deferred until the next meeting due to absence' }).where('id', '=', original).execute()
    const deferred = await g.item(body.id, { createdBy: userId, title: 'Drone bid', deferredFromItemId: original })

    const response = await agent.submit(`/bodies/${body.id}/meetings/new`, { ...dateParts(inDays(10)), startsAt: '10:00', venueType: 'teams' })
    expect(response.statusCode).toBe(302)
    const next = (await meetingsOf(body.id)).find((meeting) => meeting.id !== earlier.id)!
    const agenda = await g.agenda(next.id)
    expect(agenda.map((item) => item.title)).toEqual([...STANDING.map(([, title]) => title), 'Drone bid', ...CLOSING.map(([, title]) => title)])
    expect(agenda[5]!.id).toBe(deferred.id)
    const audit = (await g.auditRows('meeting.scheduled')).find((row) => row.record_id === next.id)
    expect(audit!.details).toMatchObject({ deferredItems: 1 })
  })

  it('is for those who run the body: 403 for a board member at the gate and for a coordinator who is not its clerk, chair or officer', async () => {
    const { body, userId } = await g.clerk()
    const boardMember = await g.memberAgent(body.id, ['board_member'], 'member', userId)
    const gate = await boardMember.get(`/bodies/${body.id}/meetings/new`)
    expect(gate.statusCode).toBe(403)
    expect(gate.body).toContain('You do not have permission to do this')
    expect((await boardMember.submit(`/bodies/${body.id}/meetings/new`, { ...dateParts(inDays(5)), startsAt: '10:00', venueType: 'teams' }, { formPage: '/' })).statusCode).toBe(403)

    const coordinator = await g.memberAgent(body.id, ['partnership_coordinator'], 'member', userId)
    const refused = await coordinator.get(`/bodies/${body.id}/meetings/new`)
    expect(refused.statusCode).toBe(403)
    expect(refused.body).toContain('Only the chair, clerk or officers of this body, or an administrator, can change it')
    const posted = await coordinator.submit(`/bodies/${body.id}/meetings/new`, { ...dateParts(inDays(5)), startsAt: '10:00', venueType: 'teams' }, { formPage: '/' })
    expect(posted.statusCode).toBe(403)
    expect(await meetingsOf(body.id)).toHaveLength(0)

    // An administrator may run any body.
    const admin = await t.signInAs(['admin'])
    expect((await admin.submit(`/bodies/${body.id}/meetings/new`, { ...dateParts(inDays(5)), startsAt: '10:00', venueType: 'teams' }, { formPage: '/' })).statusCode).toBe(302)
  })
})

describe('the forward programme', () => {
  it('shows future meetings with their agendas, the items to be programmed, and recent meetings', async () => {
    const { agent, body, userId } = await g.clerk()
    const future = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(20), reports: [{ title: 'Town centre PSPO review', presenterName: 'Jane Smith' }] })
    await db().updateTable('agenda_items').set({ presenter_role: 'Community Safety Manager' }).where('id', '=', future.itemIds[5]!).execute()
    const published = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(60), publishedAt: new Date() })
    const past = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(-30), status: 'held' })
    const earlier = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(-60), status: 'held', reports: [{ title: 'CCTV upgrade' }] })
    await g.item(body.id, { createdBy: userId, title: 'Hate crime strategy', description: 'Draft for comment' })
    await g.item(body.id, { createdBy: userId, title: 'CCTV upgrade', deferredFromItemId: earlier.itemIds[5]! })

    const page = await agent.get(`/bodies/${body.id}/forward-programme`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`${meetingDay(inDays(20))} at 10:00`)
    expect(page.body).toContain('Town centre PSPO review')
    expect(page.body).toContain('Jane Smith, Community Safety Manager')
    expect(page.body).toContain('Agenda not yet published')
    expect(page.body).toContain('Agenda published')
    expect(page.body).toContain(`/meetings/${published.id}`)
    const waiting = page.body.slice(page.body.indexOf('id="to-be-programmed"'), page.body.indexOf('Recent meetings'))
    expect(waiting).toContain('Hate crime strategy')
    expect(waiting).toContain('Draft for comment')
    expect(waiting).toContain(`Deferred from the meeting of ${meetingDate(inDays(-60))}`)
    expect(waiting).toContain('aria-label="Programme Hate crime strategy"')
    expect(waiting).toContain(`<option value="${future.id}">${meetingDate(inDays(20))} at 10:00</option>`)
    const recent = page.body.slice(page.body.indexOf('Recent meetings'))
    expect(recent).toContain(`/meetings/${past.id}`)
    expect(recent).toContain(`/meetings/${earlier.id}`)
    expect(recent.indexOf(past.id)).toBeLessThan(recent.indexOf(earlier.id))
    expect(page.body).toContain(`/bodies/${body.id}/meetings/new`)

    // A reader sees the programme, without the clerk's buttons and forms.
    const reader = await t.signInAs(['board_member'])
    const read = await reader.get(`/bodies/${body.id}/forward-programme`)
    expect(read.statusCode).toBe(200)
    expect(read.body).toContain('Hate crime strategy')
    expect(read.body).not.toContain('aria-label="Programme')
    expect(read.body).not.toContain('Schedule a meeting')
  })

  it('adds an item to be programmed, or straight onto a future meeting, and says what is wrong', async () => {
    const { agent, body, userId } = await g.clerk()
    const meeting = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(20) })
    const form = await agent.get(`/bodies/${body.id}/forward-programme/items/new`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('To be programmed')

    const waiting = await agent.submit(`/bodies/${body.id}/forward-programme/items/new`, { title: 'Annual strategic assessment', kind: 'report', presenterName: 'Tom McCabe', presenterRole: 'Analyst, Leicestershire Police', meetingId: '' })
    expect(waiting.statusCode).toBe(302)
    expect(waiting.headers.location).toBe(`/bodies/${body.id}/forward-programme?notice=item-added#to-be-programmed`)
    const stored = await db().selectFrom('agenda_items').selectAll().where('title', '=', 'Annual strategic assessment').executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ body_id: body.id, meeting_id: null, position: null, kind: 'report', presenter_name: 'Tom McCabe', presenter_role: 'Analyst, Leicestershire Police', exempt: false })

    const onMeeting = await agent.submit(`/bodies/${body.id}/forward-programme/items/new`, { title: 'Youth diversion presentation', kind: 'presentation', meetingId: meeting.id })
    expect(onMeeting.statusCode).toBe(302)
    expect((await g.agenda(meeting.id)).map((item) => item.title).slice(5)).toEqual(['Youth diversion presentation', 'Any other business', 'Date of next meeting'])

    const bad = await agent.submit(`/bodies/${body.id}/forward-programme/items/new`, { title: '', exempt: 'yes', presenterRole: 'Chair', meetingId: 'not-a-meeting', description: 'Kept' })
    expectPageError(bad, 'Enter the title of the item', '#title')
    expect(bad.body).toContain('<a href="#kind">Select the type of item</a>')
    expect(bad.body).toContain('<a href="#exemptReason">Enter why the item is exempt, for example the paragraph of Schedule 12A that applies</a>')
    expect(bad.body).toContain('<a href="#presenterName">Enter the presenter&#39;s name, or choose a member or contact</a>')
    expect(bad.body).toContain('<a href="#meetingId">Select a meeting from the list</a>')
    expect(bad.body).toContain('Kept</textarea>')

    const past = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(-5), status: 'held' })
    const refused = await agent.submit(`/bodies/${body.id}/forward-programme/items/new`, { title: 'Late item', kind: 'other', meetingId: past.id })
    expectPageError(refused, 'Select one of the future meetings of this body', '#meetingId')
    expect(await db().selectFrom('agenda_items').select('id').where('title', 'in', ['Late item', '']).execute()).toHaveLength(0)
    const added = await g.auditRows('agenda.item_added')
    expect(added.filter((row) => (row.details as { bodyId: string }).bodyId === body.id)).toHaveLength(2)
  })

  it('programmes an item onto a chosen future meeting, before its closing items', async () => {
    const { agent, body, userId } = await g.clerk()
    const meeting = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(20), reports: [{ title: 'Existing report' }] })
    const item = await g.item(body.id, { createdBy: userId, title: 'Domestic abuse needs assessment' })
    await agent.get(`/bodies/${body.id}/forward-programme`)

    const none = await agent.submit(`/agenda-items/${item.id}/programme`, { meetingId: '' })
    expectPageError(none, 'Select the meeting to put the item on', `#meetingId-${item.id}`)
    const cancelled = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(25), status: 'cancelled' })
    expectPageError(await agent.submit(`/agenda-items/${item.id}/programme`, { meetingId: cancelled.id }), 'Select one of the future meetings of this body', `#meetingId-${item.id}`)

    const response = await agent.submit(`/agenda-items/${item.id}/programme`, { meetingId: meeting.id })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/bodies/${body.id}/forward-programme?notice=programmed`)
    expect((await g.agenda(meeting.id)).map((row) => [row.position, row.title]).slice(5)).toEqual([
      [6, 'Existing report'],
      [7, 'Domestic abuse needs assessment'],
      [8, 'Any other business'],
      [9, 'Date of next meeting'],
    ])
    // Now on an agenda, it is no longer in the list: the summary says why.
    const again = await agent.submit(`/agenda-items/${item.id}/programme`, { meetingId: meeting.id })
    expect(again.statusCode).toBe(409)
    expect(again.body).toContain(`<a href="#meetingId-${item.id}">This item is already on a meeting’s agenda</a>`)
  })
})

describe('the meetings list', () => {
  it('lists upcoming meetings of the bodies the user may see, and those of the last three months, with the body', async () => {
    const { agent, body, userId } = await g.clerk()
    const soon = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(7), venue: 'Council Chamber' })
    const recent = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(-30), status: 'held', minutesStatus: 'published' })
    const old = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(-120), status: 'held' })
    const closed = await g.body({ createdBy: userId, visibility: 'closed', name: `Charnwood JAG ${Date.now()}` })
    const secret = await g.meeting(closed.id, { createdBy: userId, meetsOn: inDays(8) })

    const page = await agent.get('/meetings')
    expect(page.statusCode).toBe(200)
    const upcoming = page.body.slice(page.body.indexOf('Upcoming meetings'), page.body.indexOf('Meetings in the last 3 months'))
    expect(upcoming).toContain(`/meetings/${soon.id}`)
    expect(upcoming).toContain(body.name)
    expect(upcoming).toContain('Council Chamber')
    const past = page.body.slice(page.body.indexOf('Meetings in the last 3 months'))
    expect(past).toContain(`/meetings/${recent.id}`)
    expect(past).toContain('Minutes published')
    expect(page.body).not.toContain(old.id)
    // A closed body's meetings are for its members only.
    expect(page.body).not.toContain(secret.id)
    expect(page.body).not.toContain(closed.name)

    await g.member(closed.id, { userId, role: 'member', createdBy: userId })
    expect((await agent.get('/meetings')).body).toContain(secret.id)
  })
})

describe('the meeting page', () => {
  it('shows the title block, status, the numbered agenda with presenters, exempt items and papers, and the links', async () => {
    const { agent, body, userId } = await g.clerk()
    const meetsOn = inDays(12)
    const meeting = await g.meetingWithAgenda(body.id, {
      createdBy: userId,
      meetsOn,
      reports: [{ title: 'Town centre PSPO review', presenterName: 'Jane Smith', description: 'To note the consultation results' }, { title: 'Persistent offender case review', exempt: true, description: 'Named individuals' }],
    })
    await db().updateTable('meetings').set({ venue: 'Committee Room 1, Southfields', starts_at: '18:30' }).where('id', '=', meeting.id).execute()
    await db().updateTable('agenda_items').set({ presenter_role: 'Community Safety Manager' }).where('id', '=', meeting.itemIds[5]!).execute()
    const paper = await db()
      .insertInto('agenda_papers')
      .values({ agenda_item_id: meeting.itemIds[5]!, title: 'PSPO consultation report', file_name: 'pspo.pdf', mime_type: 'application/pdf', size_bytes: 2048, sha256: 'a'.repeat(64), uploaded_by: userId })
      .returning('id')
      .executeTakeFirstOrThrow()

    const page = await agent.get(`/meetings/${meeting.id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(body.name)
    expect(page.body).toContain(`Meeting on ${meetingDay(meetsOn)}`)
    expect(page.body).toContain('18:30')
    expect(page.body).toContain('Committee Room 1, Southfields')
    expect(page.body).toContain('Agenda not yet published')
    expect(page.body).toContain('1. Apologies for absence')
    expect(page.body).toContain('6. Town centre PSPO review')
    expect(page.body).toContain('Presented by Jane Smith, Community Safety Manager')
    expect(page.body).toContain('To note the consultation results')
    expect(page.body).toMatch(/7\. Persistent offender case review\s*<strong class="govuk-tag govuk-tag--orange">\s*Exempt/)
    expect(page.body).toContain('Named individuals')
    expect(page.body).toContain('9. Date of next meeting')
    expect(page.body).toContain(`<a class="govuk-link" href="/papers/${paper.id}/download" download>Agenda Item 6: PSPO consultation report</a>`)
    expect(page.body).toContain('(PDF, 2KB)')
    for (const link of ['minutes', 'agenda.docx', 'agenda.pdf', 'action-log', 'items/new', 'edit', 'cancel', 'publish-agenda']) expect(page.body, link).toContain(`/meetings/${meeting.id}/${link}"`)
    expect(page.body).not.toContain('/published-minutes')
    expect(page.body).toContain(`/agenda-items/${meeting.itemIds[5]}/edit`)
    expect(page.body).toContain(`/agenda-items/${meeting.itemIds[5]}/papers/new`)
    expect(page.body).toContain(`/papers/${paper.id}/remove`)

    // An ordinary reader of an open body, once the agenda is published: no clerk's links, and an exempt item's title only.
    const reader = await t.signInAs(['board_member'])
    expect((await reader.get(`/meetings/${meeting.id}`)).body).toContain('The agenda of this meeting has not been published yet.')
    await db().updateTable('meetings').set({ agenda_published_at: new Date() }).where('id', '=', meeting.id).execute()
    const read = await reader.get(`/meetings/${meeting.id}`)
    expect(read.statusCode).toBe(200)
    expect(read.body).toContain('7. Persistent offender case review')
    expect(read.body).not.toContain('Named individuals')
    expect(read.body).toContain('The description and papers of an exempt item are for members only.')
    expect(read.body).toContain(`/meetings/${meeting.id}/agenda.docx`)
    expect(read.body).toContain(`/meetings/${meeting.id}/action-log`)
    for (const link of ['minutes"', 'items/new', 'edit', 'cancel', 'publish-agenda']) expect(read.body, link).not.toContain(`/meetings/${meeting.id}/${link}`)
    expect(read.body).not.toContain('/remove')

    // A current member of the body sees exempt business.
    const member = await g.memberAgent(body.id, ['board_member'], 'member', userId)
    expect((await member.get(`/meetings/${meeting.id}`)).body).toContain('Named individuals')
  })

  it('audits a read that shows exempt items (as minutes.viewed, ids only), and no other read', async () => {
    const { agent, body, userId } = await g.clerk()
    const meeting = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(12), reports: [{ title: 'Persistent offender case review', exempt: true, description: 'Named individuals' }] })
    const plain = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(20), reports: [{ title: 'Town centre PSPO review' }] })
    const viewsOf = async (meetingId: string) => (await g.auditRows('minutes.viewed')).filter((row) => row.record_id === meetingId)

    expect((await agent.get(`/meetings/${meeting.id}`)).body).toContain('Named individuals')
    expect((await viewsOf(meeting.id)).map((row) => [row.user_id, row.details])).toEqual([[userId, { via: 'meeting-page', exemptItems: 1 }]])
    expect((await agent.json('GET', `/api/v1/meetings/${meeting.id}`)).statusCode).toBe(200)
    expect((await viewsOf(meeting.id)).map((row) => row.details)).toEqual([
      { via: 'meeting-page', exemptItems: 1 },
      { via: 'meeting-api', exemptItems: 1 },
    ])

    // A reader who is shown the exempt item's title only, and a meeting without exempt items: nothing to audit.
    const reader = await t.signInAs(['board_member'])
    expect((await reader.get(`/meetings/${meeting.id}`)).body).not.toContain('Named individuals')
    expect((await agent.get(`/meetings/${plain.id}`)).statusCode).toBe(200)
    expect(await viewsOf(meeting.id)).toHaveLength(2)
    expect(await viewsOf(plain.id)).toHaveLength(0)
  })

  it('shows published minutes, a published agenda and a cancelled meeting', async () => {
    const { agent, body, userId } = await g.clerk()
    const held = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(-10), status: 'held', minutesStatus: 'confirmed', publishedAt: new Date() })
    const page = await agent.get(`/meetings/${held.id}`)
    expect(page.body).toContain('Minutes confirmed')
    expect(page.body).toContain('Agenda published')
    expect(page.body).toContain(`/meetings/${held.id}/published-minutes`)
    // Confirmed minutes lock the agenda: no changes offered.
    expect(page.body).not.toContain(`/meetings/${held.id}/items/new`)

    const draft = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(-3), status: 'held', minutesStatus: 'draft' })
    const draftPage = await agent.get(`/meetings/${draft.id}`)
    expect(draftPage.body).toContain('Minutes draft')
    expect(draftPage.body).not.toContain('/published-minutes')

    const cancelled = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(10), status: 'cancelled' })
    await db().updateTable('meetings').set({ cancelled_reason: 'Not quorate' }).where('id', '=', cancelled.id).execute()
    const cancelledPage = await agent.get(`/meetings/${cancelled.id}`)
    expect(cancelledPage.body).toContain('Cancelled')
    expect(cancelledPage.body).toContain('Not quorate')
    expect(cancelledPage.body).not.toContain(`/meetings/${cancelled.id}/minutes"`)
  })

  it('is 404 for an unknown meeting', async () => {
    const { agent } = await g.clerk()
    expect((await agent.get('/meetings/7d1c3c1e-8a43-4d0b-9f0e-5d6c8e1f2a3b')).statusCode).toBe(404)
    expect((await agent.get('/meetings/not-a-uuid')).statusCode).toBe(404)
  })
})

describe('changing and cancelling a meeting', () => {
  it('changes the date, time and venue, with the same date rules, and records which fields changed', async () => {
    const { agent, body, userId } = await g.clerk()
    const meeting = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(10) })
    const form = await agent.get(`/meetings/${meeting.id}/edit`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toMatch(/value="teams" checked/)
    expect(form.body).toContain('name="version" value="1"')

    const newDate = inDays(11)
    const response = await agent.submit(`/meetings/${meeting.id}/edit`, { ...dateParts(newDate), startsAt: '14:00', venueType: 'in_person', venue: 'Fearon Hall', version: '1' })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/meetings/${meeting.id}?notice=updated`)
    const stored = await db().selectFrom('meetings').selectAll().where('id', '=', meeting.id).executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ meets_on: newDate, starts_at: '14:00:00', venue: 'Fearon Hall', version: 2 })
    const audit = (await g.auditRows('meeting.updated')).find((row) => row.record_id === meeting.id)
    expect(audit!.details).toEqual({ fields: ['meetsOn', 'startsAt', 'venue'] })

    const past = await agent.submit(`/meetings/${meeting.id}/edit`, { ...dateParts(inDays(-1)), startsAt: '14:00', venueType: 'in_person', venue: 'Fearon Hall', version: '2' })
    expectPageError(past, 'The meeting date must be today or in the future', '#meetsOn-day')
    expect(past.body).toContain('value="Fearon Hall"')

    await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(40), startsAt: '09:00' })
    const clash = await agent.submit(`/meetings/${meeting.id}/edit`, { ...dateParts(inDays(40)), startsAt: '09:00', venueType: 'teams', version: '2' })
    expectPageError(clash, `This body already has a meeting on ${meetingDate(inDays(40))} at 09:00`, '#meetsOn-day')

    // Someone else changed it meanwhile: the form comes back with the meeting as it now is.
    const stale = await agent.submit(`/meetings/${meeting.id}/edit`, { ...dateParts(inDays(50)), startsAt: '09:00', venueType: 'teams', version: '1' })
    expect(stale.statusCode).toBe(409)
    expect(stale.body).toContain('Someone else changed this meeting while you were editing it')
    expect(stale.body).toContain('value="Fearon Hall"')
    expect((await db().selectFrom('meetings').select('meets_on').where('id', '=', meeting.id).executeTakeFirstOrThrow()).meets_on).toBe(newDate)
  })

  it('keeps the past date of a meeting already held', async () => {
    const { agent, body, userId } = await g.clerk()
    const meeting = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(-10), status: 'held' })
    const response = await agent.submit(`/meetings/${meeting.id}/edit`, { ...dateParts(inDays(-11)), startsAt: '10:00', venueType: 'teams', version: '1' })
    expect(response.statusCode).toBe(302)
  })

  it('cancels a meeting with a reason, and not one that has taken place', async () => {
    const { agent, body, userId } = await g.clerk()
    const meeting = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(10) })
    const form = await agent.get(`/meetings/${meeting.id}/cancel`)
    expect(form.statusCode).toBe(200)
    expectPageError(await agent.submit(`/meetings/${meeting.id}/cancel`, { reason: ' ', version: '1' }), 'Enter why the meeting is cancelled', '#reason')

    const response = await agent.submit(`/meetings/${meeting.id}/cancel`, { reason: 'Not quorate: too many apologies', version: '1' })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/meetings/${meeting.id}?notice=cancelled`)
    expect(await db().selectFrom('meetings').select(['status', 'cancelled_reason']).where('id', '=', meeting.id).executeTakeFirstOrThrow()).toEqual({ status: 'cancelled', cancelled_reason: 'Not quorate: too many apologies' })
    const audit = (await g.auditRows('meeting.cancelled')).find((row) => row.record_id === meeting.id)
    expect(audit!.details).toEqual({})
    // A cancelled meeting cannot be changed any more.
    expect((await agent.get(`/meetings/${meeting.id}/edit`)).statusCode).toBe(409)

    const held = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(-3), status: 'held', minutesStatus: 'draft' })
    const refused = await agent.submit(`/meetings/${held.id}/cancel`, { reason: 'Mistake', version: '1' })
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toContain('This meeting has taken place and has minutes, so it cannot be cancelled')
  })
})

describe('a closed body', () => {
  it('hides its meetings, items and papers from a board member who is not a member: 404, never 403', async () => {
    const { agent, body, userId } = await g.clerk({ visibility: 'closed' })
    const meeting = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(10), reports: [{ title: 'Nominal review' }], publishedAt: new Date() })
    const itemId = meeting.itemIds[5]!
    const waiting = await g.item(body.id, { createdBy: userId, title: 'To be programmed' })
    const paper = await db()
      .insertInto('agenda_papers')
      .values({ agenda_item_id: itemId, title: 'Nominals', file_name: 'n.pdf', mime_type: 'application/pdf', size_bytes: 10, sha256: 'b'.repeat(64), uploaded_by: userId })
      .returning('id')
      .executeTakeFirstOrThrow()
    await db().insertInto('agenda_paper_contents').values({ paper_id: paper.id, content: Buffer.from('%PDF-1.4 x') }).execute()

    const outsider = await t.signInAs(['board_member'])
    for (const url of [`/meetings/${meeting.id}`, `/papers/${paper.id}/download`, `/bodies/${body.id}/forward-programme`, `/api/v1/meetings/${meeting.id}`, `/api/v1/bodies/${body.id}/meetings`, `/api/v1/bodies/${body.id}/forward-programme`]) {
      expect((await outsider.get(url)).statusCode, url).toBe(404)
    }
    expect((await outsider.get('/meetings')).body).not.toContain(meeting.id)

    // A coordinator who is not a member cannot reach its items either.
    const coordinator = await t.signInAs(['partnership_coordinator'])
    for (const url of [`/agenda-items/${itemId}/edit`, `/agenda-items/${waiting.id}/remove`, `/agenda-items/${itemId}/papers/new`, `/papers/${paper.id}/remove`, `/meetings/${meeting.id}/items/new`, `/meetings/${meeting.id}/publish-agenda`]) {
      expect((await coordinator.get(url)).statusCode, url).toBe(404)
    }
    await coordinator.get('/')
    expect((await coordinator.submit(`/agenda-items/${itemId}/move`, { direction: 'up' })).statusCode).toBe(404)
    expect((await coordinator.submit(`/papers/${paper.id}/remove`, {})).statusCode).toBe(404)

    // Its members, and the clerk, see it all.
    const member = await g.memberAgent(body.id, ['board_member'], 'member', userId)
    expect((await member.get(`/meetings/${meeting.id}`)).body).toContain('Nominal review')
    expect((await member.get(`/papers/${paper.id}/download`)).statusCode).toBe(200)
    expect((await agent.get(`/bodies/${body.id}/forward-programme`)).body).toContain('To be programmed')
  })
})

describe('every meetings route', () => {
  const ROUTES = [
    ['GET', '/bodies/:bodyId/meetings/new', 'governance:manage'],
    ['POST', '/bodies/:bodyId/meetings/new', 'governance:manage'],
    ['GET', '/bodies/:bodyId/forward-programme', 'governance:read'],
    ['GET', '/bodies/:bodyId/forward-programme/items/new', 'governance:manage'],
    ['POST', '/bodies/:bodyId/forward-programme/items/new', 'governance:manage'],
    ['POST', '/agenda-items/:itemId/programme', 'governance:manage'],
    ['GET', '/meetings', 'governance:read'],
    ['GET', '/meetings/:meetingId', 'governance:read'],
    ['GET', '/meetings/:meetingId/edit', 'governance:manage'],
    ['POST', '/meetings/:meetingId/edit', 'governance:manage'],
    ['GET', '/meetings/:meetingId/cancel', 'governance:manage'],
    ['POST', '/meetings/:meetingId/cancel', 'governance:manage'],
    ['GET', '/meetings/:meetingId/items/new', 'governance:manage'],
    ['POST', '/meetings/:meetingId/items/new', 'governance:manage'],
    ['GET', '/agenda-items/:itemId/edit', 'governance:manage'],
    ['POST', '/agenda-items/:itemId/edit', 'governance:manage'],
    ['POST', '/agenda-items/:itemId/move', 'governance:manage'],
    ['GET', '/agenda-items/:itemId/remove', 'governance:manage'],
    ['POST', '/agenda-items/:itemId/remove', 'governance:manage'],
    ['GET', '/agenda-items/:itemId/papers/new', 'governance:manage'],
    ['POST', '/agenda-items/:itemId/papers/new', 'governance:manage'],
    ['GET', '/papers/:paperId/download', 'governance:read'],
    ['GET', '/papers/:paperId/remove', 'governance:manage'],
    ['POST', '/papers/:paperId/remove', 'governance:manage'],
    ['GET', '/meetings/:meetingId/publish-agenda', 'governance:manage'],
    ['POST', '/meetings/:meetingId/publish-agenda', 'governance:manage'],
    ['GET', '/api/v1/bodies/:bodyId/meetings', 'governance:read'],
    ['POST', '/api/v1/bodies/:bodyId/meetings', 'governance:manage'],
    ['GET', '/api/v1/meetings/:meetingId', 'governance:read'],
    ['POST', '/api/v1/meetings/:meetingId/items', 'governance:manage'],
    ['POST', '/api/v1/meetings/:meetingId/publish-agenda', 'governance:manage'],
    ['GET', '/api/v1/bodies/:bodyId/forward-programme', 'governance:read'],
  ] as const

  it('is registered with its access, and answers 404 for records that do not exist, never an error', async () => {
    const admin = await t.signInAs(['admin'])
    await admin.get('/')
    for (const [method, url, access] of ROUTES) {
      expect(t.app.accessTable, `${method} ${url}`).toContainEqual({ method, url, access })
      const address = url.replace(/:[A-Za-z]+/g, '7d1c3c1e-8a43-4d0b-9f0e-5d6c8e1f2a3b')
      const response = method === 'GET' ? await admin.get(address) : url.startsWith('/api/') ? await admin.json('POST', address, {}) : await admin.submit(address, {})
      if (url === '/meetings') expect(response.statusCode).toBe(200)
      // An API body or a move direction is checked before the record is looked up.
      else if (url.startsWith('/api/v1/') && method === 'POST' && !url.endsWith('publish-agenda')) expect(response.statusCode, `${method} ${url}`).toBe(400)
      else if (url.endsWith('/move')) expect(response.statusCode, `${method} ${url}`).toBe(400)
      else expect(response.statusCode, `${method} ${url}`).toBe(404)
    }
  })
})
