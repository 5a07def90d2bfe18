import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase, type TestDatabase } from '../../../test/helpers/database.js'
import { auditRepository } from '../audit/audit.repository.js'
import { auditService } from '../audit/audit.service.js'
import { ensureBoundaries } from './geography.js'
import { figure, percentChangeOf, performanceService } from './performance.service.js'
import { addMonths, monthsBetween } from './periods.js'

const CHARNWOOD = 'E07000130'
let testDb: TestDatabase
let service: ReturnType<typeof performanceService>

/** Five years of monthly counts written straight into the tables: bicycle theft peaks in October 2021. */
async function loadFiveYears() {
  const db = testDb.database.db
  const months = monthsBetween('2017-03', '2022-02')
  for (const [index, month] of months.entries()) {
    const file = await db
      .insertInto('police_files')
      .values({ force: 'Leicestershire Police', month, file_name: `${month}-leicestershire-street.csv`, sha256: 'x', row_count: 0, rows_no_location: 0, rows_outside_area: 0 })
      .returning('id')
      .executeTakeFirstOrThrow()
    const bicycles = month === '2021-10' ? 90 : 20 + (index % 7)
    await db
      .insertInto('police_crime_counts')
      .values([
        { file_id: file.id, month, reported_by: 'Leicestershire Police', district_code: CHARNWOOD, lsoa_code: 'E01025670', located: true, crime_type: 'Bicycle theft', crime_type_label: 'Bicycle theft', crimes: bicycles },
        { file_id: file.id, month, reported_by: 'Leicestershire Police', district_code: CHARNWOOD, lsoa_code: 'E01025670', located: true, crime_type: 'Anti-social behaviour', crime_type_label: 'Anti-social behaviour', crimes: 500 },
        { file_id: file.id, month, reported_by: 'Leicestershire Police', district_code: CHARNWOOD, lsoa_code: 'E01025671', located: true, crime_type: 'Shoplifting', crime_type_label: 'Shoplifting', crimes: 5 },
        { file_id: file.id, month, reported_by: 'Leicestershire Police', district_code: CHARNWOOD, lsoa_code: 'E01025671', located: true, crime_type: 'Robbery', crime_type_label: 'Robbery', crimes: ['2019-05', '2020-07'].includes(month) ? 12 : 3 },
      ])
      .execute()
  }
}

beforeAll(async () => {
  testDb = await freshDatabase()
  await ensureBoundaries(testDb.database)
  service = performanceService({ database: testDb.database, audit: auditService(auditRepository(testDb.database.db)) })
  await loadFiveYears()
}, 60_000)

afterAll(async () => {
  await testDb?.destroy()
})

describe('figures', () => {
  it('a change is given in numbers and %, flagged when the base is under 10, and never divided by zero', () => {
    expect(figure('Shoplifting', 'police', 'Shoplifting', 77, 57)).toMatchObject({ change: 20, percentChange: 35.1, notMeaningful: false, direction: 'up' })
    expect(figure('Burglary', 'police', 'Burglary', 37, 49)).toMatchObject({ change: -12, percentChange: -24.5, direction: 'down' })
    expect(figure('Robbery', 'police', 'Robbery', 8, 5)).toMatchObject({ change: 3, percentChange: 60, notMeaningful: true })
    expect(figure('Robbery', 'police', 'Robbery', 10, 10)).toMatchObject({ change: 0, percentChange: 0, notMeaningful: false, direction: 'same' })
    expect(figure('Drugs', 'police', 'Drugs', 4, 0)).toMatchObject({ change: 4, percentChange: null, notMeaningful: true, direction: 'up' })
    expect(figure('Drugs', 'police', 'Drugs', 4, null)).toMatchObject({ change: null, percentChange: null, notMeaningful: false, direction: null })
  })

  it('rounds a change half away from zero, exactly, as the boards\' spreadsheets do', () => {
    // -6.25% and +6.25%: a fall rounds as a rise does; floating point would give -6.2.
    expect(percentChangeOf(15, 16)).toBe(-6.3)
    expect(percentChangeOf(17, 16)).toBe(6.3)
    // 50.25% exactly: floating point makes it 50.2499... and rounds it down.
    expect(percentChangeOf(601, 400)).toBe(50.3)
    expect(percentChangeOf(199, 400)).toBe(-50.3)
    expect(percentChangeOf(1, 3)).toBe(-66.7)
    expect(percentChangeOf(2, 3)).toBe(-33.3)
    expect(percentChangeOf(0, 7)).toBe(-100)
    expect(percentChangeOf(14, 7)).toBe(100)
  })
})

describe('the five-year trend', () => {
  it('calls out the highest month in five years in words', async () => {
    const trend = await service.trend({ area: CHARNWOOD, crimeType: 'Bicycle theft' })
    expect(trend.points).toHaveLength(60)
    expect(trend.from).toBe('2017-03')
    expect(trend.highest).toEqual({ month: '2021-10', count: 90 })
    expect(trend.highestText).toBe('Bicycle theft in Charnwood was at its highest level in five years in October 2021 (90 crimes).')
  })

  it('names every month of a joint highest, and a long tie by its count', async () => {
    const robbery = await service.trend({ area: CHARNWOOD, crimeType: 'Robbery' })
    expect(robbery.highestText).toBe('Robbery in Charnwood was at its joint highest level in five years in May 2019 and July 2020 (12 crimes each).')
    expect(robbery.highest).toEqual({ month: '2020-07', count: 12 })
    const shoplifting = await service.trend({ area: CHARNWOOD, crimeType: 'Shoplifting' })
    expect(shoplifting.highestText).toBe('Shoplifting in Charnwood reached its highest level in five years (5 crimes) in 60 months, most recently February 2022.')
    const one = await service.trend({ area: CHARNWOOD, crimeType: 'Shoplifting', to: '2017-03' })
    expect(one.highestText).toContain('in the one month of data loaded (since March 2017)')
  })

  it('"All crime" leaves ASB out; a month with no file is a gap, not a zero', async () => {
    const trend = await service.trend({ area: CHARNWOOD, crimeType: 'All crime', to: '2022-04' })
    // March and April 2022 have no file: they are not drawn as falls to zero.
    expect(trend.points.at(-1)!.month).toBe('2022-02')
    expect(trend.points).toHaveLength(58)
    const october = trend.points.find((point) => point.month === '2021-10')!
    expect(october.count).toBe(98)
    expect(trend.highestText).toContain('All crime (excluding ASB) in Charnwood was at its highest level in the 58 months of data loaded (since May 2017) in October 2021 (98 crimes).')
  })

  it('a financial year against the one before, from the counts', async () => {
    const dashboard = await service.dashboard({ area: CHARNWOOD, period: 'year', month: '2021-10', compare: 'last_year' })
    // March 2022 is not loaded: the eleven months loaded are compared with the same eleven a year earlier, like for
    // like, not with a whole year (which would show a fall of one month's crime).
    expect(dashboard.period).toMatchObject({ from: '2021-04', to: '2022-02', months: 11, label: 'April 2021 to February 2022, the months loaded of 2021/22' })
    expect(dashboard.comparison).toMatchObject({ from: '2020-04', to: '2021-02', months: 11, label: 'April 2020 to February 2021, the same months of 2020/21' })
    expect(dashboard.missingMonths).toEqual(['2022-03'])
    expect(dashboard.warnings).toEqual(['No police.uk data is loaded for March 2022: the figures cover only the months loaded.'])
    const shoplifting = dashboard.crimeTypes.find((row) => row.crimeType === 'Shoplifting')!
    expect(shoplifting).toMatchObject({ current: 55, previous: 55, change: 0, percentChange: 0 })
    expect(addMonths(dashboard.comparison.from, 12)).toBe(dashboard.period.from)
  })
})

describe('a period only partly loaded', () => {
  it('a quarter under way is counted over its loaded months and compared with the same months, like for like', async () => {
    const lastYear = await service.dashboard({ area: CHARNWOOD, period: 'quarter', month: '2022-02', compare: 'last_year' })
    expect(lastYear.period).toMatchObject({ from: '2022-01', to: '2022-02', label: 'January 2022 to February 2022, the months loaded of Quarter 4 2021/22' })
    expect(lastYear.comparison).toMatchObject({ from: '2021-01', to: '2021-02', label: 'January 2021 to February 2021, the same months of Quarter 4 2020/21' })
    expect(lastYear.crimeTypes.find((row) => row.crimeType === 'Shoplifting')).toMatchObject({ current: 10, previous: 10, percentChange: 0 })
    expect(lastYear.notCompared).toBeNull()
    // The quarter before is October to December: its first two months are the same months.
    const previous = await service.dashboard({ area: CHARNWOOD, period: 'quarter', month: '2022-02', compare: 'previous' })
    expect(previous.comparison).toMatchObject({ from: '2021-10', to: '2021-11' })
    expect(previous.crimeTypes.find((row) => row.crimeType === 'Bicycle theft')).toMatchObject({ current: 20 + (58 % 7) + 20 + (59 % 7), previous: 90 + 20 + (56 % 7) })
  })

  it('is not compared when the comparison months are not loaded, and says so', async () => {
    const dashboard = await service.dashboard({ area: CHARNWOOD, period: 'custom', from: '2017-01', to: '2017-06', compare: 'last_year' })
    expect(dashboard.period).toMatchObject({ from: '2017-03', to: '2017-06' })
    expect(dashboard.notCompared).toBe('No police.uk data is loaded for March 2016 to June 2016, so police.uk figures are not compared.')
    expect(dashboard.warnings).toEqual(['No police.uk data is loaded for January 2017 to February 2017: the figures cover only the months loaded.', dashboard.notCompared])
    expect(dashboard.allCrime).toMatchObject({ previous: null, percentChange: null, direction: null })
  })

  it('compares every force together unless another force has files for one side only', async () => {
    const db = testDb.database.db
    const btp = await db
      .insertInto('police_files')
      .values({ force: 'British Transport Police', month: '2021-01', file_name: '2021-01-btp-street.csv', sha256: 'y', row_count: 100, rows_no_location: 0, rows_outside_area: 96 })
      .returning('id')
      .executeTakeFirstOrThrow()
    await db
      .insertInto('police_crime_counts')
      .values({ file_id: btp.id, month: '2021-01', reported_by: 'British Transport Police', district_code: CHARNWOOD, lsoa_code: 'E01025670', located: true, crime_type: 'Bicycle theft', crime_type_label: 'Bicycle theft', crimes: 4 })
      .execute()
    // Most of the force's crimes are elsewhere in the country, so its months are not needed for a month to count as loaded.
    try {
      // June 2021 against June 2020: the force's one file lies between them, on neither side.
      expect((await service.dashboard({ area: CHARNWOOD, period: 'month', month: '2021-06', compare: 'last_year' })).notCompared).toBeNull()
      const january = await service.dashboard({ area: CHARNWOOD, period: 'month', month: '2021-01', compare: 'last_year' })
      expect(january.notCompared).toBe(
        'British Transport Police files are not loaded for January 2020, so police.uk figures for every force together are not compared. Choose a force under \u201cReported by\u201d to compare its figures.',
      )
      const leicestershire = await service.dashboard({ area: CHARNWOOD, period: 'month', month: '2021-01', compare: 'last_year', force: 'Leicestershire Police' })
      expect(leicestershire.notCompared).toBeNull()
    } finally {
      await db.deleteFrom('police_files').where('id', '=', btp.id).execute()
    }
  })

  it('is not compared when a month in the middle of the period is missing', async () => {
    await testDb.database.db.deleteFrom('police_files').where('month', '=', '2019-05').execute()
    const dashboard = await service.dashboard({ area: CHARNWOOD, period: 'quarter', month: '2019-06', compare: 'previous' })
    expect(dashboard.period).toMatchObject({ from: '2019-04', to: '2019-06' })
    expect(dashboard.notCompared).toBe('No police.uk data is loaded for May 2019, in the middle of the period, so police.uk figures are not compared.')
    expect(dashboard.crimeTypes.every((row) => row.previous === null)).toBe(true)
  })
})
