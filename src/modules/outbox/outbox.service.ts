import type { Mailer } from '../../platform/mail/mailer.js'
import { NotFoundError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'

export const OUTBOX_PAGE_SIZE = 50

/** The email outbox: every message the service sent, could not send, or keeps because SMTP is not configured. */
export function outboxService({ mailer, audit }: { mailer: Pick<Mailer, 'list' | 'get' | 'configured'>; audit: Pick<AuditService, 'record'> }) {
  return {
    configured: mailer.configured,

    /** Recipients and subjects name people: each page read is audited with its count. */
    async list(actor: Actor, page: number) {
      const rows = await mailer.list({ limit: OUTBOX_PAGE_SIZE + 1, offset: (page - 1) * OUTBOX_PAGE_SIZE })
      await audit.record(actor, { action: 'emails.listed', recordType: 'email_message', details: { page, count: Math.min(rows.length, OUTBOX_PAGE_SIZE) } })
      return { messages: rows.slice(0, OUTBOX_PAGE_SIZE), hasMore: rows.length > OUTBOX_PAGE_SIZE }
    },

    /** A message's text can hold names and action details: each reading is audited. */
    async read(actor: Actor, messageId: string) {
      const message = await mailer.get(messageId)
      if (!message) throw new NotFoundError('Message not found')
      await audit.record(actor, { action: 'email.viewed', recordType: 'email_message', recordId: messageId, details: { kind: message.kind } })
      return message
    },
  }
}

export type OutboxService = ReturnType<typeof outboxService>
