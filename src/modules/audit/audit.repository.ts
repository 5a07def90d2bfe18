import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import type { Actor, AuditEntry } from './audit.events.js'

export interface AuditFilter {
  userId?: string
  organisationId?: string
  recordType?: string
  recordId?: string
  action?: string
  from?: string
  to?: string
}

export function auditRepository(db: Executor) {
  const filtered = (filter: AuditFilter) => {
    let query = db
      .selectFrom('audit_events')
      .leftJoin('users', 'users.id', 'audit_events.user_id')
      .leftJoin('organisations', 'organisations.id', 'audit_events.organisation_id')
    if (filter.userId) query = query.where('audit_events.user_id', '=', filter.userId)
    if (filter.organisationId) query = query.where('audit_events.organisation_id', '=', filter.organisationId)
    if (filter.recordType) query = query.where('audit_events.record_type', '=', filter.recordType)
    if (filter.recordId) query = query.where('audit_events.record_id', '=', filter.recordId)
    if (filter.action) query = query.where('audit_events.action', '=', filter.action)
    // Dates are whole days in UK time: 'to' includes the whole of that day.
    if (filter.from) query = query.where('audit_events.occurred_at', '>=', sql<Date>`(${filter.from}::date)::timestamp at time zone 'Europe/London'`)
    if (filter.to) query = query.where('audit_events.occurred_at', '<', sql<Date>`(${filter.to}::date + 1)::timestamp at time zone 'Europe/London'`)
    return query
  }

  const columns = [
    'audit_events.id',
    'audit_events.occurred_at as occurredAt',
    'audit_events.user_id as userId',
    'users.name as userName',
    'users.email as userEmail',
    'audit_events.organisation_id as organisationId',
    'organisations.name as organisationName',
    'audit_events.action',
    'audit_events.record_type as recordType',
    'audit_events.record_id as recordId',
    'audit_events.ip',
    'audit_events.details',
  ] as const

  return {
    insert(actor: Actor, entry: AuditEntry, executor: Executor = db) {
      return executor
        .insertInto('audit_events')
        .values({
          user_id: actor.userId,
          organisation_id: actor.organisationId,
          action: entry.action,
          record_type: entry.recordType ?? null,
          record_id: entry.recordId ?? null,
          ip: actor.ip,
          details: JSON.stringify(entry.details ?? {}),
        })
        .execute()
    },

    async page(filter: AuditFilter, page: { limit: number; offset: number }) {
      const [rows, total] = await Promise.all([
        filtered(filter).select(columns).orderBy('audit_events.id', 'desc').limit(page.limit).offset(page.offset).execute(),
        filtered(filter).select(sql<number>`count(*)::int`.as('count')).executeTakeFirstOrThrow(),
      ])
      return { rows, total: total.count }
    },

    /** Newest first, in batches by id, so an export of any size never holds the whole log in memory. */
    async *stream(filter: AuditFilter, batchSize = 1000) {
      let before = Number.MAX_SAFE_INTEGER
      for (;;) {
        const rows = await filtered(filter).select(columns).where('audit_events.id', '<', before).orderBy('audit_events.id', 'desc').limit(batchSize).execute()
        yield* rows
        if (rows.length < batchSize) return
        before = rows[rows.length - 1]!.id
      }
    },

    /**
     * The hash chain in its order, in batches by position, each row with whether its hash still matches its content
     * (recomputed by the database with the function its trigger used).
     */
    async *chain(batchSize = 5000) {
      let after = 0
      for (;;) {
        const rows = await db
          .selectFrom('audit_events')
          .select([
            'id',
            'occurred_at as occurredAt',
            'chain_seq as seq',
            'previous_hash as previousHash',
            'hash',
            sql<boolean | null>`audit_events.hash = audit_event_hash(audit_events.previous_hash, audit_events)`.as('intact'),
          ])
          .where('chain_seq', '>', after)
          .orderBy('chain_seq')
          .limit(batchSize)
          .execute()
        yield* rows as (Omit<(typeof rows)[number], 'seq'> & { seq: number })[]
        if (rows.length < batchSize) return
        after = rows[rows.length - 1]!.seq!
      }
    },

    /** The first row that never joined the chain: written while its trigger was disabled. */
    firstUnchained() {
      return db
        .selectFrom('audit_events')
        .select(['id', 'occurred_at as occurredAt'])
        .where((eb) => eb.or([eb('chain_seq', 'is', null), eb('hash', 'is', null)]))
        .orderBy('id')
        .limit(1)
        .executeTakeFirst()
    },

    chainHead() {
      return db.selectFrom('audit_chain_head').select(['seq', 'hash']).executeTakeFirstOrThrow()
    },
  }
}

export type AuditRepository = ReturnType<typeof auditRepository>
export type AuditRow = Awaited<ReturnType<AuditRepository['page']>>['rows'][number]
