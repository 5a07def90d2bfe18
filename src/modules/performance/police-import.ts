import { createHash, randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { ScriptTransaction, Database } from '../../platform/db/database.js'
import { HttpError } from '../../platform/http/errors.js'

/**
 * Imports one police.uk street-level crime file (one force, one month). The file streams straight into PostgreSQL's
 * COPY, which parses it several times faster than JavaScript can; the counts, the crime type and district mapping and
 * the checks are then single SQL statements. It all happens in one transaction that also removes the force-month's
 * earlier import, so a month is never doubled and never half there, even if the process dies part-way.
 */

export const POLICE_COLUMNS = [
  'Crime ID',
  'Month',
  'Reported by',
  'Falls within',
  'Longitude',
  'Latitude',
  'Location',
  'LSOA code',
  'LSOA name',
  'Crime type',
  'Last outcome category',
  'Context',
] as const
const HEADER = POLICE_COLUMNS.join(',')
const CHUNK_BYTES = 2 * 1024 * 1024
const NEWLINE = 0x0a
const QUOTE = 0x22

/** A file that is not a complete, consistent police.uk file: nothing of it is saved. */
export class PoliceFileError extends HttpError {
  constructor(
    readonly fileName: string,
    message: string,
  ) {
    super(400, `${fileName}: ${message}`)
  }
}

export interface ImportProgress {
  bytesRead: number
  totalBytes: number | null
  linesRead: number
}

export interface ImportedFile {
  fileId: string
  fileName: string
  force: string
  /** YYYY-MM */
  month: string
  rows: number
  inArea: number
  outsideArea: number
  noLocation: number
  /** Rows of the force-month's earlier import, now replaced; null when the force-month is new. */
  replacedRows: number | null
  crimeTypes: { crimeType: string; rows: number }[]
  /** Old labels mapped to a current category, with how many rows had each. */
  mappedLabels: { label: string; crimeType: string; rows: number }[]
}

interface ImportInput {
  fileName: string
  stream: Readable
  totalBytes?: number | null
  importedBy?: string | null
  onProgress?: (progress: ImportProgress) => void
}

/** YYYY-MM from a police.uk file name such as 2019-01-leicestershire-street.csv, when it has one. */
export function monthFromFileName(fileName: string): string | null {
  return /(?:^|[\\/])(\d{4}-(?:0[1-9]|1[0-2]))-[^\\/]*street\.csv$/i.exec(fileName)?.[1] ?? null
}

const countNewlines = (buffer: Buffer) => {
  let count = 0
  for (let at = buffer.indexOf(NEWLINE); at !== -1; at = buffer.indexOf(NEWLINE, at + 1)) count++
  return count
}
const countQuotes = (buffer: Buffer, end: number) => {
  let count = 0
  for (let at = buffer.indexOf(QUOTE); at !== -1 && at < end; at = buffer.indexOf(QUOTE, at + 1)) count++
  return count
}

/**
 * The file's data lines, without the header, in chunks that end at the end of a record (never inside a quoted
 * field), so PGlite can COPY each chunk by itself. Checks the header and that the last line is complete.
 */
class PoliceChunks {
  readonly hash = createHash('sha256')
  bytesRead = 0
  /** Data lines in the chunks handed out before the current one: COPY counts lines per chunk on PGlite. */
  linesBeforeChunk = 0
  linesRead = 0

  constructor(private readonly input: ImportInput) {}

  async *chunks(): AsyncGenerator<Buffer> {
    const { fileName, stream, onProgress } = this.input
    // Pieces are joined only once a chunk's worth has arrived: joining on every read copies the file many times over.
    let pieces: Buffer[] = []
    let size = 0
    let headerDone = false
    for await (const data of stream as AsyncIterable<Buffer | string>) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data
      this.hash.update(bytes)
      this.bytesRead += bytes.length
      pieces.push(bytes)
      size += bytes.length
      if (!headerDone) {
        const start = Buffer.concat(pieces)
        const end = start.indexOf(NEWLINE)
        if (end === -1) {
          if (size > 64 * 1024) throw this.notPoliceFile()
          continue
        }
        let header = start.subarray(0, end).toString('utf8')
        if (header.charCodeAt(0) === 0xfeff) header = header.slice(1)
        if (header.replace(/\r$/, '').split(',').map((cell) => cell.trim()).join(',') !== HEADER) throw this.notPoliceFile()
        pieces = [start.subarray(end + 1)]
        size = pieces[0]!.length
        headerDone = true
      }
      onProgress?.({ bytesRead: this.bytesRead, totalBytes: this.input.totalBytes ?? null, linesRead: this.linesRead })
      if (size < CHUNK_BYTES) continue
      const pending = Buffer.concat(pieces, size)
      // Cut after the last newline outside quotes: pending always starts at the start of a record.
      let cut = pending.lastIndexOf(NEWLINE)
      while (cut !== -1 && countQuotes(pending, cut) % 2 === 1) cut = pending.lastIndexOf(NEWLINE, cut - 1)
      if (cut === -1) {
        pieces = [pending]
        continue
      }
      pieces = [pending.subarray(cut + 1)]
      size = pieces[0]!.length
      yield* this.handOut(pending.subarray(0, cut + 1))
    }
    const pending = Buffer.concat(pieces, size)
    if (!headerDone) throw this.notPoliceFile()
    if (pending.length) {
      // police.uk files end every line with a newline: a last line without one was cut off in the download.
      if (pending[pending.length - 1] !== NEWLINE) {
        throw new PoliceFileError(fileName, `line ${this.linesRead + countNewlines(pending) + 2} is incomplete: the file seems to have been cut short. Download it again from data.police.uk.`)
      }
      yield* this.handOut(pending)
    }
    if (this.linesRead === 0) throw new PoliceFileError(fileName, 'the file has the column headings but no rows of crime.')
  }

  private *handOut(chunk: Buffer) {
    this.linesBeforeChunk = this.linesRead
    this.linesRead += countNewlines(chunk)
    yield chunk
  }

  private notPoliceFile() {
    return new PoliceFileError(this.input.fileName, `this is not a police.uk street-level crime file. Its first line must be the 12 column headings: ${POLICE_COLUMNS.join(', ')}.`)
  }
}

interface Checks {
  rows: number
  min_month: string | null
  max_month: string | null
  min_force: string | null
  max_force: string | null
  bad_month: boolean
  no_force: boolean
  bad_type: boolean
}

/** Turns a COPY error into the line and a reason a person can act on. */
function copyProblem(error: unknown, chunks: PoliceChunks, database: Database, fileName: string): PoliceFileError | null {
  const { code, message, where } = (error ?? {}) as { code?: string; message?: string; where?: string }
  if (!code || !message) return null
  const copyLine = Number(/line (\d+)/.exec(where ?? message)?.[1] ?? Number.NaN)
  // A data line of COPY is a file line less the header; PGlite counts from the start of the chunk it was given.
  const line = Number.isFinite(copyLine) ? copyLine + 1 + (database.kind === 'pglite' ? chunks.linesBeforeChunk : 0) : null
  const at = line ? `line ${line}` : 'a line'
  if (code === '22021' || code === '22P05') return new PoliceFileError(fileName, `${at} is not UTF-8 text: this is not a police.uk CSV file.`)
  if (message.includes('missing data for column')) return new PoliceFileError(fileName, `${at} has fewer than 12 columns: the file may have been cut short or edited.`)
  if (message.includes('extra data after last expected column')) return new PoliceFileError(fileName, `${at} has more than 12 columns.`)
  if (message.includes('unterminated CSV quoted field')) return new PoliceFileError(fileName, `${at} opens a quoted value that never closes: the file may have been cut short.`)
  if (message.includes('type double precision')) return new PoliceFileError(fileName, `${at} has a longitude or latitude that is not a number.`)
  if (code.startsWith('22')) return new PoliceFileError(fileName, `${at} could not be read (${message}).`)
  return null
}

/** The first line of the file (counting the header as line 1) whose row matches the condition, and its value. */
async function firstLine(tx: ScriptTransaction, fileId: string, condition: string, column: string) {
  const rows = await tx.query<{ line: number; value: string | null }>(
    `select line::int, value from (
       select row_number() over (order by seq) + 1 as line, ${column} as value, c.*
       from police_crimes c where file_id = $1) numbered
     where ${condition} order by line limit 1`,
    [fileId],
  )
  return { line: rows[0]?.line ?? '?', value: rows[0]?.value ?? '' }
}

/**
 * A row's point is both coordinates or neither (neither: police.uk has no location for it), each a real place on the
 * earth. NaN is larger than every number in PostgreSQL, so the ranges also catch it, and Infinity.
 */
const BAD_POINT = `((longitude is null) <> (latitude is null) or longitude not between -180 and 180 or latitude not between -90 and 90)`

/** Rejects the whole file, naming the first line, when a row has a point that is not on the map (999999, NaN). */
async function checkCoordinates(tx: ScriptTransaction, fileId: string, fileName: string) {
  // Whether any row is bad first: numbering the lines reads the whole file again, worth it only to name one.
  const [any] = await tx.query<{ bad: boolean }>(`select exists (select 1 from police_crimes where file_id = $1 and ${BAD_POINT}) as bad`, [fileId])
  if (!any?.bad) return
  const shown = (column: string) => `coalesce('"' || ${column}::text || '"', 'empty')`
  const { line, value } = await firstLine(tx, fileId, BAD_POINT, `${shown('longitude')} || ' and latitude ' || ${shown('latitude')}`)
  throw new PoliceFileError(fileName, `line ${line} has the longitude ${value}, which is not a place on the map: longitude must be -180 to 180 and latitude -90 to 90, both given or both empty (no location).`)
}

/** Rejects the file, naming the first line at fault, when its rows are not one force's one month. */
async function check(tx: ScriptTransaction, fileId: string, fileName: string): Promise<{ rows: number; force: string; month: string }> {
  const [checks] = await tx.query<Checks>(
    `select coalesce(sum(crimes), 0)::int as rows, min(month) as min_month, max(month) as max_month,
       min(reported_by) as min_force, max(reported_by) as max_force,
       coalesce(bool_or(month !~ '^[0-9]{4}-(0[1-9]|1[0-2])$'), false) as bad_month,
       coalesce(bool_or(reported_by = ''), false) as no_force,
       coalesce(bool_or(crime_type = ''), false) as bad_type
     from police_crime_counts where file_id = $1`,
    [fileId],
  )
  if (!checks) throw new PoliceFileError(fileName, 'the file could not be checked.')
  if (checks.bad_month) {
    const { line, value } = await firstLine(tx, fileId, `coalesce(month, '') !~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`, 'month')
    throw new PoliceFileError(fileName, `line ${line} has the month "${value ?? ''}", which is not a month written as YYYY-MM.`)
  }
  if (checks.no_force) {
    const { line } = await firstLine(tx, fileId, `coalesce(reported_by, '') = ''`, 'reported_by')
    throw new PoliceFileError(fileName, `line ${line} does not say which force reported it ("Reported by" is empty).`)
  }
  if (checks.bad_type) {
    const { line, value } = await firstLine(tx, fileId, 'not exists (select 1 from police_crime_types t where t.label = numbered.crime_type)', 'crime_type')
    throw new PoliceFileError(fileName, `line ${line} has the crime type "${value ?? ''}", which is not a police.uk crime type.`)
  }
  await checkCoordinates(tx, fileId, fileName)
  if (checks.min_month !== checks.max_month) throw new PoliceFileError(fileName, `the file mixes months (${checks.min_month} to ${checks.max_month}): a police.uk file holds one month.`)
  if (checks.min_force !== checks.max_force) throw new PoliceFileError(fileName, `the file mixes forces (${checks.min_force} and ${checks.max_force}): a police.uk file holds one force's month.`)
  const month = checks.min_month!
  const named = monthFromFileName(fileName)
  if (named && named !== month) throw new PoliceFileError(fileName, `the file is named for ${named} but its rows are for ${month}. Check you have the right file.`)
  return { rows: checks.rows, force: checks.min_force!, month }
}

/**
 * The counts the dashboards read, from police_crimes. Crimes in our areas are counted per LSOA; crimes elsewhere (most
 * of a national file) only per month, force and type, which keeps a national month's counts to a few thousand rows
 * rather than hundreds of thousands. Empty text marks a missing month, force or unknown crime type for the checks.
 */
export const COUNT_CRIMES = `
  insert into police_crime_counts (file_id, month, reported_by, district_code, lsoa_code, located, crime_type, crime_type_label, crimes)
  select c.file_id, coalesce(c.month, ''), coalesce(c.reported_by, ''), l.district_code, case when l.district_code is not null then c.lsoa_code end,
    c.lsoa_code is not null or c.longitude is not null, coalesce(t.category, ''), coalesce(c.crime_type, ''), count(*)::int
  from police_crimes c left join police_crime_types t on t.label = c.crime_type left join geo_lsoa_lookup l on l.code = c.lsoa_code`
export const COUNT_GROUPS = `
  group by c.file_id, c.month, c.reported_by, l.district_code, case when l.district_code is not null then c.lsoa_code end,
    c.lsoa_code is not null or c.longitude is not null, t.category, c.crime_type`

const COPY_COLUMNS = ['crime_id', 'month', 'reported_by', 'falls_within', 'longitude', 'latitude', 'location', 'lsoa_code', 'lsoa_name', 'crime_type', 'last_outcome', 'context'] as const

export async function importPoliceFile(database: Database, input: ImportInput): Promise<ImportedFile> {
  const { fileName } = input
  const baseName = fileName.replace(/^.*[\\/]/, '')
  const chunks = new PoliceChunks(input)
  const fileId = randomUUID()
  return database.scriptTransaction(async (tx) => {
    // The rows' file_id defaults to this setting, so COPY takes the file's own 12 columns and nothing else.
    await tx.query(`select set_config('police_import.file_id', $1, true)`, [fileId])
    // Count a national month (500,000 rows) by hashing in memory: the new rows have no statistics yet, and the planner
    // would otherwise sort them all (twice as slow).
    await tx.exec(`set local work_mem = '64MB'; set local enable_sort = off`)
    try {
      await tx.copyCsv('police_crimes', COPY_COLUMNS, chunks.chunks())
    } catch (error) {
      throw copyProblem(error, chunks, database, fileName) ?? error
    }
    // Only this file's rows are read: its block ranges are summarised in the BRIN index, as every earlier file's
    // were, so the index skips all the rest. A scan of the whole table would slow each import as the years load.
    await tx.query(`select brin_summarize_new_values('police_crimes_file_idx'::regclass)`)
    await tx.exec('set local enable_seqscan = off')
    // Counts first: the checks then read a few thousand counted rows rather than every crime.
    await tx.query(`${COUNT_CRIMES} where c.file_id = $1 ${COUNT_GROUPS}`, [fileId])
    const { rows, force, month } = await check(tx, fileId, fileName)
    // Two imports of one force-month at once queue here rather than fail on the unique key.
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`police_file:${force}:${month}`])
    const replaced = await tx.query<{ id: string; row_count: number }>('delete from police_files where force = $1 and month = $2 returning id, row_count', [force, month])
    for (const old of replaced) {
      await tx.query('delete from police_crimes where file_id = $1', [old.id])
      await tx.query('delete from police_crime_counts where file_id = $1', [old.id])
    }
    const types = await tx.query<{ crime_type: string; rows: number; no_location: number; outside_area: number }>(
      `select crime_type, sum(crimes)::int as rows,
         coalesce(sum(crimes) filter (where not located), 0)::int as no_location,
         coalesce(sum(crimes) filter (where located and district_code is null), 0)::int as outside_area
       from police_crime_counts where file_id = $1 group by crime_type order by crime_type`,
      [fileId],
    )
    const noLocation = types.reduce((sum, type) => sum + type.no_location, 0)
    const outsideArea = types.reduce((sum, type) => sum + type.outside_area, 0)
    await tx.query(
      `insert into police_files (id, force, month, file_name, sha256, row_count, rows_no_location, rows_outside_area, imported_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [fileId, force, month, baseName, chunks.hash.digest('hex'), rows, noLocation, outsideArea, input.importedBy ?? null],
    )
    const mappedLabels = await tx.query<{ label: string; crime_type: string; rows: number }>(
      `select crime_type_label as label, crime_type, sum(crimes)::int as rows from police_crime_counts
       where file_id = $1 and crime_type_label <> crime_type group by 1, 2 order by 1`,
      [fileId],
    )
    return {
      fileId,
      fileName: baseName,
      force,
      month,
      rows,
      inArea: rows - noLocation - outsideArea,
      outsideArea,
      noLocation,
      replacedRows: replaced[0]?.row_count ?? null,
      crimeTypes: types.map((type) => ({ crimeType: type.crime_type, rows: type.rows })),
      mappedLabels: mappedLabels.map((row) => ({ label: row.label, crimeType: row.crime_type, rows: row.rows })),
    }
  })
}
