import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../app.js'
import { services as createServices } from '../../composition.js'
import { loadConfig } from '../../config.js'
import { SYSTEM_ACTOR } from '../../modules/audit/audit.events.js'
import { auditRepository } from '../../modules/audit/audit.repository.js'
import { auditService } from '../../modules/audit/audit.service.js'
import { currentCode } from '../../modules/auth/totp.js'
import { Agent, testConfig } from '../../../test/helpers/app.js'
import { freshDatabase, serverUrl, type TestDatabase } from '../../../test/helpers/database.js'
import { FACTORY_TOTP_SECRET, factories } from '../../../test/helpers/factories.js'
import { adminQuery } from '../../../test/helpers/server-database.js'
import type { Database } from './database.js'
import { AppRoleError, grantAppRole, openServingDatabase } from './roles.js'

describe('DATABASE_APP_URL', () => {
  it('is the app role of a PostgreSQL server whose owner role is DATABASE_URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://owner:secret@db/scp', DATABASE_APP_URL: 'postgres://scp_app:other@db/scp' })
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://owner:secret@db/scp', appUrl: 'postgres://scp_app:other@db/scp' })
    expect(() => loadConfig({ DATABASE_APP_URL: 'postgres://scp_app:other@db/scp' })).toThrow(/DATABASE_APP_URL needs DATABASE_URL too/)
    expect(() => loadConfig({ DATABASE_URL: 'postgres://owner@db/scp', DATABASE_APP_URL: 'postgres://db/scp' })).toThrow(/DATABASE_APP_URL must be a postgres:\/\/ connection URL with the app role’s name/)
  })

  it('leaves the embedded database as it is: one role', async () => {
    const testDb = await freshDatabase()
    try {
      if (testDb.database.kind === 'pglite') await expect(grantAppRole(testDb.database, 'postgres://scp_app:x@db/scp')).rejects.toThrow(AppRoleError)
      const { rows } = await sql<{ role: string }>`select current_user as role`.execute(testDb.database.db)
      expect(rows[0]!.role).toBe('postgres')
    } finally {
      await testDb.destroy()
    }
  })
})

// Roles exist only on a PostgreSQL server: this part runs in the suite's server phase (TEST_DATABASE_URL).
describe.runIf(serverUrl)('the app’s own role on a PostgreSQL server', () => {
  const role = `scp_app_${randomBytes(4).toString('hex')}`
  let owner: TestDatabase
  let appUrl: string
  let app: Database

  beforeAll(async () => {
    owner = await freshDatabase()
    const url = new URL((owner.target as { url: string }).url)
    url.username = role
    url.password = 'app-role-password'
    appUrl = url.toString()
    // Twice: the step is repeated after every migration.
    expect(await grantAppRole(owner.database, appUrl)).toBe(role)
    expect(await grantAppRole(owner.database, appUrl)).toBe(role)
    app = await openServingDatabase({ ...(owner.target as { kind: 'postgres'; url: string }), appUrl }, 'test')
  })
  afterAll(async () => {
    await app?.close()
    await owner?.destroy()
    await adminQuery(`drop role if exists ${role}`)
  })

  it('serves as a role that owns nothing and is not a superuser', async () => {
    const { rows } = await sql<{ role: string; super: boolean; owned: number }>`
      select current_user as role, (select rolsuper from pg_roles where rolname = current_user) as super,
        (select count(*)::int from pg_class where relowner = (select oid from pg_roles where rolname = current_user)) as owned`.execute(app.db)
    expect(rows[0]).toEqual({ role, super: false, owned: 0 })
  })

  it('adds audit entries into the chain and checks it, but may not change, remove or unchain them', async () => {
    const audit = auditService(auditRepository(app.db))
    await audit.record(SYSTEM_ACTOR, { action: 'case.viewed', details: { by: 'app role' } })
    await app.db.transaction().execute((trx) => audit.record(SYSTEM_ACTOR, { action: 'case.updated' }, trx))
    expect(await audit.verifyChain()).toMatchObject({ ok: true, rows: 2 })

    const refused = async (statement: string) => {
      const error = await sql.raw(statement).execute(app.db).then(() => undefined, (caught: { code?: string; message: string }) => caught)
      expect(error, statement).toBeDefined()
      return error!
    }
    // 42501: insufficient privilege.
    expect(await refused('alter table audit_events disable trigger audit_events_no_update_or_delete')).toMatchObject({ code: '42501', message: expect.stringMatching(/must be owner/) })
    expect(await refused('alter table audit_events disable trigger all')).toMatchObject({ code: '42501' })
    expect(await refused('drop trigger audit_events_seal on audit_events')).toMatchObject({ code: '42501' })
    expect(await refused('set session_replication_role = replica')).toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied/) })
    expect(await refused(`update audit_events set details = '{}'`)).toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied for table audit_events/) })
    expect(await refused('delete from audit_events')).toMatchObject({ code: '42501' })
    expect(await refused('truncate audit_events')).toMatchObject({ code: '42501' })
    expect(await refused('update audit_chain_head set seq = 0')).toMatchObject({ code: '42501' })
    expect(await refused(`create or replace function audit_event_hash(previous_hash text, e audit_events) returns text language sql as $$ select e.hash $$`)).toMatchObject({ code: '42501' })
    expect(await audit.verifyChain()).toMatchObject({ ok: true, rows: 2 })
  })

  it('cannot seal its rows against a chain head of its own, nor keep them out of the chain, with temporary tables', async () => {
    const audit = auditService(auditRepository(app.db))
    const before = await audit.verifyChain()
    expect(before).toMatchObject({ ok: true })
    // Temporary tables live in one session: one connection, in which the chain's functions would find them first.
    await app.db.connection().execute(async (session) => {
      await sql`create temporary table audit_chain_head (only_row boolean primary key default true, seq bigint not null, hash text not null)`.execute(session)
      await sql`insert into audit_chain_head (seq, hash) values (1000, ${'f'.repeat(64)})`.execute(session)
      await session.transaction().execute((trx) => audit.record(SYSTEM_ACTOR, { action: 'case.viewed', details: { by: 'a forged head' } }, trx))
      await sql`create temporary table audit_events (id bigint, hash text, chain_seq bigint, previous_hash text)`.execute(session)
      await sql`insert into public.audit_events (action, details) values ('case.viewed', '{"by": "a shadow log"}')`.execute(session)
      await sql`discard temp`.execute(session)
    })
    expect(await audit.verifyChain()).toMatchObject({ ok: true, rows: (before as { rows: number }).rows + 2 })
  })

  it('refuses to make the owner or a superuser the app role', async () => {
    const asOwner = new URL((owner.target as { url: string }).url)
    await expect(grantAppRole(owner.database, asOwner.toString())).rejects.toThrow(/must be a role of its own/)
  })

  it('is granted again by npm run migrate, which names it', async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url))
    const env = { PATH: process.env.PATH, NODE_ENV: 'test', DATABASE_URL: (owner.target as { url: string }).url, DATABASE_APP_URL: appUrl }
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(path.join(root, 'node_modules/.bin/tsx'), ['src/cli/migrate.ts'], { cwd: root, env }, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr })),
    )
    expect(run).toEqual({ code: 0, stderr: '', stdout: `The database is up to date.\nThe app's role ${role} may read and change rows, and only read and add audit entries.\n` })
  }, 60_000)

  it('runs the app: an administrator signs in and checks the audit log', async () => {
    const made = factories(owner.database.db)
    const admin = await made.user({ roles: ['admin'] })
    const services = createServices(testConfig({ database: { kind: 'postgres', url: (owner.target as { url: string }).url, appUrl } }), app)
    const server = await createApp(services)
    try {
      const agent = new Agent(server)
      const signIn = await agent.submit('/sign-in', { email: admin.email, password: admin.password })
      expect(signIn.headers.location).toMatch(/^\/sign-in\/two-factor/)
      // Administrators sign in with a second factor: the app's role reads the secret and records the step used.
      expect((await agent.submit('/sign-in/two-factor', { code: currentCode(FACTORY_TOTP_SECRET) })).statusCode).toBe(302)
      const page = await agent.get('/admin/audit-check')
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('The audit log is intact')
    } finally {
      await server.close()
    }
  })
})
