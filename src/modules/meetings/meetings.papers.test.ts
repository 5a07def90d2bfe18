import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { multipart, samples, type UploadFile } from '../documents/documents.fixtures.js'
import { MAX_UPLOAD_BYTES } from '../documents/documents.rules.js'
import { expectPageError, type GovernanceFixtures, governanceFixtures, inDays } from './meetings.fixtures.js'

let t: TestApp
let g: GovernanceFixtures
const db = () => t.testDb.database.db

beforeAll(async () => {
  t = await createTestApp()
  g = governanceFixtures(t)
})
afterAll(() => t.close())

const TYPES_MESSAGE = 'The selected file must be a PDF or Word (DOCX) document'
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'

/** Posts the upload form as a browser does: multipart, with the CSRF token in the form's `_csrf` field. */
async function upload(agent: Agent, itemId: string, fields: Record<string, string>, file?: UploadFile) {
  if (!agent.csrfToken) await agent.get('/')
  const body = multipart({ _csrf: agent.csrfToken ?? '', ...fields }, file)
  return agent.request({ method: 'POST', url: `/agenda-items/${itemId}/papers/new`, payload: body.payload, headers: body.headers })
}

const papersOf = (itemId: string) => db().selectFrom('agenda_papers').selectAll().where('agenda_item_id', '=', itemId).orderBy('uploaded_at').execute()

async function clerkWithReport(options: { exempt?: boolean; visibility?: 'open' | 'closed'; publishedAt?: Date } = {}) {
  const clerk = await g.clerk({ visibility: options.visibility })
  const meeting = await g.meetingWithAgenda(clerk.body.id, { createdBy: clerk.userId, meetsOn: inDays(14), reports: [{ title: 'Performance report', exempt: options.exempt }], publishedAt: options.publishedAt })
  return { ...clerk, meeting, itemId: meeting.itemIds[5]! }
}

describe('uploading a paper', () => {
  it('stores a PDF and a DOCX labelled with the item’s number, lists them on the meeting and gives them back', async () => {
    const { agent, meeting, itemId, userId } = await clerkWithReport()
    const form = await agent.get(`/agenda-items/${itemId}/papers/new`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('enctype="multipart/form-data"')
    expect(form.body).toContain('labelled “Agenda Item 6”')

    const pdf = samples.pdf()
    const response = await upload(agent, itemId, { title: 'Quarter 2 performance' }, { name: 'q2.pdf', data: pdf, type: 'text/html' })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/meetings/${meeting.id}?notice=paper-added#item-${itemId}`)
    expect((await upload(agent, itemId, { title: 'Appendix' }, { name: 'appendix.docx', data: samples.docx() })).statusCode).toBe(302)

    const [first, second] = await papersOf(itemId)
    expect(first).toMatchObject({ title: 'Quarter 2 performance', file_name: 'q2.pdf', mime_type: 'application/pdf', size_bytes: pdf.length, sha256: createHash('sha256').update(pdf).digest('hex'), uploaded_by: userId, removed_at: null })
    expect(second).toMatchObject({ title: 'Appendix', mime_type: DOCX })
    const audit = (await g.auditRows('agenda.paper_uploaded')).find((row) => row.record_id === first!.id)
    expect(audit!.details).toEqual({ meetingId: meeting.id, itemId, mimeType: 'application/pdf', sizeBytes: pdf.length })

    const page = await agent.get(response.headers.location as string)
    expect(page.body).toContain('Paper added.')
    expect(page.body).toContain('Agenda Item 6: Quarter 2 performance')
    expect(page.body).toContain('Agenda Item 6: Appendix')

    // The label follows the item when it moves.
    await agent.submit(`/agenda-items/${itemId}/move`, { direction: 'up' })
    expect((await agent.get(`/meetings/${meeting.id}`)).body).toContain('Agenda Item 5: Quarter 2 performance')

    const download = await agent.get(`/papers/${first!.id}/download`)
    expect(download.statusCode).toBe(200)
    expect(download.headers['content-type']).toBe('application/pdf')
    expect(download.headers['content-disposition']).toBe(`attachment; filename="q2.pdf"; filename*=UTF-8''q2.pdf`)
    expect(download.headers['x-content-type-options']).toBe('nosniff')
    expect(download.headers['cache-control']).toBe('no-store')
    expect(download.rawPayload.equals(pdf)).toBe(true)
    expect((await g.auditRows('agenda.paper_downloaded')).find((row) => row.record_id === first!.id)!.details).toEqual({ meetingId: meeting.id, itemId })

    const docx = await agent.get(`/papers/${second!.id}/download`)
    expect(docx.headers['content-type']).toBe(DOCX)
    expect(docx.rawPayload.equals(samples.docx())).toBe(true)
  })

  it('refuses a text file, a PNG and a file over 10MB with the GOV.UK error, keeping the title and saving nothing', async () => {
    const { agent, itemId } = await clerkWithReport()
    const text = await upload(agent, itemId, { title: 'Minutes notes' }, { name: 'notes.txt', data: samples.text() })
    expectPageError(text, TYPES_MESSAGE, '#file')
    expect(text.body).toContain('value="Minutes notes"')
    const png = await upload(agent, itemId, { title: 'Map of hotspots' }, { name: 'map.pdf', data: samples.png() })
    expectPageError(png, TYPES_MESSAGE, '#file')
    expect(png.body).toContain('value="Map of hotspots"')

    const justOver = Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0x20)
    justOver.write('%PDF-1.4\n')
    const tooLarge = await upload(agent, itemId, { title: 'Full bundle' }, { name: 'bundle.pdf', data: justOver })
    expectPageError(tooLarge, 'The selected file must be smaller than 10MB', '#file', 413)
    expect(tooLarge.body).toContain('value="Full bundle"')

    const noFile = await upload(agent, itemId, { title: '' })
    expectPageError(noFile, 'Select a file', '#file')
    expect(noFile.body).toContain('<a href="#title">Enter the title of the paper</a>')
    const noTitle = await upload(agent, itemId, { title: '' }, { name: 'ok.pdf', data: samples.pdf() })
    expectPageError(noTitle, 'Enter the title of the paper', '#title')
    expect(noTitle.body).toContain('Choose the file again')
    const empty = await upload(agent, itemId, { title: 'Empty' }, { name: 'empty.pdf', data: Buffer.alloc(0) })
    expectPageError(empty, 'The selected file is empty', '#file')

    expect(await papersOf(itemId)).toHaveLength(0)
    const contents = await db().selectFrom('agenda_paper_contents').innerJoin('agenda_papers', 'agenda_papers.id', 'agenda_paper_contents.paper_id').select('paper_id').where('agenda_item_id', '=', itemId).execute()
    expect(contents).toHaveLength(0)
  })

  it('is only for items on an agenda', async () => {
    const { agent, body, userId } = await clerkWithReport()
    const waiting = await g.item(body.id, { createdBy: userId })
    const page = await agent.get(`/agenda-items/${waiting.id}/papers/new`)
    expect(page.statusCode).toBe(409)
    expect(page.body).toContain('Put the item on a meeting’s agenda before adding papers')
  })
})

describe('who may download a paper', () => {
  it('gives an exempt item’s papers to members and those who run the body, and 404 to other readers', async () => {
    const { agent, body, userId, itemId, meeting } = await clerkWithReport({ exempt: true, publishedAt: new Date() })
    expect((await upload(agent, itemId, { title: 'Confidential appendix' }, { name: 'c.pdf', data: samples.pdf() })).statusCode).toBe(302)
    const [paper] = await papersOf(itemId)

    expect((await agent.get(`/papers/${paper!.id}/download`)).statusCode).toBe(200)
    const member = await g.memberAgent(body.id, ['board_member'], 'member', userId)
    expect((await member.get(`/papers/${paper!.id}/download`)).statusCode).toBe(200)
    const admin = await t.signInAs(['admin'])
    expect((await admin.get(`/papers/${paper!.id}/download`)).statusCode).toBe(200)

    const reader = await t.signInAs(['board_member'])
    expect((await reader.get(`/papers/${paper!.id}/download`)).statusCode).toBe(404)
    const readerPage = await reader.get(`/meetings/${meeting.id}`)
    expect(readerPage.body).not.toContain('Confidential appendix')
    const api = await reader.get(`/api/v1/meetings/${meeting.id}`)
    expect(api.json().items[5]).toMatchObject({ title: 'Performance report', exempt: true, papersWithheld: true, papers: [], description: null })
    // A former member is an ordinary reader.
    const former = await t.signInAs(['board_member'])
    await g.member(body.id, { userId: former.user.id, fromDate: '2020-01-01', toDate: '2021-01-01', createdBy: userId })
    expect((await former.get(`/papers/${paper!.id}/download`)).statusCode).toBe(404)
    expect((await g.auditRows('agenda.paper_downloaded')).filter((row) => row.record_id === paper!.id)).toHaveLength(3)
  })

  it('gives an open item’s papers to every reader of the body, once the agenda is published', async () => {
    const { agent, itemId, meeting } = await clerkWithReport()
    await upload(agent, itemId, { title: 'Open paper' }, { name: 'o.pdf', data: samples.pdf() })
    const [paper] = await papersOf(itemId)
    const reader = await t.signInAs(['board_member'])
    // Before it is published the agenda, papers included, is for those who run the body.
    expect((await reader.get(`/papers/${paper!.id}/download`)).statusCode).toBe(404)
    expect((await agent.get(`/papers/${paper!.id}/download`)).statusCode).toBe(200)
    await db().updateTable('meetings').set({ agenda_published_at: new Date() }).where('id', '=', meeting.id).execute()
    expect((await reader.get(`/papers/${paper!.id}/download`)).statusCode).toBe(200)
    // The gate: only governance readers.
    const caseWorker = await t.signInAs(['case_manager'])
    expect((await caseWorker.get(`/papers/${paper!.id}/download`)).statusCode).toBe(403)
  })
})

describe('removing a paper', () => {
  it('asks first, then deletes its content and keeps who removed it', async () => {
    const { agent, userId, itemId, meeting } = await clerkWithReport()
    await upload(agent, itemId, { title: 'Wrong version' }, { name: 'w.pdf', data: samples.pdf() })
    const [paper] = await papersOf(itemId)
    const confirm = await agent.get(`/papers/${paper!.id}/remove`)
    expect(confirm.statusCode).toBe(200)
    expect(confirm.body).toContain('Agenda Item 6: Wrong version')

    const response = await agent.submit(`/papers/${paper!.id}/remove`, {})
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/meetings/${meeting.id}?notice=paper-removed`)
    const [removed] = await papersOf(itemId)
    expect(removed).toMatchObject({ removed_by: userId })
    expect(removed!.removed_at).not.toBeNull()
    expect(await db().selectFrom('agenda_paper_contents').select('paper_id').where('paper_id', '=', paper!.id).execute()).toHaveLength(0)
    expect((await agent.get(`/papers/${paper!.id}/download`)).statusCode).toBe(404)
    expect((await agent.get(`/meetings/${meeting.id}`)).body).not.toContain('Wrong version')
    expect((await g.auditRows('agenda.paper_removed')).find((row) => row.record_id === paper!.id)!.details).toEqual({ meetingId: meeting.id, itemId })
    expect((await agent.submit(`/papers/${paper!.id}/remove`, {})).statusCode).toBe(404)
  })

  it('is for those who run the body', async () => {
    const { agent, body, userId, itemId } = await clerkWithReport()
    await upload(agent, itemId, { title: 'Kept' }, { name: 'k.pdf', data: samples.pdf() })
    const [paper] = await papersOf(itemId)
    const coordinator = await g.memberAgent(body.id, ['partnership_coordinator'], 'member', userId)
    await coordinator.get('/')
    expect((await coordinator.submit(`/papers/${paper!.id}/remove`, {})).statusCode).toBe(403)
    expect((await upload(coordinator, itemId, { title: 'Mine' }, { name: 'm.pdf', data: samples.pdf() })).statusCode).toBe(403)
    expect(await papersOf(itemId)).toHaveLength(1)
  })
})
