import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import { pointOnFeature } from '@turf/point-on-feature'
import { parse } from 'csv-parse/sync'
import type { Database } from '../../platform/db/database.js'
import { COUNT_CRIMES, COUNT_GROUPS } from './police-import.js'

/**
 * The partnership's geography: districts, wards and LSOAs of the 2011 and 2021 vintages, loaded from ONS boundary
 * files laid out as ../shared/data/geo is (a districts CSV, and lsoa11/, lsoa21/, ward/ folders of GeoJSON).
 */

export const DEFAULT_BOUNDARIES = fileURLToPath(new URL('../../../reference/geo/', import.meta.url))

type Position = number[]
export type Geometry = { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] }
interface Feature {
  type: 'Feature'
  properties: Record<string, unknown>
  geometry: Geometry | null
}

interface BoundaryDistrict {
  code: string
  name: string
  upperTierCode: string | null
  upperTierName: string | null
  regionName: string | null
}
interface BoundaryArea {
  code: string
  name: string
  districtCode: string
  geometry: Geometry
}
export interface BoundarySet {
  districts: BoundaryDistrict[]
  wards: BoundaryArea[]
  lsoas: (BoundaryArea & { vintage: 2011 | 2021 })[]
}

export class BoundaryError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BoundaryError'
  }
}

function readFeatures(folder: string, codeKey: string, nameKey: string): BoundaryArea[] {
  if (!existsSync(folder)) return []
  const areas: BoundaryArea[] = []
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.geojson')).sort()) {
    const collection = JSON.parse(readFileSync(path.join(folder, file), 'utf8')) as { features?: Feature[] }
    if (!Array.isArray(collection.features)) throw new BoundaryError(`${file} is not a GeoJSON feature collection`)
    for (const feature of collection.features) {
      const code = feature.properties[codeKey]
      const districtCode = feature.properties.LADCD_ACTIVE ?? file.replace(/\.geojson$/, '')
      if (!feature.geometry || typeof code !== 'string') continue
      if (feature.geometry.type !== 'Polygon' && feature.geometry.type !== 'MultiPolygon') continue
      areas.push({ code, name: String(feature.properties[nameKey] ?? code).trim(), districtCode: String(districtCode), geometry: feature.geometry })
    }
  }
  return areas
}

/** The ward property names change with each year's boundaries (WD24CD, WD25CD...): take whichever the file has. */
function wardKeys(folder: string): [string, string] {
  if (!existsSync(folder)) return ['WD25CD', 'WD25NM']
  const first = readdirSync(folder).find((name) => name.endsWith('.geojson'))
  if (!first) return ['WD25CD', 'WD25NM']
  const sample = JSON.parse(readFileSync(path.join(folder, first), 'utf8')) as { features?: Feature[] }
  const keys = Object.keys(sample.features?.[0]?.properties ?? {})
  const code = keys.find((key) => /^WD\d{2}CD$/.test(key)) ?? 'WD25CD'
  return [code, code.replace(/CD$/, 'NM')]
}

/** Reads a boundary folder; throws BoundaryError with what is missing rather than loading half a geography. */
export function readBoundaryFolder(folder: string): BoundarySet {
  if (!existsSync(folder)) throw new BoundaryError(`There is no folder ${folder}`)
  const csvFile = readdirSync(folder).find((name) => name.endsWith('.csv'))
  if (!csvFile) throw new BoundaryError(`${folder} has no districts CSV (with LADCD and LADNM columns)`)
  const records = parse(readFileSync(path.join(folder, csvFile)), { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[]
  if (!records.length || !('LADCD' in records[0]!) || !('LADNM' in records[0]!)) throw new BoundaryError(`${csvFile} needs LADCD and LADNM columns`)
  const districts = records.map((record) => ({
    code: record.LADCD!,
    name: record.LADNM!,
    upperTierCode: record.UTLACD || null,
    upperTierName: record.UTLANM || null,
    regionName: record.RGNNM || null,
  }))
  const [wardCode, wardName] = wardKeys(path.join(folder, 'ward'))
  const wards = readFeatures(path.join(folder, 'ward'), wardCode, wardName)
  const lsoas = [
    ...readFeatures(path.join(folder, 'lsoa11'), 'LSOA11CD', 'LSOA11NM').map((area) => ({ ...area, vintage: 2011 as const })),
    ...readFeatures(path.join(folder, 'lsoa21'), 'LSOA21CD', 'LSOA21NM').map((area) => ({ ...area, vintage: 2021 as const })),
  ]
  if (!lsoas.length) throw new BoundaryError(`${folder} has no LSOA boundaries (lsoa11/ or lsoa21/ folders of GeoJSON)`)
  const known = new Set(districts.map((district) => district.code))
  const stray = [...wards, ...lsoas].find((area) => !known.has(area.districtCode))
  if (stray) throw new BoundaryError(`${stray.code} is in district ${stray.districtCode}, which is not in ${csvFile}`)
  return { districts, wards, lsoas }
}

function bbox(geometry: Geometry): [number, number, number, number] {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity]
  const rings = geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat()
  for (const ring of rings)
    for (const [x, y] of ring) {
      minX = Math.min(minX, x!)
      maxX = Math.max(maxX, x!)
      minY = Math.min(minY, y!)
      maxY = Math.max(maxY, y!)
    }
  return [minX, minY, maxX, maxY]
}

/** The ward each LSOA's point on surface falls in, looking first in the LSOA's own district. */
export function wardsOfLsoas(set: BoundarySet): Map<string, string | null> {
  const wards = set.wards.map((ward) => ({ ward, box: bbox(ward.geometry) }))
  const result = new Map<string, string | null>()
  for (const lsoa of set.lsoas) {
    const [x, y] = pointOnFeature({ type: 'Feature', properties: {}, geometry: lsoa.geometry }).geometry.coordinates as [number, number]
    const inside = ({ ward, box }: (typeof wards)[number]) => x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3] && booleanPointInPolygon([x, y], ward.geometry)
    const found = wards.find((candidate) => candidate.ward.districtCode === lsoa.districtCode && inside(candidate)) ?? wards.find(inside)
    result.set(`${lsoa.vintage}:${lsoa.code}`, found?.ward.code ?? null)
  }
  return result
}

export interface BoundaryLoadSummary {
  districts: number
  wards: number
  lsoas: number
  /** How many more (or fewer) crimes are placed in our districts with the new boundaries. */
  crimesRelocated: number
}

/**
 * Loads (or reloads) a boundary set in one transaction, rebuilds the LSOA lookup, and re-resolves police rows
 * already imported, so that crimes counted "outside area" before a district was loaded now count for it.
 */
export async function loadBoundaries(database: Database, set: BoundarySet): Promise<BoundaryLoadSummary> {
  const wardOf = wardsOfLsoas(set)
  return database.scriptTransaction(async (tx) => {
    await tx.query(
      `insert into geo_districts (code, name, upper_tier_code, upper_tier_name, region_name)
       select code, name, "upperTierCode", "upperTierName", "regionName"
       from jsonb_to_recordset($1::jsonb) as x (code text, name text, "upperTierCode" text, "upperTierName" text, "regionName" text)
       on conflict (code) do update set name = excluded.name, upper_tier_code = excluded.upper_tier_code,
         upper_tier_name = excluded.upper_tier_name, region_name = excluded.region_name`,
      [JSON.stringify(set.districts)],
    )
    await tx.query(
      `insert into geo_wards (code, name, district_code, geometry)
       select code, name, "districtCode", geometry from jsonb_to_recordset($1::jsonb) as x (code text, name text, "districtCode" text, geometry jsonb)
       on conflict (code) do update set name = excluded.name, district_code = excluded.district_code, geometry = excluded.geometry`,
      [JSON.stringify(set.wards)],
    )
    const lsoas = set.lsoas.map((lsoa) => ({ ...lsoa, wardCode: wardOf.get(`${lsoa.vintage}:${lsoa.code}`) ?? null }))
    await tx.query(
      `insert into geo_lsoas (code, vintage, name, district_code, ward_code, geometry)
       select code, vintage, name, "districtCode", "wardCode", geometry
       from jsonb_to_recordset($1::jsonb) as x (code text, vintage smallint, name text, "districtCode" text, "wardCode" text, geometry jsonb)
       on conflict (code, vintage) do update set name = excluded.name, district_code = excluded.district_code,
         ward_code = excluded.ward_code, geometry = excluded.geometry`,
      [JSON.stringify(lsoas)],
    )
    await tx.exec(`
      delete from geo_lsoa_lookup;
      insert into geo_lsoa_lookup (code, name, district_code, ward_code)
      select distinct on (code) code, name, district_code, ward_code from geo_lsoas order by code, vintage desc;`)
    // Crimes already imported are counted again against the new boundaries: a crime counted outside our areas (and so
    // not by LSOA) may now be in a district. Rare, and whole: the counts change with the boundaries or not at all.
    const before = await tx.query<{ crimes: number }>(`select coalesce(sum(crimes), 0)::int as crimes from police_crime_counts where district_code is not null`)
    await tx.exec('delete from police_crime_counts')
    await tx.exec(`${COUNT_CRIMES} ${COUNT_GROUPS}`)
    const after = await tx.query<{ crimes: number }>(`select coalesce(sum(crimes), 0)::int as crimes from police_crime_counts where district_code is not null`)
    // And each file's own tally of crimes outside our areas, which says which forces police them.
    await tx.exec(`
      update police_files f set rows_outside_area = x.outside
      from (select file_id, coalesce(sum(crimes) filter (where located and district_code is null), 0)::int as outside
            from police_crime_counts group by file_id) x
      where x.file_id = f.id and f.rows_outside_area <> x.outside;`)
    return { districts: set.districts.length, wards: set.wards.length, lsoas: set.lsoas.length, crimesRelocated: Math.abs((after[0]?.crimes ?? 0) - (before[0]?.crimes ?? 0)) }
  })
}

/** At first start: loads the partnership's own boundaries when none are loaded yet. */
export async function ensureBoundaries(database: Database, folder = DEFAULT_BOUNDARIES): Promise<BoundaryLoadSummary | null> {
  const loaded = await database.db.selectFrom('geo_districts').select('code').limit(1).executeTakeFirst()
  if (loaded) return null
  return loadBoundaries(database, readBoundaryFolder(folder))
}
