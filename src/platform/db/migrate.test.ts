import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { freshDatabase, type TestDatabase } from '../../../test/helpers/database.js'
import { openDatabase } from './database.js'
import { listMigrationFiles, migrate } from './migrate.js'

async function appliedMigrations(testDb: TestDatabase): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from schema_migrations order by applied_at, name`.execute(testDb.database.db)
  return rows.map((row) => row.name)
}

async function tableExists(testDb: TestDatabase, table: string): Promise<boolean> {
  const { rows } = await sql<{ found: string | null }>`select to_regclass(${table})::text as found`.execute(testDb.database.db)
  return rows[0]!.found !== null
}

describe('migrate', () => {
  let testDb: TestDatabase
  let dir: string
  beforeEach(async () => {
    testDb = await freshDatabase({ migrated: false })
    dir = await mkdtemp(path.join(tmpdir(), 'scp-migrations-'))
  })
  afterEach(async () => {
    await testDb.destroy()
    await rm(dir, { recursive: true, force: true })
  })

  it('applies every migration in migrations/ in order, records each, and applies nothing the second time', async () => {
    const files = await listMigrationFiles()
    expect(files.length).toBeGreaterThan(0)
    expect(files).toContain('0001_foundation.sql')

    const first = await migrate(testDb.database)
    expect(first.applied).toEqual(files)
    expect(await appliedMigrations(testDb)).toEqual(files)
    for (const table of ['organisations', 'users', 'sessions', 'api_tokens', 'audit_events']) expect(await tableExists(testDb, table)).toBe(true)

    const second = await migrate(testDb.database)
    expect(second.applied).toEqual([])
    expect(await appliedMigrations(testDb)).toEqual(files)
  })

  it('applies files in file-name order, skipping files that are not migrations', async () => {
    // Each file depends on the one before it, so applying out of order fails.
    await writeFile(path.join(dir, '0010_fill.sql'), "insert into steps (name) values ('third');")
    await writeFile(path.join(dir, '0002_column.sql'), "alter table steps add column name text not null default 'second';")
    await writeFile(path.join(dir, '0001_table.sql'), 'create table steps (id int generated always as identity primary key);')
    await writeFile(path.join(dir, 'README.md'), 'not sql')
    await writeFile(path.join(dir, '0003_draft.sql.bak'), 'this is not sql;')

    const result = await migrate(testDb.database, dir)
    expect(result.applied).toEqual(['0001_table.sql', '0002_column.sql', '0010_fill.sql'])
    expect(await appliedMigrations(testDb)).toEqual(['0001_table.sql', '0002_column.sql', '0010_fill.sql'])
    const { rows } = await sql<{ name: string }>`select name from steps`.execute(testDb.database.db)
    expect(rows).toEqual([{ name: 'third' }])

    // A new file added later is the only one applied.
    await writeFile(path.join(dir, '0011_more.sql'), "insert into steps (name) values ('fourth');")
    expect((await migrate(testDb.database, dir)).applied).toEqual(['0011_more.sql'])
  })

  it('rolls back a broken migration entirely and keeps the ones before it', async () => {
    await writeFile(path.join(dir, '0001_good.sql'), 'create table good_one (id int primary key);')
    await writeFile(
      path.join(dir, '0002_bad.sql'),
      ['create table partial_one (id int);', 'insert into good_one (id) values (1);', 'alter table good_one add column note text;', 'this is not valid sql;'].join('\n'),
    )

    await expect(migrate(testDb.database, dir)).rejects.toThrow(/syntax error/)

    expect(await appliedMigrations(testDb)).toEqual(['0001_good.sql'])
    expect(await tableExists(testDb, 'good_one')).toBe(true)
    // Nothing 0002 did before its error survives: no table, no row, no column.
    expect(await tableExists(testDb, 'partial_one')).toBe(false)
    const { rows } = await sql<{ count: number }>`select count(*)::int as count from good_one`.execute(testDb.database.db)
    expect(rows[0]!.count).toBe(0)
    const columns = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'good_one'`.execute(testDb.database.db)
    expect(columns.rows.map((row) => row.column_name)).toEqual(['id'])

    // Once fixed, the migration applies on the next run, and 0001 is not applied again.
    await writeFile(path.join(dir, '0002_bad.sql'), 'create table partial_one (id int);')
    expect((await migrate(testDb.database, dir)).applied).toEqual(['0002_bad.sql'])
    expect(await tableExists(testDb, 'partial_one')).toBe(true)
  })

  it('applies each migration once when two instances migrate the same database at the same time', async () => {
    const files = await listMigrationFiles()
    // On a server, a second connection pool is a second app instance; PGlite in memory has only the one connection.
    const other = testDb.database.kind === 'postgres' ? await openDatabase(testDb.target) : testDb.database
    try {
      const results = await Promise.all([migrate(testDb.database), migrate(other), migrate(testDb.database)])
      expect(results.flatMap((result) => result.applied).sort()).toEqual(files)
      expect(await appliedMigrations(testDb)).toEqual(files)
    } finally {
      if (other !== testDb.database) await other.close()
    }
  })
})

describe('the audit log in the database', () => {
  let testDb: TestDatabase
  let id: number
  beforeAll(async () => {
    testDb = await freshDatabase()
    const inserted = await testDb.database.db
      .insertInto('audit_events')
      .values({ action: 'sign_in_failed', ip: '192.0.2.1', details: JSON.stringify({ reason: 'unknown_email' }) })
      .returning('id')
      .executeTakeFirstOrThrow()
    id = inserted.id
  })
  afterAll(() => testDb.destroy())

  async function row() {
    return testDb.database.db.selectFrom('audit_events').select(['id', 'action', 'ip', 'details']).where('id', '=', id).executeTakeFirst()
  }

  it('accepts new events', async () => {
    expect(await row()).toEqual({ id, action: 'sign_in_failed', ip: '192.0.2.1', details: { reason: 'unknown_email' } })
  })

  it('refuses to update an event', async () => {
    await expect(sql`update audit_events set action = 'sign_in', ip = null where id = ${id}`.execute(testDb.database.db)).rejects.toThrow(/append-only/)
    // The app's types do not even allow an update; an update of every row is refused the same.
    await expect(sql`update audit_events set details = '{}'`.execute(testDb.database.db)).rejects.toThrow(/append-only/)
    expect(await row()).toEqual({ id, action: 'sign_in_failed', ip: '192.0.2.1', details: { reason: 'unknown_email' } })
  })

  it('refuses to delete or truncate events', async () => {
    await expect(sql`delete from audit_events where id = ${id}`.execute(testDb.database.db)).rejects.toThrow(/append-only/)
    await expect(testDb.database.db.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only/)
    await expect(sql`truncate audit_events`.execute(testDb.database.db)).rejects.toThrow(/append-only/)
    expect(await row()).toBeDefined()
  })
})
