import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import type { FieldChange, ShareAccess } from '../../platform/db/schema.js'
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'

/**
 * The one scope rule for ASB records. A case is visible to an organisation that owns it, that it is shared with
 * (and not revoked), or that receives the owner's cases under an information sharing agreement in force today.
 * Every list, search, count, export and page of cases, incidents and people goes through these functions.
 *
 * The rules are correlated conditions on one row (a few index probes each), so a query that has already narrowed
 * its rows, by a name or a reference, checks only those rows rather than building the set of every visible record.
 */
export function caseRowVisibleTo(organisationId: string, caseAlias = 'cases'): RawBuilder<SqlBool> {
  const id = sql.ref(`${caseAlias}.id`)
  const owner = sql.ref(`${caseAlias}.owning_organisation_id`)
  return sql<SqlBool>`(${owner} = ${organisationId}
    or exists (select 1 from case_shares where case_shares.case_id = ${id} and case_shares.organisation_id = ${organisationId} and case_shares.revoked_at is null)
    or exists (select 1 from sharing_agreements where sharing_agreements.sharing_organisation_id = ${owner}
      and sharing_agreements.receiving_organisation_id = ${organisationId} and sharing_agreements.starts_on <= current_date
      and (sharing_agreements.ends_on is null or sharing_agreements.ends_on >= current_date)))`
}

/** Incidents an organisation may see: those it recorded, and those on a case it may see. */
export function incidentRowVisibleTo(organisationId: string, incidentAlias = 'incidents'): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref(`${incidentAlias}.organisation_id`)} = ${organisationId}
    or exists (select 1 from cases incident_case where incident_case.id = ${sql.ref(`${incidentAlias}.case_id`)} and ${caseRowVisibleTo(organisationId, 'incident_case')}))`
}

/**
 * People an organisation may see: those it added, those on a case it may see, and reporters of incidents it may see.
 * (Merged people are left out by the callers: links to them were moved to the survivor.)
 */
export function personRowVisibleTo(organisationId: string, personAlias = 'people'): RawBuilder<SqlBool> {
  // `offset 0` keeps each EXISTS a probe per person through the person_id indexes. Without it the planner may turn
  // it into a hash of every visible case link or incident, built in full before the first person is checked.
  const id = sql.ref(`${personAlias}.id`)
  return sql<SqlBool>`(${sql.ref(`${personAlias}.created_by_organisation_id`)} = ${organisationId}
    or exists (select 1 from case_people person_case_link join cases person_case on person_case.id = person_case_link.case_id
      where person_case_link.person_id = ${id} and ${caseRowVisibleTo(organisationId, 'person_case')} offset 0)
    or exists (select 1 from incidents person_incident where person_incident.reporting_person_id = ${id} and ${incidentRowVisibleTo(organisationId, 'person_incident')} offset 0))`
}

/**
 * People an organisation may change (their name, date of birth, address): those it added, those on a case it owns or
 * that is shared with it as a full contributor, and reporters of incidents it recorded. Seeing a person through a
 * read or contribute share, or an information sharing agreement, is not the right to change the owner's record.
 */
export function personRowChangeableBy(organisationId: string, personAlias = 'people'): RawBuilder<SqlBool> {
  const id = sql.ref(`${personAlias}.id`)
  return sql<SqlBool>`(${sql.ref(`${personAlias}.created_by_organisation_id`)} = ${organisationId}
    or exists (select 1 from case_people person_case_link join cases person_case on person_case.id = person_case_link.case_id
      where person_case_link.person_id = ${id} and (person_case.owning_organisation_id = ${organisationId}
        or exists (select 1 from case_shares where case_shares.case_id = person_case.id and case_shares.organisation_id = ${organisationId}
          and case_shares.revoked_at is null and case_shares.access = 'full')) offset 0)
    or exists (select 1 from incidents person_incident where person_incident.reporting_person_id = ${id} and person_incident.organisation_id = ${organisationId} offset 0))`
}

/**
 * Addresses an organisation may see: those of an incident, a case or a person it may see (the address page and the
 * search). `offset 0` keeps each EXISTS a probe through the location_id indexes, as in personRowVisibleTo.
 */
export function locationRowVisibleTo(organisationId: string, locationAlias = 'locations'): RawBuilder<SqlBool> {
  const id = sql.ref(`${locationAlias}.id`)
  return sql<SqlBool>`(exists (select 1 from person_addresses location_address join people location_person on location_person.id = location_address.person_id
      where location_address.location_id = ${id} and location_person.merged_into_id is null and ${personRowVisibleTo(organisationId, 'location_person')} offset 0)
    or exists (select 1 from incidents location_incident where location_incident.location_id = ${id} and ${incidentRowVisibleTo(organisationId, 'location_incident')} offset 0)
    or exists (select 1 from cases location_case where location_case.location_id = ${id} and ${caseRowVisibleTo(organisationId, 'location_case')} offset 0))`
}

export function visibleCaseIds(db: Executor, organisationId: string) {
  return db.selectFrom('cases').select('cases.id').where(caseRowVisibleTo(organisationId))
}

export function visibleIncidentIds(db: Executor, organisationId: string) {
  return db.selectFrom('incidents').select('incidents.id').where(incidentRowVisibleTo(organisationId))
}

/** A person merged into another is not listed; links to them were moved to the survivor. */
export function visiblePersonIds(db: Executor, organisationId: string) {
  return db.selectFrom('people').select('people.id').where('people.merged_into_id', 'is', null).where(personRowVisibleTo(organisationId))
}

export function caseVisibleTo(db: Executor, organisationId: string, caseIdColumn: Expression<string>): Expression<SqlBool> {
  return sql<SqlBool>`${caseIdColumn} in (${visibleCaseIds(db, organisationId)})`
}

/**
 * What an organisation may do on a case it can see, in increasing order:
 * - read: any organisation that may see it (a read share, or an information sharing agreement);
 * - contribute: a share for the work it was made for: read, and add notes, documents and incidents;
 * - full: a full contributor: also people, risk assessments, interventions, breaches, outcomes and call-backs;
 * - own: the owning organisation: also change, close, reopen and share the case, assign tasks and remove documents.
 * The owner chooses read, contribute or full when sharing. The route's permission (cases:read or cases:manage) has
 * already been checked by the gate; this is the one rule for the rest.
 */
export type CaseRight = 'read' | ShareAccess | 'own'
export const SHARE_ACCESS: Record<ShareAccess, { label: string; hint: string }> = {
  read: { label: 'Read only', hint: 'They see the case, its people, incidents and documents, but cannot change anything.' },
  contribute: { label: 'Read and add notes, documents and incidents', hint: 'For a task or a piece of work: they can add to the case but not change its people, risk or interventions.' },
  full: { label: 'Full contributor', hint: 'They can also add and remove people, assess risk, and record interventions, breaches, outcomes and call-backs.' },
}
const RANK: Record<CaseRight, number> = { read: 0, contribute: 1, full: 2, own: 3 }

/** Each thing that can be done on a case, and the least right it needs. */
export const CASE_ACTIONS = {
  read: 'read',
  // The officer a task is given to completes it (the tasks service checks they are the assignee).
  completeTask: 'read',
  addNote: 'contribute',
  addDocument: 'contribute',
  addIncident: 'contribute',
  addPerson: 'full',
  removePerson: 'full',
  assessRisk: 'full',
  recordIntervention: 'full',
  recordOutcome: 'full',
  recordBreach: 'full',
  recordCallback: 'full',
  editCase: 'own',
  changeStatus: 'own',
  closeCase: 'own',
  reopenCase: 'own',
  shareCase: 'own',
  assignTask: 'own',
  cancelTask: 'own',
  removeDocument: 'own',
} as const satisfies Record<string, CaseRight>
export type CaseAction = keyof typeof CASE_ACTIONS

export interface AccessibleCase {
  id: string
  reference: string
  status: string
  version: number
  owningOrganisationId: string
  isOwner: boolean
  /** What the actor's organisation may do on the case. */
  right: CaseRight
}

export const CLOSED_CASE_MESSAGE = 'This case is closed. Reopen it before changing it.'
const OWNER_ONLY_MESSAGE = 'Only the organisation that owns this case can do this'
const SHARE_MESSAGES: Record<ShareAccess, string> = {
  read: 'Your organisation can only read this case. Ask the organisation that owns it to share it with more rights if you need to change it.',
  contribute: 'Your organisation can read this case and add notes, documents and incidents only. Ask the organisation that owns it to make you a full contributor if you need to do this.',
  full: OWNER_ONLY_MESSAGE,
}

/** Whether a right allows an action: for pages that show or hide a button. */
export function mayDo(right: CaseRight, action: CaseAction): boolean {
  return RANK[right] >= RANK[CASE_ACTIONS[action]]
}

export async function requireCase(db: Executor, actor: Actor, caseId: string, action: CaseAction, options: { allowClosed?: boolean } = {}): Promise<AccessibleCase> {
  const organisationId = actor.organisationId
  // Not found, rather than forbidden, so that a case's existence does not leak to organisations without access.
  if (!organisationId) throw new NotFoundError('Case not found')
  const row = await db
    .selectFrom('cases')
    .leftJoin('case_shares', (join) => join.onRef('case_shares.case_id', '=', 'cases.id').on('case_shares.organisation_id', '=', organisationId).on('case_shares.revoked_at', 'is', null))
    .select(['cases.id', 'cases.reference', 'cases.status', 'cases.version', 'cases.owning_organisation_id', 'case_shares.access'])
    .where('cases.id', '=', caseId)
    .where('cases.id', 'in', visibleCaseIds(db, organisationId))
    .executeTakeFirst()
  if (!row) throw new NotFoundError('Case not found')
  const isOwner = row.owning_organisation_id === organisationId
  // Seen through an information sharing agreement alone: read.
  const right: CaseRight = isOwner ? 'own' : (row.access ?? 'read')
  const needed = CASE_ACTIONS[action]
  if (!mayDo(right, action)) throw new ForbiddenError(needed === 'own' || right === 'own' ? OWNER_ONLY_MESSAGE : SHARE_MESSAGES[right])
  if (needed !== 'read' && row.status === 'closed' && !options.allowClosed) throw new ConflictError(CLOSED_CASE_MESSAGE)
  return { id: row.id, reference: row.reference, status: row.status, version: row.version, owningOrganisationId: row.owning_organisation_id, isOwner, right }
}

/** One line on the case timeline, written in the same transaction as the change it describes. */
export async function recordCaseEvent(
  db: Executor,
  actor: Actor,
  event: { caseId: string; kind: string; summary: string; changes?: FieldChange[]; restricted?: boolean; occurredAt?: Date },
) {
  await db
    .insertInto('case_events')
    .values({
      case_id: event.caseId,
      kind: event.kind,
      summary: event.summary,
      user_id: actor.userId,
      organisation_id: actor.organisationId,
      changes: JSON.stringify(event.changes ?? []),
      restricted: event.restricted ?? false,
      ...(event.occurredAt ? { occurred_at: event.occurredAt } : {}),
    })
    .execute()
}

/** The fields whose values differ, for field-level history. */
export function fieldChanges<T extends Record<string, unknown>>(before: T, after: Partial<T>): FieldChange[] {
  const changes: FieldChange[] = []
  for (const field of Object.keys(after) as (keyof T & string)[]) {
    const from = before[field] ?? null
    const to = after[field] ?? null
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ field, from, to })
  }
  return changes
}

export const STALE_EDIT_MESSAGE = 'Someone else changed this record while you were editing it. Your changes have not been saved: check the latest details and make your changes again.'
