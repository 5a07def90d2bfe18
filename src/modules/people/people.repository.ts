import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import { escapeLike } from '../../platform/db/like.js'
import { caseRowVisibleTo, personRowChangeableBy, personRowVisibleTo, visibleCaseIds, visibleIncidentIds, visiblePersonIds } from '../cases/case-access.js'

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

export interface PersonSearchResult {
  id: string
  givenNames: string
  familyName: string
  aliases: string[]
  dateOfBirth: string | null
  address: string | null
  postcode: string | null
}

/** Trigram similarity at which a dictionary word counts as a spelling of a word typed ("smtih" is 0.2 from "smith"). */
const CLOSE_WORD_THRESHOLD = 0.2
/** How many of the closest dictionary words each word typed may stand for. */
const CLOSE_WORDS = 10
const fullNameOf = sql`lower(p.given_names || ' ' || p.family_name)`
/** How close a person's names are to the search, 0 to 1. */
const score = (q: string) =>
  sql`greatest(similarity(${q}, ${fullNameOf}), word_similarity(${q}, ${fullNameOf}), word_similarity(${q}, people_alias_text(p.aliases)))`

/**
 * People search, typo-tolerant on names and other names, by date of birth and by address, limited to the people the
 * organisation may see. Each way a name can match is its own index scan in index order with a limit: "starts with"
 * on the full name and on the family name (b-tree), the nearest names by word similarity (GiST, nearest first) and the
 * nearest other names. The scope rule and the other filters are checked as each scan reads rows, so a search reads a
 * few hundred rows however many people there are. The merged list is ranked: the exact name, then "starts with",
 * then the closest spelling, then family name and given names.
 */
export function searchPeopleQuery(organisationId: string, filter: SearchFilter, limit: number) {
  const q = (filter.q ?? '').trim().toLowerCase().replace(/\s+/g, ' ')
  const prefix = `${escapeLike(q)}%`
  const addressTerm = (filter.address ?? '').trim().toLowerCase().replace(/\s+/g, ' ')
  const filters = [sql`p.merged_into_id is null`, personRowVisibleTo(organisationId, 'p')]
  if (filter.dateOfBirth) filters.push(sql`p.date_of_birth = ${filter.dateOfBirth}`)
  if (addressTerm) {
    // An address containing the words, or a postcode starting with them (spaces ignored); any address they have had.
    filters.push(sql`p.id in (select pa.person_id from person_addresses pa join locations l on l.id = pa.location_id
      where lower(l.address) like ${`%${escapeLike(addressTerm)}%`} or upper(replace(l.postcode, ' ', '')) like ${`${escapeLike(addressTerm.replace(/ /g, '').toUpperCase())}%`})`)
  }
  const where = sql.join(filters, sql` and `)
  // Close spellings are looked for only when the "starts with" scans found too few: they rank below every one of
  // those. Each word typed (three letters or more; trigrams cannot tell shorter ones apart) must be close to a word
  // of the person's names or other names (see name_words in migration 0003).
  const words = [...new Set(q.split(/[^\p{L}\p{N}']+/u).filter((word) => word.length >= 3))].slice(0, 4)
  const nameWords = sql`person_name_words(p.given_names, p.family_name, p.aliases)`
  const closeWordsTo = (word: string) => sql`select word from name_words where word % ${word} order by word <-> ${word}, word limit ${CLOSE_WORDS}`
  // One word typed: take the people of each close word in turn, closest word first, each scan stopping at the limit
  // (a common surname's close words hold thousands of people). Several words: every one must be matched, and the
  // people holding a close word for each are few.
  const closeSpellings =
    words.length === 1
      ? sql`select close_match.id from (select word, word <-> ${words[0]} as distance from name_words where word % ${words[0]} order by distance, word limit ${CLOSE_WORDS}) close
          cross join lateral (select p.id from people p where ${nameWords} @> array[close.word] and ${where} limit ${limit}) close_match
          where (select count(*) from starts_with) < ${limit}
          order by close.distance, close.word limit ${limit}`
      : sql`select p.id from people p where (select count(*) from starts_with) < ${limit}
          and ${sql.join(words.map((word) => sql`${nameWords} && array(${closeWordsTo(word)})`), sql` and `)}
          and ${where} order by ${score(q)} desc, p.family_name, p.given_names limit ${limit}`
  const found = q
    ? sql`with starts_with as materialized (
          (select p.id from people p where ${fullNameOf} collate "C" like ${prefix} and ${where} order by ${fullNameOf} collate "C" limit ${limit})
          union (select p.id from people p where lower(p.family_name) collate "C" like ${prefix} and ${where} order by lower(p.family_name) collate "C" limit ${limit}))
        select id from starts_with
        ${words.length ? sql`union (${closeSpellings})` : sql``}`
    : sql`select p.id from people p where ${where} order by p.family_name, p.given_names limit ${limit}`
  const rank = q
    ? sql`(${fullNameOf} = ${q}) desc,
        (${fullNameOf} like ${prefix} or lower(p.family_name) like ${prefix} or exists (select 1 from unnest(p.aliases) alias where lower(alias) like ${prefix})) desc,
        ${score(q)} desc,`
    : sql``
  return sql<PersonSearchResult>`select p.id, p.given_names "givenNames", p.family_name "familyName", p.aliases, p.date_of_birth "dateOfBirth",
      current_address.address, current_address.postcode
    from (${found}) found
    join people p on p.id = found.id
    left join lateral (
      select l.address, l.postcode from person_addresses pa join locations l on l.id = pa.location_id
      where pa.person_id = p.id and pa.to_date is null order by pa.from_date desc nulls last, pa.created_at desc limit 1
    ) current_address on true
    order by ${rank} p.family_name, p.given_names, p.id
    limit ${limit}`
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

    isChangeable(organisationId: string, id: string, executor: Executor = db) {
      return executor.selectFrom('people').select('id').where('id', '=', id).where(personRowChangeableBy(organisationId)).executeTakeFirst().then(Boolean)
    },

    /** Locks the row for the rest of the transaction, so two saves cannot both pass the version check. */
    lock(id: string, executor: Executor) {
      return executor.selectFrom('people').select(['id', 'version', 'merged_into_id']).where('id', '=', id).forUpdate().executeTakeFirst()
    },

    /** The sensitive details this organisation recorded about the person, with who recorded them; never another organisation's. */
    sensitiveDetails(organisationId: string, personId: string, executor: Executor = db) {
      return executor
        .selectFrom('person_sensitive_details as details')
        .innerJoin('organisations', 'organisations.id', 'details.organisation_id')
        .leftJoin('users as recorder', 'recorder.id', 'details.recorded_by')
        .leftJoin('users as updater', 'updater.id', 'details.updated_by')
        .select([
          'details.id',
          'details.vulnerabilities',
          'details.protected_characteristics as protectedCharacteristics',
          'details.reason',
          'organisations.name as organisation',
          'recorder.name as recordedBy',
          'details.recorded_at as recordedAt',
          'updater.name as updatedBy',
          'details.updated_at as updatedAt',
        ])
        .where('details.person_id', '=', personId)
        .where('details.organisation_id', '=', organisationId)
        .executeTakeFirst()
    },

    /** Records, changes or (when both fields are empty) removes this organisation's sensitive details about the person. */
    async saveSensitiveDetails(
      organisationId: string,
      personId: string,
      userId: string | null,
      details: { vulnerabilities: string | null; protectedCharacteristics: string | null; reason: string | null },
      executor: Executor,
    ) {
      if (!details.vulnerabilities && !details.protectedCharacteristics) {
        await executor.deleteFrom('person_sensitive_details').where('person_id', '=', personId).where('organisation_id', '=', organisationId).execute()
        return
      }
      await executor
        .insertInto('person_sensitive_details')
        .values({
          person_id: personId,
          organisation_id: organisationId,
          vulnerabilities: details.vulnerabilities,
          protected_characteristics: details.protectedCharacteristics,
          reason: details.reason!,
          recorded_by: userId,
          updated_by: userId,
        })
        .onConflict((oc) =>
          oc.columns(['person_id', 'organisation_id']).doUpdateSet({
            vulnerabilities: details.vulnerabilities,
            protected_characteristics: details.protectedCharacteristics,
            reason: details.reason!,
            updated_by: userId,
            updated_at: sql`now()`,
          }),
        )
        .execute()
    },

    /**
     * Of these people, those the organisation does not hold alone: recorded by another organisation, on another
     * organisation's case, the reporter of another organisation's incident, linked to a record on another
     * organisation's case, or with sensitive details another organisation recorded. Changing such a person by a merge
     * would change what that organisation sees on its own records.
     */
    async heldByOthers(organisationId: string, personIds: string[], executor: Executor = db) {
      const otherCase = (caseColumn: string) => sql<boolean>`exists (select 1 from cases held_case where held_case.id = ${sql.ref(caseColumn)} and held_case.owning_organisation_id <> ${organisationId})`
      const rows = await executor
        .selectFrom('people')
        .select('people.id')
        .where('people.id', 'in', personIds)
        .where((eb) =>
          eb.or([
            eb('people.created_by_organisation_id', 'is', null),
            eb('people.created_by_organisation_id', '<>', organisationId),
            eb.exists(eb.selectFrom('case_people').select(sql`1`.as('one')).whereRef('case_people.person_id', '=', 'people.id').where(otherCase('case_people.case_id'))),
            eb.exists(
              eb
                .selectFrom('incidents')
                .select(sql`1`.as('one'))
                .whereRef('incidents.reporting_person_id', '=', 'people.id')
                .where((inner) => inner.or([inner('incidents.organisation_id', '<>', organisationId), otherCase('incidents.case_id')])),
            ),
            eb.exists(eb.selectFrom('risk_assessments').select(sql`1`.as('one')).whereRef('risk_assessments.person_id', '=', 'people.id').where(otherCase('risk_assessments.case_id'))),
            eb.exists(eb.selectFrom('interventions').select(sql`1`.as('one')).whereRef('interventions.person_id', '=', 'people.id').where(otherCase('interventions.case_id'))),
            eb.exists(eb.selectFrom('callbacks').select(sql`1`.as('one')).whereRef('callbacks.person_id', '=', 'people.id').where(otherCase('callbacks.case_id'))),
            eb.exists(
              eb
                .selectFrom('person_sensitive_details')
                .select(sql`1`.as('one'))
                .whereRef('person_sensitive_details.person_id', '=', 'people.id')
                .where((inner) => inner.or([inner('person_sensitive_details.organisation_id', 'is', null), inner('person_sensitive_details.organisation_id', '<>', organisationId)])),
            ),
          ]),
        )
        .execute()
      return rows.map((row) => row.id)
    },

    /** On a merge: the duplicate's details from this organisation move to the survivor unless it has its own. */
    async moveSensitiveDetails(organisationId: string, fromPersonId: string, toPersonId: string, executor: Executor) {
      const kept = await executor.selectFrom('person_sensitive_details').select('id').where('person_id', '=', toPersonId).where('organisation_id', '=', organisationId).executeTakeFirst()
      if (kept) return 0
      const moved = await executor
        .updateTable('person_sensitive_details')
        .set({ person_id: toPersonId })
        .where('person_id', '=', fromPersonId)
        .where('organisation_id', '=', organisationId)
        .executeTakeFirst()
      return Number(moved.numUpdatedRows)
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
        // The case's reference only when the reader may see the case.
        .leftJoin('cases', (join) => join.onRef('cases.id', '=', 'incidents.case_id').on(caseRowVisibleTo(organisationId)))
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

    /** See searchPeopleQuery. pg_trgm's `%` uses the threshold set here, for this transaction only. */
    search(organisationId: string, filter: SearchFilter, limit = 50) {
      return db.transaction().execute(async (trx) => {
        await sql`select set_config('pg_trgm.similarity_threshold', ${String(CLOSE_WORD_THRESHOLD)}, true)`.execute(trx)
        return (await searchPeopleQuery(organisationId, filter, limit).execute(trx)).rows
      })
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

    /** A person's place on a case in one role, with their name: for the remove page. */
    caseLink(caseId: string, personId: string, role: string, executor: Executor = db) {
      return executor
        .selectFrom('case_people')
        .innerJoin('people', 'people.id', 'case_people.person_id')
        .select(['people.id', 'people.given_names as givenNames', 'people.family_name as familyName', 'case_people.role', 'case_people.role_detail as roleDetail'])
        .where('case_people.case_id', '=', caseId)
        .where('case_people.person_id', '=', personId)
        .where('case_people.role', '=', role)
        .executeTakeFirst()
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
