import type { Kysely } from 'kysely'
import nodemailer, { type Transporter } from 'nodemailer'
import type { Config } from '../../config.js'
import type { Executor } from '../db/executor.js'
import type { DB } from '../db/schema.js'

export interface OutgoingEmail {
  /** What it is, for the outbox page: 'agenda', 'action_due_soon', 'action_overdue' ... */
  kind: string
  to: string[]
  subject: string
  text: string
  html?: string
  related?: { type: string; id: string }
}

export interface SendResult {
  id: string
  status: 'outbox' | 'sent' | 'failed'
}

/**
 * Every email is kept in email_messages, then sent through SMTP when it is configured. Without SMTP the message stays in
 * the outbox for administrators to read; a failed send is recorded, never thrown, so that publishing an agenda or a
 * reminder run never fails because the mail server is down.
 */
export function mailer({ db, config }: { db: Kysely<DB>; config: Pick<Config, 'mail'> }) {
  const smtp = config.mail.smtp
  let transport: Transporter | undefined
  const transporter = () =>
    (transport ??= nodemailer.createTransport({
      host: smtp!.host,
      port: smtp!.port,
      secure: smtp!.secure,
      auth: smtp!.user ? { user: smtp!.user, pass: smtp!.password } : undefined,
      // A local relay on a private network may offer no TLS; elsewhere STARTTLS is used when offered.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
    }))

  return {
    configured: Boolean(smtp),

    /** Records the message (in the caller's transaction, if given) and returns its id, before anything is sent. */
    async queue(email: OutgoingEmail, executor: Executor = db): Promise<string> {
      const to = [...new Set(email.to.map((address) => address.trim()).filter(Boolean))]
      const row = await executor
        .insertInto('email_messages')
        .values({ kind: email.kind, to_addresses: to, subject: email.subject, body_text: email.text, body_html: email.html ?? null, related_type: email.related?.type ?? null, related_id: email.related?.id ?? null, status: 'outbox' })
        .returning('id')
        .executeTakeFirstOrThrow()
      return row.id
    },

    /** Sends a queued message through SMTP, if configured; call after the transaction that queued it has committed. */
    async deliver(id: string): Promise<SendResult> {
      if (!smtp) return { id, status: 'outbox' }
      const message = await db.selectFrom('email_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
      try {
        await transporter().sendMail({ from: config.mail.from, to: message.to_addresses, subject: message.subject, text: message.body_text, html: message.body_html ?? undefined })
        await db.updateTable('email_messages').set({ status: 'sent', sent_at: new Date(), error: null }).where('id', '=', id).execute()
        return { id, status: 'sent' }
      } catch (error) {
        // The server's reply, not the message, and without the addresses a rejection quotes: no personal data is kept.
        const reason = error instanceof Error ? error.message.replace(/[^\s<>"'@]+@[^\s<>"'@]+/g, '[address]').slice(0, 500) : 'unknown error'
        await db.updateTable('email_messages').set({ status: 'failed', error: reason }).where('id', '=', id).execute()
        return { id, status: 'failed' }
      }
    },

    /** Queue and deliver at once, outside any transaction. */
    async send(email: OutgoingEmail): Promise<SendResult> {
      return this.deliver(await this.queue(email))
    },

    /** The outbox page: newest first. */
    list({ limit = 100, offset = 0 }: { limit?: number; offset?: number } = {}) {
      return db
        .selectFrom('email_messages')
        .select(['id', 'kind', 'to_addresses as to', 'subject', 'status', 'error', 'created_at as createdAt', 'sent_at as sentAt', 'related_type as relatedType', 'related_id as relatedId'])
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(limit)
        .offset(offset)
        .execute()
    },

    get(id: string) {
      return db
        .selectFrom('email_messages')
        .select(['id', 'kind', 'to_addresses as to', 'subject', 'body_text as text', 'status', 'error', 'created_at as createdAt', 'sent_at as sentAt'])
        .where('id', '=', id)
        .executeTakeFirst()
    },

    close() {
      transport?.close()
    },
  }
}

export type Mailer = ReturnType<typeof mailer>
