import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'

const typeColumns = [
  'code',
  'label',
  'stage',
  'stage_order as stageOrder',
  'legal_basis as legalBasis',
  'min_age as minAge',
  'default_duration_days as defaultDurationDays',
  'max_duration_days as maxDurationDays',
  'fixed_penalty_pence as fixedPenaltyPence',
  'requires_code as requiresCode',
] as const

export function interventionsRepository(db: Executor) {
  return {
    types(executor: Executor = db) {
      return executor.selectFrom('intervention_types').select(typeColumns).where('active', '=', true).orderBy('stage_order').orderBy('sort').execute()
    },

    findType(code: string, executor: Executor = db) {
      return executor.selectFrom('intervention_types').select(typeColumns).where('code', '=', code).where('active', '=', true).executeTakeFirst()
    },

    /** Everyone on the case, once each, with their roles. */
    peopleOnCase(caseId: string, executor: Executor = db) {
      return executor
        .selectFrom('case_people')
        .innerJoin('people', 'people.id', 'case_people.person_id')
        .select([
          'people.id',
          sql<string>`people.given_names || ' ' || people.family_name`.as('name'),
          'people.date_of_birth as dateOfBirth',
          sql<string[]>`array_agg(distinct case_people.role order by case_people.role)`.as('roles'),
        ])
        .where('case_people.case_id', '=', caseId)
        .groupBy(['people.id', 'people.given_names', 'people.family_name', 'people.date_of_birth'])
        .orderBy(sql`min(case_people.added_at)`)
        .execute()
    },

    /** An earlier intervention of a type for the same person (or premises) on the same case. */
    async hasEarlier(caseId: string, typeCode: string, target: { personId: string } | { premisesLocationId: string }, onOrBefore: string, executor: Executor = db) {
      let query = executor
        .selectFrom('interventions')
        .select('id')
        .where('case_id', '=', caseId)
        .where('type_code', '=', typeCode)
        .where('issued_on', '<=', onOrBefore)
        .where('status', '<>', 'withdrawn')
      query = 'personId' in target ? query.where('person_id', '=', target.personId) : query.where('premises_location_id', '=', target.premisesLocationId)
      return Boolean(await query.executeTakeFirst())
    },

    /** The premises as a location: the same address typed twice is one location (see locations_address_key). */
    async findOrCreateLocation(address: string, executor: Executor = db) {
      const normalised = sql<string>`lower(regexp_replace(trim(${address}), '\\s+', ' ', 'g'))`
      const existing = await executor
        .selectFrom('locations')
        .select('id')
        .where(sql<string>`lower(regexp_replace(trim(address), '\\s+', ' ', 'g'))`, '=', normalised)
        .where('postcode', 'is', null)
        .executeTakeFirst()
      if (existing) return existing.id
      return (await executor.insertInto('locations').values({ address: address.trim() }).returning('id').executeTakeFirstOrThrow()).id
    },

    insert(
      values: {
        caseId: string
        personId: string | null
        typeCode: string
        issuedOn: string
        expiresOn: string | null
        reviewOn: string | null
        officerId: string
        organisationId: string
        prohibitions: string | null
        requirements: string | null
        powerOfArrest: boolean
        court: string | null
        premisesLocationId: string | null
        notes: string | null
      },
      executor: Executor = db,
    ) {
      return executor
        .insertInto('interventions')
        .values({
          case_id: values.caseId,
          person_id: values.personId,
          type_code: values.typeCode,
          issued_on: values.issuedOn,
          expires_on: values.expiresOn,
          review_on: values.reviewOn,
          officer_id: values.officerId,
          organisation_id: values.organisationId,
          prohibitions: values.prohibitions,
          requirements: values.requirements,
          power_of_arrest: values.powerOfArrest,
          court: values.court,
          premises_location_id: values.premisesLocationId,
          notes: values.notes,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    listOnCase(caseId: string, executor: Executor = db) {
      return executor
        .selectFrom('interventions')
        .innerJoin('intervention_types', 'intervention_types.code', 'interventions.type_code')
        .innerJoin('users', 'users.id', 'interventions.officer_id')
        .innerJoin('organisations', 'organisations.id', 'interventions.organisation_id')
        .leftJoin('people', 'people.id', 'interventions.person_id')
        .leftJoin('locations', 'locations.id', 'interventions.premises_location_id')
        .select([
          'interventions.id',
          'interventions.person_id as personId',
          sql<string | null>`people.given_names || ' ' || people.family_name`.as('personName'),
          'interventions.type_code as typeCode',
          'intervention_types.label as typeLabel',
          'intervention_types.stage',
          'intervention_types.stage_order as stageOrder',
          'interventions.status',
          'interventions.issued_on as issuedOn',
          'interventions.expires_on as expiresOn',
          'interventions.review_on as reviewOn',
          'interventions.prohibitions',
          'interventions.requirements',
          'interventions.power_of_arrest as powerOfArrest',
          'interventions.court',
          'locations.address as premisesAddress',
          'interventions.notes',
          'users.name as officerName',
          'organisations.name as organisationName',
          'interventions.created_at as createdAt',
        ])
        .where('interventions.case_id', '=', caseId)
        .orderBy('interventions.issued_on')
        .orderBy('interventions.created_at')
        .execute()
    },

    breachesOnCase(caseId: string, executor: Executor = db) {
      return executor
        .selectFrom('intervention_breaches')
        .innerJoin('interventions', 'interventions.id', 'intervention_breaches.intervention_id')
        .select([
          'intervention_breaches.id',
          'intervention_breaches.intervention_id as interventionId',
          'intervention_breaches.breached_on as breachedOn',
          'intervention_breaches.description',
          'intervention_breaches.action',
          'intervention_breaches.fixed_penalty_pence as fixedPenaltyPence',
        ])
        .where('interventions.case_id', '=', caseId)
        .orderBy('intervention_breaches.breached_on')
        .execute()
    },

    findOnCase(caseId: string, id: string, executor: Executor = db) {
      return executor
        .selectFrom('interventions')
        .innerJoin('intervention_types', 'intervention_types.code', 'interventions.type_code')
        .leftJoin('people', 'people.id', 'interventions.person_id')
        .select([
          'interventions.id',
          'interventions.case_id as caseId',
          'interventions.person_id as personId',
          sql<string | null>`people.given_names || ' ' || people.family_name`.as('personName'),
          'interventions.type_code as typeCode',
          'intervention_types.label as typeLabel',
          'intervention_types.fixed_penalty_pence as typeFixedPenaltyPence',
          'interventions.status',
          'interventions.issued_on as issuedOn',
          'interventions.expires_on as expiresOn',
        ])
        .where('interventions.case_id', '=', caseId)
        .where('interventions.id', '=', id)
        .executeTakeFirst()
    },

    setStatus(id: string, status: string, executor: Executor = db) {
      return executor.updateTable('interventions').set({ status }).where('id', '=', id).execute()
    },

    insertBreach(values: { interventionId: string; breachedOn: string; description: string; action: string; fixedPenaltyPence: number | null; recordedBy: string }, executor: Executor = db) {
      return executor
        .insertInto('intervention_breaches')
        .values({
          intervention_id: values.interventionId,
          breached_on: values.breachedOn,
          description: values.description,
          action: values.action,
          fixed_penalty_pence: values.fixedPenaltyPence,
          recorded_by: values.recordedBy,
        })
        .returning(['id', 'breached_on as breachedOn', 'action', 'fixed_penalty_pence as fixedPenaltyPence'])
        .executeTakeFirstOrThrow()
    },
  }
}

export type InterventionsRepository = ReturnType<typeof interventionsRepository>
