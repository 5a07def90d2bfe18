import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import { caseRowVisibleTo, locationRowVisibleTo, visibleIncidentIds } from '../cases/case-access.js'
import { matchesAtLeast, placeMatches, SEARCH_CANDIDATES, type SearchTerm } from '../search/search.terms.js'

/** The same normalisation as the unique index locations_address_key, so a lookup finds what the index would refuse. */
const addressKey = (address: string) => sql<string>`lower(regexp_replace(trim(${address}::text), '\\s+', ' ', 'g'))`
const postcodeKey = (postcode: string | null) => sql<string>`coalesce(upper(replace(${postcode}::text, ' ', '')), '')`

const columns = ['id', 'address', 'postcode', 'latitude', 'longitude', 'district_code as districtCode', 'ward_code as wardCode', 'ward_name as wardName', 'lsoa_code as lsoaCode'] as const

export interface NewLocation {
  address: string
  postcode: string | null
  latitude: number | null
  longitude: number | null
  districtCode: string | null
  wardCode: string | null
  wardName: string | null
  lsoaCode: string | null
}

export function locationsRepository(db: Executor) {
  return {
    findById(id: string) {
      return db.selectFrom('locations').select(columns).where('id', '=', id).executeTakeFirst()
    },

    findByAddress(address: string, postcode: string | null) {
      return db
        .selectFrom('locations')
        .select(columns)
        .where(sql<string>`lower(regexp_replace(trim(address), '\\s+', ' ', 'g'))`, '=', addressKey(address))
        .where(sql<string>`coalesce(upper(replace(postcode, ' ', '')), '')`, '=', postcodeKey(postcode))
        .executeTakeFirst()
    },

    /** Inserts unless the same address is already there (a concurrent insert included); returns the new id or nothing. */
    insert(location: NewLocation) {
      return db
        .insertInto('locations')
        .values({
          address: location.address,
          postcode: location.postcode,
          latitude: location.latitude,
          longitude: location.longitude,
          district_code: location.districtCode,
          ward_code: location.wardCode,
          ward_name: location.wardName,
          lsoa_code: location.lsoaCode,
        })
        .onConflict((conflict) => conflict.doNothing())
        .returning('id')
        .executeTakeFirst()
    },

    setPlace(id: string, place: Omit<NewLocation, 'address' | 'postcode'>) {
      return db
        .updateTable('locations')
        .set({ latitude: place.latitude, longitude: place.longitude, district_code: place.districtCode, ward_code: place.wardCode, ward_name: place.wardName, lsoa_code: place.lsoaCode })
        .where('id', '=', id)
        .execute()
    },

    /** Whether the organisation sees this address through an incident, a case or a person's address. */
    async isVisibleTo(locationId: string, organisationId: string) {
      const row = await db.selectFrom('locations').select('locations.id').where('locations.id', '=', locationId).where(locationRowVisibleTo(organisationId)).executeTakeFirst()
      return Boolean(row)
    },

    /**
     * The search's addresses section: every word in the address (locations_address_trgm), or a postcode or its start
     * (locations_postcode_prefix_idx). Only addresses the organisation sees through a record, as on the address page.
     * Reads at most SEARCH_CANDIDATES matching addresses before checking which the user may see, then sorts by address.
     */
    async search(organisationId: string, term: SearchTerm, limit: number) {
      const match = placeMatches(term, sql<string>`lower(locations.address)`, sql<string>`locations.postcode`)
      if (!match) return { rows: [], more: false }
      // Addresses have no "best first" worth sorting every match for: the first SEARCH_CANDIDATES the index gives are read.
      const candidates = db.selectFrom('locations').select('locations.id').where(match).limit(SEARCH_CANDIDATES)
      const rows = await db
        .selectFrom('locations')
        .select(['locations.id', 'locations.address', 'locations.postcode', 'locations.ward_name as wardName'])
        .where('locations.id', 'in', candidates)
        .where(locationRowVisibleTo(organisationId))
        .orderBy('locations.address')
        .orderBy('locations.postcode')
        .limit(limit)
        .execute()
      return { rows, more: rows.length >= limit || (await matchesAtLeast(db, 'locations', match, SEARCH_CANDIDATES)) }
    },

    /** Incidents at a location that the organisation may see, newest first. */
    incidentsAt(locationId: string, organisationId: string) {
      return db
        .selectFrom('incidents')
        .innerJoin('incident_types', 'incident_types.code', 'incidents.type_code')
        // A case's reference only when the reader may see the case.
        .leftJoin('cases', (join) => join.onRef('cases.id', '=', 'incidents.case_id').on(caseRowVisibleTo(organisationId)))
        .select([
          'incidents.id',
          'incidents.reference',
          'incidents.occurred_at as occurredAt',
          'incident_types.label as typeLabel',
          'incidents.category',
          'incidents.hate_motivated as hateMotivated',
          'cases.id as caseId',
          sql<boolean>`incidents.case_id is not null`.as('onCase'),
          'cases.reference as caseReference',
        ])
        .where('incidents.location_id', '=', locationId)
        .where('incidents.id', 'in', visibleIncidentIds(db, organisationId))
        .orderBy('incidents.occurred_at', 'desc')
        .orderBy('incidents.reference', 'desc')
        .execute()
    },
  }
}
