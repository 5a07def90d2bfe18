import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { commandLine } from '../../test/helpers/cli.js'
import { serverUrl } from '../../test/helpers/database.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const DATA = fileURLToPath(new URL('../../../shared/data/police-uk/', import.meta.url))

const cli = commandLine('import-cli')

/** Runs npm run import:police as a person would, with a configuration of its own. */
function importPolice(...args: string[]) {
  return cli.run('src/cli/import-police.ts', args)
}
const withDatabase = cli.withDatabase

describe('npm run import:police', () => {
  it('imports every CSV file in a folder and its subfolders, and prints what each held', async () => {
    const input = path.join(cli.folder, 'downloads')
    mkdirSync(path.join(input, '2019-01'), { recursive: true })
    copyFileSync(path.join(DATA, '2019-01-btp-street.csv'), path.join(input, '2019-01', '2019-01-btp-street.csv'))
    copyFileSync(path.join(DATA, '2018-12-leicestershire-street.csv'), path.join(input, '2018-12-leicestershire-street.csv'))
    writeFileSync(path.join(input, 'README.txt'), 'not a CSV file: left alone')

    const run = await importPolice(input)

    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const lines = run.stdout.split('\n')
    // Sorted by path: the folder's own file, then the subfolder's.
    expect(lines.filter((line) => line.startsWith('Imported '))).toEqual([
      expect.stringMatching(/^Imported 2018-12-leicestershire-street\.csv: Leicestershire Police, December 2018: 8,380 rows \([\d,]+ in our areas, [\d,]+ outside our areas, [\d,]+ with no location\); new\./),
      expect.stringMatching(/^Imported 2019-01-btp-street\.csv: British Transport Police, January 2019: 4,660 rows \(21 in our areas, 4,639 outside our areas, 0 with no location\); new\./),
    ])
    expect(run.stdout).toContain('\n2 files imported.\n')
  }, 120_000)

  it('refuses a bad file with its reason and exit code 1, importing the good ones beside it', async () => {
    const bad = path.join(cli.folder, '2019-02-leicestershire-street.csv')
    writeFileSync(bad, 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n,2019-02,Leicestershire Police,Leicestershire Police,-1.2,52.6,On or near Park,E01025631,Blaby 002A,Jaywalking,,\n')

    const run = await importPolice(bad, path.join(DATA, '2018-12-leicestershire-street.csv'))

    expect(run.code).toBe(1)
    const reason = '2019-02-leicestershire-street.csv: line 2 has the crime type "Jaywalking", which is not a police.uk crime type.'
    expect(run.stdout).toContain(`Refused  ${reason}`)
    expect(run.stdout).toMatch(/Imported 2018-12-leicestershire-street\.csv: .*; replaced 8,380 rows imported before\./)
    expect(run.stdout).toContain(`1 file imported, 1 refused. Nothing of a refused file was saved:\n  ${reason}\n`)

    await withDatabase(async (database) => {
      const files = await database.db.selectFrom('police_files').select(['force', 'month', 'row_count', 'imported_by']).orderBy('month').execute()
      expect(files).toEqual([
        { force: 'Leicestershire Police', month: '2018-12', row_count: 8380, imported_by: null },
        { force: 'British Transport Police', month: '2019-01', row_count: 4660, imported_by: null },
      ])
      const audit = await database.db.selectFrom('audit_events').select(['action', 'user_id']).where('action', 'like', 'police_file.%').orderBy('occurred_at').execute()
      expect(audit).toEqual([
        { action: 'police_file.imported', user_id: null },
        { action: 'police_file.imported', user_id: null },
        { action: 'police_file.rejected', user_id: null },
        { action: 'police_file.imported', user_id: null },
      ])
    })
  }, 120_000)

  it.skipIf(Boolean(serverUrl))('refuses to write the embedded database while the app has it open, and writes nothing', async () => {
    // The app's lock: a live process (this test runner) holds the folder.
    const lock = path.join(cli.folder, 'data', 'pglite', 'safer-communities.lock')
    mkdirSync(path.dirname(lock), { recursive: true })
    await writeFile(lock, String(process.pid))
    try {
      const run = await importPolice(path.join(DATA, '2019-02-leicestershire-street.csv'))
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`is in use by another process (${process.pid})`)
    } finally {
      await rm(lock, { force: true })
    }
    const months = await withDatabase((database) => database.db.selectFrom('police_files').select('month').where('month', '=', '2019-02').execute())
    expect(months).toEqual([])
  })

  it('shows how to use it, with exit code 2, when given no files or a path that does not exist', async () => {
    const none = await importPolice()
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('Usage: npm run import:police -- <file or folder>')

    const missing = await importPolice(path.join(cli.folder, 'no-such-folder'))
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain(`There is no file or folder ${path.join(cli.folder, 'no-such-folder')}`)
  })
})

describe('npm run load:boundaries', () => {
  const loadBoundaries = (...args: string[]) => cli.run('src/cli/load-boundaries.ts', args)

  it('reloads the boundaries from a folder laid out as reference/geo, and says what it loaded', async () => {
    const run = await loadBoundaries(path.join(ROOT, 'reference/geo'))
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toBe('Loaded 9 districts, 176 wards and 1,245 LSOAs (2011 and 2021 together).\nNo police.uk crimes already imported changed district.\n')
    const loaded = await withDatabase((database) => database.db.selectFrom('audit_events').select(['details', 'user_id']).where('action', '=', 'boundaries.loaded').execute())
    expect(loaded.at(-1)).toEqual({ user_id: null, details: { districts: 9, wards: 176, lsoas: 1245, crimesRelocated: 0, source: 'geo' } })
  }, 120_000)

  it('explains what is wrong with a folder that is not a boundary set, with exit code 1', async () => {
    const wrong = path.join(cli.folder, 'not-boundaries')
    mkdirSync(wrong, { recursive: true })
    writeFileSync(path.join(wrong, 'districts.csv'), 'code,name\nE06000016,Leicester\n')
    const run = await loadBoundaries(wrong)
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('The boundaries could not be loaded: districts.csv needs LADCD and LADNM columns. Nothing was changed.\n')
  })

  it('shows how to use it, with exit code 2, when given no folder', async () => {
    const run = await loadBoundaries()
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('Usage: npm run load:boundaries -- <folder>')
  })
})
