import { stringify } from 'csv-stringify'
import type { Readable } from 'node:stream'
import { pipeline, Readable as ReadableStream } from 'node:stream'
import type { Executor } from '../../platform/db/executor.js'
import { AUDIT_ACTIONS, type Actor, type AuditEntry } from './audit.events.js'
import type { AuditFilter, AuditRepository } from './audit.repository.js'

export const AUDIT_PAGE_SIZE = 50

export function auditService(repository: AuditRepository) {
  return {
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
