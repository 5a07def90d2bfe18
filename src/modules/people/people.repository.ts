import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import { visibleCaseIds, visibleIncidentIds, visiblePersonIds } from '../cases/case-access.js'

const fullName = sql<string>`lower(people.given_names || ' ' || people.family_name)`

/** The person's current address: the open row opened last. */
function currentAddress(db: Executor) {
  return db
    .selectFrom('person_addresses')
    .innerJoin('locations', 'locations.id', 'person_addresses.location_id')
    .select(['person_addresses.id as addressRowId', 'person_addresses.person_id', 'locations.id as locationId', 'locations.address', 'locations.postcode'])
    .where('person_addresses.to_date', 'is', null)
    .distinctOn('person_addresses.person_id')
    .orderBy('person_addresses.person_id')
    .orderBy('person_addresses.from_date', (ob) => ob.desc().nullsLast())
    .orderBy('person_addresses.created_at', 'desc')
}

export interface SearchFilter {
  q?: string
  dateOfBirth?: string
  address?: string
}

export function peopleRepository(db: Executor) {
  return {
    findById(id: string, executor: Executor = db) {
      return executor
        .selectFrom('people')
        .leftJoin(currentAddress(executor).as('current'), 'current.person_id', 'people.id')
        .selectAll('people')
        .select(['current.address', 'current.postcode', 'current.locationId', 'current.addressRowId'])
        .where('people.id', '=', id)
        .executeTakeFirst()
    },

    isVisible(organisationId: string, id: string, executor: Executor = db) {
      return executor.selectFrom('people').select('id').where('id', '=', id).where('id', 'in', visiblePersonIds(executor, organisationId)).executeTakeFirst().then(Boolean)
    },

    /** Locks the row for the rest of the transaction, so two saves cannot both pass the version check. */
    lock(id: string, executor: Executor) {
      return executor.selectFrom('people').select(['id', 'version', 'merged_into_id']).where('id', '=', id).forUpdate().executeTakeFirst()
    },

    /** Sensitive fields are for the organisation that recorded the person and the owners of cases they are on. */
    async maySeeSensitive(organisationId: string, id: string, executor: Executor = db) {
      const row = await executor
        .selectFrom('people')
        .select('id')
        .where('id', '=', id)
        .where((eb) =>
          eb.or([
            eb('people.created_by_organisation_id', '=', organisationId),
            eb.exists(
              eb
                .selectFrom('case_people')
                .innerJoin('cases', 'cases.id', 'case_people.case_id')
                .select(sql`1`.as('one'))
                .whereRef('case_people.person_id', '=', 'people.id')
                .where('cases.owning_organisation_id', '=', organisationId),
            ),
          ]),
        )
        .executeTakeFirst()
      return Boolean(row)
    },

    addressHistory(id: string, executor: Executor = db) {
      return executor
        .selectFrom('person_addresses')
        .innerJoin('locations', 'locations.id', 'person_addresses.location_id')
        .select(['locations.address', 'locations.postcode', 'person_addresses.from_date as fromDate', 'person_addresses.to_date as toDate'])
        .where('person_addresses.person_id', '=', id)
        .orderBy(sql`person_addresses.to_date is null`, 'desc')
        .orderBy('person_addresses.from_date', (ob) => ob.desc().nullsLast())
        .orderBy('person_addresses.created_at', 'desc')
        .execute()
    },

    visibleCases(organisationId: string, id: string, executor: Executor = db) {
      return executor
        .selectFrom('case_people')
        .innerJoin('cases', 'cases.id', 'case_people.case_id')
        .innerJoin('organisations', 'organisations.id', 'cases.owning_organisation_id')
        .select(['cases.id', 'cases.reference', 'cases.title', 'cases.status', 'case_people.role', 'case_people.role_detail as roleDetail', 'organisations.name as owningOrganisation'])
        .where('case_people.person_id', '=', id)
        .where('cases.id', 'in', visibleCaseIds(executor, organisationId))
        .orderBy('cases.opened_at', 'desc')
        .execute()
    },

    visibleIncidents(organisationId: string, id: string, executor: Executor = db) {
      return executor
        .selectFrom('incidents')
        .innerJoin('incident_types', 'incident_types.code', 'incidents.type_code')
        .leftJoin('cases', 'cases.id', 'incidents.case_id')
        .select(['incidents.id', 'incidents.reference', 'incidents.occurred_at as occurredAt', 'incident_types.label as type', 'cases.reference as caseReference'])
        .where('incidents.reporting_person_id', '=', id)
        .where('incidents.id', 'in', visibleIncidentIds(executor, organisationId))
        .orderBy('incidents.occurred_at', 'desc')
        .execute()
    },

    /**
     * Repeat victim: a victim on two or more cases, or the reporter of three or more incidents in the last six months.
     * Counted across the partnership (a flag, not the records), so that no victim falls between organisations.
     */
    async isRepeatVictim(id: string, executor: Executor = db) {
      const row = await executor
        .selectNoFrom((eb) => [
          eb.selectFrom('case_people').select(eb.fn.countAll<number>().as('n')).where('person_id', '=', id).where('role', '=', 'victim').as('victimCases'),
          eb
            .selectFrom('incidents')
            .select(eb.fn.countAll<number>().as('n'))
            .where('reporting_person_id', '=', id)
            .where('reported_at', '>=', sql<Date>`now() - interval '6 months'`)
            .as('recentReports'),
        ])
        .executeTakeFirstOrThrow()
      return Number(row.victimCases) >= 2 || Number(row.recentReports) >= 3
    },

    /** Typo-tolerant: prefix matches on names and aliases first, then trigram similarity. */
    search(organisationId: string, filter: SearchFilter, limit = 50) {
      const q = (filter.q ?? '').trim().toLowerCase().replace(/\s+/g, ' ')
      const prefix = `${q.replace(/[\\%_]/g, '\\$&')}%`
      let query = db
        .selectFrom('people')
        .leftJoin(currentAddress(db).as('current'), 'current.person_id', 'people.id')
        .select([
          'people.id',
          'people.given_names as givenNames',
          'people.family_name as familyName',
          'people.aliases',
          'people.date_of_birth as dateOfBirth',
          'current.address',
          'current.postcode',
        ])
        .where('people.id', 'in', visiblePersonIds(db, organisationId))
      if (q) {
        const prefixMatch = sql<boolean>`(${fullName} like ${prefix} or lower(people.family_name) like ${prefix} or lower(people.given_names) like ${prefix}
          or exists (select 1 from unnest(people.aliases) alias where lower(alias) like ${prefix}))`
        const score = sql<number>`greatest(similarity(${fullName}, ${q}), word_similarity(${q}, ${fullName}),
          coalesce((select max(similarity(lower(alias), ${q})) from unnest(people.aliases) alias), 0))`
        query = query.where(sql<boolean>`(${prefixMatch} or ${score} > 0.3)`).orderBy(prefixMatch, 'desc').orderBy(score, 'desc')
      }
      if (filter.dateOfBirth) query = query.where('people.date_of_birth', '=', filter.dateOfBirth)
      if (filter.address) {
        const pattern = `%${filter.address.trim().replace(/[\\%_]/g, '\\$&')}%`
        query = query.where((eb) =>
          eb.exists(
            eb
              .selectFrom('person_addresses')
              .innerJoin('locations', 'locations.id', 'person_addresses.location_id')
              .select(sql`1`.as('one'))
              .whereRef('person_addresses.person_id', '=', 'people.id')
              .where((address) => address.or([address('locations.address', 'ilike', pattern), address(sql<string>`replace(locations.postcode, ' ', '')`, 'ilike', pattern.replace(/ /g, ''))])),
          ),
        )
      }
      return query.orderBy('people.family_name').orderBy('people.given_names').limit(limit).execute()
    },

    /** Likely duplicates among the people the organisation may see: same name and date of birth, or a similar name at the same address. */
    findDuplicates(organisationId: string, candidate: { givenNames: string; familyName: string; dateOfBirth: string | null; locationId: string | null; excludeId?: string }, executor: Executor = db) {
      const name = `${candidate.givenNames} ${candidate.familyName}`.trim().toLowerCase().replace(/\s+/g, ' ')
      return executor
        .selectFrom('people')
        .leftJoin(currentAddress(executor).as('current'), 'current.person_id', 'people.id')
        .select(['people.id', 'people.given_names as givenNames', 'people.family_name as familyName', 'people.date_of_birth as dateOfBirth', 'current.address', 'current.postcode'])
        .where('people.id', 'in', visiblePersonIds(executor, organisationId))
        .$if(Boolean(candidate.excludeId), (query) => query.where('people.id', '<>', candidate.excludeId!))
        .where((eb) => {
          const checks = []
          if (candidate.dateOfBirth) {
            checks.push(
              eb.and([
                eb(sql<string>`lower(trim(people.family_name))`, '=', candidate.familyName.trim().toLowerCase()),
                eb(sql<string>`lower(regexp_replace(trim(people.given_names), '\\s+', ' ', 'g'))`, '=', candidate.givenNames.trim().toLowerCase().replace(/\s+/g, ' ')),
                eb('people.date_of_birth', '=', candidate.dateOfBirth),
              ]),
            )
          }
          if (candidate.locationId) {
            checks.push(
              eb.and([
                eb(sql<number>`similarity(${fullName}, ${name})`, '>', 0.45),
                eb.exists(eb.selectFrom('person_addresses').select(sql`1`.as('one')).whereRef('person_addresses.person_id', '=', 'people.id').where('person_addresses.location_id', '=', candidate.locationId)),
              ]),
            )
          }
          return checks.length ? eb.or(checks) : sql<boolean>`false`
        })
        .orderBy('people.family_name')
        .limit(20)
        .execute()
    },

    /** The location with this address and postcode, matched as the unique index locations_address_key matches them. */
    findLocation(address: string, postcode: string | null, executor: Executor = db) {
      return executor
        .selectFrom('locations')
        .select('id')
        .where(sql<string>`lower(regexp_replace(trim(address), '\\s+', ' ', 'g'))`, '=', sql<string>`lower(regexp_replace(trim(${address}::text), '\\s+', ' ', 'g'))`)
        .where(sql<string>`coalesce(upper(replace(postcode, ' ', '')), '')`, '=', sql<string>`coalesce(upper(replace(${postcode}::text, ' ', '')), '')`)
        .executeTakeFirst()
        .then((row) => row?.id ?? null)
    },

    async findOrCreateLocation(address: string, postcode: string | null, executor: Executor) {
      const existing = await this.findLocation(address, postcode, executor)
      if (existing) return existing
      const inserted = await sql<{ id: string }>`insert into locations (address, postcode) values (${address.trim().replace(/\s+/g, ' ')}, ${postcode})
        on conflict ((lower(regexp_replace(trim(address), '\\s+', ' ', 'g'))), (coalesce(upper(replace(postcode, ' ', '')), ''))) do nothing returning id`.execute(executor)
      return inserted.rows[0]?.id ?? (await this.findLocation(address, postcode, executor))!
    },

    closeAddress(addressRowId: string, executor: Executor) {
      return executor.updateTable('person_addresses').set({ to_date: sql<string>`greatest(current_date, coalesce(from_date, current_date))` }).where('id', '=', addressRowId).execute()
    },

    openAddress(personId: string, locationId: string, executor: Executor) {
      return executor.insertInto('person_addresses').values({ person_id: personId, location_id: locationId, from_date: sql<string>`current_date` }).execute()
    },

    forCase(caseId: string, executor: Executor = db) {
      return executor
        .selectFrom('case_people')
        .innerJoin('people', 'people.id', 'case_people.person_id')
        .select([
          'people.id',
          'people.given_names as givenNames',
          'people.family_name as familyName',
          'people.date_of_birth as dateOfBirth',
          'people.vulnerable',
          'people.risk_to_staff as riskToStaff',
          'case_people.role',
          'case_people.role_detail as roleDetail',
          (eb) =>
            eb
              .selectFrom('risk_assessments')
              .select('risk_assessments.level')
              .whereRef('risk_assessments.person_id', '=', 'people.id')
              .whereRef('risk_assessments.case_id', '=', 'case_people.case_id')
              .orderBy('risk_assessments.assessed_at', 'desc')
              .limit(1)
              .as('riskLevel'),
        ])
        .where('case_people.case_id', '=', caseId)
        .orderBy(sql`array_position(array['victim', 'perpetrator', 'witness', 'other'], case_people.role)`)
        .orderBy('case_people.added_at')
        .execute()
    },
  }
}

export type PeopleRepository = ReturnType<typeof peopleRepository>
