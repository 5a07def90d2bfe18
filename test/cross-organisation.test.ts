import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { permissionsFor, ROLES, type Role } from '../src/modules/auth/permissions.js'
import { multipart, samples } from '../src/modules/documents/documents.fixtures.js'
import { addDays, todayInLondon } from '../src/platform/dates.js'
import type { AccessEntry } from '../src/platform/http/access.js'
import type { Agent } from './helpers/app.js'
import { createTestApp, type TestApp } from './helpers/app.js'
import { asbFactories } from './helpers/asb-factories.js'
import { asForm, caseChangeBody } from './helpers/case-change-bodies.js'
import { governanceFactories } from './helpers/governance-factories.js'
import { type ScopeIds, scopeRequests } from './helpers/governance-scope-bodies.js'

/**
 * Every route that takes a record id, tried as a user of each role in: the organisation that owns the case, an
 * organisation it is shared with at each level (read, contribute, full), and an unrelated organisation. The expected
 * answer comes from the route's record kind and the right it needs (the table below); a route that takes an id and is
 * not in the table fails the first test until it is classified. No answer to an unrelated organisation holds the names
 * of the people on the owner's case, and no answer to anyone else holds the unrelated organisation's people.
 */

type Right = 'read' | 'contribute' | 'full' | 'own'
type Relation = 'owner' | 'read' | 'contribute' | 'full' | 'unrelated'
type Rule =
  /** An ASB record reached through a case: needs the case's right. */
  | { kind: 'case'; right: Right }
  /** A person: seen through any case the organisation may see; changing a person follows the people rules (finding 1). */
  | { kind: 'person' }
  /** A closed governance body's record: for its members and administrators; these users are not members. */
  | { kind: 'governance' }
  /** Service-wide records (users, organisations, tokens, outbox, import jobs, governance contacts): the role decides. */
  | { kind: 'service'; reason: string; noRecord?: true }

const RANK: Record<Right, number> = { read: 0, contribute: 1, full: 2, own: 3 }
const RELATIONS: Relation[] = ['owner', 'read', 'contribute', 'full', 'unrelated']

const SERVICE_WIDE = 'a service-wide record, not an organisation’s: the role’s permission is the whole rule'
const ROUTES: Record<string, Rule> = {
  // ---- cases ----
  'GET /cases/:id': { kind: 'case', right: 'read' },
  'GET /cases/:id/summary.pdf': { kind: 'case', right: 'read' },
  'GET /api/v1/cases/:id': { kind: 'case', right: 'read' },
  'GET /api/v1/cases/:id/tasks': { kind: 'case', right: 'read' },
  'GET /cases/:id/edit': { kind: 'case', right: 'own' },
  'POST /cases/:id/edit': { kind: 'case', right: 'own' },
  'PATCH /api/v1/cases/:id': { kind: 'case', right: 'own' },
  'POST /cases/:id/status': { kind: 'case', right: 'own' },
  'POST /api/v1/cases/:id/status': { kind: 'case', right: 'own' },
  'GET /cases/:id/close': { kind: 'case', right: 'own' },
  'POST /cases/:id/close': { kind: 'case', right: 'own' },
  'POST /api/v1/cases/:id/close': { kind: 'case', right: 'own' },
  'GET /cases/:id/reopen': { kind: 'case', right: 'own' },
  'POST /cases/:id/reopen': { kind: 'case', right: 'own' },
  'POST /api/v1/cases/:id/reopen': { kind: 'case', right: 'own' },
  'GET /cases/:id/notes/new': { kind: 'case', right: 'contribute' },
  'POST /cases/:id/notes/new': { kind: 'case', right: 'contribute' },
  'POST /api/v1/cases/:id/notes': { kind: 'case', right: 'contribute' },
  'GET /cases/:id/share': { kind: 'case', right: 'own' },
  'POST /cases/:id/share': { kind: 'case', right: 'own' },
  'POST /api/v1/cases/:id/shares': { kind: 'case', right: 'own' },
  'POST /cases/:id/shares/:shareId/revoke': { kind: 'case', right: 'own' },
  'GET /cases/:id/callbacks/new': { kind: 'case', right: 'full' },
  'POST /cases/:id/callbacks/new': { kind: 'case', right: 'full' },
  // ---- tasks: the task is the owner's officer's, so only the owner may complete or cancel it ----
  'GET /cases/:id/tasks/new': { kind: 'case', right: 'own' },
  'POST /cases/:id/tasks/new': { kind: 'case', right: 'own' },
  'POST /api/v1/cases/:id/tasks': { kind: 'case', right: 'own' },
  'POST /tasks/:taskId/complete': { kind: 'case', right: 'own' },
  'POST /api/v1/tasks/:taskId/complete': { kind: 'case', right: 'own' },
  'POST /tasks/:taskId/cancel': { kind: 'case', right: 'own' },
  // ---- incidents and addresses ----
  'GET /incidents/:id': { kind: 'case', right: 'read' },
  'GET /api/v1/incidents/:id': { kind: 'case', right: 'read' },
  'POST /incidents/:id/link': { kind: 'case', right: 'contribute' },
  'POST /api/v1/incidents/:id/link': { kind: 'case', right: 'contribute' },
  'GET /locations/:id': { kind: 'case', right: 'read' },
  // ---- people ----
  'GET /people/:id': { kind: 'person' },
  'GET /api/v1/people/:id': { kind: 'person' },
  'GET /people/:id/edit': { kind: 'person' },
  'POST /people/:id/edit': { kind: 'person' },
  'PATCH /api/v1/people/:id': { kind: 'person' },
  'GET /people/:id/merge': { kind: 'person' },
  'POST /people/:id/merge': { kind: 'person' },
  'POST /api/v1/people/:id/merge': { kind: 'person' },
  'GET /cases/:caseId/people/new': { kind: 'case', right: 'full' },
  'POST /cases/:caseId/people/new': { kind: 'case', right: 'full' },
  'GET /cases/:caseId/people/:personId/remove': { kind: 'case', right: 'full' },
  'POST /cases/:caseId/people/:personId/remove': { kind: 'case', right: 'full' },
  'POST /api/v1/cases/:caseId/people/:personId/remove': { kind: 'case', right: 'full' },
  // ---- risk ----
  'GET /cases/:caseId/risk-assessments/new': { kind: 'case', right: 'full' },
  'POST /cases/:caseId/risk-assessments/new': { kind: 'case', right: 'full' },
  'POST /api/v1/cases/:caseId/risk-assessments': { kind: 'case', right: 'full' },
  'GET /cases/:caseId/risk-assessments/:id': { kind: 'case', right: 'read' },
  'GET /api/v1/cases/:caseId/risk-assessments': { kind: 'case', right: 'read' },
  // ---- interventions, breaches and outcomes ----
  'GET /api/v1/cases/:caseId/interventions': { kind: 'case', right: 'read' },
  'GET /cases/:caseId/interventions/new': { kind: 'case', right: 'full' },
  'POST /cases/:caseId/interventions/new': { kind: 'case', right: 'full' },
  'POST /api/v1/cases/:caseId/interventions': { kind: 'case', right: 'full' },
  'GET /cases/:caseId/interventions/:id/breach': { kind: 'case', right: 'full' },
  'POST /cases/:caseId/interventions/:id/breach': { kind: 'case', right: 'full' },
  'POST /api/v1/cases/:caseId/interventions/:id/breaches': { kind: 'case', right: 'full' },
  'POST /cases/:caseId/interventions/:id/status': { kind: 'case', right: 'full' },
  'POST /api/v1/cases/:caseId/interventions/:id/status': { kind: 'case', right: 'full' },
  // ---- documents ----
  'GET /api/v1/cases/:caseId/documents': { kind: 'case', right: 'read' },
  'GET /cases/:caseId/documents/:documentId/download': { kind: 'case', right: 'read' },
  'GET /api/v1/cases/:caseId/documents/:documentId': { kind: 'case', right: 'read' },
  'GET /api/v1/cases/:caseId/documents/:documentId/content': { kind: 'case', right: 'read' },
  'GET /cases/:caseId/documents/new': { kind: 'case', right: 'contribute' },
  'POST /cases/:caseId/documents/new': { kind: 'case', right: 'contribute' },
  'POST /api/v1/cases/:caseId/documents': { kind: 'case', right: 'contribute' },
  'GET /cases/:caseId/documents/:documentId/remove': { kind: 'case', right: 'own' },
  'POST /cases/:caseId/documents/:documentId/remove': { kind: 'case', right: 'own' },
  'POST /api/v1/cases/:caseId/documents/:documentId/remove': { kind: 'case', right: 'own' },
  // ---- service-wide records ----
  'GET /admin/organisations/:id': { kind: 'service', reason: SERVICE_WIDE },
  'GET /admin/organisations/:id/edit': { kind: 'service', reason: SERVICE_WIDE },
  'POST /admin/organisations/:id/edit': { kind: 'service', reason: SERVICE_WIDE },
  'GET /api/v1/organisations/:id': { kind: 'service', reason: SERVICE_WIDE },
  'PATCH /api/v1/organisations/:id': { kind: 'service', reason: SERVICE_WIDE },
  'GET /admin/users/:id': { kind: 'service', reason: SERVICE_WIDE },
  'GET /admin/users/:id/edit': { kind: 'service', reason: SERVICE_WIDE },
  'POST /admin/users/:id/edit': { kind: 'service', reason: SERVICE_WIDE },
  'POST /admin/users/:id/deactivate': { kind: 'service', reason: SERVICE_WIDE },
  'POST /admin/users/:id/reactivate': { kind: 'service', reason: SERVICE_WIDE },
  'POST /admin/users/:id/reset-password': { kind: 'service', reason: SERVICE_WIDE },
  'GET /api/v1/users/:id': { kind: 'service', reason: SERVICE_WIDE },
  'PATCH /api/v1/users/:id': { kind: 'service', reason: SERVICE_WIDE },
  'POST /api/v1/users/:id/deactivate': { kind: 'service', reason: SERVICE_WIDE },
  'POST /api/v1/users/:id/reactivate': { kind: 'service', reason: SERVICE_WIDE },
  'POST /admin/api-tokens/:id/revoke': { kind: 'service', reason: SERVICE_WIDE },
  'POST /admin/users/:id/two-factor/reset': { kind: 'service', reason: SERVICE_WIDE },
  'GET /admin/organisations/:id/single-sign-on': { kind: 'service', reason: SERVICE_WIDE },
  'POST /admin/organisations/:id/single-sign-on': { kind: 'service', reason: SERVICE_WIDE },
  'GET /admin/single-sign-on/:id/edit': { kind: 'service', reason: SERVICE_WIDE, noRecord: true },
  'POST /admin/single-sign-on/:id/edit': { kind: 'service', reason: SERVICE_WIDE, noRecord: true },
  'POST /admin/single-sign-on/:id/remove': { kind: 'service', reason: SERVICE_WIDE, noRecord: true },
  'POST /admin/sharing-agreements/:id/end': { kind: 'service', reason: SERVICE_WIDE },
  'GET /admin/outbox/:messageId': { kind: 'service', reason: SERVICE_WIDE },
  'GET /api/v1/outbox/:messageId': { kind: 'service', reason: SERVICE_WIDE },
  // An import job is seen only by the user who started it (404 to anyone else): an unknown id, so only the gate is checked.
  'GET /performance/imports/jobs/:jobId': { kind: 'service', reason: 'an import job of police.uk open data: no personal data', noRecord: true },
  'GET /api/v1/performance/import-jobs/:jobId': { kind: 'service', reason: 'an import job of police.uk open data: no personal data', noRecord: true },
  'POST /performance/imports/jobs/:jobId/retry': { kind: 'service', reason: 'an import job of police.uk open data: no personal data', noRecord: true },
  'POST /api/v1/performance/import-jobs/:jobId/retry': { kind: 'service', reason: 'an import job of police.uk open data: no personal data', noRecord: true },
  'GET /contacts/:contactId/edit': { kind: 'service', reason: 'governance contacts are shared by the whole partnership' },
  'POST /contacts/:contactId/edit': { kind: 'service', reason: 'governance contacts are shared by the whole partnership' },
}

/** Governance routes naming a body's record: one rule for them all (this file's users are not members of the closed body). */
const GOVERNANCE_PARAMS = ['bodyId', 'meetingId', 'itemId', 'paperId', 'actionId', 'memberId', 'resolutionId', 'version', 'declarationId']
const paramsOf = (url: string) => [...url.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1]!)
function ruleOf(route: AccessEntry): Rule | undefined {
  const rule = ROUTES[`${route.method} ${route.url}`]
  if (rule) return rule
  if (paramsOf(route.url).some((name) => GOVERNANCE_PARAMS.includes(name))) return { kind: 'governance' }
  return undefined
}

/** Names of people that must not reach an organisation with no part in their case. */
const OWNER_NAMES = ['Ottoline', 'Quarrendon']
const UNRELATED_NAMES = ['Zebedee', 'Marchbanks']
const GOVERNANCE_SECRET = 'Syston Tasking Group 9c1e'

interface CaseIds {
  case: string
  person: string
  incident: string
  location: string
  assessment: string
  intervention: string
  task: string
  share: string
  document: string
}
interface Actor {
  relation: Relation
  role: Role
  agent: Agent
  userId: string
  organisationId: string
}

let t: TestApp
let routes: AccessEntry[]
let actors: Actor[]
let main: CaseIds
let governance: Omit<ScopeIds, 'strangerId'> & { programmeItemId: string } & Record<string, string>
let service: { organisationId: string; userId: string; contactId: string; tokenId: string; agreementId: string; messageId: string }
let answers: Record<string, boolean>
let organisations: Record<Relation | 'spare', string>
let ownerOfficerId: string

async function buildCase(names = { given: `Given${Math.random().toString(36).slice(2, 8)}`, family: 'Fixture' }): Promise<CaseIds> {
  const db = t.testDb.database.db
  const asb = asbFactories(db)
  const record = await asb.case({ owningOrganisationId: organisations.owner, leadOfficerId: ownerOfficerId })
  const person = await asb.person({ givenNames: names.given, familyName: names.family, createdByOrganisationId: organisations.owner })
  await asb.linkPerson(record.id, person.id, 'victim')
  const location = await asb.location()
  const incident = await asb.incident({ organisationId: organisations.owner, recordedBy: ownerOfficerId, caseId: record.id, locationId: location.id })
  const { assessment, intervention, task, document } = await asb.caseWork({ caseId: record.id, personId: person.id, organisationId: organisations.owner, officerId: ownerOfficerId })
  for (const level of ['read', 'contribute', 'full'] as const) await asb.share(record.id, organisations[level], ownerOfficerId, level)
  // A share to revoke that is nobody's way in.
  const share = await asb.share(record.id, organisations.spare, ownerOfficerId, 'read')
  return { case: record.id, person: person.id, incident: incident.id, location: location.id, assessment: assessment.id, intervention: intervention.id, task: task.id, share: share.id, document: document.id }
}

async function buildGovernance() {
  const db = t.testDb.database.db
  const gov = governanceFactories(db)
  const today = todayInLondon()
  const clerk = await t.factories.user({ roles: ['partnership_coordinator'] })
  const memberUser = await t.factories.user({ roles: ['board_member'] })
  const body = await gov.body({ createdBy: clerk.id, name: GOVERNANCE_SECRET, kind: 'jag', visibility: 'closed' })
  await gov.member({ bodyId: body.id, userId: clerk.id, role: 'clerk', createdBy: clerk.id })
  const membership = await gov.member({ bodyId: body.id, userId: memberUser.id, role: 'member', createdBy: clerk.id })
  const meeting = await gov.meeting({ bodyId: body.id, createdBy: clerk.id, meetsOn: addDays(today, -30), status: 'held', minutesStatus: 'published' })
  const nextMeeting = await gov.meeting({ bodyId: body.id, createdBy: clerk.id, meetsOn: addDays(today, 30) })
  const report = await gov.item({ bodyId: body.id, meetingId: meeting.id, position: 1, createdBy: clerk.id, title: `${GOVERNANCE_SECRET} report`, minutes: 'Discussed' })
  const other = await gov.item({ bodyId: body.id, meetingId: meeting.id, position: 2, createdBy: clerk.id })
  await gov.item({ bodyId: body.id, meetingId: nextMeeting.id, position: 1, createdBy: clerk.id })
  const programmeItem = await gov.item({ bodyId: body.id, meetingId: null, position: null, createdBy: clerk.id })
  const paper = await gov.paper({ itemId: report.id, uploadedBy: clerk.id, content: samples.pdf() })
  const declaration = await db.insertInto('meeting_declarations').values({ meeting_id: meeting.id, agenda_item_id: report.id, user_id: memberUser.id, interest: 'Trustee', recorded_by: clerk.id }).returning('id').executeTakeFirstOrThrow()
  const resolution = await db.insertInto('resolutions').values({ agenda_item_id: report.id, position: 1, text: 'that the report be noted', created_by: clerk.id }).returning('id').executeTakeFirstOrThrow()
  const action = await gov.action({ bodyId: body.id, createdBy: clerk.id, meetingId: meeting.id, itemId: report.id, dueOn: addDays(today, 14), ownerUserId: memberUser.id })
  // Version 1 of the minutes, as the minutes service keeps one.
  const record = await t.services.minutes.record({ userId: clerk.id, organisationId: clerk.organisationId, ip: null }, meeting.id, { includeExempt: true })
  await db.insertInto('minutes_versions').values({ meeting_id: meeting.id, version: 1, record: JSON.stringify(record), reason: 'Confirmed as a correct record', changed_by: clerk.id }).execute()
  return {
    bodyId: body.id,
    meetingId: meeting.id,
    nextMeetingId: nextMeeting.id,
    itemId: report.id,
    otherItemId: other.id,
    programmeItemId: programmeItem.id,
    paperId: paper.id,
    actionId: action.id,
    resolutionId: resolution.id,
    declarationId: declaration.id,
    memberId: membership.id,
    memberUserId: memberUser.id,
    laterDate: addDays(today, 60),
  }
}

beforeAll(async () => {
  t = await createTestApp()
  const db = t.testDb.database.db
  organisations = {} as typeof organisations
  for (const relation of [...RELATIONS, 'spare'] as const) organisations[relation] = (await t.factories.organisation({ type: relation === 'read' ? 'police' : 'council' })).id
  ownerOfficerId = (await t.factories.user({ roles: ['case_manager'], organisationId: organisations.owner })).id
  main = await buildCase({ given: OWNER_NAMES[0]!, family: OWNER_NAMES[1]! })
  // The unrelated organisation's own case and victim.
  const asb = asbFactories(db)
  const theirCase = await asb.case({ owningOrganisationId: organisations.unrelated })
  const theirs = await asb.person({ givenNames: UNRELATED_NAMES[0], familyName: UNRELATED_NAMES[1], createdByOrganisationId: organisations.unrelated })
  await asb.linkPerson(theirCase.id, theirs.id, 'victim')

  governance = await buildGovernance()
  const contact = await governanceFactories(db).contact({ createdBy: ownerOfficerId })
  const token = await db.insertInto('api_tokens').values({ user_id: ownerOfficerId, name: 'Script', token_hash: 'c'.repeat(64), prefix: 'scp_cccc', created_by: ownerOfficerId }).returning('id').executeTakeFirstOrThrow()
  const agreement = await db
    .insertInto('sharing_agreements')
    .values({ name: 'ISA', purpose: 'Tenancy', sharing_organisation_id: organisations.spare, receiving_organisation_id: organisations.owner, starts_on: '2026-01-01', created_by: ownerOfficerId })
    .returning('id')
    .executeTakeFirstOrThrow()
  const message = await db.insertInto('email_messages').values({ kind: 'action_reminder', to_addresses: ['clerk@test.example.org'], subject: 'Reminder', body_text: 'Due soon', status: 'sent' }).returning('id').executeTakeFirstOrThrow()
  service = { organisationId: organisations.owner, userId: ownerOfficerId, contactId: contact.id, tokenId: token.id, agreementId: agreement.id, messageId: message.id }

  const questionnaire = await db.selectFrom('risk_questionnaires').select('id').where('active', '=', true).executeTakeFirstOrThrow()
  const questions = await db.selectFrom('risk_questions').select('code').where('questionnaire_id', '=', questionnaire.id).execute()
  answers = Object.fromEntries(questions.map((question) => [question.code, false]))

  actors = []
  for (const relation of RELATIONS) {
    // Every role in the owning organisation; elsewhere the roles the gate lets into case records (for the others the
    // gate refuses every case route whatever the organisation, and governance and service records belong to none).
    for (const role of ROLES.filter((one) => relation === 'owner' || permissionsFor([one]).has('cases:read'))) {
      const agent = await t.signInAs([role], { organisationId: organisations[relation] })
      await agent.get('/')
      actors.push({ relation, role, agent, userId: agent.user.id, organisationId: organisations[relation] })
    }
  }
  routes = t.app.accessTable.filter((route) => route.method !== 'HEAD' && route.url.includes('/:'))
}, 120_000)
afterAll(() => t.close())

/**
 * The actors a route is tried as: each role in each organisation where the organisation matters (a case's records, for
 * the roles the gate lets in); elsewhere (the gate refuses, or a governance or service-wide record, which no
 * organisation owns) each role once, in the owning organisation.
 */
function actorsFor(route: AccessEntry): Actor[] {
  const rule = ruleOf(route)!
  return actors.filter((actor) => {
    const gateLets = route.access === 'signed-in' || permissionsFor([actor.role]).has(route.access as never)
    return actor.relation === 'owner' || (gateLets && (rule.kind === 'case' || rule.kind === 'person'))
  })
}

/** The answer a route should give an actor: 'allowed' (reaches the record), 403, 404, or 'people' (the people rules decide). */
function expected(route: AccessEntry, rule: Rule, actor: Actor): 'allowed' | 403 | 404 | 'people' {
  if (route.access !== 'signed-in' && !permissionsFor([actor.role]).has(route.access as never)) return 403
  switch (rule.kind) {
    case 'service':
      return rule.noRecord ? 404 : 'allowed'
    case 'governance':
      // Administrators run every body; anyone else who is not a member does not learn the closed body exists.
      return actor.role === 'admin' ? 'allowed' : 404
    case 'person':
      if (actor.relation === 'unrelated') return 404
      if (actor.relation === 'owner' || route.method === 'GET') return 'allowed'
      return 'people'
    case 'case':
      if (actor.relation === 'unrelated') return 404
      if (actor.relation === 'owner') return 'allowed'
      return RANK[actor.relation] >= RANK[rule.right] ? 'allowed' : 403
  }
}

/** The route's address for a case's records (or the governance and service records). */
function addressOf(url: string, ids: CaseIds): string {
  const family = url.split('/').find((part) => ['cases', 'people', 'incidents', 'locations', 'tasks', 'organisations', 'users', 'api-tokens', 'sharing-agreements'].includes(part))
  const byFamily: Record<string, string> = { cases: ids.case, people: ids.person, incidents: ids.incident, locations: ids.location, tasks: ids.task, organisations: service.organisationId, users: service.userId, 'api-tokens': service.tokenId, 'sharing-agreements': service.agreementId }
  const coming = /^(\/api\/v1)?\/meetings\/:meetingId\/(edit|cancel|items(\/new)?|publish-agenda|minutes\/confirm-previous)$/.test(url)
  const filled = url
    .replace(/\/risk-assessments\/:id/, `/risk-assessments/${ids.assessment}`)
    .replace(/\/interventions\/:id/, `/interventions/${ids.intervention}`)
    .replace(':caseId', ids.case)
    .replace(':personId', ids.person)
    .replace(':taskId', ids.task)
    .replace(':shareId', ids.share)
    .replace(':documentId', ids.document)
    .replace(':contactId', service.contactId)
    .replace(':messageId', service.messageId)
    .replace(':jobId', '00000000-0000-4000-8000-000000000000')
    .replace(':meetingId', coming ? governance.nextMeetingId : governance.meetingId)
    .replace(':itemId', url.endsWith('/programme') ? governance.programmeItemId! : governance.itemId!)
    .replace(':version', '1')
    .replace(/:(bodyId|paperId|actionId|memberId|resolutionId|declarationId)/g, (_, name: string) => governance[name]!)
    .replace(':id', byFamily[family ?? 'cases'] ?? ids.case)
  if (url.endsWith('/people/:personId/remove') && !url.startsWith('/api/')) return `${filled}?role=victim`
  return url.endsWith('/document') ? `${filled}?format=pdf` : filled
}

/** A valid body for each change, so that a refusal comes from the access rule and not from validation. */
function bodyFor(url: string, actor: Actor, ids: CaseIds, theirPersonId: string): Record<string, unknown> {
  return caseChangeBody(url, { caseId: ids.case, personId: ids.person, duplicateId: theirPersonId, shareWithOrganisationId: organisations.spare, assignToUserId: ownerOfficerId, answers }, (other) => {
    if (other.includes('/organisations/')) return { name: 'Renamed', type: 'council', active: 'yes' }
    if (other.includes('/users/')) return { name: 'Renamed', email: `renamed-${actor.userId}@test.example.org`, roles: ['case_viewer'], organisationId: organisations.owner }
    return undefined
  })
}

const theirPerson = async (actor: Actor) => (await asbFactories(t.testDb.database.db).person({ createdByOrganisationId: actor.organisationId })).id

async function send(actor: Actor, route: AccessEntry, ids: CaseIds, theirPersonId: string): Promise<LightMyRequestResponse> {
  const url = addressOf(route.url, ids)
  const { agent } = actor
  if (route.method === 'GET') return agent.get(url)
  if (ruleOf(route)?.kind === 'governance') {
    const request = scopeRequests({ ...governance, strangerId: actor.userId } as ScopeIds)[`${route.method} ${route.url}`]
    if (!request) throw new Error(`No request body for ${route.method} ${route.url}: add one to test/helpers/governance-scope-bodies.ts`)
    if ('upload' in request) {
      const upload = multipart({ _csrf: agent.csrfToken!, ...request.upload }, { name: 'report.pdf', data: samples.pdf() })
      return agent.request({ method: 'POST', url, payload: upload.payload, headers: { ...upload.headers, 'x-csrf-token': agent.csrfToken! } })
    }
    if ('form' in request) return agent.submit(url, request.form)
    return agent.json(route.method as 'POST', url, request.json)
  }
  if (route.method === 'POST' && /\/documents(\/new)?$/.test(url)) {
    const upload = multipart({ _csrf: agent.csrfToken!, category: 'letter' }, { name: 'letter.pdf', data: samples.pdf() })
    return agent.request({ method: 'POST', url, payload: upload.payload, headers: { ...upload.headers, 'x-csrf-token': agent.csrfToken! } })
  }
  const body = bodyFor(url, actor, ids, theirPersonId)
  if (url.startsWith('/api/')) return agent.json(route.method as 'POST' | 'PATCH', url, body)
  return agent.submit(url, asForm(body))
}

function leaks(actor: Actor, response: LightMyRequestResponse): string[] {
  const names = actor.relation === 'unrelated' ? OWNER_NAMES : UNRELATED_NAMES
  const secrets = actor.role === 'admin' ? names : [...names, GOVERNANCE_SECRET]
  return secrets.filter((secret) => response.body.includes(secret))
}

function check(actor: Actor, route: AccessEntry, response: LightMyRequestResponse, want: ReturnType<typeof expected>): string | undefined {
  const who = `${actor.role} of ${actor.relation === 'owner' ? 'the owner' : actor.relation === 'unrelated' ? 'an unrelated organisation' : `a ${actor.relation} share`}`
  const status = response.statusCode
  const leaked = leaks(actor, response)
  if (leaked.length) return `${route.method} ${route.url} as ${who}: ${status} showing ${leaked.join(', ')}`
  if (status >= 500) return `${route.method} ${route.url} as ${who}: ${status}`
  if (want === 'allowed' && (status === 403 || status === 404)) return `${route.method} ${route.url} as ${who}: ${status}, expected to reach the record`
  if (typeof want === 'number' && status !== want) return `${route.method} ${route.url} as ${who}: ${status}, expected ${want}`
  return undefined
}

async function snapshot() {
  const db = t.testDb.database.db
  const tables = ['cases', 'case_people', 'case_notes', 'case_shares', 'tasks', 'risk_assessments', 'interventions', 'intervention_breaches', 'callbacks', 'case_documents', 'incidents', 'people', 'bodies', 'meetings', 'agenda_items', 'actions', 'users', 'organisations', 'api_tokens', 'sharing_agreements']
  const rows: Record<string, unknown[]> = {}
  for (const table of tables) rows[table] = (await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by 1`.execute(db)).rows
  return rows
}

describe('every route that takes a record id, across organisations', () => {
  it('has every such route classified, and no classification left for a route that is gone', () => {
    const unclassified = routes.filter((route) => !ruleOf(route)).map((route) => `${route.method} ${route.url}`)
    expect(unclassified, 'classify each in ROUTES (with its record kind and the right it needs)').toEqual([])
    const keys = new Set(routes.map((route) => `${route.method} ${route.url}`))
    expect(Object.keys(ROUTES).filter((key) => !keys.has(key))).toEqual([])
    expect(routes.length).toBeGreaterThan(150)
    expect(actors.filter((actor) => actor.relation === 'owner').map((actor) => actor.role)).toEqual([...ROLES])
  })

  it('answers every read as the table says for each role in each organisation, showing no one else’s people', async () => {
    const failures: string[] = []
    for (const route of routes.filter((one) => one.method === 'GET')) {
      const rule = ruleOf(route)!
      for (const actor of actorsFor(route)) {
        const failure = check(actor, route, await send(actor, route, main, ''), expected(route, rule, actor))
        if (failure) failures.push(failure)
      }
    }
    expect(failures).toEqual([])
  })

  it('refuses every change to those not allowed it (403 to a partner without the right, 404 to an unrelated organisation) and changes nothing', async () => {
    const before = await snapshot()
    const failures: string[] = []
    let tried = 0
    const changes = routes.filter((one) => one.method !== 'GET')
    for (const actor of actors) {
      const theirs = await theirPerson(actor)
      for (const route of changes.filter((one) => actorsFor(one).includes(actor))) {
        const want = expected(route, ruleOf(route)!, actor)
        if (want === 'allowed' || want === 'people') continue
        tried++
        const failure = check(actor, route, await send(actor, route, main, theirs), want)
        if (failure) failures.push(failure)
      }
    }
    expect(failures).toEqual([])
    expect(tried).toBeGreaterThan(500)
    const after = await snapshot()
    // Only the people the test made as each actor's own.
    expect({ ...after, people: undefined }).toEqual({ ...before, people: undefined })
  })

  it('lets the owner and each partner with the right make every change the table allows them, on a case of their own', async () => {
    // Removals, cancelling, closing and merging each on a case of their own, so that no change finds its record gone.
    const destructive = (route: AccessEntry) => /\/(remove|revoke|cancel|close|merge)$/.test(route.url)
    // Governance and service-wide changes by those allowed them are tested in governance-scope.test.ts and admin.test.ts.
    const changes = routes.filter((route) => route.method !== 'GET' && ruleOf(route)!.kind !== 'governance' && ruleOf(route)!.kind !== 'service')
    const failures: string[] = []
    const allowedCounts: Record<string, number> = {}
    for (const actor of actors.filter((one) => one.role === 'case_manager' && one.relation !== 'unrelated')) {
      const ids = await buildCase()
      const theirs = await theirPerson(actor)
      for (const route of changes) {
        const want = expected(route, ruleOf(route)!, actor)
        if (want !== 'allowed') continue
        allowedCounts[actor.relation] = (allowedCounts[actor.relation] ?? 0) + 1
        const failure = check(actor, route, await send(actor, route, destructive(route) ? await buildCase() : ids, theirs), want)
        if (failure) failures.push(failure)
      }
    }
    expect(failures).toEqual([])
    // The read share is allowed no change; each wider right allows more.
    expect(allowedCounts.read).toBeUndefined()
    expect(allowedCounts.contribute).toBeGreaterThan(0)
    expect(allowedCounts.full).toBeGreaterThan(allowedCounts.contribute!)
    expect(allowedCounts.owner).toBeGreaterThan(allowedCounts.full!)
  })
})
