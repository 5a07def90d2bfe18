import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { startTestSmtpServer, type TestSmtpServer } from '../../../test/helpers/smtp.js'

describe('the mailer and the outbox page', () => {
  describe('without SMTP', () => {
    let t: TestApp
    beforeAll(async () => {
      t = await createTestApp()
    })
    afterAll(() => t.close())

    it('keeps the message in the outbox, fails nothing, and shows it to administrators with each reading audited', async () => {
      const result = await t.services.mailer.send({ kind: 'agenda', to: ['clerk@example.gov.uk', 'clerk@example.gov.uk'], subject: 'Agenda: Charnwood CSP', text: 'Item 1: Apologies', related: { type: 'meeting', id: '00000000-0000-4000-8000-000000000001' } })
      expect(result.status).toBe('outbox')
      const admin = await t.signInAs(['admin'])
      const list = await admin.get('/admin/outbox')
      expect(list.statusCode).toBe(200)
      expect(list.body).toContain('Email is not configured')
      expect(list.body).toContain('Agenda: Charnwood CSP')
      expect(list.body).toContain('Not sent: no SMTP')

      const message = await admin.get(`/admin/outbox/${result.id}`)
      expect(message.statusCode).toBe(200)
      expect(message.body).toContain('Item 1: Apologies')
      // The same address twice is sent once.
      expect(message.body).toMatch(/clerk@example\.gov\.uk<\/dd>|clerk@example\.gov\.uk\s*<\/dd>/)
      const audit = await t.testDb.database.db.selectFrom('audit_events').select(['action', 'record_id']).where('action', '=', 'email.viewed').execute()
      expect(audit).toEqual([{ action: 'email.viewed', record_id: result.id }])

      const api = await admin.json('GET', '/api/v1/outbox')
      expect(api.json()).toMatchObject({ hasMore: false, messages: [{ id: result.id, to: ['clerk@example.gov.uk'], status: 'outbox' }] })
    })

    it('is for administrators only, and an unknown message is not found', async () => {
      const coordinator = await t.signInAs(['partnership_coordinator'])
      expect((await coordinator.get('/admin/outbox')).statusCode).toBe(403)
      const admin = await t.signInAs(['admin'])
      expect((await admin.get('/admin/outbox/00000000-0000-4000-8000-000000000009')).statusCode).toBe(404)
      expect((await admin.get('/admin/outbox?page=0')).statusCode).toBe(400)
    })
  })

  describe('with SMTP', () => {
    let t: TestApp
    let smtp: TestSmtpServer
    beforeAll(async () => {
      smtp = await startTestSmtpServer()
      t = await createTestApp({ mail: smtp.mailConfig })
    })
    afterAll(async () => {
      await t.close()
      await smtp.close()
    })

    it('sends through the SMTP server and records it as sent', async () => {
      const result = await t.services.mailer.send({ kind: 'action_due_soon', to: ['owner@example.gov.uk'], subject: 'Action due in 7 days', text: 'Circulate the drone bid to partners' })
      expect(result.status).toBe('sent')
      const [received] = await smtp.waitFor(1)
      expect(received).toMatchObject({ to: ['owner@example.gov.uk'], subject: 'Action due in 7 days', from: '"Safer Communities" <noreply@test.example.org>' })
      expect(received!.text).toContain('Circulate the drone bid')
      const row = await t.testDb.database.db.selectFrom('email_messages').select(['status', 'sent_at']).where('id', '=', result.id).executeTakeFirstOrThrow()
      expect(row.status).toBe('sent')
      expect(row.sent_at).toBeInstanceOf(Date)
    })

    it('keeps no email address in the error when the server refuses a recipient', async () => {
      const refusing = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false, onRcptTo: (address, _session, callback) => callback(new Error(`Mailbox ${address.address} does not exist`)) })
      await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve))
      const port = (refusing.server.address() as AddressInfo).port
      const app = await createTestApp({ mail: { from: 'x@example.org', smtp: { host: '127.0.0.1', port, secure: false } } })
      try {
        const result = await app.services.mailer.send({ kind: 'agenda', to: ['jo.bloggs@example.gov.uk'], subject: 'S', text: 'T' })
        expect(result.status).toBe('failed')
        const row = await app.testDb.database.db.selectFrom('email_messages').select('error').where('id', '=', result.id).executeTakeFirstOrThrow()
        expect(row.error).toContain('[address]')
        expect(row.error).not.toContain('jo.bloggs')
      } finally {
        await app.close()
        await new Promise<void>((resolve) => refusing.close(() => resolve()))
      }
    })

    it('records a failure, without throwing, when the server cannot be reached', async () => {
      const broken = await createTestApp({ mail: { from: 'x@example.org', smtp: { host: '127.0.0.1', port: 1, secure: false } } })
      try {
        const result = await broken.services.mailer.send({ kind: 'agenda', to: ['a@example.gov.uk'], subject: 'S', text: 'T' })
        expect(result.status).toBe('failed')
        const row = await broken.testDb.database.db.selectFrom('email_messages').select(['status', 'error']).where('id', '=', result.id).executeTakeFirstOrThrow()
        expect(row.status).toBe('failed')
        expect(row.error).toMatch(/ECONNREFUSED|connect/i)
      } finally {
        await broken.close()
      }
    })
  })
})
