import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { freshDatabase, type TestDatabase } from '../../../test/helpers/database.js'
import { listMigrationFiles, migrate, MIGRATIONS_DIR } from '../../platform/db/migrate.js'
import { SYSTEM_ACTOR } from './audit.events.js'
import { auditRepository } from './audit.repository.js'
import { type AuditService, auditService } from './audit.service.js'

let testDb: TestDatabase
let audit: AuditService

beforeEach(async () => {
  testDb = await freshDatabase()
  audit = auditService(auditRepository(testDb.database.db))
})
afterEach(() => testDb.destroy())

const db = () => testDb.database.db

/** Writes n audit rows and returns their ids in order. */
async function write(n: number): Promise<number[]> {
  for (let i = 0; i < n; i++) await audit.record(SYSTEM_ACTOR, { action: 'case.viewed', recordType: 'case', recordId: `case-${i}`, details: { number: i } })
  const rows = await db().selectFrom('audit_events').select('id').orderBy('chain_seq').execute()
  return rows.map((row) => row.id)
}

/** As the database's owner (superuser in the tests) would: with the append-only trigger off for one statement. */
async function tamper(statement: ReturnType<typeof sql>) {
  await testDb.database.scriptTransaction(async (tx) => {
    await tx.exec('alter table audit_events disable trigger audit_events_no_update_or_delete')
    const compiled = statement.compile(db())
    await tx.query(compiled.sql, [...compiled.parameters])
    await tx.exec('alter table audit_events enable trigger audit_events_no_update_or_delete')
  })
}

describe('the audit hash chain', () => {
  it('links every row to the one before by hash, in the order written, and the check finds it intact', async () => {
    await write(5)
    // Several rows in one transaction join the chain in the order they were written.
    await db()
      .transaction()
      .execute(async (trx) => {
        await audit.record(SYSTEM_ACTOR, { action: 'case.created', details: { n: 'a' } }, trx)
        await audit.record(SYSTEM_ACTOR, { action: 'case.updated', details: { n: 'b' } }, trx)
      })
    const rows = await db().selectFrom('audit_events').select(['id', 'chain_seq', 'previous_hash', 'hash']).orderBy('chain_seq').execute()
    expect(rows.map((row) => row.chain_seq)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(rows[0]!.previous_hash).toBe('0'.repeat(64))
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.previous_hash).toBe(rows[i - 1]!.hash)
    for (const row of rows) expect(row.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(new Set(rows.map((row) => row.hash)).size).toBe(rows.length)

    // Batches of 2: the walk crosses batch boundaries.
    expect(await audit.verifyChain(2)).toEqual({ ok: true, rows: 7, lastHash: rows[6]!.hash })
    expect(await audit.verifyChain()).toEqual({ ok: true, rows: 7, lastHash: rows[6]!.hash })
  })

  it('keeps one line when many transactions write at once', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        db()
          .transaction()
          .execute(async (trx) => {
            await audit.record(SYSTEM_ACTOR, { action: 'case.viewed', details: { i, first: true } }, trx)
            await audit.record(SYSTEM_ACTOR, { action: 'case.viewed', details: { i, first: false } }, trx)
          }),
      ),
    )
    const result = await audit.verifyChain(5)
    expect(result).toMatchObject({ ok: true, rows: 24 })
  })

  it('takes rows added while the check runs as intact, not as rows slipped in', async () => {
    await write(3)
    const repository = auditRepository(db())
    let calls = 0
    const busy = auditService({
      ...repository,
      // Someone is audited just after the check has read the end of the chain.
      async chainHead() {
        const head = await repository.chainHead()
        if (calls++ === 0) await audit.record(SYSTEM_ACTOR, { action: 'case.viewed', details: { during: true } })
        return head
      },
    })
    expect(await busy.verifyChain(2)).toMatchObject({ ok: true, rows: 4 })
    expect(calls).toBe(2)
  })

  it('ignores chain values an insert tries to set itself', async () => {
    await write(2)
    await sql`insert into audit_events (action, chain_seq, previous_hash, hash) values ('case.viewed', 99, ${'f'.repeat(64)}, ${'e'.repeat(64)})`.execute(db())
    const last = await db().selectFrom('audit_events').select(['chain_seq', 'hash']).orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(last.chain_seq).toBe(3)
    expect(last.hash).not.toBe('e'.repeat(64))
    expect(await audit.verifyChain()).toMatchObject({ ok: true, rows: 3 })
  })

  it('still refuses to change or delete an audit row', async () => {
    const [id] = await write(1)
    await expect(sql`update audit_events set details = '{}' where id = ${id}`.execute(db())).rejects.toThrow(/append-only/)
    await expect(sql`update audit_events set hash = null where id = ${id}`.execute(db())).rejects.toThrow(/append-only/)
    await expect(sql`delete from audit_events where id = ${id}`.execute(db())).rejects.toThrow(/append-only/)
  })
})

describe('tampering with the audit log', () => {
  it('finds a row whose details were changed, and names it', async () => {
    const ids = await write(6)
    await tamper(sql`update audit_events set details = '{"number": 99}' where id = ${ids[3]}`)
    const result = await audit.verifyChain(2)
    expect(result).toMatchObject({ ok: false, rows: 3, at: { id: ids[3], reason: 'changed' } })
    expect(result.ok || result.at.occurredAt).toBeInstanceOf(Date)
  })

  it('finds a row removed from the middle, at the row after it', async () => {
    const ids = await write(6)
    await tamper(sql`delete from audit_events where id = ${ids[2]}`)
    expect(await audit.verifyChain(2)).toMatchObject({ ok: false, rows: 2, at: { id: ids[3], reason: 'missing', explanation: expect.stringContaining('1 row was removed just before it (chain positions 3 to 3)') } })
  })

  it('finds rows removed from the end, at the last row left', async () => {
    const ids = await write(5)
    await tamper(sql`delete from audit_events where id in (${ids[3]}, ${ids[4]})`)
    expect(await audit.verifyChain()).toMatchObject({ ok: false, rows: 3, at: { id: ids[2], reason: 'missing', explanation: expect.stringContaining('2 rows were removed from the end') } })
  })

  it('finds a row replaced by one with its own hash made to match', async () => {
    const ids = await write(5)
    // The row's own hash is made to match its new content; the next row still points at the old hash.
    await tamper(sql`update audit_events set details = '{"number": 42}' where id = ${ids[1]}`)
    await tamper(sql`update audit_events set hash = audit_event_hash(previous_hash, audit_events) where id = ${ids[1]}`)
    expect(await audit.verifyChain()).toMatchObject({ ok: false, rows: 2, at: { id: ids[2], reason: 'inserted' } })
  })

  it('finds a row added while the chain trigger was disabled', async () => {
    await write(3)
    await testDb.database.scriptTransaction(async (tx) => {
      await tx.exec('alter table audit_events disable trigger audit_events_seal')
      await tx.exec(`insert into audit_events (action, details) values ('case.viewed', '{"slipped": true}')`)
      await tx.exec('alter table audit_events enable trigger audit_events_seal')
    })
    const slipped = await db().selectFrom('audit_events').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(await audit.verifyChain()).toMatchObject({ ok: false, rows: 3, at: { id: slipped.id, reason: 'inserted' } })
  })

  it('finds rows added past the end of the chain, even with their hashes made to match', async () => {
    await write(2)
    await testDb.database.scriptTransaction(async (tx) => {
      await tx.exec('alter table audit_events disable trigger audit_events_seal')
      await tx.exec('alter table audit_events disable trigger audit_events_unsealed')
      await tx.exec(`insert into audit_events (action, chain_seq, previous_hash) select 'case.viewed', 3, hash from audit_events where chain_seq = 2`)
      await tx.exec('alter table audit_events disable trigger audit_events_no_update_or_delete')
      await tx.exec(`update audit_events set hash = audit_event_hash(previous_hash, audit_events) where chain_seq = 3`)
      await tx.exec('alter table audit_events enable trigger audit_events_no_update_or_delete')
      await tx.exec('alter table audit_events enable trigger audit_events_seal')
      await tx.exec('alter table audit_events enable trigger audit_events_unsealed')
    })
    const forged = await db().selectFrom('audit_events').select(['id', 'hash']).where('chain_seq', '=', 3).executeTakeFirstOrThrow()
    expect(forged.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(await audit.verifyChain()).toMatchObject({ ok: false, rows: 3, at: { id: forged.id, reason: 'inserted' } })
  })

  it('finds an empty log where rows were written', async () => {
    const ids = await write(2)
    await tamper(sql`delete from audit_events where id in (${ids[0]}, ${ids[1]})`)
    expect(await audit.verifyChain()).toMatchObject({ ok: false, rows: 0, at: { id: null, reason: 'missing', explanation: 'Every row was removed (2).' } })
  })
})

describe('migration 0011', () => {
  it('puts the rows written before it into the chain, in the order they were written', async () => {
    const empty = await freshDatabase({ migrated: false })
    const before = await mkdtemp(path.join(tmpdir(), 'scp-audit-chain-'))
    try {
      const files = await listMigrationFiles()
      for (const file of files.filter((name) => name < '0011')) await copyFile(path.join(MIGRATIONS_DIR, file), path.join(before, file))
      await migrate(empty.database, before)
      for (const n of [1, 2, 3]) await sql`insert into audit_events (action, details) values ('case.viewed', ${JSON.stringify({ n })})`.execute(empty.database.db)

      await migrate(empty.database)

      const rows = await sql<{ chain_seq: number; details: { n: number } }>`select chain_seq, details from audit_events order by chain_seq`.execute(empty.database.db)
      expect(rows.rows.map((row) => [row.chain_seq, row.details.n])).toEqual([[1, 1], [2, 2], [3, 3]])
      const check = auditService(auditRepository(empty.database.db))
      expect(await check.verifyChain()).toMatchObject({ ok: true, rows: 3 })
    } finally {
      await empty.destroy()
      await rm(before, { recursive: true, force: true })
    }
  })
})
