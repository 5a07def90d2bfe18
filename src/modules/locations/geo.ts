import { readdirSync, readFileSync } from 'node:fs'
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'

/**
 * Which district, ward and LSOA (2021) of Leicester, Leicestershire and Rutland a point is in, from the boundary
 * files in reference/geo (ONS, WGS84). Loaded once, on first use; a bounding box test comes before the exact one.
 */
export interface GeoArea {
  districtCode: string | null
  districtName: string | null
  wardCode: string | null
  wardName: string | null
  lsoaCode: string | null
}

type Position = number[]
interface Polygon {
  type: 'Polygon'
  coordinates: Position[][]
}
interface MultiPolygon {
  type: 'MultiPolygon'
  coordinates: Position[][][]
}

interface Area {
  code: string
  name: string
  districtCode: string
  bbox: [number, number, number, number]
  geometry: Polygon | MultiPolygon
}

interface Boundaries {
  districts: Map<string, string>
  wards: Area[]
  lsoas: Area[]
}

const GEO_DIR = new URL('../../../reference/geo/', import.meta.url)

let cache: Boundaries | undefined

function boundingBox(geometry: Polygon | MultiPolygon): [number, number, number, number] {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity]
  const rings = geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat()
  for (const ring of rings) {
    for (const [x, y] of ring) {
      if (x! < minX) minX = x!
      if (x! > maxX) maxX = x!
      if (y! < minY) minY = y!
      if (y! > maxY) maxY = y!
    }
  }
  return [minX, minY, maxX, maxY]
}

interface FeatureFile {
  features: { properties: Record<string, unknown>; geometry: Polygon | MultiPolygon | null }[]
}

function readAreas(folder: string, codeKey: string, nameKey: string): Area[] {
  const dir = new URL(`${folder}/`, GEO_DIR)
  const areas: Area[] = []
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.geojson')).sort()) {
    const districtCode = file.replace(/\.geojson$/, '')
    const collection = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as FeatureFile
    for (const feature of collection.features) {
      if (!feature.geometry) continue
      areas.push({ code: String(feature.properties[codeKey]), name: String(feature.properties[nameKey] ?? ''), districtCode, bbox: boundingBox(feature.geometry), geometry: feature.geometry })
    }
  }
  return areas
}

function readDistricts(): Map<string, string> {
  const [header, ...lines] = readFileSync(new URL('llr_districts.csv', GEO_DIR), 'utf8').trim().split(/\r?\n/)
  const columns = header!.split(',')
  const code = columns.indexOf('LADCD')
  const name = columns.indexOf('LADNM')
  // District names have no commas in this file, so a plain split is enough.
  return new Map(lines.map((line) => line.split(',')).map((cells) => [cells[code]!, cells[name]!]))
}

function boundaries(): Boundaries {
  cache ??= { districts: readDistricts(), wards: readAreas('ward', 'WD25CD', 'WD25NM'), lsoas: readAreas('lsoa21', 'LSOA21CD', 'LSOA21NM') }
  return cache
}

function findArea(areas: Area[], longitude: number, latitude: number, preferDistrict?: string | null): Area | undefined {
  const contains = (area: Area) =>
    longitude >= area.bbox[0] && longitude <= area.bbox[2] && latitude >= area.bbox[1] && latitude <= area.bbox[3] && booleanPointInPolygon([longitude, latitude], area.geometry)
  // Boundaries of different vintages can disagree by a few metres; prefer an area in the district already found.
  if (preferDistrict) {
    const inDistrict = areas.find((area) => area.districtCode === preferDistrict && contains(area))
    if (inDistrict) return inDistrict
  }
  return areas.find(contains)
}

/** The district's name for a code, or null when it is not one of ours. */
export function districtName(code: string | null | undefined): string | null {
  return code ? (boundaries().districts.get(code) ?? null) : null
}

/** The LLR districts, for filters and labels. */
export function districts(): { code: string; name: string }[] {
  return [...boundaries().districts].map(([code, name]) => ({ code, name }))
}

/** Resolves a WGS84 point; a point outside Leicester, Leicestershire and Rutland gives nulls, not an error. */
export function resolvePoint(latitude: number, longitude: number): GeoArea {
  const none: GeoArea = { districtCode: null, districtName: null, wardCode: null, wardName: null, lsoaCode: null }
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return none
  const { wards, lsoas } = boundaries()
  const ward = findArea(wards, longitude, latitude)
  const lsoa = findArea(lsoas, longitude, latitude, ward?.districtCode)
  const districtCode = ward?.districtCode ?? lsoa?.districtCode ?? null
  if (!districtCode) return none
  return { districtCode, districtName: districtName(districtCode), wardCode: ward?.code ?? null, wardName: ward?.name ?? null, lsoaCode: lsoa?.code ?? null }
}
