import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Database } from './database.js'

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations')
// Any fixed number: it only has to be the same for every instance of the app.
const MIGRATION_LOCK = 7_200_417

export interface MigrationResult {
  applied: string[]
}

export async function listMigrationFiles(dir = MIGRATIONS_DIR): Promise<string[]> {
  return (await readdir(dir)).filter((file) => /^\d{4}_[\w-]+\.sql$/.test(file)).sort()
}

/**
 * Applies pending SQL migrations in file-name order, each in its own transaction under an advisory lock,
 * so two app instances starting together cannot both apply one.
 */
export async function migrate(database: Database, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const files = await listMigrationFiles(dir)
  const applied: string[] = []
  for (;;) {
    const next = await database.scriptTransaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
      await tx.exec('create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())')
      const done = new Set((await tx.query<{ name: string }>('select name from schema_migrations')).map((row) => row.name))
      const pending = files.find((file) => !done.has(file))
      if (!pending) return null
      await tx.exec(await readFile(path.join(dir, pending), 'utf8'))
      // clock_timestamp, not now(): now() is when this transaction began, which may be before the previous one committed.
      await tx.query('insert into schema_migrations (name, applied_at) values ($1, clock_timestamp())', [pending])
      return pending
    })
    if (next === null) return { applied }
    applied.push(next)
  }
}

/**
 * Migrates as the app does on start: always on the embedded database, and on a server outside production. In
 * production on a server, migrations are a deliberate deployment step of their own (npm run migrate).
 */
export async function migrateOnStart(database: Database, environment: string): Promise<void> {
  if (database.kind === 'pglite' || environment !== 'production') await migrate(database)
}
