import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { expectPageError, type GovernanceFixtures, governanceFixtures, inDays } from './meetings.fixtures.js'

let t: TestApp
let g: GovernanceFixtures
const db = () => t.testDb.database.db

beforeAll(async () => {
  t = await createTestApp()
  g = governanceFixtures(t)
})
afterAll(() => t.close())

const titles = async (meetingId: string) => (await g.agenda(meetingId)).map((item) => item.title)
const itemRow = (id: string) => db().selectFrom('agenda_items').selectAll().where('id', '=', id).executeTakeFirst()
const STANDING = ['Apologies for absence', 'Minutes of the previous meeting', 'Matters arising', 'Action log', 'Declarations of interest']
const CLOSING = ['Any other business', 'Date of next meeting']

async function clerkWithMeeting(reports: { title: string; exempt?: boolean }[] = []) {
  const clerk = await g.clerk()
  const meeting = await g.meetingWithAgenda(clerk.body.id, { createdBy: clerk.userId, meetsOn: inDays(14), reports })
  return { ...clerk, meeting }
}

describe('adding an item', () => {
  it('places it before the closing items, with a member, a contact or a typed presenter, and records it', async () => {
    const { agent, body, userId, meeting } = await clerkWithMeeting([{ title: 'Existing report' }])
    const presenter = await g.memberAgent(body.id, ['board_member'], 'officer', userId)
    const contact = await g.contact({ createdBy: userId, name: 'Asha Patel', organisationName: 'Voluntary Action Charnwood' })
    const form = await agent.get(`/meetings/${meeting.id}/items/new`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain(`value="user:${presenter.user.id}"`)
    expect(form.body).toContain(`value="contact:${contact.id}"`)
    expect(form.body).toContain('Asha Patel (Voluntary Action Charnwood), not a member')

    const byMember = await agent.submit(`/meetings/${meeting.id}/items/new`, { title: 'Performance report, quarter 2', kind: 'report', presenter: `user:${presenter.user.id}`, presenterRole: 'Community Safety Officer', description: 'To note' })
    expect(byMember.statusCode).toBe(302)
    const added = (await g.agenda(meeting.id)).find((item) => item.title === 'Performance report, quarter 2')!
    expect(byMember.headers.location).toBe(`/meetings/${meeting.id}?notice=item-added#item-${added.id}`)
    expect(await itemRow(added.id)).toMatchObject({ kind: 'report', position: 7, presenter_user_id: presenter.user.id, presenter_contact_id: null, presenter_name: null, presenter_role: 'Community Safety Officer', description: 'To note', exempt: false })

    expect((await agent.submit(`/meetings/${meeting.id}/items/new`, { title: 'Youth work presentation', kind: 'presentation', presenter: `contact:${contact.id}` })).statusCode).toBe(302)
    expect((await agent.submit(`/meetings/${meeting.id}/items/new`, { title: 'Case review', kind: 'other', presenterName: 'DS Mark Oswin', presenterRole: 'Leicestershire Police', exempt: 'yes', exemptReason: 'Paragraph 1' })).statusCode).toBe(302)
    expect(await titles(meeting.id)).toEqual([...STANDING, 'Existing report', 'Performance report, quarter 2', 'Youth work presentation', 'Case review', ...CLOSING])
    const caseReview = (await g.agenda(meeting.id)).find((item) => item.title === 'Case review')!
    expect(await itemRow(caseReview.id)).toMatchObject({ kind: 'other', presenter_name: 'DS Mark Oswin', exempt: true, exempt_reason: 'Paragraph 1' })

    const page = await agent.get(`/meetings/${meeting.id}`)
    expect(page.body).toContain(`Presented by ${(await db().selectFrom('users').select('name').where('id', '=', presenter.user.id).executeTakeFirstOrThrow()).name}, Community Safety Officer`)
    expect(page.body).toContain('Presented by Asha Patel')
    expect(page.body).toContain('9. Case review')

    const audits = (await g.auditRows('agenda.item_added')).filter((row) => (row.details as { meetingId: string }).meetingId === meeting.id)
    expect(audits).toHaveLength(3)
    expect(audits[2]!.details).toEqual({ bodyId: body.id, meetingId: meeting.id, kind: 'other', exempt: true })
  })

  it('says what is wrong and keeps what was typed', async () => {
    const { agent, body, userId, meeting } = await clerkWithMeeting()
    const formerMember = await t.signInAs(['board_member'])
    await g.member(body.id, { userId: formerMember.user.id, fromDate: '2020-01-01', toDate: '2021-01-01', createdBy: userId })
    const contact = await g.contact({ createdBy: userId })

    const both = await agent.submit(`/meetings/${meeting.id}/items/new`, { title: 'Report', kind: 'report', presenter: `contact:${contact.id}`, presenterName: 'Someone else', description: 'Keep me' })
    expectPageError(both, 'Choose a member or contact, or type a name: not both', '#presenterName')
    expect(both.body).toContain('Keep me</textarea>')
    expect(both.body).toContain('value="Someone else"')

    const notMember = await agent.submit(`/meetings/${meeting.id}/items/new`, { title: 'Report', kind: 'report', presenter: `user:${formerMember.user.id}` })
    expectPageError(notMember, 'Select a current member of the body, or a contact, as the presenter', '#presenter')
    const unknownContact = await agent.submit(`/meetings/${meeting.id}/items/new`, { title: 'Report', kind: 'report', presenter: 'contact:7d1c3c1e-8a43-4d0b-9f0e-5d6c8e1f2a3b' })
    expectPageError(unknownContact, 'Select the presenter from the list', '#presenter')

    const empty = await agent.submit(`/meetings/${meeting.id}/items/new`, { title: ' ', exempt: 'yes' })
    expectPageError(empty, 'Enter the title of the item', '#title')
    expect(empty.body).toContain('<a href="#kind">Select the type of item</a>')
    expect(empty.body).toContain('<a href="#exemptReason">')
    expect(await titles(meeting.id)).toEqual([...STANDING, ...CLOSING])
  })
})

describe('changing an item', () => {
  it('changes a report, keeps a standing item’s kind, and lets the clerk change the hot topic', async () => {
    const { agent, userId, body, meeting } = await clerkWithMeeting([{ title: 'Draft report' }])
    const reportId = meeting.itemIds[5]!
    const form = await agent.get(`/agenda-items/${reportId}/edit`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('value="Draft report"')
    expect(form.body).toMatch(/value="report" checked/)

    const response = await agent.submit(`/agenda-items/${reportId}/edit`, { title: 'Final report', kind: 'presentation', presenterName: 'Jo Bloggs', exempt: '' })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/meetings/${meeting.id}?notice=item-updated#item-${reportId}`)
    expect(await itemRow(reportId)).toMatchObject({ title: 'Final report', kind: 'presentation', presenter_name: 'Jo Bloggs' })
    const audit = (await g.auditRows('agenda.item_updated')).find((row) => row.record_id === reportId)
    expect(audit!.details).toEqual({ bodyId: body.id, meetingId: meeting.id, fields: ['kind', 'title', 'presenterName'] })

    const apologies = meeting.itemIds[0]!
    const standing = await agent.get(`/agenda-items/${apologies}/edit`)
    expect(standing.body).not.toContain('name="kind"')
    expect((await agent.submit(`/agenda-items/${apologies}/edit`, { title: 'Apologies and substitutions', kind: 'report' })).statusCode).toBe(302)
    expect(await itemRow(apologies)).toMatchObject({ title: 'Apologies and substitutions', kind: 'apologies' })

    const hot = await g.item(body.id, { createdBy: userId, meetingId: meeting.id, position: 20, kind: 'hot_topics', title: 'Hot Topics' })
    expect((await agent.get(`/agenda-items/${hot.id}/edit`)).body).toContain('name="hotTopic"')
    expect((await agent.submit(`/agenda-items/${hot.id}/edit`, { title: 'Hot Topics', hotTopic: 'E-scooters' })).statusCode).toBe(302)
    expect((await itemRow(hot.id))!.hot_topic).toBe('E-scooters')
  })

  it('says what is wrong on the edit form', async () => {
    const { agent, meeting } = await clerkWithMeeting([{ title: 'A report' }])
    const response = await agent.submit(`/agenda-items/${meeting.itemIds[5]}/edit`, { title: '', exempt: 'yes', description: 'Kept' })
    expectPageError(response, 'Enter the title of the item', '#title')
    expect(response.body).toContain('Kept</textarea>')
    expect((await itemRow(meeting.itemIds[5]!))!.title).toBe('A report')
  })
})

describe('moving an item', () => {
  it('swaps an item with the one above or below, standing items too, and does nothing at the ends', async () => {
    const { agent, meeting } = await clerkWithMeeting([{ title: 'Report A' }, { title: 'Report B' }])
    const [reportA, reportB] = [meeting.itemIds[5]!, meeting.itemIds[6]!]
    await agent.get(`/meetings/${meeting.id}`)
    const response = await agent.submit(`/agenda-items/${reportB}/move`, { direction: 'up' })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/meetings/${meeting.id}#item-${reportB}`)
    expect(await titles(meeting.id)).toEqual([...STANDING, 'Report B', 'Report A', ...CLOSING])

    // Take Report A after Any other business, and the action log to the top.
    await agent.submit(`/agenda-items/${reportA}/move`, { direction: 'down' })
    await agent.submit(`/agenda-items/${meeting.itemIds[3]}/move`, { direction: 'up' })
    await agent.submit(`/agenda-items/${meeting.itemIds[3]}/move`, { direction: 'up' })
    await agent.submit(`/agenda-items/${meeting.itemIds[3]}/move`, { direction: 'up' })
    await agent.submit(`/agenda-items/${meeting.itemIds[3]}/move`, { direction: 'up' })
    expect(await titles(meeting.id)).toEqual(['Action log', 'Apologies for absence', 'Minutes of the previous meeting', 'Matters arising', 'Declarations of interest', 'Report B', 'Any other business', 'Report A', 'Date of next meeting'])
    expect((await g.agenda(meeting.id)).map((item) => item.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect((await agent.submit(`/agenda-items/${meeting.itemIds[8]}/move`, { direction: 'down' })).statusCode).toBe(302)
    expect((await titles(meeting.id)).at(-1)).toBe('Date of next meeting')

    expect((await agent.submit(`/agenda-items/${reportA}/move`, { direction: 'sideways' })).statusCode).toBe(400)
  })
})

describe('removing an item', () => {
  it('asks first, then removes it and renumbers the items after it', async () => {
    const { agent, meeting } = await clerkWithMeeting([{ title: 'Withdrawn report' }, { title: 'Kept report' }])
    const itemId = meeting.itemIds[5]!
    const confirm = await agent.get(`/agenda-items/${itemId}/remove`)
    expect(confirm.statusCode).toBe(200)
    expect(confirm.body).toContain('6. Withdrawn report')
    expect(confirm.body).toContain('Remove item')

    const response = await agent.submit(`/agenda-items/${itemId}/remove`, {})
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/meetings/${meeting.id}?notice=item-removed`)
    expect(await itemRow(itemId)).toBeUndefined()
    expect((await g.agenda(meeting.id)).map((item) => [item.position, item.title])).toEqual([...STANDING, 'Kept report', ...CLOSING].map((title, index) => [index + 1, title]))
    expect((await g.auditRows('agenda.item_removed')).find((row) => row.record_id === itemId)!.details).toMatchObject({ meetingId: meeting.id, kind: 'report' })
  })

  it('refuses, with a clear error, an item with minutes, resolutions, actions or papers', async () => {
    const { agent, body, userId, meeting } = await clerkWithMeeting([{ title: 'Minuted' }, { title: 'Resolved' }, { title: 'Actioned' }, { title: 'With a paper' }])
    const [minuted, resolved, actioned, withPaper] = meeting.itemIds.slice(5, 9) as [string, string, string, string]
    await db().updateTable('agenda_items').set({ minutes: 'The board discussed the report.' }).where('id', '=', minuted).execute()
    await db().insertInto('resolutions').values({ agenda_item_id: resolved, position: 1, text: 'That the report be noted', created_by: userId }).execute()
    await db().insertInto('resolutions').values({ agenda_item_id: resolved, position: 2, text: 'That a further report come back', created_by: userId }).execute()
    await db().insertInto('actions').values({ body_id: body.id, meeting_id: meeting.id, agenda_item_id: actioned, text: 'MC to circulate the drone bid', due_next_meeting: true, created_by: userId }).execute()
    await db()
      .insertInto('agenda_papers')
      .values({ agenda_item_id: withPaper, title: 'Paper', file_name: 'p.pdf', mime_type: 'application/pdf', size_bytes: 10, sha256: 'c'.repeat(64), uploaded_by: userId })
      .execute()

    const expected: [string, string][] = [
      [minuted, 'This item cannot be removed: it has minutes recorded against it'],
      [resolved, 'This item cannot be removed: it has 2 resolutions recorded against it'],
      [actioned, 'This item cannot be removed: it has 1 action recorded against it'],
      [withPaper, 'This item cannot be removed while it has papers. Remove its paper first.'],
    ]
    for (const [itemId, message] of expected) {
      expect((await agent.get(`/agenda-items/${itemId}/remove`)).body, message).toContain(message)
      const refused = await agent.submit(`/agenda-items/${itemId}/remove`, {})
      expect(refused.statusCode, message).toBe(409)
      expect(refused.body).toContain(`<a href="#main-content">${message}</a>`)
      expect(await itemRow(itemId)).toBeDefined()
    }
  })

  it('removes an item of the forward programme, and one whose paper was removed', async () => {
    const { agent, body, userId, meeting } = await clerkWithMeeting([{ title: 'Paper removed' }])
    const waiting = await g.item(body.id, { createdBy: userId, title: 'No longer needed' })
    const response = await agent.submit(`/agenda-items/${waiting.id}/remove`, {}, { formPage: `/agenda-items/${waiting.id}/remove` })
    expect(response.headers.location).toBe(`/bodies/${body.id}/forward-programme?notice=item-removed#to-be-programmed`)
    expect(await itemRow(waiting.id)).toBeUndefined()

    const itemId = meeting.itemIds[5]!
    await db()
      .insertInto('agenda_papers')
      .values({ agenda_item_id: itemId, title: 'Old', file_name: 'o.pdf', mime_type: 'application/pdf', size_bytes: 10, sha256: 'd'.repeat(64), uploaded_by: userId, removed_at: new Date(), removed_by: userId })
      .execute()
    expect((await agent.submit(`/agenda-items/${itemId}/remove`, {})).statusCode).toBe(302)
    expect(await itemRow(itemId)).toBeUndefined()
  })
})

describe('an agenda whose minutes are confirmed', () => {
  it('cannot be changed: adding, changing, moving or removing an item is refused', async () => {
    const { agent, meeting } = await clerkWithMeeting([{ title: 'Locked report' }])
    await db().updateTable('meetings').set({ status: 'held', minutes_status: 'confirmed' }).where('id', '=', meeting.id).execute()
    const itemId = meeting.itemIds[5]!
    const message = 'The minutes of this meeting have been confirmed, so its agenda can no longer be changed'
    for (const url of [`/meetings/${meeting.id}/items/new`, `/agenda-items/${itemId}/edit`, `/agenda-items/${itemId}/remove`, `/agenda-items/${itemId}/papers/new`, `/meetings/${meeting.id}/publish-agenda`]) {
      const page = await agent.get(url)
      expect(page.statusCode, url).toBe(409)
      expect(page.body).toContain(message)
    }
    await agent.get(`/meetings/${meeting.id}`)
    const posts: [string, Record<string, string>][] = [
      [`/meetings/${meeting.id}/items/new`, { title: 'New', kind: 'report' }],
      [`/agenda-items/${itemId}/edit`, { title: 'Changed' }],
      [`/agenda-items/${itemId}/move`, { direction: 'up' }],
      [`/agenda-items/${itemId}/remove`, {}],
    ]
    for (const [url, fields] of posts) {
      const response = await agent.submit(url, fields)
      expect(response.statusCode, url).toBe(409)
      expect(response.body).toContain(message)
    }
    expect(await titles(meeting.id)).toEqual([...STANDING, 'Locked report', ...CLOSING])
  })
})
