import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { Kysely, PostgresDialect } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import pg from 'pg'
import type { DatabaseTarget } from '../../config.js'
import type { DB } from './schema.js'

/** A client that can run a multi-statement SQL script inside one transaction (for migrations). */
export interface ScriptTransaction {
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>
  exec(sql: string): Promise<void>
}

export interface Database {
  db: Kysely<DB>
  kind: 'pglite' | 'postgres'
  scriptTransaction<T>(work: (tx: ScriptTransaction) => Promise<T>): Promise<T>
  /** Resolves when the database answers a query. */
  ping(): Promise<void>
  close(): Promise<void>
}

const INT8_OID = 20
const DATE_OID = 1082

/** Counts and identity columns come back as numbers, dates as 'YYYY-MM-DD' strings, on both drivers alike. */
const parseInt8 = (value: string) => Number(value)
const keepDate = (value: string) => value

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target.url) : openPGlite(target.kind === 'pglite' ? target.dataDir : undefined)
}

async function openPGlite(dataDir: string | undefined): Promise<Database> {
  const pglite = await PGlite.create({ dataDir, extensions: { pg_trgm }, parsers: { [INT8_OID]: parseInt8, [DATE_OID]: keepDate } })
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) })
  return {
    db,
    kind: 'pglite',
    scriptTransaction: (work) =>
      pglite.transaction((tx) =>
        work({
          query: async <Row>(text: string, params: unknown[] = []) => (await tx.query<Row>(text, params)).rows,
          exec: async (text) => {
            await tx.exec(text)
          },
        }),
      ),
    ping: async () => {
      await pglite.query('select 1')
    },
    close: () => db.destroy(),
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
    async scriptTransaction(work) {
      const client = await pool.connect()
      try {
        await client.query('begin')
        const result = await work({
          query: async <Row>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as Row[],
          // No parameters: node-postgres uses the simple protocol, which accepts many statements.
          exec: async (text) => {
            await client.query(text)
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
    },
    ping: async () => {
      await pool.query('select 1')
    },
    close: () => db.destroy(),
  }
}
