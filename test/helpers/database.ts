import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { DatabaseTarget } from '../../src/config.js'
import { type Database, openDatabase } from '../../src/platform/db/database.js'
import { migrate } from '../../src/platform/db/migrate.js'

export interface TestDatabase {
  database: Database
  target: DatabaseTarget
  /** Closes the connection and, on a server, drops the database. */
  destroy(): Promise<void>
}

/** The server the suite runs against when TEST_DATABASE_URL is set (CI runs both). */
export const serverUrl = process.env.TEST_DATABASE_URL

/**
 * A fresh, empty database: in-memory PGlite by default, or a new database on the PostgreSQL server at
 * TEST_DATABASE_URL, created for this test file and dropped after it.
 */
export async function freshDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const { migrated = true } = options
  if (!serverUrl) {
    const target: DatabaseTarget = { kind: 'pglite-memory' }
    const database = await openDatabase(target)
    if (migrated) await migrate(database)
    return { database, target, destroy: () => database.close() }
  }
  const name = `scp_test_${Date.now()}_${randomBytes(4).toString('hex')}`
  await adminQuery(`create database ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const target: DatabaseTarget = { kind: 'postgres', url: url.toString() }
  const database = await openDatabase(target)
  if (migrated) await migrate(database)
  return {
    database,
    target,
    async destroy() {
      await database.close()
      await adminQuery(`drop database if exists ${name} with (force)`)
    },
  }
}

async function adminQuery(text: string) {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}
