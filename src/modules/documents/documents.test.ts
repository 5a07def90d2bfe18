import { createHash } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { asbFactories, type AsbFactories } from '../../../test/helpers/asb-factories.js'
import { CLOSED_CASE_MESSAGE } from '../cases/case-access.js'
import { multipart, samples, type UploadFile } from './documents.fixtures.js'
import { MAX_UPLOAD_BYTES } from './documents.rules.js'

let t: TestApp
let asb: AsbFactories
const db = () => t.testDb.database.db

beforeAll(async () => {
  t = await createTestApp()
  asb = asbFactories(db())
})
afterAll(() => t.close())

const TYPES_MESSAGE = 'The selected file must be a PDF, JPG, PNG, DOCX, XLSX, ODT, TXT, CSV, EML or MSG'
const TOO_LARGE_MESSAGE = 'The selected file must be smaller than 10MB'

/** Posts the page form as a browser does: multipart, with the CSRF token in the form's `_csrf` field. */
async function uploadPage(agent: Agent, caseId: string, fields: Record<string, string>, file?: UploadFile, options: { csrf?: string } = {}) {
  if (!agent.csrfToken) await agent.get('/')
  const body = multipart({ _csrf: options.csrf ?? agent.csrfToken ?? '', ...fields }, file)
  return agent.request({ method: 'POST', url: `/cases/${caseId}/documents/new`, payload: body.payload, headers: body.headers })
}

/** The API as a script with a session would call it: multipart, with the CSRF token in the header. */
async function uploadApi(agent: Agent, caseId: string, fields: Record<string, string>, file?: UploadFile) {
  if (!agent.csrfToken) await agent.get('/')
  const body = multipart(fields, file)
  return agent.request({ method: 'POST', url: `/api/v1/cases/${caseId}/documents`, payload: body.payload, headers: { ...body.headers, 'x-csrf-token': agent.csrfToken ?? '' } })
}

const documentRows = (caseId: string) => db().selectFrom('case_documents').selectAll().where('case_id', '=', caseId).execute()
const contentRows = (caseId: string) =>
  db().selectFrom('case_document_contents').innerJoin('case_documents', 'case_documents.id', 'case_document_contents.document_id').select('document_id').where('case_documents.case_id', '=', caseId).execute()
const auditRows = (action: string, caseId: string) => db().selectFrom('audit_events').selectAll().where('action', '=', action).where('record_id', '=', caseId).execute()
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

/** The council that owns the case, a housing provider it is shared with (to add notes, documents and incidents), and a case manager in each. */
async function sharedCase(options: { status?: 'open' | 'closed' } = {}) {
  const council = await t.factories.organisation({ type: 'council', name: `Council ${Math.random().toString(36).slice(2, 8)}` })
  const housing = await t.factories.organisation({ type: 'housing_provider' })
  const officer = await t.signInAs(['case_manager'], { organisationId: council.id })
  const housingOfficer = await t.signInAs(['case_manager'], { organisationId: housing.id })
  const record = await asb.case({ owningOrganisationId: council.id, status: options.status })
  await asb.share(record.id, housing.id, officer.user.id, 'contribute')
  return { council, housing, officer, housingOfficer, caseId: record.id }
}

describe('uploading a document', () => {
  it('stores a PDF from the page form with its detected type, size and hash, lists it on the case, and records it', async () => {
    const { officer, caseId } = await sharedCase()
    const form = await officer.get(`/cases/${caseId}/documents/new`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('enctype="multipart/form-data"')
    expect(form.body).toContain('Restrict this document to')

    const pdf = samples.pdf()
    // The browser's claimed type is ignored, and an old browser's full path is cut to the name.
    const response = await uploadPage(officer, caseId, { title: 'Statement of the neighbour at no. 14', category: 'witness_statement', description: 'Signed 3 March' }, { name: 'C:\\Users\\officer\\statement.pdf', data: pdf, type: 'text/html' })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/cases/${caseId}?notice=document-added#documents`)

    const [row] = await documentRows(caseId)
    expect(row).toMatchObject({
      title: 'Statement of the neighbour at no. 14',
      description: 'Signed 3 March',
      category: 'witness_statement',
      restricted: false,
      file_name: 'statement.pdf',
      mime_type: 'application/pdf',
      size_bytes: pdf.length,
      sha256: sha256(pdf),
      uploaded_by: officer.user.id,
      organisation_id: officer.user.organisationId,
      removed_at: null,
    })
    expect(await contentRows(caseId)).toHaveLength(1)

    const page = await officer.get(`/cases/${caseId}?notice=document-added`)
    expect(page.body).toContain('Document added.')
    const section = page.body.slice(page.body.indexOf('id="documents"'), page.body.indexOf('id="tasks"'))
    expect(section).toContain('Statement of the neighbour at no. 14')
    expect(section).toContain('Witness statement')
    expect(section).toContain(`${pdf.length} bytes`)
    expect(section).toContain(`/cases/${caseId}/documents/${row!.id}/download`)
    expect(section).toContain(`/cases/${caseId}/documents/new`)
    expect(section).toContain(`/cases/${caseId}/documents/${row!.id}/remove`)
    expect(page.body).toContain('Document added: Statement of the neighbour at no. 14 (witness statement)')

    const [audit] = await auditRows('case.document_uploaded', caseId)
    expect(audit!.details).toEqual({ documentId: row!.id, category: 'witness_statement', mimeType: 'application/pdf', sizeBytes: pdf.length, restricted: false })
  })

  it('accepts each allowed type by its content, names a document after its file by default, and keeps a photograph renamed .pdf as a PNG', async () => {
    const { officer, caseId } = await sharedCase()
    const files: [string, Buffer, string][] = [
      ['photo.pdf', samples.png(), 'image/png'],
      ['door.jpeg', samples.jpeg(), 'image/jpeg'],
      ['letter.docx', samples.docx(), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['log.xlsx', samples.xlsx(), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      ['minutes.odt', samples.odt(), 'application/vnd.oasis.opendocument.text'],
      ['diary.txt', samples.text(), 'text/plain'],
      ['calls.csv', Buffer.from('date,time,what\n2026-03-12,23:40,Music\n'), 'text/csv'],
    ]
    for (const [name, data, mimeType] of files) {
      const response = await uploadApi(officer, caseId, { category: 'evidence' }, { name, data })
      expect(response.statusCode, name).toBe(201)
      expect(response.json(), name).toMatchObject({ title: name, fileName: name, mimeType, sizeBytes: data.length, sha256: sha256(data), category: 'evidence', restricted: false })
    }
    const list = await officer.json('GET', `/api/v1/cases/${caseId}/documents`)
    expect(list.json()).toHaveLength(files.length)

    const photo = list.json().find((document: { fileName: string }) => document.fileName === 'photo.pdf')
    const download = await officer.get(`/cases/${caseId}/documents/${photo.id}/download`)
    expect(download.headers['content-type']).toBe('image/png')
    expect(download.headers['content-disposition']).toBe(`attachment; filename="photo.pdf.png"; filename*=UTF-8''photo.pdf.png`)
    expect(download.rawPayload.equals(samples.png())).toBe(true)
  })

  it('accepts a file of exactly 10MB and gives it back byte for byte', async () => {
    const { officer, caseId } = await sharedCase()
    const largest = Buffer.alloc(MAX_UPLOAD_BYTES, 0x20)
    largest.write('%PDF-1.4\n')
    largest.fill(0xff, 1000, 2000)
    const response = await uploadApi(officer, caseId, { category: 'court_document' }, { name: 'bundle.pdf', data: largest })
    expect(response.statusCode).toBe(201)
    expect(response.json()).toMatchObject({ sizeBytes: MAX_UPLOAD_BYTES, sha256: sha256(largest) })
    const download = await officer.json('GET', `/api/v1/cases/${caseId}/documents/${response.json().id}/content`)
    expect(download.headers['content-type']).toBe('application/pdf')
    expect(download.rawPayload.equals(largest)).toBe(true)
  })

  it('accepts an upload by a partner the case is shared with, under its own name, and by an API token without CSRF', async () => {
    const { housingOfficer, caseId, housing } = await sharedCase()
    const response = await uploadApi(housingOfficer, caseId, { category: 'letter', title: 'Tenancy warning' }, { name: 'warning.pdf', data: samples.pdf() })
    expect(response.statusCode).toBe(201)
    expect(response.json().organisationName).toBe(housing.name)

    const admin = await t.signInAs(['admin'])
    const { token } = await t.services.apiTokens.issue({ userId: admin.user.id, organisationId: admin.user.organisationId, ip: null }, { userId: housingOfficer.user.id, name: 'Housing system', expiresInDays: 30 })
    const body = multipart({ category: 'photograph' }, { name: 'bins.jpg', data: samples.jpeg() })
    const byToken = await t.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/documents`, payload: body.payload, headers: { ...body.headers, authorization: `Bearer ${token}` } })
    expect(byToken.statusCode).toBe(201)
    expect(await documentRows(caseId)).toHaveLength(2)
  })
})

describe('bad uploads', () => {
  /** The page answer: a GOV.UK error summary linked to the field, and the message inline. */
  const expectPageError = (response: LightMyRequestResponse, status: number, message: string, field = 'file') => {
    expect(response.statusCode, message).toBe(status)
    expect(response.body).toContain('There is a problem')
    expect(response.body).toContain(`<a href="#${field}">${message}</a>`)
    expect(response.body).toContain(`<span class="govuk-visually-hidden">Error:</span> ${message}`)
  }

  it('refuses no file, an empty file, a file just over 10MB, and a program, a zip or binary text in disguise, on the page, saving nothing', async () => {
    const { officer, caseId } = await sharedCase()
    expectPageError(await uploadPage(officer, caseId, { category: 'letter' }), 400, 'Select a file')
    // A browser sends an empty, nameless part when no file was chosen.
    expectPageError(await uploadPage(officer, caseId, { category: 'letter' }, { name: '', data: Buffer.alloc(0) }), 400, 'Select a file')
    expectPageError(await uploadPage(officer, caseId, { category: 'letter' }, { name: 'blank.pdf', data: Buffer.alloc(0) }), 400, 'The selected file is empty')
    const justOver = Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0x41)
    justOver.write('%PDF-1.4\n')
    expectPageError(await uploadPage(officer, caseId, { category: 'letter' }, { name: 'huge.pdf', data: justOver }), 413, 'The selected file must be smaller than 10MB')
    // Far too large to read: the GOV.UK error page, from the Content-Length alone.
    const huge = await uploadPage(officer, caseId, { category: 'letter' }, { name: 'huge.pdf', data: Buffer.alloc(MAX_UPLOAD_BYTES + 2 * 1024 * 1024) })
    expect(huge.statusCode).toBe(413)
    expect(huge.body).toContain(TOO_LARGE_MESSAGE)
    expectPageError(await uploadPage(officer, caseId, { category: 'letter' }, { name: 'statement.pdf', data: samples.elf() }), 400, TYPES_MESSAGE)
    expectPageError(await uploadPage(officer, caseId, { category: 'letter' }, { name: 'statement.docx', data: samples.zip() }), 400, TYPES_MESSAGE)
    expectPageError(await uploadPage(officer, caseId, { category: 'letter' }, { name: 'setup.exe', data: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]) }), 400, TYPES_MESSAGE)
    expectPageError(await uploadPage(officer, caseId, { category: 'letter' }, { name: 'notes.txt', data: Buffer.from('text\u0000with a NUL byte') }), 400, TYPES_MESSAGE)
    expectPageError(await uploadPage(officer, caseId, { category: 'letter' }, { name: 'notes.txt', data: Buffer.from([0xc3, 0x28, 0x41]) }), 400, TYPES_MESSAGE)
    expectPageError(await uploadPage(officer, caseId, { category: 'letter' }, { name: 'page.html', data: Buffer.from('<script>alert(1)</script>') }), 400, TYPES_MESSAGE)

    // Every problem at once; the chosen file must be chosen again.
    const both = await uploadPage(officer, caseId, { category: '', title: 'x'.repeat(201) })
    expectPageError(both, 400, 'Select a file')
    expect(both.body).toContain('<a href="#category">Select the type of document</a>')
    expect(both.body).toContain('Title must be 200 characters or fewer')
    expect(both.body).toContain(`value="${'x'.repeat(201)}"`)
    const again = await uploadPage(officer, caseId, { category: '' }, { name: 'ok.pdf', data: samples.pdf() })
    expectPageError(again, 400, 'Select the type of document', 'category')
    expect(again.body).toContain('Choose the file again')

    expect(await documentRows(caseId)).toHaveLength(0)
    expect(await auditRows('case.document_uploaded', caseId)).toHaveLength(0)
  })

  it('refuses the same on the API with a clear message, 413 for a file too large, and saves nothing', async () => {
    const { officer, caseId } = await sharedCase()
    const noFile = await uploadApi(officer, caseId, { category: 'letter' })
    expect(noFile.statusCode).toBe(400)
    expect(noFile.json().message).toContain('Select a file')

    const empty = await uploadApi(officer, caseId, { category: 'letter' }, { name: 'blank.pdf', data: Buffer.alloc(0) })
    expect(empty.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: 'The selected file is empty' })

    const justOver = await uploadApi(officer, caseId, { category: 'letter' }, { name: 'huge.pdf', data: Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0x41) })
    expect(justOver.json()).toEqual({ statusCode: 413, error: 'Payload Too Large', message: TOO_LARGE_MESSAGE })
    // Far too large: refused from its Content-Length, before it is read.
    const huge = await uploadApi(officer, caseId, { category: 'letter' }, { name: 'huge.pdf', data: Buffer.alloc(MAX_UPLOAD_BYTES + 2 * 1024 * 1024) })
    expect(huge.statusCode).toBe(413)
    expect(huge.headers.connection).toBe('close')
    expect(huge.json()).toEqual({ statusCode: 413, error: 'Payload Too Large', message: TOO_LARGE_MESSAGE })

    const disguised = await uploadApi(officer, caseId, { category: 'letter' }, { name: 'statement.pdf', data: samples.elf(), type: 'application/pdf' })
    expect(disguised.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: TYPES_MESSAGE })

    const twoFiles = multipart({ category: 'letter' }, { name: 'a.pdf', data: samples.pdf() })
    const second = multipart({}, { name: 'b.pdf', data: samples.pdf() })
    const boundary = /boundary=(.+)$/.exec(twoFiles.headers['content-type'])![1]!
    const secondBoundary = /boundary=(.+)$/.exec(second.headers['content-type'])![1]!
    const payload = Buffer.concat([twoFiles.payload.subarray(0, twoFiles.payload.lastIndexOf(`--${boundary}--`)), Buffer.from(second.payload.toString('latin1').replaceAll(secondBoundary, boundary), 'latin1')])
    const doubled = await officer.request({ method: 'POST', url: `/api/v1/cases/${caseId}/documents`, payload, headers: { ...twoFiles.headers, 'x-csrf-token': officer.csrfToken! } })
    expect(doubled.statusCode).toBe(413)
    expect(doubled.json().message).toContain('Choose one file')

    const badCategory = await uploadApi(officer, caseId, { category: 'selfie' }, { name: 'a.pdf', data: samples.pdf() })
    expect(badCategory.statusCode).toBe(400)
    expect(badCategory.json().message).toContain('Select the type of document')

    expect(await documentRows(caseId)).toHaveLength(0)
  })

  it('needs the CSRF token on a multipart form post, from the form field or the header', async () => {
    const { officer, caseId } = await sharedCase()
    await officer.get(`/cases/${caseId}/documents/new`)
    const file = { name: 'a.pdf', data: samples.pdf() }
    const missing = multipart({ category: 'letter' }, file)
    const noToken = await officer.request({ method: 'POST', url: `/cases/${caseId}/documents/new`, payload: missing.payload, headers: missing.headers })
    expect(noToken.statusCode).toBe(403)
    expect(noToken.body).toContain('This form has expired')
    expect((await uploadPage(officer, caseId, { category: 'letter' }, file, { csrf: 'forged' })).statusCode).toBe(403)
    const apiNoToken = await officer.request({ method: 'POST', url: `/api/v1/cases/${caseId}/documents`, payload: missing.payload, headers: missing.headers })
    expect(apiNoToken.statusCode).toBe(403)
    expect(await documentRows(caseId)).toHaveLength(0)
    expect((await uploadPage(officer, caseId, { category: 'letter' }, file)).statusCode).toBe(302)
  })

  it('keeps multipart to the document routes: other forms still refuse it', async () => {
    const { officer, caseId } = await sharedCase()
    await officer.get('/')
    const body = multipart({ _csrf: officer.csrfToken!, body: 'A note' })
    const response = await officer.request({ method: 'POST', url: `/cases/${caseId}/notes/new`, payload: body.payload, headers: body.headers })
    expect(response.statusCode).toBe(415)
  })
})

describe('who may see and change documents', () => {
  async function withDocuments() {
    const context = await sharedCase()
    const open = await uploadApi(context.officer, context.caseId, { category: 'letter', title: 'Warning letter to no. 12' }, { name: 'warning.pdf', data: samples.pdf() })
    const restricted = await uploadApi(context.officer, context.caseId, { category: 'witness_statement', title: 'Statement of the informant', restricted: 'yes' }, { name: 'informant.pdf', data: samples.pdf() })
    expect(restricted.json().restricted).toBe(true)
    return { ...context, openId: open.json().id as string, restrictedId: restricted.json().id as string }
  }

  it('hides a case’s documents from an unrelated organisation with 404 everywhere', async () => {
    const { caseId, openId } = await withDocuments()
    const stranger = await t.signInAs(['case_manager'])
    await stranger.get('/')
    expect((await stranger.get(`/cases/${caseId}/documents/new`)).statusCode).toBe(404)
    expect((await stranger.get(`/cases/${caseId}/documents/${openId}/download`)).statusCode).toBe(404)
    expect((await stranger.get(`/cases/${caseId}/documents/${openId}/remove`)).statusCode).toBe(404)
    expect((await stranger.submit(`/cases/${caseId}/documents/${openId}/remove`, { reason: 'x' })).statusCode).toBe(404)
    expect((await uploadPage(stranger, caseId, { category: 'letter' }, { name: 'a.pdf', data: samples.pdf() })).statusCode).toBe(404)
    // Even a bad upload answers 404: the case's existence does not leak through the file checks.
    expect((await uploadPage(stranger, caseId, { category: 'letter' }, { name: 'a.exe', data: samples.elf() })).statusCode).toBe(404)
    expect((await stranger.json('GET', `/api/v1/cases/${caseId}/documents`)).statusCode).toBe(404)
    expect((await stranger.json('GET', `/api/v1/cases/${caseId}/documents/${openId}`)).statusCode).toBe(404)
    expect((await stranger.json('GET', `/api/v1/cases/${caseId}/documents/${openId}/content`)).statusCode).toBe(404)
    expect((await stranger.json('POST', `/api/v1/cases/${caseId}/documents/${openId}/remove`, { reason: 'x' })).statusCode).toBe(404)
    expect((await uploadApi(stranger, caseId, { category: 'letter' }, { name: 'a.pdf', data: samples.pdf() })).statusCode).toBe(404)
    expect(await documentRows(caseId)).toHaveLength(2)
  })

  it('shows a partner the shared documents but never a restricted one, and lets only the owner restrict', async () => {
    const { officer, housingOfficer, caseId, openId, restrictedId } = await withDocuments()
    const partnerPage = await housingOfficer.get(`/cases/${caseId}`)
    expect(partnerPage.body).toContain('Warning letter to no. 12')
    expect(partnerPage.body).not.toContain('Statement of the informant')
    expect(partnerPage.body).not.toContain(restrictedId)
    expect(partnerPage.body).not.toContain('Restricted document added')
    // Not the owner: no remove links.
    expect(partnerPage.body).not.toContain('/remove"')
    const list = await housingOfficer.json('GET', `/api/v1/cases/${caseId}/documents`)
    expect(list.json().map((document: { id: string }) => document.id)).toEqual([openId])
    expect((await housingOfficer.get(`/cases/${caseId}/documents/${openId}/download`)).statusCode).toBe(200)
    expect((await housingOfficer.get(`/cases/${caseId}/documents/${restrictedId}/download`)).statusCode).toBe(404)
    expect((await housingOfficer.json('GET', `/api/v1/cases/${caseId}/documents/${restrictedId}`)).statusCode).toBe(404)
    expect((await housingOfficer.json('GET', `/api/v1/cases/${caseId}/documents/${restrictedId}/content`)).statusCode).toBe(404)
    expect((await housingOfficer.get(`/cases/${caseId}/documents/${restrictedId}/remove`)).statusCode).toBe(404)

    const ownerPage = await officer.get(`/cases/${caseId}`)
    expect(ownerPage.body).toContain('Statement of the informant')
    expect(ownerPage.body).toContain('Restricted document added: Statement of the informant')
    expect(ownerPage.body).toContain('Restricted to ')

    const form = await housingOfficer.get(`/cases/${caseId}/documents/new`)
    expect(form.body).not.toContain('Restrict this document')
    const refused = await uploadPage(housingOfficer, caseId, { category: 'letter', restricted: 'yes' }, { name: 'a.pdf', data: samples.pdf() })
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain('Only the organisation that owns the case can restrict a document')
    expect(await documentRows(caseId)).toHaveLength(2)
  })

  it('lets a case viewer read and download, but not upload or remove', async () => {
    const { council, caseId, openId } = await withDocuments()
    const viewer = await t.signInAs(['case_viewer'], { organisationId: council.id })
    await viewer.get('/')
    const page = await viewer.get(`/cases/${caseId}`)
    expect(page.body).toContain('Warning letter to no. 12')
    expect(page.body).not.toContain(`/cases/${caseId}/documents/new`)
    expect((await viewer.json('GET', `/api/v1/cases/${caseId}/documents`)).json()).toHaveLength(2)
    expect((await viewer.get(`/cases/${caseId}/documents/${openId}/download`)).statusCode).toBe(200)
    expect((await viewer.get(`/cases/${caseId}/documents/new`)).statusCode).toBe(403)
    expect((await uploadPage(viewer, caseId, { category: 'letter' }, { name: 'a.pdf', data: samples.pdf() })).statusCode).toBe(403)
    const api = await uploadApi(viewer, caseId, { category: 'letter' }, { name: 'a.pdf', data: samples.pdf() })
    expect(api.statusCode).toBe(403)
    expect(api.json().message).toBe('You do not have permission to do this')
    expect((await viewer.json('POST', `/api/v1/cases/${caseId}/documents/${openId}/remove`, { reason: 'x' })).statusCode).toBe(403)
    expect(await documentRows(caseId)).toHaveLength(2)
  })

  it('refuses uploads to a closed case, which still lists and downloads its documents', async () => {
    const { officer, caseId, openId } = await withDocuments()
    await db().updateTable('cases').set({ status: 'closed', closed_at: new Date() }).where('id', '=', caseId).execute()
    const api = await uploadApi(officer, caseId, { category: 'letter' }, { name: 'a.pdf', data: samples.pdf() })
    expect(api.statusCode).toBe(409)
    expect(api.json().message).toBe(CLOSED_CASE_MESSAGE)
    const form = await officer.get(`/cases/${caseId}/documents/new`)
    expect(form.statusCode).toBe(409)
    expect(form.body).toContain(CLOSED_CASE_MESSAGE)
    const page = await uploadPage(officer, caseId, { category: 'letter' }, { name: 'a.pdf', data: samples.pdf() })
    expect(page.statusCode).toBe(409)
    expect(page.body).toContain(CLOSED_CASE_MESSAGE)
    const casePage = await officer.get(`/cases/${caseId}`)
    expect(casePage.body).toContain('Warning letter to no. 12')
    expect(casePage.body).not.toContain(`/cases/${caseId}/documents/new`)
    expect((await officer.get(`/cases/${caseId}/documents/${openId}/download`)).statusCode).toBe(200)
    expect(await documentRows(caseId)).toHaveLength(2)
  })
})

describe('downloading and removing', () => {
  it('downloads as an attachment with a safe name, the detected type, nosniff and no-store, and audits it', async () => {
    const { officer, housingOfficer, caseId } = await sharedCase()
    const text = Buffer.from('Calls logged by Mrs Ó\n')
    const created = await uploadApi(officer, caseId, { category: 'diary_sheet' }, { name: 'Journal d’appels <mars>; témoin.txt', data: text })
    expect(created.statusCode).toBe(201)
    const { id, fileName } = created.json()
    expect(fileName).toBe('Journal d’appels mars; témoin.txt')

    for (const url of [`/cases/${caseId}/documents/${id}/download`, `/api/v1/cases/${caseId}/documents/${id}/content`]) {
      const response = await housingOfficer.get(url)
      expect(response.statusCode).toBe(200)
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8')
      expect(response.headers['content-disposition']).toBe(`attachment; filename="Journal d_appels mars_ t_moin.txt"; filename*=UTF-8''Journal%20d%E2%80%99appels%20mars%3B%20t%C3%A9moin.txt`)
      expect(response.headers['x-content-type-options']).toBe('nosniff')
      expect(response.headers['cache-control']).toBe('no-store')
      expect(response.rawPayload.equals(text)).toBe(true)
    }
    const downloads = await auditRows('case.document_downloaded', caseId)
    expect(downloads).toHaveLength(2)
    expect(downloads.map((row) => [row.user_id, row.details])).toEqual([
      [housingOfficer.user.id, { documentId: id }],
      [housingOfficer.user.id, { documentId: id }],
    ])
  })

  it('lets the owning organisation remove a document with a reason: the content goes, the record and a timeline line stay', async () => {
    const { officer, housingOfficer, caseId } = await sharedCase()
    const created = await uploadApi(housingOfficer, caseId, { category: 'photograph', title: 'Photo of the wrong house' }, { name: 'house.png', data: samples.png() })
    const { id } = created.json()

    // The partner who uploaded it may not remove it: the owner decides what the case holds.
    expect((await housingOfficer.get(`/cases/${caseId}/documents/${id}/remove`)).statusCode).toBe(403)
    expect((await housingOfficer.json('POST', `/api/v1/cases/${caseId}/documents/${id}/remove`, { reason: 'Mine' })).statusCode).toBe(403)

    const form = await officer.get(`/cases/${caseId}/documents/${id}/remove`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('Photo of the wrong house')
    const noReason = await officer.submit(`/cases/${caseId}/documents/${id}/remove`, { reason: ' ' })
    expect(noReason.statusCode).toBe(400)
    expect(noReason.body).toContain('<a href="#reason">Give the reason for removing the document</a>')

    const removed = await officer.submit(`/cases/${caseId}/documents/${id}/remove`, { reason: 'Uploaded to the wrong case' })
    expect(removed.statusCode).toBe(302)
    expect(removed.headers.location).toBe(`/cases/${caseId}?notice=document-removed#documents`)
    const [row] = await documentRows(caseId)
    expect(row).toMatchObject({ removed_by: officer.user.id, removal_reason: 'Uploaded to the wrong case' })
    expect(row!.removed_at).toBeInstanceOf(Date)
    expect(await contentRows(caseId)).toHaveLength(0)

    const page = await officer.get(`/cases/${caseId}?notice=document-removed`)
    expect(page.body).toContain('Document removed.')
    expect(page.body).toContain('Document removed: Photo of the wrong house. Reason: Uploaded to the wrong case')
    expect(page.body.slice(page.body.indexOf('id="documents"'), page.body.indexOf('id="tasks"'))).toContain('No documents.')
    expect((await officer.get(`/cases/${caseId}/documents/${id}/download`)).statusCode).toBe(404)
    expect((await officer.json('GET', `/api/v1/cases/${caseId}/documents`)).json()).toEqual([])
    expect((await officer.json('POST', `/api/v1/cases/${caseId}/documents/${id}/remove`, { reason: 'Again' })).statusCode).toBe(404)
    const [audit] = await auditRows('case.document_removed', caseId)
    expect(audit!.details).toEqual({ documentId: id, restricted: false })
  })

  it('removes a document from a closed case through the API, keeping a restricted document’s line from partners', async () => {
    const { officer, housingOfficer, caseId } = await sharedCase()
    const created = await uploadApi(officer, caseId, { category: 'other', title: 'Medical letter', restricted: 'yes' }, { name: 'medical.pdf', data: samples.pdf() })
    await db().updateTable('cases').set({ status: 'closed', closed_at: new Date() }).where('id', '=', caseId).execute()
    const missingReason = await officer.json('POST', `/api/v1/cases/${caseId}/documents/${created.json().id}/remove`, {})
    expect(missingReason.statusCode).toBe(400)
    const response = await officer.json('POST', `/api/v1/cases/${caseId}/documents/${created.json().id}/remove`, { reason: 'Consent withdrawn' })
    expect(response.statusCode).toBe(204)
    expect(await contentRows(caseId)).toHaveLength(0)
    expect((await officer.get(`/cases/${caseId}`)).body).toContain('Document removed: Medical letter. Reason: Consent withdrawn')
    expect((await housingOfficer.get(`/cases/${caseId}`)).body).not.toContain('Medical letter')
  })
})

describe('the API description', () => {
  it('documents the document routes, the upload as multipart/form-data with a binary file, and leaves the pages out', async () => {
    const spec = (await t.app.inject({ url: '/api/v1/openapi.json' })).json()
    const upload = spec.paths['/api/v1/cases/{caseId}/documents'].post
    expect(upload.tags).toEqual(['Case documents'])
    const body = upload.requestBody.content['multipart/form-data'].schema
    expect(body.properties.file).toMatchObject({ type: 'string', format: 'binary' })
    expect(body.required).toEqual(expect.arrayContaining(['file', 'category']))
    expect(upload.responses['201']).toBeDefined()
    expect(spec.paths['/api/v1/cases/{caseId}/documents'].get.responses['200']).toBeDefined()
    expect(spec.paths['/api/v1/cases/{caseId}/documents/{documentId}'].get).toBeDefined()
    expect(spec.paths['/api/v1/cases/{caseId}/documents/{documentId}/content'].get.responses['200'].content['application/octet-stream'].schema).toMatchObject({ type: 'string', format: 'binary' })
    expect(spec.paths['/api/v1/cases/{caseId}/documents/{documentId}/remove'].post.requestBody.content['application/json']).toBeDefined()
    expect(Object.keys(spec.paths).filter((path) => path.startsWith('/cases/'))).toEqual([])
    const page = await t.app.inject({ url: '/api-docs' })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('/api/v1/cases/{caseId}/documents')
  })
})
