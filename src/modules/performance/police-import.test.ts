import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createReadStream, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase, migratedDataFolder, serverUrl, type TestDatabase } from '../../../test/helpers/database.js'
import { type Database, openDatabase } from '../../platform/db/database.js'
import { samples } from '../documents/documents.fixtures.js'
import { ensureBoundaries } from './geography.js'
import { importPoliceFile, monthFromFileName, PoliceFileError } from './police-import.js'

const DATA = fileURLToPath(new URL('../../../../shared/data/police-uk/', import.meta.url))
const FIXTURE = fileURLToPath(new URL('./police-import.kill-fixture.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const LEICESTERSHIRE_2019_01 = '2019-01-leicestershire-street.csv'

let testDb: TestDatabase
const database = () => testDb.database
const db = () => testDb.database.db
let lookup: Map<string, string>

beforeAll(async () => {
  testDb = await freshDatabase()
  await ensureBoundaries(database())
  lookup = new Map((await db().selectFrom('geo_lsoa_lookup').select(['code', 'district_code']).execute()).map((row) => [row.code, row.district_code]))
}, 120_000)
afterAll(() => testDb.destroy())

interface PoliceRecord {
  Month: string
  'LSOA code': string
  Longitude: string
  'Crime type': string
}

const read = (name: string) => readFileSync(path.join(DATA, name))
const records = (content: Buffer | string) => parse(content, { columns: true, bom: true }) as PoliceRecord[]
const tally = <T>(items: T[], key: (item: T) => string) => {
  const counts: Record<string, number> = {}
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1
  return counts
}
/** What the import should find, counted here from the CSV itself. */
function expected(content: Buffer | string) {
  const rows = records(content)
  return {
    rows: rows.length,
    // No location: no LSOA and no map point. A point with no LSOA (a station in Scotland) is outside our areas.
    noLocation: rows.filter((row) => row['LSOA code'] === '' && row.Longitude === '').length,
    inArea: rows.filter((row) => lookup.has(row['LSOA code'])).length,
    outsideArea: rows.filter((row) => (row['LSOA code'] !== '' || row.Longitude !== '') && !lookup.has(row['LSOA code'])).length,
    byType: tally(rows, (row) => row['Crime type']),
    byDistrict: tally(
      rows.filter((row) => lookup.has(row['LSOA code'])),
      (row) => lookup.get(row['LSOA code'])!,
    ),
  }
}

const importContent = (fileName: string, content: Buffer | string, target: Database = database()) =>
  importPoliceFile(target, { fileName, stream: Readable.from([Buffer.from(content)]), totalBytes: Buffer.byteLength(content) })
const importReal = (name: string) => importPoliceFile(database(), { fileName: name, stream: createReadStream(path.join(DATA, name)) })

/** Everything an import writes: a refused file must leave all of it exactly as it was. */
async function snapshot(target: Database = database()) {
  const files = await target.db.selectFrom('police_files').selectAll().orderBy('id').execute()
  const [crimes] = await target.scriptTransaction((tx) => tx.query<{ rows: number }>('select count(*)::int as rows from police_crimes'))
  const [counts] = await target.scriptTransaction((tx) => tx.query<{ rows: number; crimes: number }>('select count(*)::int as rows, coalesce(sum(crimes), 0)::int as crimes from police_crime_counts'))
  return { files, crimes: crimes!.rows, countRows: counts!.rows, counted: counts!.crimes }
}

/** The file's lines (header first), each with its newline. */
const linesOf = (content: Buffer) => content.toString('utf8').split(/(?<=\n)/)
/** Replaces one data line (1 is the header) with what edit makes of its parsed fields. */
function editLine(content: Buffer, lineNumber: number, edit: (fields: string[]) => string[]) {
  const lines = linesOf(content)
  const [fields] = parse(lines[lineNumber - 1]!) as string[][]
  lines[lineNumber - 1] = `${edit(fields!).map((field) => (/[",]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field)).join(',')}\n`
  return lines.join('')
}

describe('importing a real police.uk month', () => {
  it('keeps every row, counts each crime type and the rows with no location as the file has them', async () => {
    const content = read(LEICESTERSHIRE_2019_01)
    const want = expected(content)
    expect(want.noLocation).toBeGreaterThan(0)

    const result = await importReal(LEICESTERSHIRE_2019_01)

    expect(result).toMatchObject({ fileName: LEICESTERSHIRE_2019_01, force: 'Leicestershire Police', month: '2019-01', rows: want.rows, noLocation: want.noLocation, inArea: want.inArea, outsideArea: want.outsideArea, replacedRows: null, mappedLabels: [] })
    expect(Object.fromEntries(result.crimeTypes.map((type) => [type.crimeType, type.rows]))).toEqual(want.byType)

    const [file] = await db().selectFrom('police_files').selectAll().where('id', '=', result.fileId).execute()
    expect(file).toMatchObject({ force: 'Leicestershire Police', month: '2019-01', row_count: want.rows, rows_no_location: want.noLocation, rows_outside_area: want.outsideArea })
    const stored = await db().selectFrom('police_crimes').select((eb) => eb.fn.countAll<number>().as('rows')).where('file_id', '=', result.fileId).executeTakeFirstOrThrow()
    expect(Number(stored.rows)).toBe(want.rows)
    const noLocation = await db().selectFrom('police_crime_counts').select((eb) => eb.fn.sum<number>('crimes').as('crimes')).where('file_id', '=', result.fileId).where('located', '=', false).executeTakeFirstOrThrow()
    expect(Number(noLocation.crimes)).toBe(want.noLocation)
  })

  it('replaces the force-month when it is imported again, never doubling it', async () => {
    const first = await db().selectFrom('police_files').selectAll().where('force', '=', 'Leicestershire Police').where('month', '=', '2019-01').executeTakeFirstOrThrow()
    const before = await snapshot()

    const again = await importReal(LEICESTERSHIRE_2019_01)

    expect(again.replacedRows).toBe(first.row_count)
    expect(again.rows).toBe(first.row_count)
    expect(again.fileId).not.toBe(first.id)
    const after = await snapshot()
    expect(after.files).toHaveLength(before.files.length)
    expect({ crimes: after.crimes, countRows: after.countRows, counted: after.counted }).toEqual({ crimes: before.crimes, countRows: before.countRows, counted: before.counted })
    const left = await db().selectFrom('police_crimes').select('file_id').where('file_id', '=', first.id).execute()
    expect(left).toEqual([])
  })

  it('replaces the month exactly with a revised copy: rows in another order, some withdrawn', async () => {
    const content = read(LEICESTERSHIRE_2019_01)
    const [header, ...lines] = linesOf(content)
    // A fixed shuffle, so that a failure can be repeated.
    let seed = 7
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647)
    const shuffled = lines.map((line) => ({ line, key: random() })).sort((a, b) => a.key - b.key).map(({ line }) => line)
    const revised = header + shuffled.slice(25).join('')
    const want = expected(revised)
    const previous = await db().selectFrom('police_files').select('row_count').where('force', '=', 'Leicestershire Police').where('month', '=', '2019-01').executeTakeFirstOrThrow()
    const before = await snapshot()

    const result = await importContent(LEICESTERSHIRE_2019_01, revised)

    expect(result.rows).toBe(lines.length - 25)
    expect(result.replacedRows).toBe(previous.row_count)
    expect(Object.fromEntries(result.crimeTypes.map((type) => [type.crimeType, type.rows]))).toEqual(want.byType)
    const after = await snapshot()
    expect(after.crimes).toBe(before.crimes - 25)
    expect(after.counted).toBe(before.counted - 25)
  })

  it.each(['2019-01-btp-street.csv', '2019-01-derbyshire-street.csv'])('counts the rows of %s inside our LSOAs for our districts, and the rest outside our areas', async (name) => {
    const want = expected(read(name))
    expect(want.inArea).toBeGreaterThan(0)
    expect(want.outsideArea).toBeGreaterThan(want.inArea)

    const result = await importReal(name)

    expect(result).toMatchObject({ rows: want.rows, inArea: want.inArea, outsideArea: want.outsideArea, noLocation: want.noLocation })
    const districts = await db()
      .selectFrom('police_crime_counts')
      .select(['district_code', (eb) => eb.fn.sum<number>('crimes').as('crimes')])
      .where('file_id', '=', result.fileId)
      .where('district_code', 'is not', null)
      .groupBy('district_code')
      .execute()
    expect(Object.fromEntries(districts.map((row) => [row.district_code, Number(row.crimes)]))).toEqual(want.byDistrict)
  })

  it('counts the old crime type labels of files before May 2013 under the current categories, keeping the label', async () => {
    const header = 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n'
    const row = (type: string, lsoa = 'E01025631') => `,2012-03,Leicestershire Police,Leicestershire Police,-1.214176,52.621663,On or near Lowland Avenue,${lsoa},Blaby 002A,${type},,\n`
    const content = header + row('Violent crime').repeat(3) + row('Public disorder and weapons').repeat(2) + row('Burglary') + row('Violent crime', '')

    const result = await importContent('2012-03-leicestershire-street.csv', content)

    expect(result.mappedLabels).toEqual([
      { label: 'Public disorder and weapons', crimeType: 'Public order', rows: 2 },
      { label: 'Violent crime', crimeType: 'Violence and sexual offences', rows: 4 },
    ])
    expect(result.crimeTypes).toEqual([
      { crimeType: 'Burglary', rows: 1 },
      { crimeType: 'Public order', rows: 2 },
      { crimeType: 'Violence and sexual offences', rows: 4 },
    ])
    const counts = await db().selectFrom('police_crime_counts').select(['crime_type', 'crime_type_label', 'crimes', 'district_code']).where('file_id', '=', result.fileId).orderBy('crime_type_label').orderBy('crimes').execute()
    expect(counts).toEqual([
      { crime_type: 'Burglary', crime_type_label: 'Burglary', crimes: 1, district_code: 'E07000129' },
      { crime_type: 'Public order', crime_type_label: 'Public disorder and weapons', crimes: 2, district_code: 'E07000129' },
      { crime_type: 'Violence and sexual offences', crime_type_label: 'Violent crime', crimes: 1, district_code: null },
      { crime_type: 'Violence and sexual offences', crime_type_label: 'Violent crime', crimes: 3, district_code: 'E07000129' },
    ])
    const labels = await db().selectFrom('police_crimes').select('crime_type').distinct().where('file_id', '=', result.fileId).orderBy('crime_type').execute()
    expect(labels.map((label) => label.crime_type)).toEqual(['Burglary', 'Public disorder and weapons', 'Violent crime'])
  })

  it('reads the month from a police.uk file name', () => {
    expect(monthFromFileName('2019-01-leicestershire-street.csv')).toBe('2019-01')
    expect(monthFromFileName('C:\\Downloads\\2019-01\\2018-12-btp-street.csv')).toBe('2018-12')
    expect(monthFromFileName('2019-13-leicestershire-street.csv')).toBeNull()
    expect(monthFromFileName('crimes.csv')).toBeNull()
  })
})

describe('refusing a file that is not a whole, consistent police.uk month', () => {
  const real = () => read(LEICESTERSHIRE_2019_01)
  const truncated = () => {
    const content = real()
    // Cut in the middle of the 4,001st line.
    const lines = linesOf(content)
    const upTo = lines.slice(0, 4000).join('')
    return { content: upTo + lines[4000]!.slice(0, 40), lastLine: 4001 }
  }

  const cases: [string, () => { fileName?: string; content: Buffer | string }, string | RegExp][] = [
    ['a bad header', () => ({ content: real().toString('utf8').replace('Crime ID,Month,', 'Crime reference,Month,') }), /is not a police\.uk street-level crime file\. Its first line must be the 12 column headings: Crime ID, Month,/],
    ['a last line cut short', () => ({ content: truncated().content }), `line ${truncated().lastLine} is incomplete: the file seems to have been cut short. Download it again from data.police.uk.`],
    ['rows of another month than its name', () => ({ fileName: '2019-02-leicestershire-street.csv', content: real() }), 'the file is named for 2019-02 but its rows are for 2019-01. Check you have the right file.'],
    ['mixed months', () => ({ fileName: 'leicestershire.csv', content: editLine(real(), 3000, (fields) => fields.map((field, index) => (index === 1 ? '2019-02' : field))) }), 'the file mixes months (2019-01 to 2019-02): a police.uk file holds one month.'],
    ['a PNG image', () => ({ content: samples.png() }), /is not a police\.uk street-level crime file/],
    ['a PDF', () => ({ content: samples.pdf() }), /is not a police\.uk street-level crime file/],
    ['random bytes', () => ({ content: randomBytes(256 * 1024) }), /is not a police\.uk street-level crime file/],
    ['the headings and no rows', () => ({ content: `${linesOf(real())[0]}` }), 'the file has the column headings but no rows of crime.'],
    ['an unknown crime type', () => ({ content: editLine(real(), 4000, (fields) => fields.map((field, index) => (index === 9 ? 'Jaywalking' : field))) }), 'line 4000 has the crime type "Jaywalking", which is not a police.uk crime type.'],
    ['a longitude of 999999', () => ({ content: editLine(real(), 1200, (fields) => fields.map((field, index) => (index === 4 ? '999999' : field))) }), /line 1200 has the longitude "999999" and latitude "52\.\d+", which is not a place on the map: longitude must be -180 to 180 and latitude -90 to 90, both given or both empty \(no location\)\.$/],
    ['a latitude of NaN', () => ({ content: editLine(real(), 3100, (fields) => fields.map((field, index) => (index === 5 ? 'NaN' : field))) }), /line 3100 has the longitude "-1\.\d+" and latitude "NaN", which is not a place on the map/],
    ['an infinite latitude', () => ({ content: editLine(real(), 17, (fields) => fields.map((field, index) => (index === 5 ? '-Infinity' : field))) }), /line 17 has the longitude "-1\.\d+" and latitude "-Infinity", which is not a place on the map/],
    ['a longitude without a latitude', () => ({ content: editLine(real(), 8000, (fields) => fields.map((field, index) => (index === 5 ? '' : field))) }), /line 8000 has the longitude "-1\.\d+" and latitude empty, which is not a place on the map/],
    ['a longitude that is not a number', () => ({ content: editLine(real(), 2500, (fields) => fields.map((field, index) => (index === 4 ? 'west' : field))) }), 'line 2500 has a longitude or latitude that is not a number.'],
  ]

  it.each(cases)('refuses %s, naming the problem, and leaves the data exactly as it was', async (_name, make, message) => {
    const { fileName = LEICESTERSHIRE_2019_01, content } = make()
    const before = await snapshot()

    const error = await importContent(fileName, content).catch((caught: unknown) => caught)

    expect(error).toBeInstanceOf(PoliceFileError)
    expect((error as PoliceFileError).statusCode).toBe(400)
    const text = (error as PoliceFileError).message
    expect(text.startsWith(`${fileName}: `)).toBe(true)
    if (typeof message === 'string') expect(text).toBe(`${fileName}: ${message}`)
    else expect(text).toMatch(message)
    expect(await snapshot()).toEqual(before)
  })

  it('keeps nothing of a file whose stream fails part-way, after rows were already copied', async () => {
    const content = real()
    const before = await snapshot()
    async function* failing() {
      // Several 2 MB chunks go to COPY before the failure.
      for (let copy = 0; copy < 3; copy++) yield copy === 0 ? content : content.subarray(content.indexOf('\n') + 1)
      throw new Error('connection reset')
    }
    let progressed = 0
    const error = await importPoliceFile(database(), { fileName: LEICESTERSHIRE_2019_01, stream: Readable.from(failing()), onProgress: (progress) => (progressed = progress.bytesRead) }).catch((caught: unknown) => caught)

    expect((error as Error).message).toBe('connection reset')
    expect(progressed).toBeGreaterThan(2 * 1024 * 1024)
    expect(await snapshot()).toEqual(before)
  })
})

describe('a process killed part-way through an import', () => {
  it('leaves the force-month as it was before: the earlier import whole, never part of the new one', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'scp-police-kill-'))
    // The server's own database for this file, or a PGlite data folder the child and then this test open in turn.
    const target = serverUrl ? (testDb.target as { url: string }).url : path.join(folder, 'pglite')
    try {
      if (!serverUrl) await migratedDataFolder(target)
      // About 300,000 rows: the real month's rows again and again, all still 2019-01.
      const content = read(LEICESTERSHIRE_2019_01)
      const [header, ...lines] = linesOf(content)
      const big = path.join(folder, 'big.csv')
      writeFileSync(big, header + lines.join('').repeat(35))

      const output = await new Promise<string>((resolve, reject) => {
        // node --import tsx, not the tsx command: that runs the script in a child of its own, which a kill would miss.
        const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, target, path.join(DATA, LEICESTERSHIRE_2019_01), big], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
        let text = ''
        child.stdout.on('data', (data: Buffer) => {
          text += data.toString()
          // Well into the big file: several chunks copied, nowhere near the end.
          const read = [...text.matchAll(/read (\d+) of big\.csv/g)].map((match) => Number(match[1]))
          if (Math.max(0, ...read) > 12 * 1024 * 1024 && !child.killed) child.kill('SIGKILL')
        })
        child.stderr.on('data', (data: Buffer) => (text += data.toString()))
        child.on('error', reject)
        child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(text) : reject(new Error(`the import was not killed: ${text}`))))
      })
      expect(output).toContain(`imported ${LEICESTERSHIRE_2019_01}: 8503 rows`)

      const reopened = serverUrl ? database() : await openDatabase({ kind: 'pglite', dataDir: target })
      try {
        const files = await reopened.db.selectFrom('police_files').selectAll().where('month', '=', '2019-01').where('force', '=', 'Leicestershire Police').execute()
        expect(files).toHaveLength(1)
        expect(files[0]!.row_count).toBe(8503)
        const rows = await reopened.scriptTransaction((tx) =>
          tx.query<{ file_id: string; rows: number }>(
            `select c.file_id, count(*)::int as rows from police_crimes c where c.month = '2019-01' and c.reported_by = 'Leicestershire Police' group by c.file_id`,
          ),
        )
        expect(rows).toEqual([{ file_id: files[0]!.id, rows: 8503 }])
        const [counted] = await reopened.scriptTransaction((tx) =>
          tx.query<{ crimes: number }>(`select coalesce(sum(crimes), 0)::int as crimes from police_crime_counts where month = '2019-01' and reported_by = 'Leicestershire Police'`),
        )
        expect(counted!.crimes).toBe(8503)
      } finally {
        if (!serverUrl) await reopened.close()
      }
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  }, 180_000)
})
