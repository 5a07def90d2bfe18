import { stringify } from 'csv-stringify'
import type { Readable } from 'node:stream'
import { pipeline, Readable as ReadableStream } from 'node:stream'
import type { Executor } from '../../platform/db/executor.js'
import { AUDIT_ACTIONS, type Actor, type AuditEntry } from './audit.events.js'
import type { AuditFilter, AuditRepository } from './audit.repository.js'

export const AUDIT_PAGE_SIZE = 50
/** The previous hash of the first row of the chain (migration 0011). */
const CHAIN_START = '0'.repeat(64)

/** Why the chain breaks at a row: its content changed, rows before it were removed, or a row was slipped in. */
export type ChainBreakReason = 'changed' | 'missing' | 'inserted'

export interface ChainBreak {
  /** None when no row is left to point at: every row was removed. */
  id: number | null
  occurredAt: Date | null
  reason: ChainBreakReason
  explanation: string
}

export type ChainCheck =
  | { ok: true; rows: number; lastHash: string }
  /** rows: how many rows were found intact before the break. */
  | { ok: false; rows: number; at: ChainBreak }

export function auditService(repository: AuditRepository) {
  /**
   * Walks the hash chain from its start, a batch at a time, and stops at the first row where it breaks. Rows that
   * never joined the chain (inserted with its trigger disabled) and rows removed from its end are found too.
   */
  async function verifyChain(batchSize?: number): Promise<ChainCheck> {
    // The end of the chain as it is now; rows added while the check runs are checked too, but need not be there.
    const head = await repository.chainHead()
    let expected = 1
    let previousHash = CHAIN_START
    let last: { id: number; occurredAt: Date } | undefined
    // Rows past the end as it was when the check began: added while it ran, or put there behind the chain's back.
    const past: { seq: number; id: number; occurredAt: Date }[] = []
    const broken = (row: { id: number; occurredAt: Date } | undefined, reason: ChainBreakReason, explanation: string): ChainCheck => ({
      ok: false,
      rows: expected - 1,
      at: { id: row?.id ?? null, occurredAt: row?.occurredAt ?? null, reason, explanation },
    })
    for await (const row of repository.chain(batchSize)) {
      if (!row.intact) return broken(row, 'changed', 'Its content or chain position was changed after it was written: its hash no longer matches.')
      if (row.seq !== expected) {
        const count = row.seq - expected
        return broken(row, 'missing', `${count} ${count === 1 ? 'row was' : 'rows were'} removed just before it (chain positions ${expected} to ${row.seq - 1}).`)
      }
      if (row.previousHash !== previousHash) return broken(row, 'inserted', 'The row before it in the chain is not the one it was written after: a row was slipped in or replaced.')
      if (row.seq === head.seq && row.hash !== head.hash) return broken(row, 'inserted', 'It is not the row the database last added to the chain: rows were slipped in or replaced around it.')
      expected++
      previousHash = row.hash!
      last = row
      if (row.seq > head.seq) past.push(row)
    }
    if (head.seq > expected - 1) {
      const count = head.seq - (expected - 1)
      const explanation = `${count} ${count === 1 ? 'row was' : 'rows were'} removed from the end of the log, after this row.`
      return broken(last, 'missing', last ? explanation : `Every row was removed (${count}).`)
    }
    if (head.seq === 0 && head.hash !== CHAIN_START) return broken(undefined, 'changed', 'The record of the end of the chain was changed.')
    if (past.length) {
      // The database moves the end with every row it adds, in the same transaction: a row past it was not added by it.
      const now = await repository.chainHead()
      const beyond = past.find((row) => row.seq > now.seq)
      if (beyond) return broken(beyond, 'inserted', 'It is past the end of the chain the database keeps: it was added behind the chain’s back.')
    }
    const unchained = await repository.firstUnchained()
    if (unchained) return broken(unchained, 'inserted', 'It was added without joining the chain (written while the chain trigger was disabled).')
    return { ok: true, rows: expected - 1, lastHash: previousHash }
  }

  return {
    verifyChain,

    /** The one audit function. Pass the transaction of the change, so the change and its record stand or fall together. */
    record(actor: Actor, entry: AuditEntry, executor?: Executor) {
      return repository.insert(actor, entry, executor)
    },

    /** A page of the log. Reading it is audited too (the filter is ids and an action, as for the export), after the read so the page does not show itself. */
    async search(actor: Actor, filter: AuditFilter, pageNumber: number) {
      const page = Math.max(1, pageNumber)
      const { rows, total } = await repository.page(filter, { limit: AUDIT_PAGE_SIZE, offset: (page - 1) * AUDIT_PAGE_SIZE })
      await repository.insert(actor, { action: 'audit.viewed', details: { filter, page, count: rows.length, total } })
      return { rows, total, page, pages: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)) }
    },

    /** The check as an administrator runs it from the admin page: audited, with its outcome. */
    async checkChain(actor: Actor): Promise<ChainCheck> {
      const result = await verifyChain()
      await repository.insert(actor, {
        action: 'audit.chain_verified',
        details: result.ok ? { ok: true, rows: result.rows } : { ok: false, rows: result.rows, brokenAtId: result.at.id, reason: result.at.reason },
      })
      return result
    },

    /** CSV of every matching event; the export itself is audited first, so it is in the log even if the download fails. */
    async exportCsv(actor: Actor, filter: AuditFilter): Promise<Readable> {
      await repository.insert(actor, { action: 'audit.exported', details: { filter } })
      const csv = stringify({
        header: true,
        escape_formulas: true,
        columns: ['id', 'occurred_at', 'user', 'user_email', 'organisation', 'action', 'action_description', 'record_type', 'record_id', 'ip', 'details'],
        cast: { date: (value) => value.toISOString() },
      })
      async function* rows() {
        for await (const row of repository.stream(filter)) {
          yield {
            id: row.id,
            occurred_at: row.occurredAt,
            user: row.userName ?? '',
            user_email: row.userEmail ?? '',
            organisation: row.organisationName ?? '',
            action: row.action,
            action_description: AUDIT_ACTIONS[row.action as keyof typeof AUDIT_ACTIONS] ?? row.action,
            record_type: row.recordType ?? '',
            record_id: row.recordId ?? '',
            ip: row.ip ?? '',
            details: JSON.stringify(row.details),
          }
        }
      }
      // pipeline, not pipe: a database error part-way through must reach the response, not become an uncaught exception.
      return pipeline(ReadableStream.from(rows()), csv, () => {})
    },
  }
}

export type AuditService = ReturnType<typeof auditService>
