import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { asbFactories, type AsbFactories } from '../../../test/helpers/asb-factories.js'
import { STALE_EDIT_MESSAGE } from './case-access.js'

let t: TestApp
let asb: AsbFactories
const db = () => t.testDb.database.db

beforeAll(async () => {
  t = await createTestApp()
  asb = asbFactories(db())
})
afterAll(() => t.close())

const auditRows = (action: string, recordId?: string) => {
  let query = db().selectFrom('audit_events').selectAll().where('action', '=', action)
  if (recordId) query = query.where('record_id', '=', recordId)
  return query.execute()
}
const version = async (caseId: string) => (await db().selectFrom('cases').select('version').where('id', '=', caseId).executeTakeFirstOrThrow()).version
const isoInDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)

/** Two organisations: the council that owns cases, and a housing provider that works with it. */
async function partners() {
  const council = await t.factories.organisation({ type: 'council' })
  const housing = await t.factories.organisation({ type: 'housing_provider' })
  const officer = await t.signInAs(['case_manager'], { organisationId: council.id })
  const housingOfficer = await t.signInAs(['case_manager'], { organisationId: housing.id })
  return { council, housing, officer, housingOfficer }
}

describe('opening and reading a case', () => {
  it('opens a case through the form with an ASB reference, a timeline line and an audit row', async () => {
    const { officer } = await partners()
    const form = await officer.get('/cases/new')
    expect(form.statusCode).toBe(200)
    const response = await officer.submit('/cases/new', { title: 'Noise and intimidation, Beaumont Leys', type: 'perpetrator_centred', priority: 'high', leadOfficerId: officer.user.id, summary: 'Repeated late-night parties' })
    expect(response.statusCode).toBe(302)
    const id = /\/cases\/([0-9a-f-]{36})/.exec(String(response.headers.location))![1]!
    const row = await db().selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ title: 'Noise and intimidation, Beaumont Leys', type: 'perpetrator_centred', priority: 'high', status: 'open', owning_organisation_id: officer.user.organisationId, lead_officer_id: officer.user.id, version: 1 })
    expect(row.reference).toMatch(new RegExp(`^ASB-${new Date().getFullYear()}-\\d{6}$`))
    expect(await auditRows('case.created', id)).toHaveLength(1)

    const page = await officer.get(`/cases/${id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(row.reference)
    expect(page.body).toContain(`Case opened: ${row.reference}`)
    expect(await auditRows('case.viewed', id)).toHaveLength(1)
  })

  it('shows GOV.UK field errors for a missing title and type, and saves nothing', async () => {
    const { officer } = await partners()
    const before = await db().selectFrom('cases').select('id').where('owning_organisation_id', '=', officer.user.organisationId).execute()
    const response = await officer.submit('/cases/new', { title: ' ', priority: 'normal' })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('There is a problem')
    expect(response.body).toContain('Enter a short title for the case')
    expect(response.body).toContain('Select the type of case')
    const after = await db().selectFrom('cases').select('id').where('owning_organisation_id', '=', officer.user.organisationId).execute()
    expect(after).toHaveLength(before.length)
  })

  it('refuses a lead officer from another organisation', async () => {
    const { officer, housingOfficer } = await partners()
    const response = await officer.submit('/cases/new', { title: 'Lead elsewhere', type: 'location', leadOfficerId: housingOfficer.user.id })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('Select a lead officer from your organisation who manages cases')
  })

  it('hides a case from an unrelated organisation on the page, the API, the list and the export', async () => {
    const { council, officer } = await partners()
    const stranger = await t.signInAs(['case_manager'])
    const record = await asb.case({ owningOrganisationId: council.id, title: 'Private council case' })
    expect((await stranger.get(`/cases/${record.id}`)).statusCode).toBe(404)
    expect((await stranger.json('GET', `/api/v1/cases/${record.id}`)).statusCode).toBe(404)
    const list = await stranger.json('GET', '/api/v1/cases?view=all')
    expect(list.json().cases.map((row: { id: string }) => row.id)).not.toContain(record.id)
    const csv = await stranger.get('/cases/export.csv?view=all')
    expect(csv.statusCode).toBe(200)
    expect(csv.body).not.toContain('Private council case')
    expect((await stranger.submit(`/cases/${record.id}/notes/new`, { body: 'Trying' }, { formPage: '/cases' })).statusCode).toBe(404)
    const ownList = await officer.json('GET', '/api/v1/cases?view=all')
    expect(ownList.json().cases.map((row: { id: string }) => row.id)).toContain(record.id)
  })

  it('lets a case viewer read but not change cases', async () => {
    const { council } = await partners()
    const viewer = await t.signInAs(['case_viewer'], { organisationId: council.id })
    const record = await asb.case({ owningOrganisationId: council.id })
    expect((await viewer.get(`/cases/${record.id}`)).statusCode).toBe(200)
    expect((await viewer.submit('/cases/new', { title: 'x', type: 'location' }, { formPage: '/cases' })).statusCode).toBe(403)
    expect((await viewer.json('POST', `/api/v1/cases/${record.id}/notes`, { body: 'x' })).statusCode).toBe(403)
  })

  it('exports the case list as CSV and Excel, and audits each export', async () => {
    const { council, officer } = await partners()
    await asb.case({ owningOrganisationId: council.id, title: '=HYPERLINK("http://evil.example")' })
    const csv = await officer.get('/cases/export.csv?view=all')
    expect(csv.headers['content-type']).toContain('text/csv')
    expect(csv.body.split('\n')[0]).toContain('Reference,Title,Type,Status')
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil.example"")"`)
    const xlsx = await officer.get('/cases/export.xlsx?view=all')
    expect(xlsx.statusCode).toBe(200)
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK')
    const exports = await db().selectFrom('audit_events').select('details').where('action', '=', 'cases.exported').where('user_id', '=', officer.user.id).execute()
    expect(exports.map((row) => (row.details as { format: string }).format).sort()).toEqual(['csv', 'xlsx'])
  })
})

describe('case summary PDF', () => {
  it('downloads a PDF summary that holds the case and omits restricted notes for a partner, and audits it', async () => {
    const { council, housing, officer, housingOfficer } = await partners()
    const record = await asb.case({ owningOrganisationId: council.id, title: 'Summary case' })
    const victim = await asb.person({ givenNames: 'Amira', familyName: 'Okafor', createdByOrganisationId: council.id })
    await asb.linkPerson(record.id, victim.id, 'victim')
    await officer.submit(`/cases/${record.id}/notes/new`, { body: 'Shared note text' })
    await officer.submit(`/cases/${record.id}/notes/new`, { body: 'Restricted note text', restricted: 'yes' })
    await asb.share(record.id, housing.id, officer.user.id)

    const text = async (response: { rawPayload: Buffer }) => {
      const { PDFParse } = await import('pdf-parse')
      const parser = new PDFParse({ data: new Uint8Array(response.rawPayload) })
      return (await parser.getText()).text
    }
    const own = await officer.get(`/cases/${record.id}/summary.pdf`)
    expect(own.statusCode).toBe(200)
    expect(own.headers['content-type']).toBe('application/pdf')
    const ownText = await text(own)
    expect(ownText).toContain(record.reference)
    expect(ownText).toContain('Victim: Amira Okafor')
    expect(ownText).toContain('Restricted note text')
    expect(ownText).toContain('OFFICIAL-SENSITIVE')

    const partnerText = await text(await housingOfficer.get(`/cases/${record.id}/summary.pdf`))
    expect(partnerText).toContain('Shared note text')
    expect(partnerText).not.toContain('Restricted note text')
    expect(await auditRows('case.summary_exported', record.id)).toHaveLength(2)
    expect((await (await t.signInAs(['case_manager'])).get(`/cases/${record.id}/summary.pdf`)).statusCode).toBe(404)
  })
})

describe('multi-agency sharing', () => {
  it('shares a case: the partner sees it but not restricted notes; the owner sees who viewed it', async () => {
    const { council, housing, officer, housingOfficer } = await partners()
    const record = await asb.case({ owningOrganisationId: council.id })
    expect((await housingOfficer.get(`/cases/${record.id}`)).statusCode).toBe(404)

    expect((await officer.submit(`/cases/${record.id}/notes/new`, { body: 'Open note for partners' })).statusCode).toBe(302)
    expect((await officer.submit(`/cases/${record.id}/notes/new`, { body: 'Informant is the neighbour at no. 4', restricted: 'yes' })).statusCode).toBe(302)
    const share = await officer.submit(`/cases/${record.id}/share`, { organisationId: housing.id, access: 'contribute', reason: 'Perpetrator is a tenant' })
    expect(share.statusCode).toBe(302)
    expect(await auditRows('case.shared', record.id)).toHaveLength(1)

    const partnerPage = await housingOfficer.get(`/cases/${record.id}`)
    expect(partnerPage.statusCode).toBe(200)
    expect(partnerPage.body).toContain('Open note for partners')
    expect(partnerPage.body).not.toContain('Informant is the neighbour')
    expect(partnerPage.body).not.toContain('Restricted note added')
    expect(partnerPage.body).not.toContain('Who has viewed this case')

    const ownerPage = await officer.get(`/cases/${record.id}`)
    expect(ownerPage.body).toContain('Informant is the neighbour')
    expect(ownerPage.body).toContain('Who has viewed this case')
    const viewers = ownerPage.body.slice(ownerPage.body.indexOf('Who has viewed this case'))
    expect(viewers).toContain(housing.name)

    // A partner may add a note but not restrict it.
    const restricted = await housingOfficer.submit(`/cases/${record.id}/notes/new`, { body: 'Tenancy warning sent', restricted: 'yes' })
    expect(restricted.statusCode).toBe(400)
    expect(restricted.body).toContain('Only the organisation that owns the case can restrict a note')
    // A partner may not share or close the owner's case.
    expect((await housingOfficer.submit(`/cases/${record.id}/share`, { organisationId: council.id, access: 'full', reason: 'x' })).statusCode).toBe(403)

    const shareRow = await db().selectFrom('case_shares').select('id').where('case_id', '=', record.id).executeTakeFirstOrThrow()
    expect((await officer.submit(`/cases/${record.id}/shares/${shareRow.id}/revoke`, {})).statusCode).toBe(302)
    expect((await housingOfficer.get(`/cases/${record.id}`)).statusCode).toBe(404)
  })

  it('gives a receiving organisation the sharing organisation’s cases while an information sharing agreement is in force', async () => {
    const { council, housing, officer, housingOfficer } = await partners()
    const record = await asb.case({ owningOrganisationId: council.id })
    await db().insertInto('sharing_agreements').values({ name: 'Expired ISA', purpose: 'Tenancy enforcement', sharing_organisation_id: council.id, receiving_organisation_id: housing.id, starts_on: isoInDays(-400), ends_on: isoInDays(-35), created_by: officer.user.id }).execute()
    expect((await housingOfficer.get(`/cases/${record.id}`)).statusCode).toBe(404)
    await db().insertInto('sharing_agreements').values({ name: 'Current ISA', purpose: 'Tenancy enforcement', sharing_organisation_id: council.id, receiving_organisation_id: housing.id, starts_on: isoInDays(-1), created_by: officer.user.id }).execute()
    expect((await housingOfficer.get(`/cases/${record.id}`)).statusCode).toBe(200)
    // Not the other way round.
    const housingCase = await asb.case({ owningOrganisationId: housing.id })
    expect((await officer.get(`/cases/${housingCase.id}`)).statusCode).toBe(404)
  })
})

describe('the rights a share gives', () => {
  it('asks the owner for the rights on the share page (GOV.UK radios), records them and shows them in the sharing list', async () => {
    const { housing, officer, council } = await partners()
    const record = await asb.case({ owningOrganisationId: council.id })
    const page = await officer.get(`/cases/${record.id}/share`)
    expect(page.statusCode).toBe(200)
    for (const value of ['read', 'contribute', 'full']) expect(page.body).toContain(`value="${value}"`)
    expect(page.body).toContain('Full contributor')
    const missing = await officer.submit(`/cases/${record.id}/share`, { organisationId: housing.id, reason: 'Tenancy' })
    expect(missing.statusCode).toBe(400)
    expect(missing.body).toContain('Select what the organisation may do on the case')

    expect((await officer.submit(`/cases/${record.id}/share`, { organisationId: housing.id, access: 'read', reason: 'Tenancy' })).statusCode).toBe(302)
    const casePage = await officer.get(`/cases/${record.id}`)
    expect(casePage.body.slice(casePage.body.indexOf('id="sharing"'))).toContain('Read only')
    // Sharing again changes the rights, on the timeline and in the audit.
    expect((await officer.submit(`/cases/${record.id}/share`, { organisationId: housing.id, access: 'full', reason: 'Joint injunction' })).statusCode).toBe(302)
    const rows = await db().selectFrom('case_shares').select(['access', 'revoked_at']).where('case_id', '=', record.id).execute()
    expect(rows).toEqual([{ access: 'full', revoked_at: null }])
    expect((await auditRows('case.share_changed', record.id)).map((row) => row.details)).toEqual([{ organisationId: housing.id, from: 'read', to: 'full' }])
    const again = await officer.submit(`/cases/${record.id}/share`, { organisationId: housing.id, access: 'full', reason: 'Joint injunction' })
    expect(again.statusCode).toBe(400)
    expect(again.body).toContain('already shared')

    // The API takes the rights too, and requires them.
    const police = await t.factories.organisation({ type: 'police' })
    expect((await officer.json('POST', `/api/v1/cases/${record.id}/shares`, { organisationId: police.id, reason: 'Patrols' })).statusCode).toBe(400)
    expect((await officer.json('POST', `/api/v1/cases/${record.id}/shares`, { organisationId: police.id, access: 'contribute', reason: 'Patrols' })).statusCode).toBe(204)
    expect((await db().selectFrom('case_shares').select('access').where('case_id', '=', record.id).where('organisation_id', '=', police.id).executeTakeFirstOrThrow()).access).toBe('contribute')
  })

  it('lets a read-only partner read the case and refuses every change with 403 and a message that says why', async () => {
    const { council, housing, officer, housingOfficer } = await partners()
    const record = await asb.case({ owningOrganisationId: council.id })
    const person = await asb.person({ createdByOrganisationId: council.id })
    await asb.linkPerson(record.id, person.id, 'victim')
    await asb.share(record.id, housing.id, officer.user.id, 'read')

    const page = await housingOfficer.get(`/cases/${record.id}`)
    expect(page.statusCode).toBe(200)
    // No buttons it could not use.
    for (const link of ['/notes/new', '/people/new', '/remove?role=', '/risk-assessments/new', '/interventions/new', '/documents/new']) expect(page.body).not.toContain(link)
    expect(page.body).toContain('Your organisation’s rights on this case: read only')

    const note = await housingOfficer.submit(`/cases/${record.id}/notes/new`, { body: 'Tenancy warning sent' }, { formPage: `/cases/${record.id}` })
    expect(note.statusCode).toBe(403)
    expect(note.body).toContain('Your organisation can only read this case')
    expect((await housingOfficer.get(`/cases/${record.id}/notes/new`)).statusCode).toBe(403)
    const api = await housingOfficer.json('POST', `/api/v1/cases/${record.id}/notes`, { body: 'Tenancy warning sent' })
    expect(api.statusCode).toBe(403)
    expect(api.json().message).toContain('Your organisation can only read this case')
    expect(await db().selectFrom('case_notes').select('id').where('case_id', '=', record.id).execute()).toEqual([])
  })

  it('lets a contributing partner add notes but not change people, risk or interventions', async () => {
    const { council, housing, officer, housingOfficer } = await partners()
    const record = await asb.case({ owningOrganisationId: council.id })
    const person = await asb.person({ createdByOrganisationId: council.id })
    await asb.linkPerson(record.id, person.id, 'victim')
    await asb.share(record.id, housing.id, officer.user.id, 'contribute')
    const page = await housingOfficer.get(`/cases/${record.id}`)
    for (const link of ['/notes/new', '/documents/new', '/incidents/new?caseId=']) expect(page.body, link).toContain(link)
    for (const link of ['/people/new', '/remove?role=', '/risk-assessments/new', '/interventions/new', '/callbacks/new']) expect(page.body, link).not.toContain(link)
    expect(page.body).toContain('Your organisation’s rights on this case: read and add notes, documents and incidents')
    expect((await housingOfficer.submit(`/cases/${record.id}/notes/new`, { body: 'Tenancy warning sent' })).statusCode).toBe(302)
    const remove = await housingOfficer.json('POST', `/api/v1/cases/${record.id}/people/${person.id}/remove`, { role: 'victim', reason: 'x' })
    expect(remove.statusCode).toBe(403)
    expect(remove.json().message).toContain('make you a full contributor')
    expect((await housingOfficer.get(`/cases/${record.id}/risk-assessments/new?personId=${person.id}`)).statusCode).toBe(403)
    expect((await housingOfficer.get(`/cases/${record.id}/interventions/new`)).statusCode).toBe(403)
  })

  it('gives an organisation seen through an information sharing agreement read only', async () => {
    const { council, housing, officer, housingOfficer } = await partners()
    const record = await asb.case({ owningOrganisationId: council.id })
    await db().insertInto('sharing_agreements').values({ name: 'ISA', purpose: 'Tenancy enforcement', sharing_organisation_id: council.id, receiving_organisation_id: housing.id, starts_on: isoInDays(-1), created_by: officer.user.id }).execute()
    expect((await housingOfficer.get(`/cases/${record.id}`)).statusCode).toBe(200)
    expect((await housingOfficer.json('POST', `/api/v1/cases/${record.id}/notes`, { body: 'x' })).statusCode).toBe(403)
  })

  it('raises a read-only share to contribute when the owner gives the partner a task, so the assignee can do its work', async () => {
    const { council, officer } = await partners()
    const police = await t.factories.organisation({ type: 'police' })
    const pc = await t.signInAs(['case_manager'], { organisationId: police.id })
    const record = await asb.case({ owningOrganisationId: council.id })
    await asb.share(record.id, police.id, officer.user.id, 'read')
    const year = new Date().getFullYear() + 1
    expect((await officer.submit(`/cases/${record.id}/tasks/new`, { title: 'Visit the victim', assignedTo: pc.user.id, 'dueOn-day': '1', 'dueOn-month': '2', 'dueOn-year': String(year) })).statusCode).toBe(302)
    expect((await db().selectFrom('case_shares').select('access').where('case_id', '=', record.id).where('organisation_id', '=', police.id).executeTakeFirstOrThrow()).access).toBe('contribute')
    expect((await auditRows('case.share_changed', record.id)).map((row) => row.details)).toEqual([expect.objectContaining({ from: 'read', to: 'contribute' })])
    expect((await pc.submit(`/cases/${record.id}/notes/new`, { body: 'Visited: victim not in' })).statusCode).toBe(302)
    // But still not a full contributor.
    expect((await pc.get(`/cases/${record.id}/people/new`)).statusCode).toBe(403)
  })
})

describe('changing a case', () => {
  it('refuses the second of two edits made from the same version, keeping the first', async () => {
    const { council, officer } = await partners()
    const colleague = await t.signInAs(['case_manager'], { organisationId: council.id })
    const record = await asb.case({ owningOrganisationId: council.id, type: 'location', title: 'Original title' })
    const v = await version(record.id)
    const first = await officer.submit(`/cases/${record.id}/edit`, { title: 'First officer’s title', type: 'location', priority: 'normal', version: String(v) })
    expect(first.statusCode).toBe(302)
    const second = await colleague.submit(`/cases/${record.id}/edit`, { title: 'Second officer’s title', type: 'location', priority: 'urgent', version: String(v) })
    expect(second.statusCode).toBe(409)
    expect(second.body).toContain(STALE_EDIT_MESSAGE.slice(0, 40))
    expect(second.body).toContain('Second officer’s title')
    const row = await db().selectFrom('cases').select(['title', 'priority', 'version']).where('id', '=', record.id).executeTakeFirstOrThrow()
    expect(row).toEqual({ title: 'First officer’s title', priority: 'normal', version: v + 1 })
    const api = await colleague.json('PATCH', `/api/v1/cases/${record.id}`, { title: 'API title', type: 'location', priority: 'low', version: v })
    expect(api.statusCode).toBe(409)
    expect(api.json().message).toBe(STALE_EDIT_MESSAGE)

    const event = await db().selectFrom('case_events').select('changes').where('case_id', '=', record.id).where('kind', '=', 'case').orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(event.changes).toContainEqual({ field: 'title', from: 'Original title', to: 'First officer’s title' })
    const [updated] = await auditRows('case.updated', record.id)
    expect(updated!.details).toEqual({ fields: ['title'] })
  })

  it('moves through the status lifecycle, and needs a victim on a victim-centred case', async () => {
    const { council, officer } = await partners()
    const record = await asb.case({ owningOrganisationId: council.id, type: 'victim_centred' })
    const noVictim = await officer.submit(`/cases/${record.id}/status`, { status: 'in_progress', version: String(await version(record.id)) })
    expect(noVictim.statusCode).toBe(400)
    expect(noVictim.body).toContain('A victim-centred case needs a victim')
    const victim = await asb.person({ createdByOrganisationId: council.id })
    await asb.linkPerson(record.id, victim.id, 'victim')
    expect((await officer.submit(`/cases/${record.id}/status`, { status: 'in_progress', version: String(await version(record.id)) })).statusCode).toBe(302)
    const back = await officer.submit(`/cases/${record.id}/status`, { status: 'open', version: String(await version(record.id)) })
    expect(back.statusCode).toBe(400)
    expect(back.body).toContain('A case that is in progress cannot be moved to open')
    expect((await officer.json('POST', `/api/v1/cases/${record.id}/status`, { status: 'review', version: await version(record.id) })).json().status).toBe('review')
  })

  it('closes a case with outcome and satisfaction, makes it read-only, and reopens it', async () => {
    const { council, officer } = await partners()
    const record = await asb.case({ owningOrganisationId: council.id, type: 'perpetrator_centred' })
    const missing = await officer.submit(`/cases/${record.id}/close`, { outcome: 'resolved', reason: '', version: String(await version(record.id)) })
    expect(missing.statusCode).toBe(400)
    expect(missing.body).toContain('Explain why the case can be closed')
    expect(missing.body).toContain('Select how satisfied the victim was')

    const closed = await officer.submit(`/cases/${record.id}/close`, { outcome: 'resolved', reason: 'No reports for 8 weeks', satisfaction: 'satisfied', version: String(await version(record.id)) })
    expect(closed.statusCode).toBe(302)
    const row = await db().selectFrom('cases').select(['status', 'closure_outcome', 'victim_satisfaction', 'closed_at']).where('id', '=', record.id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ status: 'closed', closure_outcome: 'resolved', victim_satisfaction: 'satisfied' })
    expect(row.closed_at).toBeInstanceOf(Date)

    const note = await officer.submit(`/cases/${record.id}/notes/new`, { body: 'After closure' })
    expect(note.statusCode).toBe(409)
    expect(note.body).toContain('This case is closed. Reopen it before changing it.')
    expect(await db().selectFrom('case_notes').select('id').where('case_id', '=', record.id).execute()).toHaveLength(0)
    // A call-back after closure is still recorded.
    expect((await officer.submit(`/cases/${record.id}/callbacks/new`, { reached: 'yes', satisfaction: 'very_satisfied' })).statusCode).toBe(302)

    const reopened = await officer.submit(`/cases/${record.id}/reopen`, { reason: 'Reports started again', version: String(await version(record.id)) })
    expect(reopened.statusCode).toBe(302)
    expect((await db().selectFrom('cases').select('status').where('id', '=', record.id).executeTakeFirstOrThrow()).status).toBe('open')
    expect(await auditRows('case.reopened', record.id)).toHaveLength(1)
  })

  it('does not close a case with open tasks', async () => {
    const { council, officer } = await partners()
    const record = await asb.case({ owningOrganisationId: council.id })
    await officer.submit(`/cases/${record.id}/tasks/new`, { title: 'Visit the victim', assignedTo: officer.user.id, 'dueOn-day': '1', 'dueOn-month': '1', 'dueOn-year': String(new Date().getFullYear() + 1) })
    const response = await officer.submit(`/cases/${record.id}/close`, { outcome: 'resolved', reason: 'Done', satisfaction: 'satisfied', version: String(await version(record.id)) })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('Complete or cancel the open task before closing the case')
  })
})

describe('tasks across agencies', () => {
  it('assigns a task to a police officer, sharing the case with the police, who complete it from their task list', async () => {
    const { council, officer } = await partners()
    const police = await t.factories.organisation({ type: 'police' })
    const pc = await t.signInAs(['case_manager'], { organisationId: police.id })
    const record = await asb.case({ owningOrganisationId: council.id })
    expect((await pc.get(`/cases/${record.id}`)).statusCode).toBe(404)

    const year = new Date().getFullYear() + 1
    const response = await officer.submit(`/cases/${record.id}/tasks/new`, { title: 'Check PNC for the perpetrator', assignedTo: pc.user.id, 'dueOn-day': '15', 'dueOn-month': '3', 'dueOn-year': String(year) })
    expect(response.statusCode).toBe(302)
    expect((await pc.get(`/cases/${record.id}`)).statusCode).toBe(200)
    const share = await db().selectFrom('case_shares').select(['reason', 'access']).where('case_id', '=', record.id).where('organisation_id', '=', police.id).executeTakeFirstOrThrow()
    expect(share).toEqual({ reason: 'Task assigned: Check PNC for the perpetrator', access: 'contribute' })

    const mine = await pc.get('/tasks')
    expect(mine.body).toContain('Check PNC for the perpetrator')
    const task = await db().selectFrom('tasks').select('id').where('case_id', '=', record.id).executeTakeFirstOrThrow()
    // Another police officer cannot complete it; the assignee can.
    const otherPc = await t.signInAs(['case_manager'], { organisationId: police.id })
    expect((await otherPc.submit(`/tasks/${task.id}/complete`, {}, { formPage: '/tasks' })).statusCode).toBe(403)
    expect((await pc.submit(`/tasks/${task.id}/complete`, { returnTo: 'tasks' }, { formPage: '/tasks' })).statusCode).toBe(302)
    expect((await db().selectFrom('tasks').select('status').where('id', '=', task.id).executeTakeFirstOrThrow()).status).toBe('done')
    expect(await auditRows('task.completed', task.id)).toHaveLength(1)
    const again = await pc.json('POST', `/api/v1/tasks/${task.id}/complete`, {})
    expect(again.statusCode).toBe(409)
  })

  it('lists my open tasks overdue first, and refuses a due date in the past or an impossible one', async () => {
    const { council, officer } = await partners()
    const record = await asb.case({ owningOrganisationId: council.id })
    await db().insertInto('tasks').values([
      { case_id: record.id, title: 'Due later', assigned_to: officer.user.id, assigned_organisation_id: council.id, due_on: isoInDays(20), created_by: officer.user.id },
      { case_id: record.id, title: 'Overdue visit', assigned_to: officer.user.id, assigned_organisation_id: council.id, due_on: isoInDays(-3), created_by: officer.user.id },
    ]).execute()
    const api = await officer.json('GET', '/api/v1/tasks')
    expect(api.json().map((task: { title: string; overdue: boolean }) => [task.title, task.overdue])).toEqual([['Overdue visit', true], ['Due later', false]])
    const page = await officer.get('/tasks')
    expect(page.body.indexOf('Overdue visit')).toBeLessThan(page.body.indexOf('Due later'))
    expect(page.body).toContain('Overdue')

    const past = await officer.submit(`/cases/${record.id}/tasks/new`, { title: 'Too late', assignedTo: officer.user.id, 'dueOn-day': '1', 'dueOn-month': '1', 'dueOn-year': '2020' })
    expect(past.statusCode).toBe(400)
    expect(past.body).toContain('The due date must be today or in the future')
    const impossible = await officer.submit(`/cases/${record.id}/tasks/new`, { title: 'Never', assignedTo: officer.user.id, 'dueOn-day': '31', 'dueOn-month': '2', 'dueOn-year': '2030' })
    expect(impossible.statusCode).toBe(400)
    expect(impossible.body).toContain('Enter a real due date')
  })
})

describe('working views', () => {
  it('lists my cases, cases due for review, high-risk victims and the team caseload', async () => {
    const { council, officer } = await partners()
    const colleague = await t.factories.user({ roles: ['case_manager'], organisationId: council.id })
    const mine = await asb.case({ owningOrganisationId: council.id, leadOfficerId: officer.user.id, title: 'Mine to lead' })
    await asb.case({ owningOrganisationId: council.id, leadOfficerId: colleague.id, title: 'Colleague leads' })
    await db().updateTable('cases').set({ review_date: isoInDays(2), high_risk: true, risk_level: 'high' }).where('id', '=', mine.id).execute()

    const myCases = await officer.get('/cases?view=mine')
    expect(myCases.body).toContain('Mine to lead')
    expect(myCases.body).not.toContain('Colleague leads')
    const review = await officer.get('/cases?view=review')
    expect(review.body).toContain('Mine to lead')
    expect(review.body).not.toContain('Colleague leads')
    const highRisk = await officer.get('/cases?view=high_risk')
    expect(highRisk.body).toContain('Mine to lead')
    expect(highRisk.body).toContain('High risk')

    const caseload = await officer.get('/cases/caseload')
    expect(caseload.statusCode).toBe(200)
    const { name } = await db().selectFrom('users').select('name').where('id', '=', officer.user.id).executeTakeFirstOrThrow()
    // Officer, live cases 1, high risk 1, review overdue 0.
    expect(caseload.body.replace(/\s+/g, ' ')).toMatch(new RegExp(`${name}</td> <td class="govuk-table__cell govuk-table__cell--numeric">1</td> <td class="govuk-table__cell govuk-table__cell--numeric">1</td> <td class="govuk-table__cell govuk-table__cell--numeric">0</td>`))
  })
})
