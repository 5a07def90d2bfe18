import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { parse } from 'csv-parse/sync'
import JSZip from 'jszip'
import mammoth from 'mammoth'
import { PDFParse } from 'pdf-parse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { type CsvRow, districtOfLsoa, importAllPoliceFiles, policeFile, readPoliceCsv, shiftedFile } from './performance.fixtures.js'
import { ASB_CASES } from './performance.service.js'
import { importPoliceFile } from './police-import.js'
import type { Dashboard, HotspotMap, Trend } from './performance.types.js'
import { monthLabel as monthName } from './periods.js'

const CHARNWOOD = 'E07000130'
const RUTLAND = 'E06000017'
const LEICESTER = 'E06000016'
const CRIME_TYPES_WITH_ASB = 14

let t: TestApp
let analyst: Agent
let lsoaDistrict: Map<string, string>
/** Every row of every real file for January 2019: Leicestershire Police, British Transport Police, Derbyshire. */
let january: CsvRow[]
let december: CsvRow[]

/** Independent counts: crime type to count, for rows in the district (or in any of ours for 'all'). */
function countByType(rows: CsvRow[], district: string | 'all') {
  const counts = new Map<string, number>()
  for (const row of rows) {
    const placed = lsoaDistrict.get(row.lsoaCode)
    if (!placed || (district !== 'all' && placed !== district)) continue
    counts.set(row.crimeType, (counts.get(row.crimeType) ?? 0) + 1)
  }
  return counts
}

/** The sum of the counts whose crime type passes the test. */
const sumOf = (counts: Map<string, number>, include: (crimeType: string) => boolean) =>
  [...counts].filter(([crimeType]) => include(crimeType)).reduce((total, [, count]) => total + count, 0)

const dashboardOf = async (query: string) => {
  const response = await analyst.get(`/api/v1/performance/dashboard?${query}`)
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as Dashboard
}

const figureOf = (dashboard: Dashboard, crimeType: string) =>
  crimeType === 'Anti-social behaviour' ? dashboard.asb.police : dashboard.crimeTypes.find((row) => row.crimeType === crimeType)!

beforeAll(async () => {
  t = await createTestApp()
  await importAllPoliceFiles(t.testDb.database)
  analyst = await t.signInAs(['analyst'])
  lsoaDistrict = districtOfLsoa()
  january = ['2019-01-leicestershire-street.csv', '2019-01-btp-street.csv', '2019-01-derbyshire-street.csv'].flatMap(readPoliceCsv)
  december = readPoliceCsv('2018-12-leicestershire-street.csv')
}, 120_000)

afterAll(async () => {
  await t?.close()
})

describe('the dashboard against the real police.uk files', () => {
  it('counts per crime type and district for a month equal an independent count of the CSV files', async () => {
    const districts = [...new Set(lsoaDistrict.values())]
    expect(districts).toHaveLength(9)
    for (const district of districts) {
      const expected = countByType(january, district)
      const dashboard = await dashboardOf(`area=${district}&period=month&month=2019-01&compare=previous`)
      const shown = [...dashboard.crimeTypes, dashboard.asb.police]
      expect(shown).toHaveLength(CRIME_TYPES_WITH_ASB)
      for (const figure of shown) expect(figure.current, `${district} ${figure.crimeType}`).toBe(expected.get(figure.crimeType) ?? 0)
      const allCrime = [...expected].filter(([type]) => type !== 'Anti-social behaviour').reduce((sum, [, count]) => sum + count, 0)
      expect(dashboard.allCrime.current).toBe(allCrime)
    }
  })

  it('the whole partnership is the sum of its districts, and the county of its seven', async () => {
    const expected = countByType(january, 'all')
    const all = await dashboardOf('area=all&period=month&month=2019-01&compare=previous')
    for (const figure of all.crimeTypes) expect(figure.current).toBe(expected.get(figure.crimeType) ?? 0)
    const county = await dashboardOf('area=E10000018&period=month&month=2019-01&compare=previous')
    const cityAndRutland = [countByType(january, LEICESTER), countByType(january, RUTLAND)]
    for (const figure of county.crimeTypes) {
      expect(figure.current).toBe((expected.get(figure.crimeType) ?? 0) - cityAndRutland.reduce((sum, counts) => sum + (counts.get(figure.crimeType) ?? 0), 0))
    }
    expect(county.area).toMatchObject({ name: 'Leicestershire', kind: 'county' })
    expect(county.area.districtCodes).toHaveLength(7)
    expect(all.area.name).toBe('Leicester, Leicestershire and Rutland')
  })

  it('crimes other forces reported inside our areas count for them, and the force is a filter', async () => {
    const btp = january.filter((row) => row.reportedBy === 'British Transport Police' && lsoaDistrict.has(row.lsoaCode))
    const derbyshire = january.filter((row) => row.reportedBy === 'Derbyshire Constabulary' && lsoaDistrict.has(row.lsoaCode))
    expect(btp.length).toBeGreaterThan(0)
    expect(derbyshire.length).toBeGreaterThan(0)
    const onlyBtp = await dashboardOf(`area=all&period=month&month=2019-01&compare=previous&force=${encodeURIComponent('British Transport Police')}`)
    expect(onlyBtp.allCrime.current + onlyBtp.asb.police.current).toBe(btp.length)
    expect(onlyBtp.force).toBe('British Transport Police')
    expect(onlyBtp.forces).toEqual(expect.arrayContaining(['British Transport Police', 'Derbyshire Constabulary', 'Leicestershire Police']))
    // The force chosen stays chosen on every page's form, so that showing the figures again keeps it.
    const btpQuery = `area=all&period=month&month=2019-01&force=${encodeURIComponent('British Transport Police')}`
    for (const url of [`/performance?${btpQuery}`, `/performance/top-areas?${btpQuery}`, `/performance/map?${btpQuery}`, `/performance/trends?area=all&force=${encodeURIComponent('British Transport Police')}`]) {
      const page = await analyst.get(url)
      expect(page.statusCode, url).toBe(200)
      expect(page.body, url).toMatch(/<option value="British Transport Police" selected>/)
    }
  })

  it('rows with no location are counted as "no location", for the force that polices our areas only', async () => {
    const leicestershire = january.filter((row) => row.reportedBy === 'Leicestershire Police')
    const noLocation = leicestershire.filter((row) => row.lsoaCode === '' && row.longitude === '').length
    expect(noLocation).toBeGreaterThan(100)
    const all = await dashboardOf('area=all&period=month&month=2019-01&compare=previous')
    // BTP's and Derbyshire's unlocated crimes are across their whole areas, not ours.
    expect(all.noLocation).toBe(noLocation)
    const district = await dashboardOf(`area=${CHARNWOOD}&period=month&month=2019-01&compare=previous`)
    expect(district.noLocation).toBe(0)
  })

  it('the % change for a two-month comparison, with the numbers behind it', async () => {
    // Only Leicestershire Police has a file for both months: its figures are compared.
    const leicestershire = (rows: CsvRow[]) => rows.filter((row) => row.reportedBy === 'Leicestershire Police')
    const now = countByType(leicestershire(january), CHARNWOOD)
    const before = countByType(leicestershire(december), CHARNWOOD)
    const dashboard = await dashboardOf(`area=${CHARNWOOD}&period=month&month=2019-01&compare=previous&force=${encodeURIComponent('Leicestershire Police')}`)
    expect(dashboard.comparison).toMatchObject({ from: '2018-12', to: '2018-12', label: 'December 2018' })
    expect(dashboard.notCompared).toBeNull()
    for (const figure of dashboard.crimeTypes) {
      const current = now.get(figure.crimeType) ?? 0
      const previous = before.get(figure.crimeType) ?? 0
      expect(figure).toMatchObject({ current, previous, change: current - previous })
      expect(figure.percentChange).toBe(previous === 0 ? null : Math.round(((current - previous) / previous) * 1000) / 10)
      expect(figure.notMeaningful).toBe(previous < 10)
      expect(figure.direction).toBe(current > previous ? 'up' : current < previous ? 'down' : 'same')
    }
    // Some types in Charnwood in a month have a base under 10: they are flagged, not compared.
    expect(dashboard.crimeTypes.some((figure) => figure.notMeaningful)).toBe(true)
  })

  it('every force together is not compared when another force has a file for one month and not the other', async () => {
    // British Transport Police and Derbyshire have files for January 2019 only: comparing all forces in January with
    // Leicestershire Police alone in December would show their crimes as a rise.
    const dashboard = await dashboardOf(`area=${CHARNWOOD}&period=month&month=2019-01&compare=previous`)
    expect(dashboard.notCompared).toBe(
      'British Transport Police files are not loaded for December 2018, so police.uk figures for every force together are not compared. Choose a force under \u201cReported by\u201d to compare its figures.',
    )
    expect(dashboard.crimeTypes.every((figure) => figure.previous === null && figure.percentChange === null)).toBe(true)
    expect(dashboard.allCrime.current).toBe(sumOf(countByType(january, CHARNWOOD), (type) => type !== 'Anti-social behaviour'))
    const page = await analyst.get(`/performance?area=${CHARNWOOD}&period=month&month=2019-01&compare=previous`)
    expect(page.body).toContain('so police.uk figures for every force together are not compared')
    const csv = await analyst.get(`/performance/export/dashboard?area=${CHARNWOOD}&period=month&month=2019-01&compare=previous&format=csv`)
    expect(csv.body).toContain('Burglary,')
    expect(csv.body).toContain('so police.uk figures for every force together are not compared')
    // December against November: British Transport Police has a file for neither, so every force together is compared.
    const before = await dashboardOf(`area=${CHARNWOOD}&period=month&month=2018-12&compare=previous`)
    expect(before.notCompared).toBeNull()
  })

  it('a quarter sums its months; a comparison with months not loaded is not made, and the gaps are named', async () => {
    const quarter = await dashboardOf(`area=${CHARNWOOD}&period=quarter&month=2018-11&compare=last_year`)
    expect(quarter.period).toMatchObject({ from: '2018-10', to: '2018-12' })
    const rows = ['2018-10', '2018-11', '2018-12'].flatMap((month) => readPoliceCsv(`${month}-leicestershire-street.csv`))
    const expected = countByType(rows, CHARNWOOD)
    expect(quarter.crimeTypes.find((row) => row.crimeType === 'Burglary')!.current).toBe(expected.get('Burglary'))
    expect(quarter.missingComparisonMonths).toEqual(['2017-10', '2017-11', '2017-12'])
    expect(quarter.allCrime).toMatchObject({ previous: null, change: null, percentChange: null, direction: null })
    const ytd = await dashboardOf(`area=${CHARNWOOD}&period=ytd&month=2019-02`)
    expect(ytd.missingMonths).toEqual(['2018-04', '2018-05', '2018-06', '2018-07', '2018-08', '2018-09'])
  })

  it('against the same period last year, and a re-import of a month gives identical figures', async () => {
    // January 2019's rows again, as if January 2018: every figure is unchanged against a year earlier.
    await importPoliceFile(t.testDb.database, { fileName: '2018-01-leicestershire-street.csv', stream: Readable.from(shiftedFile('2019-01-leicestershire-street.csv', '2019-01', '2018-01')) })
    const before = await dashboardOf(`area=${CHARNWOOD}&period=month&month=2019-01&compare=last_year&force=${encodeURIComponent('Leicestershire Police')}`)
    expect(before.comparison.label).toBe('January 2018')
    for (const figure of before.crimeTypes) expect(figure).toMatchObject({ previous: figure.current, change: 0, direction: 'same' })
    await importPoliceFile(t.testDb.database, { fileName: '2019-01-leicestershire-street.csv', stream: Readable.from(policeFile('2019-01-leicestershire-street.csv')) })
    const after = await dashboardOf(`area=${CHARNWOOD}&period=month&month=2019-01&compare=last_year&force=${encodeURIComponent('Leicestershire Police')}`)
    expect(after).toEqual(before)
  })

  it('ASB incidents from our own case records are a second source beside police ASB, never added to it', async () => {
    const organisation = await t.factories.organisation()
    const officer = await t.factories.user({ roles: ['case_manager'], organisationId: organisation.id })
    const db = t.testDb.database.db
    const place = await db.insertInto('locations').values({ address: '1 Market Place, Loughborough', district_code: CHARNWOOD, lsoa_code: 'E01025691' }).returning('id').executeTakeFirstOrThrow()
    const elsewhere = await db.insertInto('locations').values({ address: '1 High Street, Oakham', district_code: RUTLAND }).returning('id').executeTakeFirstOrThrow()
    const incident = (occurred: string, locationId: string) => ({ reference: `INC-P-${occurred}-${locationId.slice(0, 6)}`, occurred_at: new Date(occurred), reported_at: new Date(occurred), channel: 'phone' as const, type_code: 'noise', category: 'nuisance' as const, description: 'Loud music', organisation_id: organisation.id, recorded_by: officer.id, location_id: locationId })
    // Months are UK months: 23:30 UTC on 30 September 2018 is 00:30 on 1 October in British Summer Time.
    await db
      .insertInto('incidents')
      .values([incident('2019-01-01T00:30:00Z', place.id), incident('2019-01-20T12:00:00Z', place.id), incident('2018-12-31T23:30:00Z', place.id), incident('2019-01-05T12:00:00Z', elsewhere.id), incident('2018-09-30T23:30:00Z', place.id)])
      .execute()
    const charnwood = await dashboardOf(`area=${CHARNWOOD}&period=month&month=2019-01&compare=previous`)
    expect(charnwood.asb.cases).toMatchObject({ source: 'cases', current: 2, previous: 1, change: 1 })
    expect(charnwood.asb.police.current).toBe(countByType(january, CHARNWOOD).get('Anti-social behaviour'))
    const october = await dashboardOf(`area=${CHARNWOOD}&period=month&month=2018-10&compare=previous`)
    expect(october.asb.cases).toMatchObject({ current: 1, previous: 0 })
    const all = await dashboardOf('area=all&period=month&month=2019-01&compare=previous')
    expect(all.asb.cases.current).toBe(3)
    // Police ASB stays the police.uk count: the case records are not added in.
    expect(all.asb.police.current).toBe(countByType(january, 'all').get('Anti-social behaviour'))
  })
})

describe('trends, top areas and the hotspot map', () => {
  it('the five-year trend shows the months loaded and calls out the highest in words', async () => {
    const response = await analyst.get(`/api/v1/performance/trend?area=${CHARNWOOD}&crimeType=${encodeURIComponent('Bicycle theft')}&to=2019-02`)
    expect(response.statusCode).toBe(200)
    const trend = response.json() as Trend
    // Only months with a file loaded: January 2018 too when the last-year test above has loaded it.
    const loaded = ((await analyst.get('/api/v1/performance/areas')).json() as { months: string[] }).months.filter((month) => month >= '2014-03' && month <= '2019-02')
    expect(loaded).toEqual(expect.arrayContaining(['2018-10', '2018-11', '2018-12', '2019-01', '2019-02']))
    expect(trend.points.map((point) => point.month)).toEqual(loaded)
    // January has the other forces' files too: a bicycle stolen at Loughborough station counts for Charnwood.
    const rowsOf = (month: string) => (month === '2019-01' ? january : readPoliceCsv(`${month}-leicestershire-street.csv`))
    const counts = new Map(['2018-10', '2018-11', '2018-12', '2019-01', '2019-02'].map((month) => [month, countByType(rowsOf(month), CHARNWOOD).get('Bicycle theft') ?? 0]))
    for (const month of counts.keys()) expect(trend.points.find((point) => point.month === month)!.count, month).toBe(counts.get(month))
    const highest = trend.points.reduce((best, point) => (point.count >= best.count ? point : best))
    expect(trend.highest).toEqual(highest)
    const tied = trend.points.filter((point) => point.count === highest.count).map((point) => monthName(point.month))
    const when = tied.length > 1 ? `joint highest level in the ${loaded.length} months of data loaded (since ${monthName(loaded[0]!)}) in ${new Intl.ListFormat('en-GB').format(tied)} (${highest.count} crimes each)` : `highest level in the ${loaded.length} months of data loaded (since ${monthName(loaded[0]!)}) in ${tied[0]} (${highest.count} crimes)`
    expect(trend.highestText).toBe(`Bicycle theft in Charnwood was at its ${when}.`)
  })

  it('top LSOAs are ranked by count and carry the comparison', async () => {
    const response = await analyst.get(`/api/v1/performance/top-areas?area=${CHARNWOOD}&period=month&month=2019-01&compare=previous&crimeType=Burglary&level=lsoa`)
    expect(response.statusCode).toBe(200)
    const { rows } = response.json() as { rows: { code: string; name: string; current: number; previous: number }[] }
    const expected = new Map<string, number>()
    for (const row of january) if (row.crimeType === 'Burglary' && lsoaDistrict.get(row.lsoaCode) === CHARNWOOD) expected.set(row.lsoaCode, (expected.get(row.lsoaCode) ?? 0) + 1)
    const top = [...expected].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    expect(rows[0]).toMatchObject({ code: top[0]![0], current: top[0]![1] })
    expect(rows.map((row) => row.current)).toEqual([...rows.map((row) => row.current)].sort((a, b) => b - a))
    expect(rows[0]!.name).toMatch(/^Charnwood \d{3}[A-Z]$/)
  })

  it('wards: the "areas with the highest levels of crime" table', async () => {
    const page = await analyst.get(`/performance/top-areas?area=${CHARNWOOD}&period=month&month=2019-01&compare=previous`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Areas with the highest levels of crime in Charnwood')
    expect(page.body).toContain('Loughborough')
  })

  it('the map counts every located crime of the type in the area by LSOA, and its points add up', async () => {
    const response = await analyst.get(`/api/v1/performance/map?area=${CHARNWOOD}&period=month&month=2019-01&crimeType=Burglary`)
    expect(response.statusCode).toBe(200)
    const map = response.json() as HotspotMap
    const burglaries = january.filter((row) => row.crimeType === 'Burglary' && lsoaDistrict.get(row.lsoaCode) === CHARNWOOD)
    expect(map.lsoas.reduce((sum, lsoa) => sum + lsoa.count, 0)).toBe(burglaries.length)
    expect(map.points.reduce((sum, point) => sum + point.count, 0)).toBe(burglaries.filter((row) => row.longitude !== '').length)
    // 2011 codes in these months, so the 2011 boundaries: every LSOA of Charnwood, with or without crimes.
    const charnwood2011 = JSON.parse(readFileSync(new URL('../../../reference/geo/lsoa11/E07000130.geojson', import.meta.url), 'utf8')) as { features: unknown[] }
    expect(map.lsoas).toHaveLength(charnwood2011.features.length)
  })

  it('the map page draws an SVG from our own boundaries, with a key and a table', async () => {
    const page = await analyst.get(`/performance/map?area=${CHARNWOOD}&period=month&month=2019-01&crimeType=Burglary`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toMatch(/<svg[^>]+role="img"/)
    expect(page.body).toContain('LSOAs with the most crimes')
    expect(page.body).not.toMatch(/tile|openstreetmap/i)
    const points = await analyst.get(`/performance/map?area=${CHARNWOOD}&period=month&month=2019-01&crimeType=Burglary&view=points`)
    expect(points.body).toContain('<circle')
  })

  it('a map of a range longer than a year is drawn: it compares nothing, so the rule against overlapping comparisons is not its concern', async () => {
    const range = `area=${CHARNWOOD}&period=custom&from=2018-01&to=2019-12&crimeType=Burglary`
    const response = await analyst.get(`/api/v1/performance/map?${range}`)
    expect(response.statusCode).toBe(200)
    const map = response.json() as HotspotMap
    const dashboard = await dashboardOf(`${range}&compare=previous`)
    expect(map.period).toEqual(dashboard.period)
    expect(map.lsoas.reduce((sum, lsoa) => sum + lsoa.count, 0) + map.notDrawn).toBe(figureOf(dashboard, 'Burglary').current)
    expect((await analyst.get(`/performance/map?${range}`)).statusCode).toBe(200)
  })
})

describe('what the review found', () => {
  it('a month with only another force\'s file is a gap, not a month of almost no crime', async () => {
    // British Transport Police's March 2019, with no Leicestershire Police file for March.
    const march = shiftedFile('2019-01-btp-street.csv', '2019-01', '2019-03')
    await importPoliceFile(t.testDb.database, { fileName: '2019-03-btp-street.csv', stream: Readable.from(march) })
    const dashboard = await dashboardOf(`area=${CHARNWOOD}&period=month&month=2019-03&compare=previous`)
    expect(dashboard.missingMonths).toEqual(['2019-03'])
    const trend = (await analyst.get(`/api/v1/performance/trend?area=${CHARNWOOD}&crimeType=Burglary&to=2019-03`)).json() as Trend
    expect(trend.points.map((point) => point.month)).not.toContain('2019-03')
    // With the force filter, March is British Transport Police's own month.
    const btp = await dashboardOf(`area=${CHARNWOOD}&period=month&month=2019-03&compare=previous&force=${encodeURIComponent('British Transport Police')}`)
    expect(btp.missingMonths).toEqual([])
    const unknown = await analyst.get('/api/v1/performance/dashboard?force=Nobody')
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().message).toBe('Choose a force from the list')
  })

  it('the map says how many crimes are coded to LSOAs of the other vintage rather than dropping them silently', async () => {
    const header = 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n'
    // Three crimes at a 2021-only Charnwood LSOA in a month otherwise coded to 2011 LSOAs.
    // The force's other crimes are elsewhere, so it is not one that polices our areas (whose missing months are gaps).
    const row = (index: number, lsoa: string, name: string) => `${'a'.repeat(62)}${String(index).padStart(2, '0')},2019-02,Test Constabulary,Test Constabulary,-1.2,52.77,On or near Test Street,${lsoa},${name},Burglary,Under investigation,\n`
    const rows = [0, 1, 2].map((index) => row(index, 'E01034002', 'Charnwood 009G')).join('') + Array.from({ length: 10 }, (_, index) => row(10 + index, 'E01000001', 'City of London 001A')).join('')
    await importPoliceFile(t.testDb.database, { fileName: '2019-02-test-street.csv', stream: Readable.from(Buffer.from(header + rows)) })
    const map = (await analyst.get(`/api/v1/performance/map?area=${CHARNWOOD}&period=month&month=2019-02&crimeType=Burglary`)).json() as HotspotMap
    expect(map.notDrawn).toBe(3)
    const dashboard = await dashboardOf(`area=${CHARNWOOD}&period=month&month=2019-02`)
    expect(map.lsoas.reduce((total, lsoa) => total + lsoa.count, 0) + map.notDrawn).toBe(figureOf(dashboard, 'Burglary').current)
    const page = await analyst.get(`/performance/map?area=${CHARNWOOD}&period=month&month=2019-02&crimeType=Burglary`)
    expect(page.body).toContain('3 crimes in this period are coded to LSOAs of the other boundary vintage')
  })

  it('the top areas export ranks as the page does, says what it counts and names the file by it', async () => {
    const query = `area=${CHARNWOOD}&period=month&month=2019-01&compare=previous&crimeType=Burglary&level=ward&sort=change`
    const { rows } = (await analyst.get(`/api/v1/performance/top-areas?${query}`)).json() as { rows: { name: string }[] }
    const csv = await analyst.get(`/performance/export/top-areas?${query}&format=csv`)
    const [heading, ...records] = parse(csv.body) as string[][]
    expect(heading).toEqual(['Rank', 'Area', 'Code', 'District', 'January 2019', 'December 2018', 'Change', 'Change (%)', 'Note'])
    expect(records.slice(0, 3).map((record) => record.slice(0, 2))).toEqual(rows.slice(0, 3).map((row, index) => [String(index + 1), row.name]))
    expect(csv.headers['content-disposition']).toContain('top-wards-burglary-charnwood-2019-01-to-2019-01-by-change.csv')
  })
})

describe('pages, exports and access', () => {
  it('the dashboard page shows the numbers behind every percentage and a chart with a text alternative', async () => {
    const page = await analyst.get(`/performance?area=${CHARNWOOD}&period=month&month=2019-01&compare=previous`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Crime and ASB in Charnwood')
    expect(page.body).toContain('January 2019, against December 2018')
    expect(page.body).toMatch(/<svg[^>]+role="img"[^>]*aria-labelledby/)
    expect(page.body).toContain('Anti-social behaviour: two sources, reported separately and never added together')
  })

  it('exports the dashboard table as CSV and Excel with the same figures', async () => {
    const query = `area=${CHARNWOOD}&period=month&month=2019-01&compare=previous&force=${encodeURIComponent('Leicestershire Police')}`
    const dashboard = await dashboardOf(query)
    const csv = await analyst.get(`/performance/export/dashboard?${query}&format=csv`)
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toContain('text/csv')
    const burglary = figureOf(dashboard, 'Burglary')
    expect(csv.body).toContain(`Burglary,${burglary.current},${burglary.previous},`)
    // Each row is named in the export as on the page.
    for (const row of [dashboard.allCrime, dashboard.asb.police, dashboard.asb.cases]) expect(csv.body).toContain(`\n${row.label},${row.current},`)
    const xlsx = await analyst.get(`/performance/export/dashboard?${query}&format=xlsx`)
    const zip = await JSZip.loadAsync(xlsx.rawPayload)
    const sheet = await zip.file('xl/worksheets/sheet1.xml')!.async('string')
    expect(sheet).toContain(`<v>${burglary.current}</v>`)
    for (const table of ['trend', 'top-areas', 'map']) {
      const response = await analyst.get(`/performance/export/${table}?area=${CHARNWOOD}&period=month&month=2019-01&format=csv`)
      expect(response.statusCode, table).toBe(200)
    }
  })

  it('the board report in PDF and Word states the agenda item, period and sources', async () => {
    const query = `area=${CHARNWOOD}&period=month&month=2019-01&compare=previous&agendaItem=7`
    const pdf = await analyst.get(`/performance/report?${query}&format=pdf`)
    expect(pdf.statusCode).toBe(200)
    const { text } = await new PDFParse({ data: pdf.rawPayload }).getText()
    expect(text).toContain('Agenda Item 7')
    expect(text).toContain('January 2019')
    expect(text).toContain('data.police.uk')
    const docx = await analyst.get(`/performance/report?${query}&format=docx`)
    expect(docx.statusCode).toBe(200)
    const { value } = await mammoth.extractRawText({ buffer: docx.rawPayload })
    expect(value).toContain('Agenda Item 7')
    expect(value).toContain('Crime and anti-social behaviour in Charnwood')
  })

  it('board members may read the figures; a case manager may not; bad input gets a clear 400', async () => {
    const member = await t.signInAs(['board_member'])
    expect((await member.get('/performance')).statusCode).toBe(200)
    const caseManager = await t.signInAs(['case_manager'])
    expect((await caseManager.get('/performance')).statusCode).toBe(403)
    expect((await caseManager.get('/api/v1/performance/dashboard')).statusCode).toBe(403)
    const badArea = await analyst.get('/api/v1/performance/dashboard?area=E99999999')
    expect(badArea.statusCode).toBe(400)
    expect(badArea.json().message).toContain('Choose an area from the list')
    const badMonth = await analyst.get('/api/v1/performance/dashboard?month=January')
    expect(badMonth.statusCode).toBe(400)
    expect(badMonth.body).toContain('Enter the month like 2019-01')
    const backwards = await analyst.get('/api/v1/performance/dashboard?period=custom&from=2019-02&to=2019-01')
    expect(backwards.statusCode).toBe(400)
    expect(backwards.body).toContain('The last month must be the same as or after the first month')
    // A year such as 0000 is a typing slip, refused rather than counted back to before the year 1.
    for (const slip of ['period=month&month=0000-05', 'month=0999-05', 'period=custom&from=0000-01&to=0000-02']) {
      const response = await analyst.get(`/api/v1/performance/dashboard?${slip}`)
      expect(response.statusCode, slip).toBe(400)
    }
    expect((await analyst.get(`/performance?area=${CHARNWOOD}&month=0000-05`)).statusCode).toBe(400)
    expect((await analyst.get(`/api/v1/performance/trend?crimeType=${encodeURIComponent('ASB incidents (case records)')}&to=0004-01`)).statusCode).toBe(400)
    const overlapping = await analyst.get('/api/v1/performance/dashboard?period=custom&from=2017-01&to=2019-01&compare=last_year')
    expect(overlapping.statusCode).toBe(400)
    expect(overlapping.json().message).toContain('compare it with the previous period')
  })

  it('a month asked for with no data stays chosen on the form, said to have no data', async () => {
    const page = await analyst.get(`/performance?area=${CHARNWOOD}&period=month&month=2019-06&compare=previous`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<option value="2019-06" selected>June 2019 (no police.uk data)</option>')
    expect(page.body).toContain('No police.uk data is loaded for June 2019.')
    const loaded = await analyst.get(`/performance?area=${CHARNWOOD}&period=month&month=2019-01&compare=previous`)
    expect(loaded.body).toContain('<option value="2019-01" selected>January 2019</option>')
    expect(loaded.body).not.toContain('(no police.uk data)')
  })

  it('each page has its own form: its address, its fields, and ASB from case records only where it can be shown', async () => {
    const cases = `<option value="${ASB_CASES}"`
    const pages = [
      { url: `/performance?area=${CHARNWOOD}&period=month&month=2019-01`, action: '/performance', period: true, crimeType: false, to: false },
      { url: `/performance/trends?area=${CHARNWOOD}&crimeType=Burglary`, action: '/performance/trends', period: false, crimeType: true, to: true, cases: true },
      { url: `/performance/top-areas?area=${CHARNWOOD}&period=month&month=2019-01`, action: '/performance/top-areas', period: true, crimeType: true, to: false, cases: false },
      { url: `/performance/map?area=${CHARNWOOD}&period=month&month=2019-01`, action: '/performance/map', period: true, crimeType: true, to: false, cases: false },
      // The form shown again with an error keeps the page's settings.
      { url: `/performance/map?area=${CHARNWOOD}&period=custom&from=2019-02&to=2019-01`, action: '/performance/map', period: true, crimeType: true, to: false, cases: false, status: 400 },
    ]
    for (const expected of pages) {
      const page = await analyst.get(expected.url)
      expect(page.statusCode, expected.url).toBe(expected.status ?? 200)
      expect(page.body, expected.url).toContain(`<form method="get" action="${expected.action}"`)
      expect(page.body.includes('id="period"'), expected.url).toBe(expected.period)
      expect(page.body.includes('id="crimeType"'), expected.url).toBe(expected.crimeType)
      expect(page.body.includes('Five years up to'), expected.url).toBe(expected.to)
      if (expected.cases !== undefined) expect(page.body.includes(cases), expected.url).toBe(expected.cases)
    }
  })

  it('a choice that cannot be shown gives the form again with a GOV.UK error summary, not a dead end', async () => {
    const custom = await analyst.get(`/performance?area=${CHARNWOOD}&period=custom&from=&to=`)
    expect(custom.statusCode).toBe(400)
    expect(custom.body).toContain('govuk-error-summary')
    expect(custom.body).toMatch(/<a href="#from">Enter the first month of the range, like 2018-10<\/a>/)
    expect(custom.body).toContain('<form method="get" action="/performance"')
    const backwards = await analyst.get(`/performance/top-areas?area=${CHARNWOOD}&period=custom&from=2019-02&to=2019-01`)
    expect(backwards.statusCode).toBe(400)
    expect(backwards.body).toMatch(/<a href="#to">The last month must be the same as or after the first month<\/a>/)
    const badMonth = await analyst.get('/performance/trends?to=2019-13')
    expect(badMonth.statusCode).toBe(400)
    expect(badMonth.body).toMatch(/<a href="#to">Enter the last month like 2019-01<\/a>/)
    expect(badMonth.body).toContain('govuk-error-message')
  })

  it('the API is in the OpenAPI document', async () => {
    const response = await analyst.get('/api/v1/openapi.json')
    expect(response.statusCode).toBe(200)
    const paths = Object.keys(response.json().paths)
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/performance/dashboard', '/api/v1/performance/trend', '/api/v1/performance/top-areas', '/api/v1/performance/map', '/api/v1/performance/areas']))
  })
})
