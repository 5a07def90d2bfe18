import { readdirSync, readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { parse } from 'csv-parse/sync'
import type { Database } from '../../platform/db/database.js'
import { ensureBoundaries } from './geography.js'
import { importPoliceFile } from './police-import.js'

/**
 * The real police.uk files and an independent reading of them for the performance tests: rows parsed with csv-parse
 * and LSOA codes placed in districts straight from the ONS GeoJSON properties, not through our tables.
 */

export const POLICE_FOLDER = new URL('../../../../shared/data/police-uk/', import.meta.url)
const GEO_FOLDER = new URL('../../../reference/geo/', import.meta.url)

export interface CsvRow {
  crimeId: string
  month: string
  reportedBy: string
  longitude: string
  latitude: string
  lsoaCode: string
  lsoaName: string
  crimeType: string
}

export function readPoliceCsv(name: string): CsvRow[] {
  const records = parse(readFileSync(new URL(name, POLICE_FOLDER)), { columns: true, bom: true }) as Record<string, string>[]
  return records.map((record) => ({
    crimeId: record['Crime ID']!,
    month: record.Month!,
    reportedBy: record['Reported by']!,
    longitude: record.Longitude!,
    latitude: record.Latitude!,
    lsoaCode: record['LSOA code']!,
    lsoaName: record['LSOA name']!,
    crimeType: record['Crime type']!,
  }))
}

/** Every LSOA code of either vintage to its district, from the GeoJSON files' own properties. */
export function districtOfLsoa(): Map<string, string> {
  const lookup = new Map<string, string>()
  for (const vintage of ['lsoa11', 'lsoa21']) {
    const folder = new URL(`${vintage}/`, GEO_FOLDER)
    for (const file of readdirSync(folder)) {
      const collection = JSON.parse(readFileSync(new URL(file, folder), 'utf8')) as { features: { properties: Record<string, string> }[] }
      for (const feature of collection.features) lookup.set(feature.properties[vintage === 'lsoa11' ? 'LSOA11CD' : 'LSOA21CD']!, feature.properties.LADCD_ACTIVE!)
    }
  }
  return lookup
}

export const policeFileNames = () => readdirSync(POLICE_FOLDER).filter((name) => name.endsWith('.csv')).sort()

/** Loads the boundaries and every real police.uk file. */
export async function importAllPoliceFiles(database: Database) {
  await ensureBoundaries(database)
  for (const name of policeFileNames()) await importPoliceFile(database, { fileName: name, stream: Readable.from(readFileSync(new URL(name, POLICE_FOLDER))) })
}

export const policeFile = (name: string) => readFileSync(new URL(name, POLICE_FOLDER))

/** A real file's rows moved to another month: the same crimes a year earlier, for same-period-last-year tests. */
export function shiftedFile(name: string, from: string, to: string): Buffer {
  const text = readFileSync(new URL(name, POLICE_FOLDER), 'utf8')
  return Buffer.from(text.replaceAll(`,${from},`, `,${to},`))
}
