import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/helpers/app.js'

/** The page's words, without markup. */
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('the audit check page', () => {
  it('is for administrators only', async () => {
    for (const roles of [['auditor'], ['case_manager'], ['partnership_coordinator'], ['analyst']] as const) {
      const other = await t.signInAs([...roles])
      expect((await other.get('/admin/audit-check')).statusCode, roles[0]).toBe(403)
    }
  })

  it('tells an administrator the log is intact, and records that they checked', async () => {
    const admin = await t.signInAs(['admin'])
    const page = await admin.get('/admin/audit-check')
    expect(page.statusCode).toBe(200)
    const body = text(page.body)
    expect(page.body).toContain('govuk-notification-banner--success')
    expect(body).toContain('The audit log is intact')
    expect(body).toMatch(/Entries checked\s+\d+/)
    const checked = await t.testDb.database.db.selectFrom('audit_events').select(['user_id', 'details']).where('action', '=', 'audit.chain_verified').executeTakeFirstOrThrow()
    expect(checked).toMatchObject({ user_id: admin.user.id, details: { ok: true } })
  })

  it('says where the log was altered', async () => {
    const admin = await t.signInAs(['admin'])
    const target = await t.testDb.database.db.selectFrom('audit_events').select('id').orderBy('id').executeTakeFirstOrThrow()
    await t.testDb.database.scriptTransaction(async (tx) => {
      await tx.exec('alter table audit_events disable trigger audit_events_no_update_or_delete')
      await tx.query(`update audit_events set details = '{"altered": true}' where id = $1`, [target.id])
      await tx.exec('alter table audit_events enable trigger audit_events_no_update_or_delete')
    })
    const page = await admin.get('/admin/audit-check')
    expect(page.statusCode).toBe(200)
    const body = text(page.body)
    expect(page.body).not.toContain('govuk-notification-banner--success')
    expect(body).toContain('The audit log has been altered')
    expect(body).toContain('An entry was changed')
    expect(body).toContain(`Where it breaks Entry ${target.id}`)
    expect(body).toContain('its hash no longer matches')
    const { rows } = await sql<{ details: { ok: boolean; brokenAtId: number } }>`select details from audit_events where action = 'audit.chain_verified' order by id desc limit 1`.execute(t.testDb.database.db)
    expect(rows[0]!.details).toMatchObject({ ok: false, brokenAtId: target.id, reason: 'changed' })
  })
})
