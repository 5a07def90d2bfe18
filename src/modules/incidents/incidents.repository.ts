import { type Expression, type Insertable, type RawBuilder, type SqlBool, sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import { escapeLike } from '../../platform/db/like.js'
import type { IncidentsTable } from '../../platform/db/schema.js'
import { caseRowVisibleTo, incidentRowVisibleTo, visibleCaseIds, visibleIncidentIds, visiblePersonIds } from '../cases/case-access.js'
import { everyWordIn, matchesAtLeast, placeMatches, referenceMatch, SEARCH_CANDIDATES, type SearchTerm } from '../search/search.terms.js'
import type { IncidentFilters } from './incidents.schemas.js'
import { ukStartOfDay } from './incidents.schemas.js'

const nextDay = (isoDate: string) => {
  const date = new Date(`${isoDate}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + 1)
  return date.toISOString().slice(0, 10)
}

export function incidentsRepository(db: Executor) {
  /** An incident's case and its reference only when the reader may see that case (an organisation sees the incidents it recorded on any case). */
  const base = (organisationId: string) =>
    db
      .selectFrom('incidents')
      .innerJoin('incident_types', 'incident_types.code', 'incidents.type_code')
      .innerJoin('organisations', 'organisations.id', 'incidents.organisation_id')
      .leftJoin('locations', 'locations.id', 'incidents.location_id')
      .leftJoin('cases', (join) => join.onRef('cases.id', '=', 'incidents.case_id').on(caseRowVisibleTo(organisationId)))
      .select([
        'incidents.id',
        'incidents.reference',
        'incidents.occurred_at as occurredAt',
        'incidents.reported_at as reportedAt',
        'incidents.channel',
        'incidents.type_code as typeCode',
        'incident_types.label as typeLabel',
        'incidents.category',
        'incidents.hate_motivated as hateMotivated',
        'incidents.hate_strands as hateStrands',
        'incidents.description',
        'incidents.location_id as locationId',
        'locations.address',
        'locations.postcode',
        'incidents.location_text as locationText',
        'locations.district_code as districtCode',
        'locations.ward_name as wardName',
        'incidents.reporting_person_id as reportingPersonId',
        'cases.id as caseId',
        'cases.reference as caseReference',
        sql<boolean>`incidents.case_id is not null`.as('onCase'),
        'incidents.organisation_id as organisationId',
        'organisations.name as organisationName',
        'incidents.created_at as createdAt',
      ])

  return {
    types(options: { includeInactive?: boolean } = {}) {
      let query = db.selectFrom('incident_types').select(['code', 'label', 'category']).orderBy('sort').orderBy('label')
      if (!options.includeInactive) query = query.where('active', '=', true)
      return query.execute()
    },

    activeType(code: string) {
      return db.selectFrom('incident_types').select(['code', 'label', 'category']).where('code', '=', code).where('active', '=', true).executeTakeFirst()
    },

    /** One incident, if the organisation may see it. */
    findVisible(id: string, organisationId: string) {
      return base(organisationId).where('incidents.id', '=', id).where('incidents.id', 'in', visibleIncidentIds(db, organisationId)).executeTakeFirst()
    },

    async page(organisationId: string, filters: IncidentFilters, limit: number) {
      let query = db.selectFrom('incidents').where('incidents.id', 'in', visibleIncidentIds(db, organisationId))
      if (filters.type) query = query.where('incidents.type_code', '=', filters.type)
      if (filters.category) query = query.where('incidents.category', '=', filters.category)
      if (filters.hateMotivated) query = query.where('incidents.hate_motivated', '=', filters.hateMotivated === 'yes')
      if (filters.from) query = query.where('incidents.occurred_at', '>=', ukStartOfDay(filters.from))
      if (filters.to) query = query.where('incidents.occurred_at', '<', ukStartOfDay(nextDay(filters.to)))
      const ids = query.select('incidents.id')
      const { total } = await query.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow()
      const rows = await base(organisationId)
        .where('incidents.id', 'in', ids)
        .orderBy('incidents.occurred_at', 'desc')
        .orderBy('incidents.reference', 'desc')
        .limit(limit)
        .offset((filters.page - 1) * limit)
        .execute()
      return { rows, total }
    },

    forCase(caseId: string, organisationId: string) {
      return base(organisationId).where('incidents.case_id', '=', caseId).orderBy('incidents.occurred_at', 'desc').orderBy('incidents.reference', 'desc').execute()
    },

    async nextReference(year: string) {
      const { n } = await sql<{ n: string }>`select nextval('incident_reference_seq')::text as n`.execute(db).then((result) => result.rows[0]!)
      return `INC-${year}-${n.padStart(6, '0')}`
    },

    insert(incident: Insertable<IncidentsTable>) {
      return db.insertInto('incidents').values(incident).returning(['id', 'reference']).executeTakeFirstOrThrow()
    },

    /** Puts an incident on a case unless it is already on one; false when it was. */
    async linkToCase(id: string, caseId: string) {
      const result = await db.updateTable('incidents').set({ case_id: caseId, version: sql`version + 1` }).where('id', '=', id).where('case_id', 'is', null).executeTakeFirst()
      return result.numUpdatedRows > 0n
    },

    visibleCaseId(reference: string, organisationId: string) {
      return db
        .selectFrom('cases')
        .select('id')
        .where(sql<string>`upper(reference)`, '=', reference)
        .where('id', 'in', visibleCaseIds(db, organisationId))
        .executeTakeFirst()
        .then((row) => row?.id)
    },

    /**
     * The search's incidents section: by reference (exact or its start), by words of the description, and by the address
     * or postcode where it happened. Each way reads at most SEARCH_CANDIDATES incidents through an index (newest first),
     * then keeps at most `limit` the user may see; the caller merges them.
     */
    async search(organisationId: string, term: SearchTerm, limit: number) {
      const reference = referenceMatch(term, 'INC')
      const descriptionWords = everyWordIn(sql<string>`lower(incidents.description)`, term.words)
      const place = placeMatches(term, sql<string>`lower(locations.address)`, sql<string>`locations.postcode`)
      const matching = async (match: Expression<SqlBool>, order: [RawBuilder<unknown>, RawBuilder<unknown>]) => {
        const candidates = db.selectFrom('incidents').select('incidents.id').where(match).orderBy(order[0]).orderBy(order[1]).limit(SEARCH_CANDIDATES)
        const rows = await db
          .selectFrom('incidents')
          .innerJoin('incident_types', 'incident_types.code', 'incidents.type_code')
          .leftJoin('locations', 'locations.id', 'incidents.location_id')
          .leftJoin('cases', (join) => join.onRef('cases.id', '=', 'incidents.case_id').on(caseRowVisibleTo(organisationId)))
          .select([
            'incidents.id',
            'incidents.reference',
            'incidents.occurred_at as occurredAt',
            'incident_types.label as typeLabel',
            'incidents.category',
            'locations.address',
            'locations.postcode',
            'incidents.location_text as locationText',
            'cases.id as caseId',
            'cases.reference as caseReference',
          ])
          .where('incidents.id', 'in', candidates)
          .where(incidentRowVisibleTo(organisationId))
          .orderBy(order[0])
          .orderBy(order[1])
          .limit(limit)
          .execute()
        return { rows, more: rows.length >= limit || (await matchesAtLeast(db, 'incidents', match, SEARCH_CANDIDATES)) }
      }
      const newest: [RawBuilder<unknown>, RawBuilder<unknown>] = [sql`incidents.occurred_at desc`, sql`incidents.reference desc`]
      const none = { rows: [], more: false }
      const [byReference, byDescription, byLocation] = await Promise.all([
        reference
          ? matching(sql<SqlBool>`(incidents.reference in (${sql.join(reference.exact)}) or incidents.reference like ${`${escapeLike(reference.startsWith)}%`})`, [
              sql`incidents.reference in (${sql.join(reference.exact)}) desc`,
              sql`incidents.reference`,
            ])
          : none,
        descriptionWords ? matching(descriptionWords, newest) : none,
        place ? matching(sql<SqlBool>`incidents.location_id in (select locations.id from locations where ${place})`, newest) : none,
      ])
      return { byReference, byDescription, byLocation, exact: reference ? byReference.rows.find((row) => reference.exact.includes(row.reference)) : undefined }
    },

    personVisible(personId: string, organisationId: string) {
      return db.selectFrom('people').select('id').where('id', '=', personId).where('id', 'in', visiblePersonIds(db, organisationId)).executeTakeFirst().then(Boolean)
    },
  }
}

export type IncidentsRepository = ReturnType<typeof incidentsRepository>
export type IncidentRecord = NonNullable<Awaited<ReturnType<IncidentsRepository['findVisible']>>>
