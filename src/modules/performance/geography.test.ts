import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase, type TestDatabase } from '../../../test/helpers/database.js'
import { auditRepository } from '../audit/audit.repository.js'
import { auditService } from '../audit/audit.service.js'
import { BoundaryError, ensureBoundaries, readBoundaryFolder, wardsOfLsoas } from './geography.js'
import { policeFile, readPoliceCsv } from './performance.fixtures.js'
import { performanceService } from './performance.service.js'
import { importPoliceFile } from './police-import.js'

let testDb: TestDatabase

beforeAll(async () => {
  testDb = await freshDatabase()
}, 60_000)

afterAll(async () => {
  await testDb?.destroy()
})

describe('the partnership geography', () => {
  it('reads both vintages of LSOA, the wards and the nine districts, and puts each LSOA in a ward of its own district', () => {
    const set = readBoundaryFolder(new URL('../../../reference/geo/', import.meta.url).pathname)
    expect(set.districts.map((district) => district.name)).toContain('Oadby and Wigston')
    expect(new Set(set.lsoas.map((lsoa) => lsoa.vintage))).toEqual(new Set([2011, 2021]))
    const wards = wardsOfLsoas(set)
    const wardDistrict = new Map(set.wards.map((ward) => [ward.code, ward.districtCode]))
    const placed = set.lsoas.filter((lsoa) => wards.get(`${lsoa.vintage}:${lsoa.code}`))
    expect(placed.length / set.lsoas.length).toBeGreaterThan(0.99)
    for (const lsoa of placed) expect(wardDistrict.get(wards.get(`${lsoa.vintage}:${lsoa.code}`)!), lsoa.code).toBe(lsoa.districtCode)
  })

  it('refuses a folder with no districts list or no LSOAs, naming what is missing', () => {
    expect(() => readBoundaryFolder('/nonexistent/geo')).toThrow(BoundaryError)
    expect(() => readBoundaryFolder(new URL('../../../reference/geo/ward/', import.meta.url).pathname)).toThrow('has no districts CSV')
  })

  it('crimes imported before the boundaries were loaded are placed when they are, and their force then polices our areas', async () => {
    // No boundaries yet: every crime is outside our areas.
    const imported = await importPoliceFile(testDb.database, { fileName: '2019-01-leicestershire-street.csv', stream: Readable.from(policeFile('2019-01-leicestershire-street.csv')) })
    expect(imported.inArea).toBe(0)
    const service = performanceService({ database: testDb.database, audit: auditService(auditRepository(testDb.database.db)) })
    expect(await service.forces()).toEqual([])

    const loaded = await ensureBoundaries(testDb.database)
    const located = readPoliceCsv('2019-01-leicestershire-street.csv').filter((row) => row.lsoaCode !== '')
    const outside = imported.outsideArea - loaded!.crimesRelocated
    expect(loaded!.crimesRelocated).toBeGreaterThan(located.length * 0.99)
    const file = await testDb.database.db.selectFrom('police_files').select(['rows_outside_area']).executeTakeFirstOrThrow()
    expect(file.rows_outside_area).toBe(outside)
    expect(await service.forces()).toEqual(['Leicestershire Police'])
    const dashboard = await service.dashboard({ area: 'all', period: 'month', month: '2019-01', compare: 'previous' })
    expect(dashboard.allCrime.current + dashboard.asb.police.current).toBe(imported.rows - imported.noLocation - outside)
    expect(dashboard.noLocation).toBe(imported.noLocation)
    // A second start finds them loaded and does nothing.
    expect(await ensureBoundaries(testDb.database)).toBeNull()
  })
})
