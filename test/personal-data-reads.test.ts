import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { samples } from '../src/modules/documents/documents.fixtures.js'
import { addDays, todayInLondon } from '../src/platform/dates.js'
import { type Agent, createTestApp, type TestApp } from './helpers/app.js'
import { asbFactories } from './helpers/asb-factories.js'
import { governanceFactories } from './helpers/governance-factories.js'

/**
 * Every GET route of the app is classified here: it returns personal data (and then one read writes exactly one audit
 * row, of the action named), or it does not (and the reason says why). A new GET route in neither list fails the first
 * test, so whoever adds it has to decide.
 */

/** `GET url` as the access table lists it → the audit action its one row must have. */
const PERSONAL_DATA: Record<string, string> = {
  // ASB records
  '/cases': 'cases.listed',
  '/cases/export.:format': 'cases.exported',
  '/cases/:id': 'case.viewed',
  '/cases/:id/summary.pdf': 'case.summary_exported',
  // The forms of a case show its record (and the people on it): each is a read of the case.
  '/cases/:id/edit': 'case.viewed',
  '/cases/:caseId/people/:personId/remove': 'case.viewed',
  '/cases/:id/close': 'case.viewed',
  '/cases/:id/reopen': 'case.viewed',
  '/cases/:id/notes/new': 'case.viewed',
  '/cases/:id/share': 'case.viewed',
  '/cases/:id/callbacks/new': 'case.viewed',
  '/cases/:id/tasks/new': 'case.viewed',
  '/cases/:caseId/risk-assessments/new': 'case.viewed',
  '/cases/:caseId/interventions/new': 'case.viewed',
  '/cases/:caseId/interventions/:id/breach': 'case.viewed',
  '/cases/:caseId/documents/new': 'case.viewed',
  '/cases/:caseId/documents/:documentId/remove': 'case.viewed',
  '/api/v1/cases': 'cases.listed',
  '/api/v1/cases/:id': 'case.viewed',
  '/tasks': 'tasks.listed',
  '/api/v1/tasks': 'tasks.listed',
  '/api/v1/cases/:id/tasks': 'tasks.listed',
  '/locations/:id': 'location.viewed',
  '/incidents': 'incidents.listed',
  '/incidents/:id': 'incident.viewed',
  '/api/v1/incidents': 'incidents.listed',
  '/api/v1/incidents/:id': 'incident.viewed',
  '/people': 'cases.searched',
  '/people/:id': 'person.viewed',
  '/people/:id/edit': 'person.viewed',
  '/people/:id/merge': 'person.viewed',
  '/api/v1/people': 'cases.searched',
  '/api/v1/people/:id': 'person.viewed',
  '/cases/:caseId/risk-assessments/:id': 'risk_assessment.viewed',
  '/api/v1/cases/:caseId/risk-assessments': 'risk_assessments.listed',
  '/api/v1/cases/:caseId/interventions': 'interventions.listed',
  '/cases/:caseId/documents/:documentId/download': 'case.document_downloaded',
  '/api/v1/cases/:caseId/documents': 'case.documents_listed',
  '/api/v1/cases/:caseId/documents/:documentId': 'case.document_viewed',
  '/api/v1/cases/:caseId/documents/:documentId/content': 'case.document_downloaded',
  '/search': 'cases.searched',
  '/api/v1/search': 'cases.searched',
  // User accounts, the audit log and the outbox
  '/admin/users': 'users.listed',
  '/admin/users/:id': 'user.viewed',
  '/admin/users/:id/edit': 'user.viewed',
  '/api/v1/users': 'users.listed',
  '/api/v1/users/:id': 'user.viewed',
  '/admin/organisations/:id': 'users.listed',
  '/audit': 'audit.viewed',
  '/audit/export.csv': 'audit.exported',
  '/api/v1/audit-events': 'audit.viewed',
  '/admin/outbox': 'emails.listed',
  '/admin/outbox/:messageId': 'email.viewed',
  '/api/v1/outbox': 'emails.listed',
  '/api/v1/outbox/:messageId': 'email.viewed',
  // Governance: members, contacts, minutes, papers and actions
  '/bodies/:bodyId': 'body.viewed',
  '/api/v1/bodies/:bodyId': 'body.viewed',
  '/contacts': 'contacts.listed',
  '/contacts/:contactId/edit': 'contact.viewed',
  '/bodies/:bodyId/members/:memberId/end': 'body.viewed',
  '/meetings/:meetingId/attendance': 'minutes.viewed',
  '/meetings/:meetingId/declarations': 'minutes.viewed',
  '/api/v1/contacts': 'contacts.listed',
  '/papers/:paperId/download': 'agenda.paper_downloaded',
  '/meetings/:meetingId/minutes': 'minutes.viewed',
  '/meetings/:meetingId/minutes/items/:itemId': 'minutes.viewed',
  '/meetings/:meetingId/minutes/items/:itemId/resolutions/:resolutionId/edit': 'minutes.viewed',
  '/meetings/:meetingId/minutes/versions/:version': 'minutes.viewed',
  '/meetings/:meetingId/published-minutes': 'minutes.viewed',
  '/api/v1/meetings/:meetingId/minutes': 'minutes.viewed',
  '/meetings/:meetingId/minutes.docx': 'minutes.exported',
  '/meetings/:meetingId/minutes.pdf': 'minutes.exported',
  '/api/v1/meetings/:meetingId/minutes/document': 'minutes.exported',
  '/meetings/:meetingId/agenda.docx': 'agenda.exported',
  '/meetings/:meetingId/agenda.pdf': 'agenda.exported',
  '/api/v1/meetings/:meetingId/agenda/document': 'agenda.exported',
  '/actions/:actionId': 'action.viewed',
  '/api/v1/actions/:actionId': 'action.viewed',
  '/meetings/:meetingId/action-log': 'action_log.viewed',
  '/meetings/:meetingId/action-log.docx': 'action_log.exported',
  '/meetings/:meetingId/action-log.xlsx': 'action_log.exported',
  '/meetings/:meetingId/action-log.csv': 'action_log.exported',
  '/bodies/:bodyId/action-log': 'action_log.viewed',
  '/api/v1/meetings/:meetingId/action-log': 'action_log.viewed',
  '/api/v1/bodies/:bodyId/actions': 'action_log.viewed',
}

const PUBLIC = 'public: no sign-in, and nothing about anyone'
const FIGURES = 'crime and ASB figures by area, counts only'
const REFERENCE = 'reference lists the forms use, the same for everyone'
const OWN = "the signed-in user's own account and menu"
const BLANK_FORM = 'a blank form: nothing is read but lists to choose from'
/** A form for a change that shows no more than which record it changes; the change is audited when sent. */
const CHANGE_FORM = 'a form for a change: it names the record it changes (a reference or an id), and the change is audited'
/** A form for a change to governance records (not to a person's): it names what it changes; the change is audited when sent. */
const GOVERNANCE_FORM = "a form for a change to a body, meeting, agenda item or action, naming it; the change is audited"
const GOVERNANCE = 'bodies, meetings and agendas as published to the partnership: titles, dates and venues'
const STAFF = 'names of organisations, or of staff as choices in a form'

/** `GET url` → why it returns no personal data. */
const NOT_PERSONAL_DATA: Record<string, string> = {
  '/api/v1/openapi.json': PUBLIC,
  '/api-docs': PUBLIC,
  '/assets/*': PUBLIC,
  '/stylesheets/*': PUBLIC,
  '/javascripts/*': PUBLIC,
  '/public/*': PUBLIC,
  '/api/v1/health': PUBLIC,
  '/sign-in': PUBLIC,
  '/account/password': OWN,
  '/': OWN,
  '/api/v1/me': OWN,
  '/admin/organisations': STAFF,
  '/sign-in/two-factor': 'the form for the code from an authenticator app: it names no one',
  '/sign-in/sso/callback': "the identity provider's answer: it signs the user in and redirects; the sign-in is audited",
  '/account/two-factor': OWN,
  '/admin/organisations/:id/single-sign-on': "an organisation's single sign-on providers: issuer, client id and email domains",
  '/admin/single-sign-on/:id/edit': "a single sign-on provider's settings (never its secret)",
  '/admin/audit-check': 'whether the audit log is intact, and the id and time of a broken entry; the check itself is audited',
  '/admin/organisations/new': BLANK_FORM,
  '/admin/organisations/:id/edit': CHANGE_FORM,
  '/api/v1/organisations': STAFF,
  '/api/v1/organisations/:id': STAFF,
  '/admin/users/new': BLANK_FORM,
  '/admin/api-tokens': 'token names and when they were used; the users are staff chosen from a list',
  '/admin/api-tokens/new': BLANK_FORM,
  '/cases/caseload': 'how many cases each officer leads: counts by member of staff',
  '/cases/new': BLANK_FORM,
  '/admin/sharing-agreements': 'agreements between organisations',
  '/admin/sharing-agreements/new': BLANK_FORM,
  '/api/v1/sharing-agreements': 'agreements between organisations',
  '/incidents/new': CHANGE_FORM,
  '/api/v1/incident-types': REFERENCE,
  '/people/new': BLANK_FORM,
  '/cases/:caseId/people/new': 'a form naming the case by id; a search for a person on it is audited as any search (cases.searched)',
  '/api/v1/risk-questionnaire': REFERENCE,
  '/api/v1/intervention-types': REFERENCE,
  '/bodies': GOVERNANCE,
  '/bodies/new': BLANK_FORM,
  '/bodies/:bodyId/edit': GOVERNANCE_FORM,
  '/bodies/:bodyId/members/new': GOVERNANCE_FORM,
  '/bodies/:bodyId/elections/new': GOVERNANCE_FORM,
  '/contacts/new': BLANK_FORM,
  '/api/v1/bodies': GOVERNANCE,
  '/bodies/:bodyId/meetings/new': GOVERNANCE_FORM,
  '/bodies/:bodyId/forward-programme': GOVERNANCE,
  '/bodies/:bodyId/forward-programme/items/new': GOVERNANCE_FORM,
  '/meetings': GOVERNANCE,
  '/meetings/:meetingId': GOVERNANCE,
  '/meetings/:meetingId/edit': GOVERNANCE_FORM,
  '/meetings/:meetingId/cancel': GOVERNANCE_FORM,
  '/meetings/:meetingId/items/new': GOVERNANCE_FORM,
  '/agenda-items/:itemId/edit': GOVERNANCE_FORM,
  '/agenda-items/:itemId/remove': GOVERNANCE_FORM,
  '/agenda-items/:itemId/papers/new': GOVERNANCE_FORM,
  '/papers/:paperId/remove': GOVERNANCE_FORM,
  '/meetings/:meetingId/publish-agenda': GOVERNANCE_FORM,
  '/api/v1/bodies/:bodyId/meetings': GOVERNANCE,
  '/api/v1/meetings/:meetingId': GOVERNANCE,
  '/api/v1/bodies/:bodyId/forward-programme': GOVERNANCE,
  '/meetings/:meetingId/minutes/versions': 'when the minutes were changed, and the reason given',
  '/meetings/:meetingId/items/:itemId/actions/new': GOVERNANCE_FORM,
  '/bodies/:bodyId/actions/new': GOVERNANCE_FORM,
  '/actions/:actionId/edit': GOVERNANCE_FORM,
  '/actions/:actionId/update': GOVERNANCE_FORM,
  '/actions': "the user's own actions and their organisation's",
  '/actions/overdue': "overdue actions of the bodies the user runs: the partnership's own work",
  '/api/v1/actions/mine': "the user's own actions and their organisation's",
  '/performance': FIGURES,
  '/performance/trends': FIGURES,
  '/performance/top-areas': FIGURES,
  '/performance/map': FIGURES,
  '/performance/export/dashboard': FIGURES,
  '/performance/export/trend': FIGURES,
  '/performance/export/top-areas': FIGURES,
  '/performance/export/map': FIGURES,
  '/performance/report': FIGURES,
  '/api/v1/performance/areas': FIGURES,
  '/api/v1/performance/dashboard': FIGURES,
  '/api/v1/performance/trend': FIGURES,
  '/api/v1/performance/top-areas': FIGURES,
  '/api/v1/performance/map': FIGURES,
  '/performance/imports': 'police.uk files loaded: published open data',
  '/performance/imports/jobs/:jobId': 'the progress of loading a police.uk file',
  '/api/v1/performance/import-jobs/:jobId': 'the progress of loading a police.uk file',
  '/api/v1/performance/files': 'police.uk files loaded: published open data',
}

/** Query strings a route needs to read anything (a search with a term, a document's format). */
const QUERY: Record<string, string> = {
  '/people': '?q=Hartley',
  '/api/v1/people': '?q=Hartley',
  '/search': '?q=Hartley',
  '/cases/:caseId/risk-assessments/new': '?personId=PERSON',
  '/cases/:caseId/people/:personId/remove': '?role=victim',
  '/api/v1/search': '?q=Hartley',
  '/api/v1/meetings/:meetingId/minutes/document': '?format=pdf',
  '/api/v1/meetings/:meetingId/agenda/document': '?format=pdf',
}

let t: TestApp
let reader: Agent & { user: { id: string } }
let ids: Record<string, string>

beforeAll(async () => {
  t = await createTestApp()
  const db = t.testDb.database.db
  const asb = asbFactories(db)
  const gov = governanceFactories(db)
  const council = await t.factories.organisation({ type: 'council' })
  // One user allowed every route: cases, administration, the audit log, governance and the outbox.
  reader = await t.signInAs(['admin', 'case_manager', 'auditor'], { organisationId: council.id })
  const userId = reader.user.id

  const record = await asb.case({ owningOrganisationId: council.id, leadOfficerId: userId, type: 'victim_centred' })
  const person = await asb.person({ givenNames: 'Joan', familyName: 'Hartley', createdByOrganisationId: council.id })
  await asb.linkPerson(record.id, person.id, 'victim')
  const location = await asb.location()
  const incident = await asb.incident({ organisationId: council.id, recordedBy: userId, caseId: record.id, locationId: location.id, reportingPersonId: person.id })
  const { assessment, intervention, document } = await asb.caseWork({ caseId: record.id, personId: person.id, organisationId: council.id, officerId: userId, taskTitle: 'Visit Joan' })

  const body = await gov.body({ createdBy: userId })
  const membership = await gov.member({ bodyId: body.id, userId, role: 'clerk', createdBy: userId })
  const contact = await gov.contact({ createdBy: userId, name: 'Joan Hartley', email: 'joan@charity.example.org' })
  const meeting = await gov.meeting({ bodyId: body.id, createdBy: userId, meetsOn: addDays(todayInLondon(), -30), status: 'held', minutesStatus: 'published' })
  await db.updateTable('meetings').set({ agenda_published_at: new Date(), agenda_published_by: userId, minutes_published_at: new Date(), closed_at: '11:30' }).where('id', '=', meeting.id).execute()
  const item = await gov.item({ bodyId: body.id, meetingId: meeting.id, position: 1, createdBy: userId, minutes: 'Tenancy enforcement was discussed' })
  const paper = await gov.paper({ itemId: item.id, uploadedBy: userId, content: samples.pdf() })
  const resolution = await db.insertInto('resolutions').values({ agenda_item_id: item.id, position: 1, text: 'that a closure order be sought', created_by: userId }).returning('id').executeTakeFirstOrThrow()
  const action = await gov.action({ bodyId: body.id, createdBy: userId, meetingId: meeting.id, itemId: item.id, ownerUserId: userId })
  const minutes = await t.services.minutes.record({ userId, organisationId: council.id, ip: null }, meeting.id, { includeExempt: true })
  await db.insertInto('minutes_versions').values({ meeting_id: meeting.id, version: 1, record: JSON.stringify(minutes), reason: 'Confirmed as a correct record', changed_by: userId }).execute()
  const message = await db.insertInto('email_messages').values({ kind: 'action_reminder', to_addresses: ['officer@test.example.org'], subject: 'Your actions', body_text: 'Hello', status: 'outbox' }).returning('id').executeTakeFirstOrThrow()

  ids = {
    case: record.id,
    person: person.id,
    personId: person.id,
    incident: incident.id,
    location: location.id,
    assessment: assessment.id,
    intervention: intervention.id,
    user: userId,
    organisation: council.id,
    documentId: document.id,
    bodyId: body.id,
    memberId: membership.id,
    contactId: contact.id,
    meetingId: meeting.id,
    itemId: item.id,
    paperId: paper.id,
    resolutionId: resolution.id,
    actionId: action.id,
    messageId: message.id,
    version: '1',
    format: 'csv',
  }
})
afterAll(() => t.close())

/** The route's address with each parameter replaced by the seeded record it names. */
function addressOf(url: string): string {
  const family = url.split('/').find((part) => ['cases', 'people', 'incidents', 'locations', 'users', 'organisations'].includes(part))
  const idOf = url.includes('/risk-assessments/') ? ids.assessment : url.includes('/interventions/') ? ids.intervention : { cases: ids.case, people: ids.person, incidents: ids.incident, locations: ids.location, users: ids.user, organisations: ids.organisation }[family ?? '']
  const filled = url.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = name === 'id' ? idOf : name === 'caseId' ? ids.case : ids[name]
    if (!value) throw new Error(`No seeded record for :${name} in ${url}`)
    return value
  })
  return filled + (QUERY[url] ?? '').replace('PERSON', ids.person!)
}

describe('reads of personal data', () => {
  it('classifies every GET route as returning personal data or not', () => {
    const routes = t.app.accessTable.filter((route) => route.method === 'GET').map((route) => route.url)
    const unclassified = routes.filter((url) => !(url in PERSONAL_DATA) && !(url in NOT_PERSONAL_DATA))
    expect(unclassified, 'add each new GET route to PERSONAL_DATA (with its audit action) or NOT_PERSONAL_DATA (with the reason)').toEqual([])
    expect(Object.keys(PERSONAL_DATA).filter((url) => url in NOT_PERSONAL_DATA)).toEqual([])
    // A route that was removed or renamed must leave the lists too.
    expect([...Object.keys(PERSONAL_DATA), ...Object.keys(NOT_PERSONAL_DATA)].filter((url) => !routes.includes(url))).toEqual([])
    // Nothing public is personal data.
    const publicRoutes = t.app.accessTable.filter((route) => route.method === 'GET' && route.access === 'public').map((route) => route.url)
    expect(publicRoutes.filter((url) => url in PERSONAL_DATA)).toEqual([])
  })

  it('writes exactly one audit row, counts and ids only, for each read of personal data', async () => {
    const db = t.testDb.database.db
    const failures: string[] = []
    for (const [url, action] of Object.entries(PERSONAL_DATA)) {
      const address = addressOf(url)
      const { last } = await db.selectFrom('audit_events').select((eb) => eb.fn.max('id').as('last')).executeTakeFirstOrThrow()
      const response = await reader.get(address)
      const rows = await db.selectFrom('audit_events').select(['action', 'user_id', 'details']).where('id', '>', Number(last ?? 0)).execute()
      if (response.statusCode !== 200) failures.push(`${url}: status ${response.statusCode}`)
      else if (rows.length !== 1 || rows[0]!.action !== action || rows[0]!.user_id !== ids.user) failures.push(`${url}: wrote ${JSON.stringify(rows.map((row) => row.action))}, expected ["${action}"] by the reader`)
      // Counts, not contents: the seeded person's name is never in an audit row.
      else if (JSON.stringify(rows[0]!.details).includes('Hartley')) failures.push(`${url}: the audit row holds what was read`)
    }
    expect(failures).toEqual([])
  })

  it('counts what was read in the new rows', async () => {
    const db = t.testDb.database.db
    const latest = async (action: string) => (await db.selectFrom('audit_events').select(['record_id', 'details']).where('action', '=', action).orderBy('id', 'desc').executeTakeFirstOrThrow())
    await reader.get(`/api/v1/cases/${ids.case}/risk-assessments`)
    expect(await latest('risk_assessments.listed')).toEqual({ record_id: ids.case, details: { victims: 1, count: 1 } })
    await reader.get(`/api/v1/cases/${ids.case}/interventions`)
    expect(await latest('interventions.listed')).toEqual({ record_id: ids.case, details: { count: 1, breaches: 0 } })
    await reader.get(`/api/v1/cases/${ids.case}/documents`)
    expect(await latest('case.documents_listed')).toEqual({ record_id: ids.case, details: { count: 1 } })
    await reader.get(`/api/v1/cases/${ids.case}/tasks`)
    expect(await latest('tasks.listed')).toEqual({ record_id: ids.case, details: { view: 'case', count: 1 } })
    await reader.get('/api/v1/incidents')
    expect(await latest('incidents.listed')).toMatchObject({ details: { count: 1, total: 1 } })
    await reader.get(`/api/v1/users?organisationId=${ids.organisation}`)
    expect(await latest('users.listed')).toMatchObject({ details: { organisationId: ids.organisation, count: 1 } })
    // A form's read of the case says which form.
    await reader.get(`/cases/${ids.case}/edit`)
    expect(await latest('case.viewed')).toEqual({ record_id: ids.case, details: { page: 'edit' } })
    await reader.get(`/cases/${ids.case}/risk-assessments/new?personId=${ids.person}`)
    expect(await latest('case.viewed')).toEqual({ record_id: ids.case, details: { page: 'risk_assessment', personId: ids.person } })
  })

  it('writes one row for the whole case page, not one for each of its panels', async () => {
    const db = t.testDb.database.db
    const { last } = await db.selectFrom('audit_events').select((eb) => eb.fn.max('id').as('last')).executeTakeFirstOrThrow()
    expect((await reader.get(`/cases/${ids.case}`)).statusCode).toBe(200)
    const rows = await db.selectFrom('audit_events').select(['action', 'record_id']).where('id', '>', Number(last ?? 0)).execute()
    expect(rows).toEqual([{ action: 'case.viewed', record_id: ids.case }])
  })
})
