import { type Kysely, sql } from 'kysely'
import type { DB } from '../../platform/db/schema.js'
import { addMonths } from './periods.js'
import type { MapArea } from './performance.types.js'

/**
 * The performance queries. Police figures come from police_crime_counts (one row per month, force, LSOA and crime
 * type); points from police_crimes through the files of the period; our own ASB from incidents with a located place.
 * An area is a list of district codes.
 */

export interface Range {
  from: string
  to: string
}

/** Which crimes: one crime type, "all crime" (every police.uk type but ASB), or every row. */
export type CrimeFilter = { crimeType: string } | { allCrime: true } | null

const ASB = 'Anti-social behaviour'

function crimeCondition(filter: CrimeFilter, column = sql.ref('crime_type')) {
  if (!filter) return sql`true`
  if ('crimeType' in filter) return sql`${column} = ${filter.crimeType}`
  return sql`${column} <> ${ASB}`
}

const forceCondition = (force: string | null) => (force ? sql`reported_by = ${force}` : sql`true`)
const inRange = (range: Range) => sql`month between ${range.from} and ${range.to}`

/** UK local time bounds of a month range, for incidents (stored as instants). */
const ukStart = (month: string) => `${month}-01 00:00:00`

export function performanceRepository(db: Kysely<DB>) {
  return {
    async districts() {
      return db.selectFrom('geo_districts').select(['code', 'name', 'upper_tier_code as upperTierCode', 'upper_tier_name as upperTierName']).orderBy('name').execute()
    },

    /**
     * Months with police.uk data: for one force, the months of its files; otherwise the months every force that
     * polices our areas (most of its located crimes are in them) has a file for, so that a month with only British
     * Transport Police's file is a gap, not a month of almost no crime.
     */
    async loadedMonths(force: string | null): Promise<string[]> {
      if (force) {
        const rows = await db.selectFrom('police_files').select('month').distinct().where('force', '=', force).orderBy('month').execute()
        return rows.map((row) => row.month)
      }
      const { rows } = await sql<{ month: string }>`
        with home as (
          select force from police_files group by force
          having sum(row_count - rows_no_location - rows_outside_area) * 2 > sum(row_count - rows_no_location))
        select month from (select distinct month from police_files) m
        where not exists (select 1 from home h where not exists (select 1 from police_files f where f.force = h.force and f.month = m.month))
        order by month`.execute(db)
      return rows.map((row) => row.month)
    },

    /** The months each force has a file for, in the range: police_files is a row per force-month, so this is small. */
    async forceMonths(range: Range): Promise<Map<string, Set<string>>> {
      const rows = await db.selectFrom('police_files').select(['force', 'month']).where('month', '>=', range.from).where('month', '<=', range.to).execute()
      const months = new Map<string, Set<string>>()
      for (const row of rows) months.set(row.force, (months.get(row.force) ?? new Set()).add(row.month))
      return months
    },

    /** Every force with a file loaded. */
    async allForces(): Promise<string[]> {
      return (await db.selectFrom('police_files').select('force').distinct().orderBy('force').execute()).map((row) => row.force)
    },

    /** Forces with crimes placed in our areas. */
    async forcesInArea(): Promise<string[]> {
      const rows = await db
        .selectFrom('police_files')
        .select('force')
        .distinct()
        .where(sql<boolean>`row_count - rows_no_location - rows_outside_area > 0`)
        .orderBy('force')
        .execute()
      return rows.map((row) => row.force)
    },

    /** Count per crime type in the period and in the comparison period, in one pass over the counts. */
    async countsByType(districts: string[], current: Range, previous: Range, force: string | null) {
      const { rows } = await sql<{ crime_type: string; current: number; previous: number }>`
        select crime_type,
          coalesce(sum(crimes) filter (where month between ${current.from} and ${current.to}), 0)::int as current,
          coalesce(sum(crimes) filter (where month between ${previous.from} and ${previous.to}), 0)::int as previous
        from police_crime_counts
        where district_code = any(${districts}) and (${inRange(current)} or ${inRange(previous)}) and ${forceCondition(force)}
        group by crime_type`.execute(db)
      return rows
    },

    /**
     * Crimes with no location in the period, from the forces that police our areas (most of whose located crimes are
     * in them): British Transport Police's unlocated crimes are mostly elsewhere in the country, so are not ours.
     */
    async noLocation(range: Range, force: string | null): Promise<number> {
      const { rows } = await sql<{ crimes: number }>`
        with home_forces as (
          select force from police_files where ${inRange(range)}
          group by force having sum(row_count - rows_no_location - rows_outside_area) * 2 > sum(row_count - rows_no_location))
        select coalesce(sum(crimes), 0)::int as crimes from police_crime_counts
        where not located and ${inRange(range)} and ${forceCondition(force)}
          and reported_by in (select force from home_forces)`.execute(db)
      return rows[0]?.crimes ?? 0
    },

    /** ASB incidents recorded in our own case system, by month (UK time), for incidents placed in the districts. */
    async caseIncidentsByMonth(districts: string[] | 'all', range: Range): Promise<Map<string, number>> {
      const end = ukStart(addMonths(range.to, 1))
      const place = districts === 'all' ? sql`true` : sql`l.district_code = any(${districts})`
      const { rows } = await sql<{ month: string; incidents: number }>`
        select to_char(i.occurred_at at time zone 'Europe/London', 'YYYY-MM') as month, count(*)::int as incidents
        from incidents i left join locations l on l.id = i.location_id
        where (i.occurred_at at time zone 'Europe/London') >= ${ukStart(range.from)}::timestamp
          and (i.occurred_at at time zone 'Europe/London') < ${end}::timestamp and ${place}
        group by 1`.execute(db)
      return new Map(rows.map((row) => [row.month, row.incidents]))
    },

    async monthly(districts: string[], range: Range, filter: CrimeFilter, force: string | null): Promise<Map<string, number>> {
      const { rows } = await sql<{ month: string; crimes: number }>`
        select month, sum(crimes)::int as crimes from police_crime_counts
        where district_code = any(${districts}) and ${inRange(range)} and ${crimeCondition(filter)} and ${forceCondition(force)}
        group by month`.execute(db)
      return new Map(rows.map((row) => [row.month, row.crimes]))
    },

    /** Counts per LSOA (or ward) in the period and the comparison period. */
    async countsByPlace(level: 'lsoa' | 'ward', districts: string[], current: Range, previous: Range, filter: CrimeFilter, force: string | null) {
      const place = level === 'lsoa' ? sql`c.lsoa_code` : sql`l.ward_code`
      const { rows } = await sql<{ code: string | null; current: number; previous: number }>`
        select ${place} as code,
          coalesce(sum(c.crimes) filter (where c.month between ${current.from} and ${current.to}), 0)::int as current,
          coalesce(sum(c.crimes) filter (where c.month between ${previous.from} and ${previous.to}), 0)::int as previous
        from police_crime_counts c left join geo_lsoa_lookup l on l.code = c.lsoa_code
        where c.district_code = any(${districts}) and (c.month between ${current.from} and ${current.to} or c.month between ${previous.from} and ${previous.to})
          and ${crimeCondition(filter)} and ${forceCondition(force)}
        group by 1`.execute(db)
      return rows
    },

    async placeNames(level: 'lsoa' | 'ward', codes: string[]) {
      if (!codes.length) return new Map<string, { name: string; districtName: string }>()
      const rows =
        level === 'lsoa'
          ? await db
              .selectFrom('geo_lsoa_lookup as l')
              .innerJoin('geo_districts as d', 'd.code', 'l.district_code')
              .select(['l.code', 'l.name', 'd.name as districtName'])
              .where('l.code', 'in', codes)
              .execute()
          : await db
              .selectFrom('geo_wards as w')
              .innerJoin('geo_districts as d', 'd.code', 'w.district_code')
              .select(['w.code', 'w.name', 'd.name as districtName'])
              .where('w.code', 'in', codes)
              .execute()
      return new Map(rows.map((row) => [row.code, { name: row.name, districtName: row.districtName }]))
    },

    /** The LSOA boundaries of the districts in one vintage, with their geometry. */
    async lsoaBoundaries(districts: string[], vintage: 2011 | 2021): Promise<Omit<MapArea, 'count'>[]> {
      const rows = await db
        .selectFrom('geo_lsoas')
        .select(['code', 'name', 'geometry'])
        .where('district_code', 'in', districts.length ? districts : [''])
        .where('vintage', '=', vintage)
        .orderBy('code')
        .execute()
      return rows.map((row) => ({ code: row.code, name: row.name, geometry: (typeof row.geometry === 'string' ? JSON.parse(row.geometry) : row.geometry) as MapArea['geometry'] }))
    },

    /** How many of the given LSOA codes each vintage has: the map draws the vintage the data was coded in. */
    async vintageCoverage(codes: string[]): Promise<{ vintage: 2011 | 2021; codes: number }[]> {
      if (!codes.length) return []
      const { rows } = await sql<{ vintage: 2011 | 2021; codes: number }>`
        select vintage, count(*)::int as codes from geo_lsoas where code = any(${codes}) group by vintage`.execute(db)
      return rows
    },

    /** Police.uk snap points in the districts and period, with how many crimes each. */
    async points(districts: string[], range: Range, filter: CrimeFilter, force: string | null) {
      const type = crimeCondition(filter, sql.ref('t.category'))
      const byForce = force ? sql`f.force = ${force}` : sql`true`
      const { rows } = await sql<{ longitude: number; latitude: number; count: number }>`
        select c.longitude, c.latitude, count(*)::int as count
        from police_files f
        join police_crimes c on c.file_id = f.id
        join geo_lsoa_lookup l on l.code = c.lsoa_code
        join police_crime_types t on t.label = c.crime_type
        where f.month between ${range.from} and ${range.to} and ${byForce}
          -- Only the files with crimes in these districts: a national month is 43 forces' files, two of them ours.
          and f.id in (select file_id from police_crime_counts where district_code = any(${districts}) and ${inRange(range)})
          and l.district_code = any(${districts}) and c.longitude is not null and c.latitude is not null and ${type}
        group by c.longitude, c.latitude
        order by count desc, c.longitude, c.latitude`.execute(db)
      return rows
    },
  }
}

