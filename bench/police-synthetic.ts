/**
 * Synthetic police.uk street-level crime files for the benchmarks: the 12 columns exactly as data.police.uk writes
 * them, with the crime type mix, outcomes, share of rows with no location and snapped "On or near" points of a real
 * Leicestershire month. Deterministic: the same options give the same file.
 */
import { createWriteStream } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { POLICE_COLUMNS } from '../src/modules/performance/police-import.js'

export interface SyntheticLsoa {
  code: string
  name: string
  /** A point inside the LSOA; without one, a point in LLR is made up from the code. */
  longitude?: number
  latitude?: number
}

export interface SyntheticMonthOptions {
  /** YYYY-MM */
  month: string
  rows: number
  /** Written as both "Reported by" and "Falls within". */
  force?: string
  lsoas: SyntheticLsoa[]
  seed?: number
}

// Leicestershire Police, January 2019 (8,503 rows), rounded.
const CRIME_TYPES: [string, number][] = [
  ['Violence and sexual offences', 28],
  ['Vehicle crime', 12],
  ['Anti-social behaviour', 11],
  ['Criminal damage and arson', 10],
  ['Burglary', 8.5],
  ['Other theft', 8.5],
  ['Public order', 7],
  ['Shoplifting', 6],
  ['Drugs', 2.6],
  ['Other crime', 2.2],
  ['Bicycle theft', 1.9],
  ['Theft from the person', 1.4],
  ['Robbery', 1.2],
  ['Possession of weapons', 0.7],
]
const OUTCOMES: [string, number][] = [
  ['Investigation complete; no suspect identified', 3384],
  ['Unable to prosecute suspect', 2610],
  ['Court result unavailable', 373],
  ['Local resolution', 292],
  ['Formal action is not in the public interest', 250],
  ['Further investigation is not in the public interest', 169],
  ['Action to be taken by another organisation', 112],
  ['Status update unavailable', 88],
  ['Offender given a caution', 74],
  ['Offender given community sentence', 72],
  ['Offender sent to prison', 52],
  ['Offender given suspended prison sentence', 26],
  ['Offender fined', 26],
  ['Defendant found not guilty', 22],
  ['Offender given conditional discharge', 19],
  ['Court case unable to proceed', 19],
  ['Suspect charged as part of another case', 4],
  ['Offender deprived of property', 4],
  ['Offender otherwise dealt with', 4],
  ['Offender ordered to pay compensation', 3],
  ['Offender given a drugs possession warning', 2],
  ['Defendant sent to Crown Court', 1],
]
/** Crimes (never anti-social behaviour) with no location: about 3% of all rows. */
const NO_LOCATION_SHARE = 0.034
const STREETS = [
  'High Street', 'Main Street', 'Leicester Road', 'Ashby Road', 'Church Street', 'London Road', 'Granby Street', 'Melton Road',
  'Saffron Lane', 'Station Road', 'Market Place', 'Loughborough Road', 'Church Lane', 'Vaughan Way', 'Belvoir Street', 'Bridge Street',
  'Regent Street', 'Harborough Road', 'Uppingham Road', 'Narborough Road', 'Hinckley Road', 'Welford Road', 'Humberstone Road',
  'Belgrave Gate', 'Charles Street', 'Oxford Street', 'Park Road', 'Victoria Street', 'Mill Lane', 'The Green', 'School Lane',
  'Eden Close', 'Willoughby Gardens', 'Chapel Green', 'Lowland Avenue', 'Hobill Close', 'Forest Road', 'Beaumont Leys Lane',
  'Coalville Lane', 'Burton Road', 'Nottingham Road', 'Derby Road', 'King Street', 'Queen Street', 'Albert Road', 'Windsor Avenue',
]
const PLACES = [
  'Supermarket', 'Petrol Station', 'Parking Area', 'Shopping Area', 'Sports/Recreation Area', 'Park/Open Space', 'Nightclub',
  'Police Station', 'Further/Higher Educational Building', 'Hospital', 'Pedestrian Subway', 'Conference/Exhibition Centre',
]
/** Police.uk adds the place to a few names, and writes those quoted. */
const PLACE_SUFFIXES = ['Quorn', 'Glenfield', 'Anstey', 'Birstall', 'Syston', 'Wigston', 'Oakham', 'Lutterworth']
/** Where made-up points go when an LSOA has none: Leicester, Leicestershire and Rutland. */
const LLR_BOX = { west: -1.6, east: -0.43, south: 52.39, north: 52.98 }

/** mulberry32: a small, fast, seedable PRNG (Math.random cannot be seeded). */
function prng(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A 32-bit hash of a number (murmur3's finaliser): per-LSOA and per-point values that do not depend on file order. */
function mix(value: number) {
  let h = value >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}
function hashText(text: string) {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return mix(h)
}

const csvValue = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value)

/** Cumulative weights, for picking by a uniform number with a binary search. */
function picker<T>(items: T[], weight: (item: T) => number) {
  const cumulative = new Float64Array(items.length)
  let total = 0
  items.forEach((item, index) => (cumulative[index] = total += weight(item)))
  return (u: number) => {
    const target = u * total
    let [low, high] = [0, items.length - 1]
    while (low < high) {
      const middle = (low + high) >>> 1
      if (cumulative[middle]! > target) high = middle
      else low = middle + 1
    }
    return items[low]!
  }
}

interface PreparedLsoa {
  hash: number
  suffix: string
  points: number
  longitude: number
  latitude: number
}

/** Each LSOA's crimes are snapped to 6-16 points, each "On or near" a street or a kind of place, as police.uk does. */
function snapPoint(lsoa: PreparedLsoa, index: number) {
  const h = mix(lsoa.hash ^ Math.imul(index + 1, 0x9e3779b9))
  const longitude = lsoa.longitude + ((h & 0xffff) / 0xffff - 0.5) * 0.012
  const latitude = lsoa.latitude + ((h >>> 16) / 0xffff - 0.5) * 0.008
  const name = h % 4 === 0 ? PLACES[(h >>> 3) % PLACES.length]! : STREETS[(h >>> 5) % STREETS.length]!
  const location = h % 499 === 1 ? `On or near ${name}, ${PLACE_SUFFIXES[(h >>> 7) % PLACE_SUFFIXES.length]}` : `On or near ${name}`
  return `${longitude.toFixed(6)},${latitude.toFixed(6)},${csvValue(location)}`
}

function prepare(lsoa: SyntheticLsoa): PreparedLsoa {
  const hash = hashText(lsoa.code)
  return {
    hash,
    suffix: `${csvValue(lsoa.code)},${csvValue(lsoa.name)}`,
    points: 6 + (hash % 11),
    longitude: lsoa.longitude ?? LLR_BOX.west + ((hash & 0xffff) / 0xffff) * (LLR_BOX.east - LLR_BOX.west),
    latitude: lsoa.latitude ?? LLR_BOX.south + ((hash >>> 16) / 0xffff) * (LLR_BOX.north - LLR_BOX.south),
  }
}

/** Lines of CSV, a thousand at a time. */
function* lines(options: SyntheticMonthOptions): Generator<string> {
  const { month, rows } = options
  const force = csvValue(options.force ?? 'Leicestershire Police')
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new Error(`month ${month} is not YYYY-MM`)
  if (!options.lsoas.length) throw new Error('no LSOAs to place crimes in')
  const random = prng(options.seed ?? hashText(`${month} ${force}`))
  // Crime is concentrated: a few LSOAs (town centres) have many times the crime of most. The weight is the LSOA's
  // own, so it keeps its share from month to month.
  const pickLsoa = picker(options.lsoas.map(prepare), (lsoa) => 1 / (0.03 + lsoa.hash / 4294967296))
  const pickType = picker(CRIME_TYPES, ([, weight]) => weight)
  const pickOutcome = picker(OUTCOMES, ([, weight]) => weight)
  const common = `,${month},${force},${force},`
  const id = new Uint32Array(8)
  const idBytes = Buffer.from(id.buffer)

  yield `${POLICE_COLUMNS.join(',')}\n`
  let batch: string[] = []
  for (let row = 0; row < rows; row++) {
    const [crimeType] = pickType(random())
    let line: string
    if (crimeType === 'Anti-social behaviour') {
      const lsoa = pickLsoa(random())
      line = `${common}${snapPoint(lsoa, Math.floor(random() * lsoa.points))},${lsoa.suffix},${crimeType},,\n`
    } else {
      for (let i = 0; i < 8; i++) id[i] = random() * 4294967296
      const crimeId = idBytes.toString('hex')
      const outcome = csvValue(pickOutcome(random())[0])
      if (random() < NO_LOCATION_SHARE) line = `${crimeId}${common},,No Location,,,${crimeType},${outcome},\n`
      else {
        const lsoa = pickLsoa(random())
        line = `${crimeId}${common}${snapPoint(lsoa, Math.floor(random() * lsoa.points))},${lsoa.suffix},${crimeType},${outcome},\n`
      }
    }
    batch.push(line)
    if (batch.length === 1000) {
      yield batch.join('')
      batch = []
    }
  }
  if (batch.length) yield batch.join('')
}

/** Writes a police.uk street-level CSV of one force's month, streaming: the file is never whole in memory. */
export async function writeSyntheticMonth(path: string, options: SyntheticMonthOptions): Promise<void> {
  await pipeline(Readable.from(lines(options)), createWriteStream(path))
}

/**
 * Every 2011 LSOA code of England (E01000001-E01033768) and Wales (W01000001-W01001958), named "Synthetic <code>"
 * except those given (LLR's real LSOAs, with their names and points), which replace their own codes: LLR's share of
 * LSOAs, and so of crimes, is then about the real 1.7% of England and Wales.
 */
export function nationalLsoas(real: SyntheticLsoa[]): SyntheticLsoa[] {
  const known = new Map(real.map((lsoa) => [lsoa.code, lsoa]))
  const all: SyntheticLsoa[] = []
  const add = (country: string, count: number) => {
    for (let n = 1; n <= count; n++) {
      const code = `${country}01${String(n).padStart(6, '0')}`
      all.push(known.get(code) ?? { code, name: `Synthetic ${code}` })
      known.delete(code)
    }
  }
  add('E', 33768)
  add('W', 1958)
  return [...all, ...known.values()]
}
