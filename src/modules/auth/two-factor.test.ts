import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { FACTORY_TOTP_SECRET } from '../../../test/helpers/factories.js'
import { currentCode } from './totp.js'

const WRONG_CODE = 'The code is not right'
const LOCKED = 'This account is locked after too many failed attempts'
const SIGN_IN_AGAIN = 'Your sign-in has expired. Sign in again'

describe('two-factor authentication', () => {
  let t: TestApp
  const db = () => t.testDb.database.db

  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(async () => {
    await t.close()
  })

  const auditOf = (userId: string) =>
    db().selectFrom('audit_events').select(['action', 'details', 'record_id as recordId', 'user_id as userId']).where((eb) => eb.or([eb('user_id', '=', userId), eb('record_id', '=', userId)])).orderBy('id').execute()

  /** Clears the last used step, so a test can enter the current code again (a code otherwise works once). */
  const forgetUsedCode = (userId: string) => db().updateTable('two_factor_secrets').set({ last_used_step: null }).where('user_id', '=', userId).execute()

  async function passwordStep(user: { email: string; password: string }, returnTo = '/') {
    const agent = new Agent(t.app)
    const response = await agent.submit('/sign-in', { email: user.email, password: user.password, returnTo })
    return { agent, response }
  }

  /** Signs in with the password and sets up two-factor through the pages; returns the agent, the secret and the recovery codes. */
  async function setUpThroughPages(agent: Agent) {
    const page = await agent.get('/account/two-factor')
    expect(page.statusCode).toBe(200)
    const secret = /id="two-factor-secret">([A-Z2-7]+)</.exec(page.body)?.[1]
    expect(secret).toBeDefined()
    const done = await agent.submit('/account/two-factor', { code: currentCode(secret!) })
    expect(done.statusCode).toBe(200)
    const recoveryCodes = [...done.body.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((match) => match[1]!)
    return { secret: secret!, recoveryCodes, done }
  }

  it('sends an administrator without two-factor to set it up before anything else, then shows ten recovery codes once', async () => {
    const admin = await t.factories.user({ roles: ['admin'], twoFactor: false })
    const { agent, response } = await passwordStep(admin)
    expect(response.headers.location).toBe('/')

    for (const path of ['/', '/admin/users', '/audit']) {
      const refused = await agent.get(path)
      expect(refused.statusCode).toBe(302)
      expect(refused.headers.location).toBe('/account/two-factor')
    }
    const api = await agent.json('GET', '/api/v1/users')
    expect(api.statusCode).toBe(403)

    const page = await agent.get('/account/two-factor')
    expect(page.body).toContain('<img src="data:image/png;base64,')
    expect(page.body).toContain('Your role or organisation requires two-factor authentication')
    expect(page.headers['cache-control']).toBe('no-store')
    // A reload shows the same secret, so what was scanned still works.
    const again = await agent.get('/account/two-factor')
    expect(/id="two-factor-secret">([A-Z2-7]+)</.exec(again.body)?.[1]).toBe(/id="two-factor-secret">([A-Z2-7]+)</.exec(page.body)?.[1])

    const wrong = await agent.submit('/account/two-factor', { code: '000000' })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.body).toContain('Enter the 6-digit code your authenticator app shows now')

    const { recoveryCodes, done } = await setUpThroughPages(agent)
    expect(recoveryCodes).toHaveLength(10)
    expect(new Set(recoveryCodes).size).toBe(10)
    expect(done.headers['cache-control']).toBe('no-store')

    // Stored hashed only.
    const stored = await db().selectFrom('two_factor_recovery_codes').select('code_hash').where('user_id', '=', admin.id).execute()
    expect(stored).toHaveLength(10)
    for (const row of stored) expect(recoveryCodes.some((code) => row.code_hash.includes(code.replace('-', '')))).toBe(false)

    expect((await agent.get('/admin/users')).statusCode).toBe(200)
    const events = await auditOf(admin.id)
    expect(events.find((event) => event.action === 'two_factor.enabled')?.details).toEqual({ recoveryCodes: 10 })
    // Set up already: the page now shows the status, never the secret again.
    const status = await agent.get('/account/two-factor')
    expect(status.body).toContain('Recovery codes left')
    expect(status.body).not.toContain('two-factor-secret')
  })

  it('asks for the code after the password; the half-signed-in session grants nothing; the code leads back to the page asked for, once', async () => {
    const admin = await t.factories.user({ roles: ['admin'] })
    const { agent, response } = await passwordStep(admin, '/admin/users')
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe('/sign-in/two-factor?returnTo=%2Fadmin%2Fusers')
    expect((await agent.get('/admin/users')).headers.location).toBe('/sign-in?returnTo=%2Fadmin%2Fusers')
    expect((await agent.json('GET', '/api/v1/users')).statusCode).toBe(401)
    expect((await agent.get('/')).statusCode).toBe(302)
    // No sign-in recorded yet, and the failed-attempt count is not reset by the password alone.
    expect((await auditOf(admin.id)).map((event) => event.action)).not.toContain('sign_in')

    const challenge = await agent.get('/sign-in/two-factor?returnTo=%2Fadmin%2Fusers')
    expect(challenge.body).toContain('Enter your security code')
    const code = currentCode(FACTORY_TOTP_SECRET)
    const passed = await agent.submit('/sign-in/two-factor', { code, returnTo: '/admin/users' })
    expect(passed.statusCode).toBe(302)
    expect(passed.headers.location).toBe('/admin/users')
    expect((await agent.get('/admin/users')).statusCode).toBe(200)
    const signIn = (await auditOf(admin.id)).find((event) => event.action === 'sign_in')
    expect(signIn?.details).toEqual({ secondFactor: 'authenticator' })

    // The same code a second time (a replay, or someone looking over a shoulder) is refused.
    const second = await passwordStep(admin)
    const replay = await second.agent.submit('/sign-in/two-factor', { code })
    expect(replay.statusCode).toBe(401)
    expect(replay.body).toContain(WRONG_CODE)
  })

  it('shows the code page only to a session that has passed the password', async () => {
    const anonymous = new Agent(t.app)
    expect((await anonymous.get('/sign-in/two-factor')).body).toContain(SIGN_IN_AGAIN)
    const posted = await anonymous.submit('/sign-in/two-factor', { code: '123456' }, { formPage: '/sign-in' })
    expect(posted.statusCode).toBe(400)
    expect(posted.body).toContain(SIGN_IN_AGAIN)
    expect(anonymous.cookies.has('scp_session')).toBe(false)
  })

  it('counts wrong codes with wrong passwords and locks the account after five', async () => {
    const admin = await t.factories.user({ roles: ['admin'] })
    const { agent } = await passwordStep(admin)
    for (let attempt = 1; attempt <= 4; attempt++) {
      const wrong = await agent.submit('/sign-in/two-factor', { code: '000000' })
      expect(wrong.statusCode).toBe(401)
      expect(wrong.body).toContain(WRONG_CODE)
    }
    const fifth = await agent.submit('/sign-in/two-factor', { code: '000000' })
    expect(fifth.statusCode).toBe(401)
    expect(fifth.body).toContain(LOCKED)
    // The half-signed-in session is gone, and the right password and code no longer work until the lock ends.
    expect((await agent.get('/sign-in/two-factor')).body).toContain(SIGN_IN_AGAIN)
    const user = await db().selectFrom('users').select(['failed_sign_in_count', 'locked_until']).where('id', '=', admin.id).executeTakeFirstOrThrow()
    expect(user.locked_until!.getTime()).toBeGreaterThan(Date.now())
    const retry = await passwordStep(admin)
    expect(retry.response.statusCode).toBe(401)
    const actions = (await auditOf(admin.id)).map((event) => event.action)
    expect(actions.filter((action) => action === 'sign_in_failed').length).toBeGreaterThanOrEqual(4)
    expect(actions).toContain('sign_in_locked')
  })

  it('a wrong code does not get reset by entering the right password again', async () => {
    const admin = await t.factories.user({ roles: ['admin'] })
    for (let round = 0; round < 5; round++) {
      const { agent } = await passwordStep(admin)
      await agent.submit('/sign-in/two-factor', { code: '000000' })
    }
    const user = await db().selectFrom('users').select('locked_until').where('id', '=', admin.id).executeTakeFirstOrThrow()
    expect(user.locked_until!.getTime()).toBeGreaterThan(Date.now())
  })

  it('accepts each recovery code once instead of the app code, and audits its use with the number left', async () => {
    const viewer = await t.factories.user({ roles: ['case_viewer'] })
    const first = await t.signIn(viewer.email, viewer.password)
    const { recoveryCodes } = await setUpThroughPages(first)

    const { agent } = await passwordStep(viewer)
    const used = await agent.submit('/sign-in/two-factor', { code: recoveryCodes[3]!.toUpperCase() })
    expect(used.statusCode).toBe(302)
    expect((await agent.get('/')).statusCode).toBe(200)
    const events = await auditOf(viewer.id)
    expect(events.find((event) => event.action === 'two_factor.recovery_code_used')?.details).toEqual({ recoveryCodesLeft: 9 })
    expect(events.filter((event) => event.action === 'sign_in').at(-1)?.details).toEqual({ secondFactor: 'recovery_code' })

    const again = await passwordStep(viewer)
    const reused = await again.agent.submit('/sign-in/two-factor', { code: recoveryCodes[3]! })
    expect(reused.statusCode).toBe(401)
  })

  it('is optional for other roles: a case viewer is not sent to set it up, and may turn it on and off (audited)', async () => {
    const viewer = await t.factories.user({ roles: ['case_viewer'] })
    const agent = await t.signIn(viewer.email, viewer.password)
    expect((await agent.get('/')).statusCode).toBe(200)
    const { secret } = await setUpThroughPages(agent)
    await forgetUsedCode(viewer.id)
    const wrong = await agent.submit('/account/two-factor/turn-off', { code: '000000' })
    expect(wrong.statusCode).toBe(400)
    const off = await agent.submit('/account/two-factor/turn-off', { code: currentCode(secret) })
    expect(off.statusCode).toBe(302)
    expect(await db().selectFrom('two_factor_secrets').select('user_id').where('user_id', '=', viewer.id).executeTakeFirst()).toBeUndefined()
    expect((await auditOf(viewer.id)).map((event) => event.action)).toContain('two_factor.disabled')
    const plain = await passwordStep(viewer)
    expect(plain.response.headers.location).toBe('/')
  })

  it('makes new recovery codes after a current code: the old ones stop working (audited)', async () => {
    const viewer = await t.factories.user({ roles: ['case_viewer'] })
    const agent = await t.signIn(viewer.email, viewer.password)
    const { secret, recoveryCodes: old } = await setUpThroughPages(agent)
    await forgetUsedCode(viewer.id)
    const wrong = await agent.submit('/account/two-factor/recovery-codes', { code: '000000' }, { formPage: '/account/two-factor' })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.body).toContain('href="#newCodesCode"')
    const made = await agent.submit('/account/two-factor/recovery-codes', { code: currentCode(secret) })
    expect(made.statusCode).toBe(200)
    expect(made.headers['cache-control']).toBe('no-store')
    const fresh = [...made.body.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((match) => match[1]!)
    expect(fresh).toHaveLength(10)
    expect(fresh.some((code) => old.includes(code))).toBe(false)
    expect((await auditOf(viewer.id)).find((event) => event.action === 'two_factor.recovery_codes_replaced')?.details).toEqual({ recoveryCodes: 10 })

    const { agent: next } = await passwordStep(viewer)
    expect((await next.submit('/sign-in/two-factor', { code: old[0]! })).statusCode).toBe(401)
    expect((await next.submit('/sign-in/two-factor', { code: fresh[0]! })).statusCode).toBe(302)
  })

  it('does not let an administrator turn it off', async () => {
    const admin = await t.factories.user({ roles: ['admin'] })
    const agent = await t.signIn(admin.email, admin.password)
    const page = await agent.get('/account/two-factor')
    expect(page.body).not.toContain('/account/two-factor/turn-off')
    await forgetUsedCode(admin.id)
    const refused = await agent.submit('/account/two-factor/turn-off', { code: currentCode(FACTORY_TOTP_SECRET) }, { formPage: '/account/two-factor' })
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain('cannot turn off two-factor authentication')
    expect(await db().selectFrom('two_factor_secrets').select('user_id').where('user_id', '=', admin.id).executeTakeFirst()).toBeDefined()
  })

  it('is required for everyone in an organisation whose administrator says so', async () => {
    const admin = await t.signInAs(['admin'])
    const organisation = await t.factories.organisation()
    const viewer = await t.factories.user({ roles: ['case_viewer'], organisationId: organisation.id })
    const saved = await admin.submit(`/admin/organisations/${organisation.id}/edit`, { name: organisation.name, type: organisation.type, active: 'true', requireTwoFactor: 'true' }, { formPage: `/admin/organisations/${organisation.id}/edit` })
    expect(saved.statusCode).toBe(302)
    const shown = await admin.get(`/admin/organisations/${organisation.id}`)
    expect(shown.body).toContain('Required for every user')
    const audited = await db().selectFrom('audit_events').select('details').where('action', '=', 'organisation.updated').where('record_id', '=', organisation.id).executeTakeFirstOrThrow()
    expect(audited.details).toEqual({ fields: ['requireTwoFactor'] })

    const agent = await t.signIn(viewer.email, viewer.password)
    expect((await agent.get('/')).headers.location).toBe('/account/two-factor')

    // The same setting over the API.
    const patched = await admin.json('PATCH', `/api/v1/organisations/${organisation.id}`, { requireTwoFactor: false })
    expect(patched.json()).toMatchObject({ id: organisation.id, requireTwoFactor: false })
    expect((await agent.get('/')).statusCode).toBe(200)
  })

  it('lets an administrator reset a user’s two-factor (audited): the user sets it up again at next sign-in', async () => {
    const admin = await t.signInAs(['admin'])
    const auditor = await t.factories.user({ roles: ['auditor'] })
    const page = await admin.get(`/admin/users/${auditor.id}`)
    expect(page.body).toContain('Reset two-factor authentication')
    const reset = await admin.submit(`/admin/users/${auditor.id}/two-factor/reset`, {})
    expect(reset.headers.location).toBe(`/admin/users/${auditor.id}?notice=two-factor-reset`)
    const event = (await auditOf(auditor.id)).find((row) => row.action === 'two_factor.reset')
    expect(event).toMatchObject({ userId: admin.user.id, recordId: auditor.id, details: { hadTwoFactor: true } })

    const { agent, response } = await passwordStep(auditor)
    expect(response.headers.location).toBe('/')
    expect((await agent.get('/audit')).headers.location).toBe('/account/two-factor')

    const viewer = await t.signInAs(['case_viewer'])
    expect((await viewer.submit(`/admin/users/${auditor.id}/two-factor/reset`, {}, { formPage: '/' })).statusCode).toBe(403)
  })

  it('an administrator’s reset ends the user’s sessions still waiting for a code, and says how many in the audit', async () => {
    const admin = await t.signInAs(['admin'])
    const auditor = await t.factories.user({ roles: ['auditor'] })
    const { agent } = await passwordStep(auditor)
    expect((await agent.get('/sign-in/two-factor')).body).toContain('Enter your security code')
    await admin.submit(`/admin/users/${auditor.id}/two-factor/reset`, {})
    const waiting = await db().selectFrom('sessions').select('id_hash').where('user_id', '=', auditor.id).where('awaiting_second_factor', '=', true).execute()
    expect(waiting).toHaveLength(0)
    expect((await agent.get('/sign-in/two-factor')).body).toContain(SIGN_IN_AGAIN)
    const event = (await auditOf(auditor.id)).find((row) => row.action === 'two_factor.reset')
    expect(event?.details).toEqual({ hadTwoFactor: true, awaitingSessionsEnded: 1 })
  })

  it('links every signed-in page’s header to the two-factor page', async () => {
    const viewer = await t.signInAs(['case_viewer'])
    expect((await viewer.get('/')).body).toContain('href="/account/two-factor"')
  })

  it('ends a half-signed-in session that waited more than ten minutes for the code', async () => {
    const admin = await t.factories.user({ roles: ['admin'] })
    const { agent } = await passwordStep(admin)
    await db().updateTable('sessions').set({ created_at: sql`now() - interval '11 minutes'` } as never).where('user_id', '=', admin.id).execute()
    const late = await agent.submit('/sign-in/two-factor', { code: currentCode(FACTORY_TOTP_SECRET) })
    expect(late.statusCode).toBe(400)
    expect(late.body).toContain(SIGN_IN_AGAIN)
    expect((await agent.get('/admin/users')).headers.location).toBe('/sign-in?returnTo=%2Fadmin%2Fusers')
  })

  it('issues no API token to a user whose role or organisation requires two-factor until they have turned it on, since a token skips sign-in', async () => {
    const admin = await t.signInAs(['admin'])
    const issuer = { userId: admin.user.id, organisationId: admin.user.organisationId, ip: null }
    const withoutSecondFactor = await t.factories.user({ roles: ['auditor'], twoFactor: false })
    const page = await admin.submit('/admin/api-tokens/new', { userId: withoutSecondFactor.id, name: 'Reports', expiresInDays: '90' })
    expect(page.statusCode).toBe(400)
    expect(page.body).toContain('must turn on two-factor authentication before a token is issued for them')
    expect(await db().selectFrom('api_tokens').select('id').where('user_id', '=', withoutSecondFactor.id).execute()).toEqual([])

    // Required by the organisation's setting: the same.
    const strict = await t.factories.organisation()
    await db().updateTable('organisations').set({ require_two_factor: true }).where('id', '=', strict.id).execute()
    const officer = await t.factories.user({ roles: ['case_manager'], organisationId: strict.id })
    await expect(t.services.apiTokens.issue(issuer, { userId: officer.id, name: 'Script', expiresInDays: 30 })).rejects.toThrow(/two-factor/)

    // With it turned on, or where nothing requires it, a token is issued.
    const withSecondFactor = await t.factories.user({ roles: ['auditor'] })
    expect((await t.services.apiTokens.issue(issuer, { userId: withSecondFactor.id, name: 'Reports', expiresInDays: 30 })).token).toMatch(/^\w/)
    const caseManager = await t.factories.user({ roles: ['case_manager'] })
    expect((await t.services.apiTokens.issue(issuer, { userId: caseManager.id, name: 'Script', expiresInDays: 30 })).token).toMatch(/^\w/)
  })
})
