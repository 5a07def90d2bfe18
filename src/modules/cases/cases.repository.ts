import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import { escapeLike } from '../../platform/db/like.js'
import type { ShareAccess } from '../../platform/db/schema.js'
import { visibleCaseIds } from './case-access.js'
import type { CaseListFilter } from './cases.schemas.js'

export const CASE_PAGE_SIZE = 50

/** The only SQL for cases, their notes, shares, tasks, timeline and call-backs. */
export function casesRepository(db: Executor) {
  const summaryColumns = [
    'cases.id',
    'cases.reference',
    'cases.title',
    'cases.type',
    'cases.status',
    'cases.priority',
    'cases.owning_organisation_id as owningOrganisationId',
    'owner.name as owningOrganisationName',
    'cases.lead_officer_id as leadOfficerId',
    'lead.name as leadOfficerName',
    'cases.risk_level as riskLevel',
    'cases.high_risk as highRisk',
    'cases.review_date as reviewDate',
    'cases.opened_at as openedAt',
    'cases.closed_at as closedAt',
    'cases.version',
  ] as const

  const visibleSummaries = (executor: Executor, organisationId: string) =>
    executor
      .selectFrom('cases')
      .innerJoin('organisations as owner', 'owner.id', 'cases.owning_organisation_id')
      .leftJoin('users as lead', 'lead.id', 'cases.lead_officer_id')
      .where('cases.id', 'in', visibleCaseIds(executor, organisationId))

  const filtered = (executor: Executor, organisationId: string, userId: string, filter: CaseListFilter) => {
    let query = visibleSummaries(executor, organisationId)
    if (filter.view === 'mine') query = query.where('cases.lead_officer_id', '=', userId)
    if (filter.view === 'review') query = query.where('cases.status', '<>', 'closed').where('cases.review_date', '<=', sql<string>`current_date + 7`)
    if (filter.view === 'high_risk') query = query.where('cases.status', '<>', 'closed').where('cases.high_risk', '=', true)
    if (filter.status === 'live') query = query.where('cases.status', '<>', 'closed')
    else if (filter.status) query = query.where('cases.status', '=', filter.status)
    if (filter.type) query = query.where('cases.type', '=', filter.type)
    if (filter.q) {
      const term = `%${escapeLike(filter.q)}%`
      query = query.where((eb) => eb.or([eb('cases.reference', 'ilike', term), eb('cases.title', 'ilike', term)]))
    }
    return query
  }

  return {
    async list(organisationId: string, userId: string, filter: CaseListFilter, executor: Executor = db) {
      const base = filtered(executor, organisationId, userId, filter)
      const [rows, count] = await Promise.all([
        base
          .select(summaryColumns)
          .orderBy(filter.view === 'review' ? 'cases.review_date' : 'cases.opened_at', filter.view === 'review' ? 'asc' : 'desc')
          .orderBy('cases.reference', 'desc')
          .limit(CASE_PAGE_SIZE)
          .offset((filter.page - 1) * CASE_PAGE_SIZE)
          .execute(),
        base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
      ])
      return { rows, total: Number(count.total) }
    },

    /** Every matching case, for exports. */
    listAll(organisationId: string, userId: string, filter: CaseListFilter, executor: Executor = db) {
      return filtered(executor, organisationId, userId, filter).select(summaryColumns).orderBy('cases.opened_at', 'desc').execute()
    },

    /** Live cases per lead officer of the organisation: the team caseload. */
    caseload(organisationId: string, executor: Executor = db) {
      return executor
        .selectFrom('users')
        .leftJoin('cases', (join) => join.onRef('cases.lead_officer_id', '=', 'users.id').on('cases.status', '<>', 'closed').on('cases.owning_organisation_id', '=', organisationId))
        .where('users.organisation_id', '=', organisationId)
        .where('users.active', '=', true)
        .where(sql<boolean>`'case_manager' = any(users.roles)`)
        .groupBy(['users.id', 'users.name'])
        .select((eb) => [
          'users.id',
          'users.name',
          eb.fn.count<number>('cases.id').as('live'),
          eb.fn.count<number>('cases.id').filterWhere('cases.high_risk', '=', true).as('highRisk'),
          eb.fn.count<number>('cases.id').filterWhere('cases.review_date', '<', sql<string>`current_date`).as('reviewOverdue'),
        ])
        .orderBy('users.name')
        .execute()
    },

    findVisible(organisationId: string, caseId: string, executor: Executor = db) {
      return visibleSummaries(executor, organisationId)
        .where('cases.id', '=', caseId)
        .select([...summaryColumns, 'cases.summary', 'cases.closure_outcome as closureOutcome', 'cases.closure_reason as closureReason', 'cases.victim_satisfaction as victimSatisfaction'])
        .executeTakeFirst()
    },

    async nextReference(year: number, executor: Executor = db) {
      const { value } = await sql<{ value: number }>`select nextval('case_reference_seq')::int as value`.execute(executor).then((result) => result.rows[0]!)
      return `ASB-${year}-${String(value).padStart(6, '0')}`
    },

    insert(values: { reference: string; title: string; type: string; priority: string; summary: string | null; owningOrganisationId: string; leadOfficerId: string | null; createdBy: string | null }, executor: Executor = db) {
      return executor
        .insertInto('cases')
        .values({
          reference: values.reference,
          title: values.title,
          type: values.type,
          priority: values.priority,
          summary: values.summary,
          owning_organisation_id: values.owningOrganisationId,
          lead_officer_id: values.leadOfficerId,
          created_by: values.createdBy,
        })
        .returning(['id', 'reference'])
        .executeTakeFirstOrThrow()
    },

    /** Optimistic locking: the row changes only if nobody saved it since `version` was read. */
    async updateVersioned(
      caseId: string,
      version: number,
      values: Partial<{ title: string; type: string; priority: string; summary: string | null; lead_officer_id: string | null; status: string; closed_at: Date | null; closure_outcome: string | null; closure_reason: string | null; victim_satisfaction: string | null }>,
      executor: Executor = db,
    ) {
      const result = await executor
        .updateTable('cases')
        .set({ ...values, version: sql<number>`version + 1`, updated_at: new Date() })
        .where('id', '=', caseId)
        .where('version', '=', version)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },

    hasVictim(caseId: string, executor: Executor = db) {
      return executor.selectFrom('case_people').select('person_id').where('case_id', '=', caseId).where('role', '=', 'victim').executeTakeFirst().then(Boolean)
    },

    insertNote(values: { caseId: string; body: string; restricted: boolean; authorId: string; organisationId: string }, executor: Executor = db) {
      return executor
        .insertInto('case_notes')
        .values({ case_id: values.caseId, body: values.body, restricted: values.restricted, author_id: values.authorId, organisation_id: values.organisationId })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    notes(caseId: string, includeRestricted: boolean, executor: Executor = db) {
      let query = executor
        .selectFrom('case_notes')
        .innerJoin('users', 'users.id', 'case_notes.author_id')
        .innerJoin('organisations', 'organisations.id', 'case_notes.organisation_id')
        .where('case_notes.case_id', '=', caseId)
        .select(['case_notes.id', 'case_notes.body', 'case_notes.restricted', 'case_notes.created_at as createdAt', 'users.name as authorName', 'organisations.name as organisationName'])
        .orderBy('case_notes.created_at', 'desc')
      if (!includeRestricted) query = query.where('case_notes.restricted', '=', false)
      return query.execute()
    },

    timeline(caseId: string, includeRestricted: boolean, executor: Executor = db) {
      let query = executor
        .selectFrom('case_events')
        .leftJoin('users', 'users.id', 'case_events.user_id')
        .leftJoin('organisations', 'organisations.id', 'case_events.organisation_id')
        .where('case_events.case_id', '=', caseId)
        .select(['case_events.id', 'case_events.occurred_at as occurredAt', 'case_events.kind', 'case_events.summary', 'case_events.changes', 'users.name as userName', 'organisations.name as organisationName'])
        .orderBy('case_events.occurred_at', 'desc')
        .orderBy('case_events.id', 'desc')
      if (!includeRestricted) query = query.where('case_events.restricted', '=', false)
      return query.execute()
    },

    liveShares(caseId: string, executor: Executor = db) {
      return executor
        .selectFrom('case_shares')
        .innerJoin('organisations', 'organisations.id', 'case_shares.organisation_id')
        .innerJoin('users', 'users.id', 'case_shares.shared_by')
        .where('case_shares.case_id', '=', caseId)
        .where('case_shares.revoked_at', 'is', null)
        .select(['case_shares.id', 'case_shares.organisation_id as organisationId', 'organisations.name as organisationName', 'case_shares.reason', 'case_shares.access', 'case_shares.shared_at as sharedAt', 'users.name as sharedByName'])
        .orderBy('organisations.name')
        .execute()
    },

    insertShare(values: { caseId: string; organisationId: string; reason: string; sharedBy: string; access: ShareAccess }, executor: Executor = db) {
      return executor
        .insertInto('case_shares')
        .values({ case_id: values.caseId, organisation_id: values.organisationId, reason: values.reason, shared_by: values.sharedBy, access: values.access })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    activeOrganisation(organisationId: string, executor: Executor = db) {
      return executor.selectFrom('organisations').select(['id', 'name']).where('id', '=', organisationId).where('active', '=', true).executeTakeFirst()
    },

    liveShare(caseId: string, organisationId: string, executor: Executor = db) {
      return executor.selectFrom('case_shares').select(['id', 'access']).where('case_id', '=', caseId).where('organisation_id', '=', organisationId).where('revoked_at', 'is', null).executeTakeFirst()
    },

    changeShareAccess(shareId: string, access: ShareAccess, executor: Executor = db) {
      return executor.updateTable('case_shares').set({ access }).where('id', '=', shareId).execute()
    },

    async revokeShare(caseId: string, shareId: string, revokedBy: string, executor: Executor = db) {
      return executor
        .updateTable('case_shares')
        .set({ revoked_at: new Date(), revoked_by: revokedBy })
        .where('id', '=', shareId)
        .where('case_id', '=', caseId)
        .where('revoked_at', 'is', null)
        .returning(['organisation_id as organisationId'])
        .executeTakeFirst()
    },

    /** Who has opened the case page, from the audit log: most recent view per user. */
    viewers(caseId: string, executor: Executor = db) {
      return executor
        .selectFrom('audit_events')
        .innerJoin('users', 'users.id', 'audit_events.user_id')
        .leftJoin('organisations', 'organisations.id', 'audit_events.organisation_id')
        .where('audit_events.record_type', '=', 'case')
        .where('audit_events.record_id', '=', caseId)
        .where('audit_events.action', '=', 'case.viewed')
        .groupBy(['users.id', 'users.name', 'organisations.name'])
        .select((eb) => ['users.name as userName', 'organisations.name as organisationName', eb.fn.max('audit_events.occurred_at').as('lastViewedAt'), eb.fn.countAll<number>().as('views')])
        .orderBy('lastViewedAt', 'desc')
        .limit(50)
        .execute()
    },

    insertCallback(values: { caseId: string; reached: boolean; satisfaction: string | null; notes: string | null; calledBy: string }, executor: Executor = db) {
      return executor
        .insertInto('callbacks')
        .values({ case_id: values.caseId, called_at: new Date(), reached: values.reached, satisfaction: values.satisfaction, notes: values.notes, called_by: values.calledBy })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    callbacks(caseId: string, executor: Executor = db) {
      return executor
        .selectFrom('callbacks')
        .innerJoin('users', 'users.id', 'callbacks.called_by')
        .where('callbacks.case_id', '=', caseId)
        .select(['callbacks.id', 'callbacks.called_at as calledAt', 'callbacks.reached', 'callbacks.satisfaction', 'callbacks.notes', 'users.name as calledByName'])
        .orderBy('callbacks.called_at', 'desc')
        .execute()
    },

    /** The people, incidents and interventions of a case, for its printed summary. */
    async summaryRecords(caseId: string, executor: Executor = db) {
      const [people, incidents, interventions] = await Promise.all([
        executor
          .selectFrom('case_people')
          .innerJoin('people', 'people.id', 'case_people.person_id')
          .where('case_people.case_id', '=', caseId)
          .select(['case_people.role', 'people.given_names as givenNames', 'people.family_name as familyName', 'people.date_of_birth as dateOfBirth'])
          .orderBy('case_people.role')
          .orderBy('people.family_name')
          .execute(),
        executor
          .selectFrom('incidents')
          .innerJoin('incident_types', 'incident_types.code', 'incidents.type_code')
          .leftJoin('locations', 'locations.id', 'incidents.location_id')
          .where('incidents.case_id', '=', caseId)
          .select(['incidents.reference', 'incidents.occurred_at as occurredAt', 'incident_types.label as typeLabel', 'incidents.hate_motivated as hateMotivated', 'incidents.description', 'locations.address', 'incidents.location_text as locationText'])
          .orderBy('incidents.occurred_at')
          .execute(),
        executor
          .selectFrom('interventions')
          .innerJoin('intervention_types', 'intervention_types.code', 'interventions.type_code')
          .leftJoin('people', 'people.id', 'interventions.person_id')
          .where('interventions.case_id', '=', caseId)
          .select(['intervention_types.label as typeLabel', 'interventions.status', 'interventions.issued_on as issuedOn', 'interventions.expires_on as expiresOn', 'people.given_names as givenNames', 'people.family_name as familyName'])
          .orderBy('interventions.issued_on')
          .execute(),
      ])
      return { people, incidents, interventions }
    },

    /** Officers a case's lead can be: active case managers of the organisation. */
    caseManagers(organisationId: string, executor: Executor = db) {
      return executor
        .selectFrom('users')
        .where('organisation_id', '=', organisationId)
        .where('active', '=', true)
        .where(sql<boolean>`'case_manager' = any(roles)`)
        .select(['id', 'name'])
        .orderBy('name')
        .execute()
    },
  }
}

export type CasesRepository = ReturnType<typeof casesRepository>
