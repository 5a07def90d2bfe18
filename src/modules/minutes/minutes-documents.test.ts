import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { docxHtml, pdfPages, tagTexts } from './meeting-record.fixtures.js'
import { DOCUMENT_FORMATS } from './minutes-documents.service.js'

let t: TestApp
const db = () => t.testDb.database.db
/** The same people sit on (or stay off) every body the tests make: signing in is the slow part of a test. */
let clerk: Agent & { user: { id: string } }
let member: Agent & { user: { id: string } }
let outsider: Agent & { user: { id: string } }
let police: { id: string; name: string }

beforeAll(async () => {
  t = await createTestApp()
  police = await t.factories.organisation({ name: 'Leicestershire Police', type: 'police' })
  clerk = await t.signInAs(['partnership_coordinator'])
  member = await t.signInAs(['board_member'], { organisationId: police.id })
  outsider = await t.signInAs(['board_member'])
  await db().updateTable('users').set({ name: 'Inspector Tom McCabe' }).where('id', '=', member.user.id).execute()
})
afterAll(() => t.close())

let counter = 0
type MinutesStatus = 'none' | 'draft' | 'published' | 'confirmed'

/**
 * A body the clerk runs and the member sits on (the outsider does not), and one held meeting: attendance, a report with two resolutions and an action, an item taken early by
 * agenda variance, and an exempt case review.
 */
async function meetingWithMinutes(options: { visibility?: 'open' | 'closed'; minutesStatus?: MinutesStatus; agendaPublished?: boolean } = {}) {
  counter += 1
  const bodyName = `Charnwood/Loughborough JAG ${counter}`
  const body = await db()
    .insertInto('bodies')
    .values({ name: bodyName, kind: 'jag', visibility: options.visibility ?? 'open', created_by: clerk.user.id })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db()
    .insertInto('body_members')
    .values([
      { body_id: body.id, user_id: clerk.user.id, role: 'clerk', from_date: '2025-04-01', created_by: clerk.user.id },
      { body_id: body.id, user_id: member.user.id, role: 'member', organisation_id: police.id, from_date: '2025-04-01', created_by: clerk.user.id },
    ])
    .execute()
  const minutesStatus = options.minutesStatus ?? 'published'
  const meeting = await db()
    .insertInto('meetings')
    .values({
      body_id: body.id,
      meets_on: '2026-09-24',
      starts_at: '10:00',
      venue: 'Southfields, Loughborough',
      status: 'held',
      closed_at: '11:45',
      minutes_status: minutesStatus,
      minutes_published_at: minutesStatus === 'published' || minutesStatus === 'confirmed' ? new Date() : null,
      agenda_published_at: options.agendaPublished === false ? null : new Date('2026-09-17T09:00:00Z'),
      created_by: clerk.user.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const item = (position: number, kind: string, title: string, rest: Record<string, unknown> = {}) =>
    db()
      .insertInto('agenda_items')
      .values({ body_id: body.id, meeting_id: meeting.id, position, kind, title, created_by: clerk.user.id, ...rest })
      .returning('id')
      .executeTakeFirstOrThrow()
  await item(1, 'apologies', 'Apologies')
  const report = await item(2, 'report', 'Drone patrols in Shelthorpe', { presenter_name: 'Mark Oswin', presenter_role: 'Community Safety Manager', minutes: 'The drone bid was discussed.' })
  await item(3, 'report', 'Case review: Ashby Road family', { exempt: true, exempt_reason: 'Information about named individuals', minutes: 'The family at Ashby Road was discussed.' })
  await item(4, 'presentation', 'Serious violence duty', { taken_before_item_id: report.id, minutes: 'A presentation was given.' })
  await db()
    .insertInto('meeting_attendance')
    .values({ meeting_id: meeting.id, user_id: member.user.id, status: 'present', role_label: 'Chair', organisation_name: 'Leicestershire Police', recorded_by: clerk.user.id })
    .execute()
  await db()
    .insertInto('resolutions')
    .values([
      { agenda_item_id: report.id, kind: 'resolved', position: 1, text: 'that the report be noted;', created_by: clerk.user.id },
      { agenda_item_id: report.id, kind: 'resolved', position: 2, text: 'that the bid be approved.', created_by: clerk.user.id },
    ])
    .execute()
  const action = await db()
    .insertInto('actions')
    .values({ body_id: body.id, meeting_id: meeting.id, agenda_item_id: report.id, text: 'Circulate the drone bid to partners', due_next_meeting: true, created_by: clerk.user.id })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db().insertInto('action_owners').values({ action_id: action.id, organisation_id: police.id }).execute()
  return { bodyName, meetingId: meeting.id }
}

const auditRows = (action: string, meetingId: string) => db().selectFrom('audit_events').selectAll().where('action', '=', action).where('record_id', '=', meetingId).execute()

const PAGE_ROUTES = (meetingId: string) => [
  `/meetings/${meetingId}/minutes.docx`,
  `/meetings/${meetingId}/minutes.pdf`,
  `/meetings/${meetingId}/agenda.docx`,
  `/meetings/${meetingId}/agenda.pdf`,
  `/meetings/${meetingId}/published-minutes`,
  `/api/v1/meetings/${meetingId}/minutes/document?format=docx`,
  `/api/v1/meetings/${meetingId}/minutes/document?format=pdf`,
  `/api/v1/meetings/${meetingId}/agenda/document?format=docx`,
  `/api/v1/meetings/${meetingId}/agenda/document?format=pdf`,
]

async function statuses(agent: Agent, meetingId: string) {
  const result: Record<string, number> = {}
  for (const url of PAGE_ROUTES(meetingId)) result[url] = (await agent.get(url)).statusCode
  return result
}

describe('minutes as DOCX and PDF', () => {
  it("gives the clerk the full minutes as a Word attachment with headings and the actions table, and audits the download", async () => {
    const { meetingId, bodyName } = await meetingWithMinutes()
    const response = await clerk.get(`/meetings/${meetingId}/minutes.docx`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe(DOCUMENT_FORMATS.docx)
    expect(response.headers['content-disposition']).toBe(`attachment; filename="Charnwood-Loughborough JAG ${counter} minutes 2026-09-24.docx"; filename*=UTF-8''Charnwood-Loughborough%20JAG%20${counter}%20minutes%202026-09-24.docx`)
    expect(response.headers['cache-control']).toBe('no-store')

    const html = await docxHtml(response.rawPayload)
    expect(tagTexts(html, 'h1')).toEqual([`MINUTES OF A MEETING OF THE ${bodyName.toUpperCase()}`])
    expect(tagTexts(html, 'h2')).toEqual(['PRESENT', 'IN ATTENDANCE', 'APOLOGIES', '1. APOLOGIES', '2. SERIOUS VIOLENCE DUTY', '3. DRONE PATROLS IN SHELTHORPE', '4. CASE REVIEW: ASHBY ROAD FAMILY', 'ACTIONS ARISING'])
    expect(html).toContain('<p>Inspector Tom McCabe (Chair) — Leicestershire Police</p>')
    expect(html).toContain('<p>(a)\tthat the report be noted;</p><p>(b)\tthat the bid be approved.</p>')
    expect(html).toContain('<p><em>Agenda Item 4, Serious violence duty, was considered earlier in the meeting (see minute 2).</em></p>')
    expect(html).toContain(`<p><strong>ACTION: Circulate the drone bid to partners — Leicestershire Police — by the next meeting</strong></p>`)
    expect(html).toContain(`<tr><td><p>3</p></td><td><p>Circulate the drone bid to partners</p></td><td><p>Leicestershire Police</p></td><td><p>Next meeting</p></td></tr>`)
    expect(html).toContain('NOT FOR PUBLICATION')
    expect(html).toContain('<p>The meeting closed at 11.45 am.</p>')

    const [audit] = await auditRows('minutes.exported', meetingId)
    expect(audit).toMatchObject({ user_id: clerk.user.id, record_type: 'meeting', details: { format: 'docx', exemptItems: 1 } })
  })

  it('leaves the exempt item out of the PDF a reader who is not a member gets, keeping its number; a member gets it', async () => {
    const { meetingId } = await meetingWithMinutes()
    const response = await outsider.get(`/meetings/${meetingId}/minutes.pdf`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('application/pdf')
    const text = (await pdfPages(response.rawPayload)).join('\n')
    expect(text).toContain('3. DRONE PATROLS IN SHELTHORPE')
    expect(text).toContain('4. EXEMPT ITEM')
    expect(text).not.toContain('Ashby')
    expect(text).toContain('Page 1 of')

    const memberText = (await pdfPages((await member.get(`/meetings/${meetingId}/minutes.pdf`)).rawPayload)).join('\n')
    expect(memberText).toContain('4. CASE REVIEW: ASHBY ROAD FAMILY')
    expect((await auditRows('minutes.exported', meetingId)).map((row) => row.details)).toEqual(
      expect.arrayContaining([
        { format: 'pdf', exemptItems: 0 },
        { format: 'pdf', exemptItems: 1 },
      ]),
    )
  })

  it('keeps draft minutes from readers until they are published, and gives them to the clerk marked DRAFT', async () => {
    const { meetingId } = await meetingWithMinutes({ minutesStatus: 'draft' })
    for (const url of [`/meetings/${meetingId}/minutes.docx`, `/meetings/${meetingId}/minutes.pdf`, `/meetings/${meetingId}/published-minutes`]) {
      expect((await member.get(url)).statusCode, url).toBe(404)
    }
    const api = await member.json('GET', `/api/v1/meetings/${meetingId}/minutes/document?format=pdf`)
    expect(api.statusCode).toBe(404)
    expect(api.json().message).toBe('The minutes of this meeting have not been published yet')

    const draft = await clerk.get(`/meetings/${meetingId}/minutes.docx`)
    expect(draft.statusCode).toBe(200)
    expect(await docxHtml(draft.rawPayload)).toContain('<p><strong>DRAFT</strong></p>')
    expect(await auditRows('minutes.exported', meetingId)).toHaveLength(1)
  })

  it('refuses minutes not yet written, even to the clerk', async () => {
    const { meetingId } = await meetingWithMinutes({ minutesStatus: 'none' })
    expect((await clerk.get(`/meetings/${meetingId}/minutes.pdf`)).statusCode).toBe(404)
    const api = await clerk.json('GET', `/api/v1/meetings/${meetingId}/minutes/document?format=docx`)
    expect(api.statusCode).toBe(404)
    expect(api.json().message).toBe('The minutes of this meeting have not been written yet')
    // The agenda of the same meeting can still be downloaded.
    expect((await clerk.get(`/meetings/${meetingId}/agenda.pdf`)).statusCode).toBe(200)
  })

  it('answers the API with the document, and a bad format with a 400 a person understands', async () => {
    const { meetingId } = await meetingWithMinutes()
    const docx = await outsider.json('GET', `/api/v1/meetings/${meetingId}/minutes/document?format=docx`)
    expect(docx.statusCode).toBe(200)
    expect(docx.headers['content-type']).toBe(DOCUMENT_FORMATS.docx)
    expect(tagTexts(await docxHtml(docx.rawPayload), 'h2')).toContain('4. EXEMPT ITEM')

    const bad = await outsider.json('GET', `/api/v1/meetings/${meetingId}/minutes/document?format=xlsx`)
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toContain('Choose a format: docx or pdf')
    const missing = await outsider.json('GET', `/api/v1/meetings/${meetingId}/agenda/document`)
    expect(missing.statusCode).toBe(400)
  })
})

describe('the agenda as DOCX and PDF', () => {
  it('gives readers the published agenda with exempt items left out under their number, and audits it', async () => {
    const { meetingId } = await meetingWithMinutes()
    const response = await outsider.get(`/meetings/${meetingId}/agenda.docx`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-disposition']).toContain(`agenda 2026-09-24.docx`)
    const html = await docxHtml(response.rawPayload)
    expect(tagTexts(html, 'h2')).toEqual(['AGENDA'])
    expect(tagTexts(html, 'h3')).toEqual(['1. Apologies', '2. Drone patrols in Shelthorpe', '3. Exempt item', '4. Serious violence duty'])
    expect(html).toContain('<p>Presented by Mark Oswin, Community Safety Manager</p>')

    const memberText = (await pdfPages((await member.get(`/meetings/${meetingId}/agenda.pdf`)).rawPayload)).join('\n')
    expect(memberText).toContain('3. Case review: Ashby Road family (Exempt)')
    expect((await auditRows('agenda.exported', meetingId)).map((row) => row.details)).toEqual([
      { format: 'docx', exemptItems: 0 },
      { format: 'pdf', exemptItems: 1 },
    ])
  })

  it('keeps an unpublished agenda for the clerk, marked DRAFT', async () => {
    const { meetingId } = await meetingWithMinutes({ minutesStatus: 'none', agendaPublished: false })
    expect((await member.get(`/meetings/${meetingId}/agenda.pdf`)).statusCode).toBe(404)
    const api = await member.json('GET', `/api/v1/meetings/${meetingId}/agenda/document?format=docx`)
    expect(api.json().message).toBe('The agenda of this meeting has not been published yet')
    const draft = await clerk.get(`/meetings/${meetingId}/agenda.pdf`)
    expect(draft.statusCode).toBe(200)
    expect((await pdfPages(draft.rawPayload)).join('\n')).toContain('DRAFT')
  })
})

describe('the published minutes page', () => {
  it('shows the minutes with real headings, lists, the actions table and download links, and audits the read', async () => {
    const { meetingId, bodyName } = await meetingWithMinutes()
    const response = await outsider.get(`/meetings/${meetingId}/published-minutes`)
    expect(response.statusCode).toBe(200)
    const html = response.body
    expect([...html.matchAll(/<h1[^>]*>([^<]*)<\/h1>/g)].map((match) => match[1])).toEqual([`Minutes of a meeting of the ${bodyName}`])
    expect(html).toContain('<h2 class="govuk-heading-m">Present</h2>')
    expect(html).toContain('<ul class="govuk-list"><li>Inspector Tom McCabe (Chair) — Leicestershire Police</li></ul>')
    expect(html).toContain('<h2 class="govuk-heading-m">3. Drone patrols in Shelthorpe</h2>')
    expect(html).toContain('<h2 class="govuk-heading-m">4. Exempt item</h2>')
    expect(html).not.toContain('Ashby')
    expect(html).toContain('<li>(a) that the report be noted;</li>')
    expect(html).toContain('<strong>ACTION: Circulate the drone bid to partners')
    expect(html).toMatch(/<caption class="govuk-table__caption govuk-visually-hidden">\s*Actions arising from the meeting\s*<\/caption>/)
    expect(html).toContain(`<a class="govuk-link" href="/meetings/${meetingId}/minutes.docx">Download as Word (DOCX)</a>`)
    expect(html).toContain(`<a class="govuk-link" href="/meetings/${meetingId}/minutes.pdf">Download as PDF</a>`)
    expect(html).not.toContain('govuk-notification-banner')
    const [audit] = await auditRows('minutes.viewed', meetingId)
    expect(audit).toMatchObject({ user_id: outsider.user.id, details: { via: 'page', exemptItems: 0 } })
  })

  it('shows the clerk a draft under a Draft banner', async () => {
    const { meetingId } = await meetingWithMinutes({ minutesStatus: 'draft' })
    const response = await clerk.get(`/meetings/${meetingId}/published-minutes`)
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('govuk-notification-banner')
    expect(response.body).toContain('These minutes have not been published.')
    expect(response.body).toContain('Case review: Ashby Road family')
  })
})

describe('who may read the documents', () => {
  it("hides a closed body's documents from a board member who does not sit on it, on every route", async () => {
    const { meetingId } = await meetingWithMinutes({ visibility: 'closed' })
    const outsiderStatuses = await statuses(outsider, meetingId)
    expect(Object.values(outsiderStatuses).every((status) => status === 404), JSON.stringify(outsiderStatuses)).toBe(true)
    const memberStatuses = await statuses(member, meetingId)
    expect(Object.values(memberStatuses).every((status) => status === 200), JSON.stringify(memberStatuses)).toBe(true)
    expect(await auditRows('minutes.exported', meetingId)).toHaveLength(4)
  })

  it('refuses users without governance access, and an unknown meeting is not found', async () => {
    const { meetingId } = await meetingWithMinutes()
    const caseManager = await t.signInAs(['case_manager'])
    expect((await caseManager.get(`/meetings/${meetingId}/minutes.pdf`)).statusCode).toBe(403)
    const reader = await t.signInAs(['board_member'])
    expect((await reader.get('/meetings/00000000-0000-4000-8000-000000000000/minutes.docx')).statusCode).toBe(404)
    expect((await reader.get('/meetings/not-a-meeting/minutes.docx')).statusCode).toBe(404)
  })
})
