import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { inject } from 'vitest'
import type { DatabaseTarget } from '../../src/config.js'
import { type Database, openDatabase } from '../../src/platform/db/database.js'
import { migrate } from '../../src/platform/db/migrate.js'
import { adminQuery, serverDatabaseUrl, serverUrl, TEST_DATABASE_PREFIX } from './server-database.js'

export interface TestDatabase {
  database: Database
  target: DatabaseTarget
  /** Closes the connection and, on a server, drops the database. */
  destroy(): Promise<void>
}

export { serverUrl }

/** The run's PGlite snapshots, read once per worker. */
const snapshots = new Map<string, Blob>()

/** The run's PGlite data directory, empty or migrated (test/global-setup.ts), or undefined when there is none. */
function pgliteSnapshot(kind: 'empty' | 'migrated'): Blob | undefined {
  const file = inject('pgliteSnapshots')?.[kind]
  if (!file) return undefined
  if (!snapshots.has(file)) snapshots.set(file, new Blob([readFileSync(file)]))
  return snapshots.get(file)
}

/**
 * A fresh database: in-memory PGlite by default, or a new database on the PostgreSQL server at TEST_DATABASE_URL,
 * created for this test file and dropped after it. It starts from the run's snapshot (PGlite) or template (server)
 * made once by test/global-setup.ts, migrated unless asked for an empty one.
 */
export async function freshDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const { migrated = true } = options
  if (!serverUrl) {
    const target: DatabaseTarget = { kind: 'pglite-memory' }
    const loadDataDir = pgliteSnapshot(migrated ? 'migrated' : 'empty')
    const database = await openDatabase(target, { loadDataDir })
    if (migrated && !loadDataDir) await migrate(database)
    return { database, target, destroy: () => database.close() }
  }
  const template = migrated ? inject('templateDatabase') : undefined
  const name = `${TEST_DATABASE_PREFIX}${Date.now()}_${randomBytes(4).toString('hex')}`
  await adminQuery(`create database ${name}${template ? ` template ${template}` : ''}`)
  const target: DatabaseTarget = { kind: 'postgres', url: serverDatabaseUrl(name) }
  const database = await openDatabase(target)
  if (migrated && !template) await migrate(database)
  return {
    database,
    target,
    async destroy() {
      await database.close()
      await adminQuery(`drop database if exists ${name} with (force)`)
    },
  }
}

/**
 * A migrated PGlite data folder on disk, for a command the test runs in a child process: the child starts on a
 * database ready to use, as after the app's first start, instead of creating and migrating one (seconds each time).
 */
export async function migratedDataFolder(dataDir: string): Promise<void> {
  const database = await openDatabase({ kind: 'pglite', dataDir }, { loadDataDir: pgliteSnapshot('migrated') })
  try {
    await migrate(database)
  } finally {
    await database.close()
  }
}
