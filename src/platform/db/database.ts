import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { Kysely, PostgresDialect } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { DatabaseTarget } from '../../config.js'
import type { DB } from './schema.js'

/**
 * A transaction on the driver itself, below Kysely: multi-statement SQL scripts (migrations) and bulk loads with COPY
 * (imports). Nothing of it is visible, or kept, unless all of it commits.
 */
export interface ScriptTransaction {
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>
  exec(sql: string): Promise<void>
  /**
   * Loads CSV text (no header) into the table's columns with COPY. The chunks are streamed to a PostgreSQL server
   * as one COPY; PGlite, which copies only from a blob, takes one COPY per chunk, so a chunk bounds the memory used.
   */
  copyCsv(table: string, columns: readonly string[], chunks: AsyncIterable<Buffer | string>): Promise<void>
}

export interface Database {
  db: Kysely<DB>
  kind: 'pglite' | 'postgres'
  scriptTransaction<T>(work: (tx: ScriptTransaction) => Promise<T>): Promise<T>
  /** Resolves when the database answers a query. */
  ping(): Promise<void>
  /** PGlite only: the whole data directory as a tar file, which openDatabase can start from (the tests' snapshot). */
  dumpDataDir?(): Promise<Blob>
  close(): Promise<void>
}

export interface OpenOptions {
  /** PGlite only: start from a data directory dumped by dumpDataDir rather than an empty one (skips initdb). */
  loadDataDir?: Blob
}

const INT8_OID = 20
const DATE_OID = 1082

/** Counts and identity columns come back as numbers, dates as 'YYYY-MM-DD' strings, on both drivers alike. */
const parseInt8 = (value: string) => Number(value)
const keepDate = (value: string) => value

export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target.url) : openPGlite(target.kind === 'pglite' ? target.dataDir : undefined, options.loadDataDir)
}

/** The database folder is in use by another process: two writers would corrupt it. */
export class DatabaseInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(`The database in ${dataDir} is in use by another process (${pid}), such as the running app. Stop it first, or use the app's own page (for police.uk files: /performance/imports).`)
    this.name = 'DatabaseInUseError'
  }
}

/**
 * PGlite has no lock between processes, so the app and a command (npm run import:police) writing the same folder at
 * once would corrupt it. A lock file holds the owner's process id; one left by a process that has died is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true })
  const lock = path.join(dataDir, 'safer-communities.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' })
      return () => rmSync(lock, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const owner = Number(readFileSync(lock, 'utf8'))
      if (owner && owner !== process.pid && isRunning(owner)) throw new DatabaseInUseError(dataDir, owner)
      rmSync(lock, { force: true })
    }
  }
  throw new Error(`Could not lock ${dataDir}`)
}

function isRunning(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function openPGlite(dataDir: string | undefined, loadDataDir: Blob | undefined): Promise<Database> {
  const unlock = dataDir ? lockDataDir(dataDir) : () => undefined
  const pglite = await PGlite.create({ dataDir, loadDataDir, extensions: { pg_trgm }, parsers: { [INT8_OID]: parseInt8, [DATE_OID]: keepDate } })
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) })
  const scriptTransaction = <T>(work: (tx: ScriptTransaction) => Promise<T>) =>
    pglite.transaction((tx) =>
      work({
        query: async <Row>(text: string, params: unknown[] = []) => (await tx.query<Row>(text, params)).rows,
        exec: async (text) => {
          await tx.exec(text)
        },
        copyCsv: async (table, columns, chunks) => {
          const copy = `copy ${table} (${columns.join(', ')}) from '/dev/blob' with (format csv)`
          for await (const chunk of chunks) if (chunk.length) await tx.query(copy, [], { blob: new Blob([chunk as BlobPart]) })
        },
      }),
    )
  return {
    db,
    kind: 'pglite',
    scriptTransaction,
    ping: async () => {
      await pglite.query('select 1')
    },
    dumpDataDir: () => pglite.dumpDataDir('none'),
    close: async () => {
      await db.destroy()
      unlock()
    },
  }
}

async function openPostgres(url: string): Promise<Database> {
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      if (oid === INT8_OID) return parseInt8
      if (oid === DATE_OID) return keepDate
      return pg.types.getTypeParser(oid, format)
    }) as typeof pg.types.getTypeParser,
  }
  // JIT off: it pays off for long analytic queries, but the many correlated scope checks of a short search make
  // the planner's cost estimate cross jit_above_cost, and compiling them takes seconds for a query that runs in ms.
  const pool = new pg.Pool({ connectionString: url, types, max: 10, options: '-c jit=off' })
  // An idle connection the server closes (restart, failover, idle timeout) is dropped by the pool and replaced on
  // next use; without a listener, node-postgres re-emits the error on the pool and it crashes the process.
  pool.on('error', () => undefined)
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    kind: 'postgres',
    scriptTransaction,
    ping: async () => {
      await pool.query('select 1')
    },
    close: () => db.destroy(),
  }

  async function scriptTransaction<T>(work: (tx: ScriptTransaction) => Promise<T>): Promise<T> {
    const client = await pool.connect()
    try {
      await client.query('begin')
      const result = await work({
        query: async <Row>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as Row[],
        // No parameters: node-postgres uses the simple protocol, which accepts many statements.
        exec: async (text) => {
          await client.query(text)
        },
        copyCsv: async (table, columns, chunks) => {
          const copy = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin with (format csv)`))
          await pipeline(Readable.from(chunks), copy)
        },
      })
      await client.query('commit')
      return result
    } catch (error) {
      await client.query('rollback').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }
}
