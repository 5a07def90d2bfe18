import { type Expression, type SqlBool, sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import type { FieldChange } from '../../platform/db/schema.js'
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'

/**
 * The one scope rule for ASB records. A case is visible to an organisation that owns it, that it is shared with
 * (and not revoked), or that receives the owner's cases under an information sharing agreement in force today.
 * Every list, search, count, export and page of cases, incidents and people goes through these functions.
 */
export function visibleCaseIds(db: Executor, organisationId: string) {
  return db
    .selectFrom('cases')
    .select('cases.id')
    .where((eb) =>
      eb.or([
        eb('cases.owning_organisation_id', '=', organisationId),
        eb.exists(
          eb
            .selectFrom('case_shares')
            .select(sql`1`.as('one'))
            .whereRef('case_shares.case_id', '=', 'cases.id')
            .where('case_shares.organisation_id', '=', organisationId)
            .where('case_shares.revoked_at', 'is', null),
        ),
        eb.exists(
          eb
            .selectFrom('sharing_agreements')
            .select(sql`1`.as('one'))
            .whereRef('sharing_agreements.sharing_organisation_id', '=', 'cases.owning_organisation_id')
            .where('sharing_agreements.receiving_organisation_id', '=', organisationId)
            .where('sharing_agreements.starts_on', '<=', sql<string>`current_date`)
            .where((agreement) => agreement.or([agreement('sharing_agreements.ends_on', 'is', null), agreement('sharing_agreements.ends_on', '>=', sql<string>`current_date`)])),
        ),
      ]),
    )
}

/** Incidents an organisation may see: those it recorded, and those on a case it may see. */
export function visibleIncidentIds(db: Executor, organisationId: string) {
  return db
    .selectFrom('incidents')
    .select('incidents.id')
    .where((eb) => eb.or([eb('incidents.organisation_id', '=', organisationId), eb('incidents.case_id', 'in', visibleCaseIds(db, organisationId))]))
}

/**
 * People an organisation may see: those it added, those on a case it may see, and reporters of incidents it may see.
 * A person merged into another is not listed; links to them were moved to the survivor.
 */
export function visiblePersonIds(db: Executor, organisationId: string) {
  return db
    .selectFrom('people')
    .select('people.id')
    .where('people.merged_into_id', 'is', null)
    .where((eb) =>
      eb.or([
        eb('people.created_by_organisation_id', '=', organisationId),
        eb('people.id', 'in', eb.selectFrom('case_people').select('case_people.person_id').where('case_people.case_id', 'in', visibleCaseIds(db, organisationId))),
        eb('people.id', 'in', eb.selectFrom('incidents').select('incidents.reporting_person_id').where('incidents.id', 'in', visibleIncidentIds(db, organisationId)).where('incidents.reporting_person_id', 'is not', null)),
      ]),
    )
}

export function caseVisibleTo(db: Executor, organisationId: string, caseIdColumn: Expression<string>): Expression<SqlBool> {
  return sql<SqlBool>`${caseIdColumn} in (${visibleCaseIds(db, organisationId)})`
}

/**
 * What a user may do on a case they can see:
 * - read: anyone whose organisation may see it;
 * - contribute: add notes, incidents, people, risk assessments, interventions, complete their tasks (open cases only);
 * - own: change the case itself, share it, assign its tasks, close and reopen it (the owning organisation only).
 * The route's permission (cases:read or cases:manage) has already been checked by the gate.
 */
export type CaseAccessLevel = 'read' | 'contribute' | 'own'

export interface AccessibleCase {
  id: string
  reference: string
  status: string
  version: number
  owningOrganisationId: string
  isOwner: boolean
}

export const CLOSED_CASE_MESSAGE = 'This case is closed. Reopen it before changing it.'

export async function requireCase(db: Executor, actor: Actor, caseId: string, level: CaseAccessLevel, options: { allowClosed?: boolean } = {}): Promise<AccessibleCase> {
  const organisationId = actor.organisationId
  // Not found, rather than forbidden, so that a case's existence does not leak to organisations without access.
  if (!organisationId) throw new NotFoundError('Case not found')
  const row = await db
    .selectFrom('cases')
    .select(['cases.id', 'cases.reference', 'cases.status', 'cases.version', 'cases.owning_organisation_id'])
    .where('cases.id', '=', caseId)
    .where('cases.id', 'in', visibleCaseIds(db, organisationId))
    .executeTakeFirst()
  if (!row) throw new NotFoundError('Case not found')
  const isOwner = row.owning_organisation_id === organisationId
  if (level === 'own' && !isOwner) throw new ForbiddenError('Only the organisation that owns this case can do this')
  if (level !== 'read' && row.status === 'closed' && !options.allowClosed) throw new ConflictError(CLOSED_CASE_MESSAGE)
  return { id: row.id, reference: row.reference, status: row.status, version: row.version, owningOrganisationId: row.owning_organisation_id, isOwner }
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
