// Once per test run, in vitest's main process: a migrated database for every test file to start from, and one
// Chromium for every browser test file. Migrating in each file, and a browser per file, cost minutes a run.
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout } from 'node:timers/promises'
import { type BrowserServer, chromium } from 'playwright-core'
import type { TestProject } from 'vitest/node'
import { type Database, openDatabase } from '../src/platform/db/database.js'
import { listMigrationFiles, migrate, MIGRATIONS_DIR } from '../src/platform/db/migrate.js'
import { CHROMIUM_PATH, chromiumAvailable, LAUNCH_ARGS } from './browser/chromium.js'
import { adminQuery, serverDatabaseUrl, serverUrl, TEMPLATE_PREFIX, TEST_DATABASE_PREFIX } from './helpers/server-database.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** PGlite data directories (tar files) each test file starts from, when the suite runs on PGlite. */
    pgliteSnapshots: PgliteSnapshots | undefined
    /** A migrated database on the server that each test file's database is created from, when on a server. */
    templateDatabase: string | undefined
    /** The shared Chromium's address, when Chromium is installed. */
    chromiumEndpoint: string | undefined
  }
}

interface PgliteSnapshots {
  /** Straight after initdb: for the tests of the migrations themselves. */
  empty: string
  migrated: string
}

const SNAPSHOT_DIR = path.resolve('node_modules/.cache/safer-communities')
const DAY_MS = 24 * 60 * 60 * 1000
const OBJECT_IN_USE = '55006'

export default async function setup(project: TestProject) {
  const key = await migrationsKey()
  project.provide('pgliteSnapshots', serverUrl ? undefined : await pgliteSnapshots(key))
  project.provide('templateDatabase', serverUrl ? await templateDatabase(key) : undefined)

  let browser: BrowserServer | undefined
  if (chromiumAvailable) browser = await chromium.launchServer({ executablePath: CHROMIUM_PATH, headless: true, args: LAUNCH_ARGS })
  project.provide('chromiumEndpoint', browser?.wsEndpoint())

  return async () => {
    await browser?.close()
  }
}

/** Changes whenever a migration, or the PGlite that wrote the snapshot, changes. */
async function migrationsKey(): Promise<string> {
  const hash = createHash('sha256')
  for (const file of await listMigrationFiles()) hash.update(file).update(readFileSync(path.join(MIGRATIONS_DIR, file)))
  hash.update(JSON.parse(readFileSync('node_modules/@electric-sql/pglite/package.json', 'utf8')).version as string)
  return hash.digest('hex').slice(0, 16)
}

/** PGlite data directories for these migrations, empty and migrated, made now if no earlier run left them. */
async function pgliteSnapshots(key: string): Promise<PgliteSnapshots> {
  const files = { empty: path.join(SNAPSHOT_DIR, `pglite-${key}-empty.tar`), migrated: path.join(SNAPSHOT_DIR, `pglite-${key}-migrated.tar`) }
  mkdirSync(SNAPSHOT_DIR, { recursive: true })
  const existing = readdirSync(SNAPSHOT_DIR)
  // Another checkout's run (other migrations) may be reading its own snapshots now: only long-unused ones go.
  for (const old of existing) {
    const file = path.join(SNAPSHOT_DIR, old)
    if (old.startsWith('pglite-') && !old.startsWith(`pglite-${key}-`) && Date.now() - statSync(file).mtimeMs > DAY_MS) rmSync(file, { force: true })
  }
  if (Object.values(files).every((file) => existing.includes(path.basename(file)))) {
    for (const file of Object.values(files)) utimesSync(file, new Date(), new Date())
    return files
  }

  const database = await openDatabase({ kind: 'pglite-memory' })
  try {
    await save(database, files.empty)
    await migrate(database)
    await save(database, files.migrated)
  } finally {
    await database.close()
  }
  return files
}

/** Written aside and renamed, so a second run starting at the same moment never reads half a file. */
async function save(database: Database, file: string) {
  const partial = `${file}.${process.pid}`
  writeFileSync(partial, Buffer.from(await (await database.dumpDataDir!()).arrayBuffer()))
  renameSync(partial, file)
}

/**
 * A migrated template database on the server for these migrations, built under a temporary name and renamed when
 * complete, so an interrupted build is never used. Each template is stamped with when a run last used it; templates
 * unused for a day (another checkout's migrations), and test databases left by killed runs, are dropped.
 */
async function templateDatabase(key: string): Promise<string> {
  const name = `${TEMPLATE_PREFIX}${key}`
  const databases = await adminQuery<{ datname: string; comment: string | null }>(
    `select datname, shobj_description(oid, 'pg_database') as comment from pg_database where datname like 'scp\\_%'`,
  )
  for (const { datname, comment } of databases) {
    // A template's stamp is its comment (none for a moment while another run creates one); a test database's, its name.
    const stamp = datname.startsWith(TEMPLATE_PREFIX) ? Number(comment ?? Date.now()) : Number(datname.slice(TEST_DATABASE_PREFIX.length).split('_')[0])
    const stale = datname !== name && (datname.startsWith(TEMPLATE_PREFIX) || datname.startsWith(TEST_DATABASE_PREFIX)) && Date.now() - stamp > DAY_MS
    if (stale) await adminQuery(`drop database if exists ${datname} with (force)`).catch(() => undefined)
  }
  if (databases.some((database) => database.datname === name)) {
    await adminQuery(`comment on database ${name} is '${Date.now()}'`)
    return name
  }

  const building = `${name}_build_${randomBytes(4).toString('hex')}`
  await adminQuery(`create database ${building}`)
  await adminQuery(`comment on database ${building} is '${Date.now()}'`)
  const database = await openDatabase({ kind: 'postgres', url: serverDatabaseUrl(building) })
  try {
    await migrate(database)
  } finally {
    await database.close()
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await adminQuery(`alter database ${building} rename to ${name}`)
      return name
    } catch (error) {
      // The closed pool's server processes can outlive it by a moment ("other session using the database").
      if ((error as { code?: string }).code === OBJECT_IN_USE && attempt < 100) {
        await setTimeout(50)
        continue
      }
      // Another run finished the same template first: use theirs.
      await adminQuery(`drop database if exists ${building} with (force)`)
      if ((await adminQuery(`select 1 from pg_database where datname = $1`, [name])).length) return name
      throw error
    }
  }
}
