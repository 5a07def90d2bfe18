import { Writable } from 'node:stream'
import Fastify, { type InjectOptions, type LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { FACTORY_PASSWORD } from '../../../test/helpers/factories.js'
import { loggerOptions } from '../../platform/http/logging.js'
import type { Actor } from '../audit/audit.events.js'
import { sha256 } from './auth.service.js'
import { SESSION_COOKIE } from './authenticate.js'
import type { Role } from './permissions.js'

const WRONG_CREDENTIALS = 'Enter a correct email address and password'
const CSRF_REFUSED = 'This form has expired or did not come from this service'
const NEW_PASSWORD = 'granite otter climbs slowly'

type Cookie = { name: string; value: string; path?: string; httpOnly?: boolean; secure?: boolean; sameSite?: string; expires?: Date; maxAge?: number }

function cookieOf(response: LightMyRequestResponse, name: string): Cookie | undefined {
  return (response.cookies as Cookie[]).find((cookie) => cookie.name === name)
}

/** A cookie that tells the browser to forget it. */
function isCleared(cookie: Cookie | undefined) {
  return cookie !== undefined && (cookie.value === '' || (cookie.expires !== undefined && cookie.expires.getTime() <= Date.now()) || cookie.maxAge === 0)
}

function location(response: LightMyRequestResponse) {
  return new URL(String(response.headers.location), 'http://localhost')
}

/** Posts a url-encoded form exactly as given: no CSRF token unless the fields include one. */
function postForm(agent: Agent, url: string, fields: Record<string, string>, options: Partial<InjectOptions> = {}) {
  return agent.request({ method: 'POST', url, payload: new URLSearchParams(fields).toString(), ...options, headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers } })
}

describe('authentication', () => {
  let t: TestApp
  let admin: { id: string; email: string; organisationId: string }
  let adminActor: Actor

  beforeAll(async () => {
    t = await createTestApp()
    admin = await t.factories.user({ roles: ['admin'] })
    adminActor = { userId: admin.id, organisationId: admin.organisationId, ip: null }
  })
  afterAll(() => t.close())

  const db = () => t.testDb.database.db

  async function auditOf(userId: string) {
    return db().selectFrom('audit_events').select(['action', 'user_id as userId', 'record_id as recordId', 'ip', 'details']).where('user_id', '=', userId).orderBy('id').execute()
  }

  async function lastAuditId() {
    const row = await db().selectFrom('audit_events').select(sql<number>`coalesce(max(id), 0)`.as('id')).executeTakeFirstOrThrow()
    return Number(row.id)
  }

  async function sessionsOf(userId: string) {
    return db().selectFrom('sessions').select(['id_hash as idHash', 'created_at as createdAt', 'last_seen_at as lastSeenAt']).where('user_id', '=', userId).execute()
  }

  async function userRow(userId: string) {
    return db()
      .selectFrom('users')
      .select(['password_hash as passwordHash', 'failed_sign_in_count as failedSignInCount', 'locked_until as lockedUntil', 'last_sign_in_at as lastSignInAt', 'must_change_password as mustChangePassword'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow()
  }

  async function signInAttempt(email: string, password: string, fields: Record<string, string> = {}) {
    const agent = new Agent(t.app)
    const response = await agent.submit('/sign-in', { email, password, ...fields })
    return { agent, response }
  }

  async function signedIn(options: Parameters<TestApp['factories']['user']>[0] = {}) {
    const user = await t.factories.user(options)
    const agent = await t.signIn(user.email, user.password)
    return { user, agent }
  }

  describe('signing in', () => {
    it('starts a session with a secure, httpOnly, SameSite=Lax cookie, and audits it', async () => {
      const user = await t.factories.user({ name: 'Priya Shah' })
      const { agent, response } = await signInAttempt(user.email, user.password)

      expect(response.statusCode).toBe(302)
      expect(response.headers.location).toBe('/')
      const cookie = cookieOf(response, SESSION_COOKIE)!
      expect(cookie.value).toMatch(/^[\w-]{43}$/)
      expect(cookie).toMatchObject({ path: '/', httpOnly: true, secure: true })
      expect(cookie.sameSite).toMatch(/^lax$/i)

      const home = await agent.get('/')
      expect(home.statusCode).toBe(200)
      expect(home.body).toContain('Welcome, Priya Shah')

      const audit = await auditOf(user.id)
      expect(audit).toEqual([{ action: 'sign_in', userId: user.id, recordId: user.id, ip: '127.0.0.1', details: {} }])
      expect((await userRow(user.id)).lastSignInAt).toBeInstanceOf(Date)
    })

    it('stores only a hash of the session token', async () => {
      const user = await t.factories.user()
      const { response } = await signInAttempt(user.email, user.password)
      const token = cookieOf(response, SESSION_COOKIE)!.value
      const sessions = await sessionsOf(user.id)
      expect(sessions.map((session) => session.idHash)).toEqual([sha256(token)])
      expect(sessions[0]!.idHash).not.toContain(token)
    })

    it('accepts the email address in any case and with surrounding spaces', async () => {
      const user = await t.factories.user()
      const { response } = await signInAttempt(`  ${user.email.toUpperCase()} `, user.password)
      expect(response.statusCode).toBe(302)
      expect(cookieOf(response, SESSION_COOKIE)?.value).toBeTruthy()
    })

    it('refuses a wrong password with the GOV.UK error summary, and audits the failure', async () => {
      const user = await t.factories.user()
      const { agent, response } = await signInAttempt(user.email, 'not the right password')

      expect(response.statusCode).toBe(401)
      expect(response.body).toContain('govuk-error-summary')
      expect(response.body).toContain('There is a problem')
      expect(response.body).toContain(WRONG_CREDENTIALS)
      expect(response.body).toContain('<title>Error: Sign in')
      // The email is kept in the form; the password is not echoed back.
      expect(response.body).toContain(`value="${user.email}"`)
      expect(response.body).not.toContain('not the right password')
      expect(cookieOf(response, SESSION_COOKIE)).toBeUndefined()
      expect(agent.cookies.has(SESSION_COOKIE)).toBe(false)

      expect(await auditOf(user.id)).toEqual([{ action: 'sign_in_failed', userId: user.id, recordId: user.id, ip: '127.0.0.1', details: { reason: 'wrong_password' } }])
      expect((await userRow(user.id)).failedSignInCount).toBe(1)
      expect(await sessionsOf(user.id)).toEqual([])
    })

    it('gives an unknown email the same answer as a wrong password, and audits it without a user', async () => {
      const user = await t.factories.user()
      const unknown = `nobody-${Date.now()}@test.example.org`
      const before = await lastAuditId()
      const wrongPassword = await signInAttempt(user.email, 'not the right password')
      const unknownEmail = await signInAttempt(unknown, 'not the right password')

      expect(unknownEmail.response.statusCode).toBe(401)
      expect(unknownEmail.response.body).toContain(WRONG_CREDENTIALS)
      // Apart from the per-request token, nonce and the email typed in, the two pages are identical.
      const normalise = (body: string, email: string) =>
        body
          .replaceAll(email, 'EMAIL')
          .replace(/name="_csrf" value="[^"]+"/g, 'CSRF')
          .replace(/nonce="[^"]+"/g, 'NONCE')
      expect(normalise(unknownEmail.response.body, unknown)).toBe(normalise(wrongPassword.response.body, user.email))

      const rows = await db().selectFrom('audit_events').select(['action', 'user_id as userId', 'organisation_id as organisationId', 'ip', 'details']).where('id', '>', before).orderBy('id').execute()
      expect(rows).toHaveLength(2)
      expect(rows[1]).toEqual({ action: 'sign_in_failed', userId: null, organisationId: null, ip: '127.0.0.1', details: { reason: 'unknown_email' } })
      // The address typed is not recorded: it may be someone's personal data, or a password typed in the wrong box.
      expect(JSON.stringify(rows[1])).not.toContain(unknown)
    })

    it('refuses a deactivated user, even with the right password', async () => {
      const user = await t.factories.user({ active: false })
      const { response } = await signInAttempt(user.email, user.password)
      expect(response.statusCode).toBe(401)
      expect(response.body).toContain(WRONG_CREDENTIALS)
      expect(cookieOf(response, SESSION_COOKIE)).toBeUndefined()
      expect(await sessionsOf(user.id)).toEqual([])
      expect(await auditOf(user.id)).toMatchObject([{ action: 'sign_in_failed', details: { reason: 'inactive' } }])
    })

    it('ends the session of a user who is deactivated while signed in', async () => {
      const { user, agent } = await signedIn()
      expect((await agent.get('/')).statusCode).toBe(200)
      await db().updateTable('users').set({ active: false }).where('id', '=', user.id).execute()
      const response = await agent.get('/')
      expect(response.statusCode).toBe(302)
      expect(location(response).pathname).toBe('/sign-in')
    })

    it('validates the form before checking anything', async () => {
      const agent = new Agent(t.app)
      const before = await lastAuditId()
      const response = await agent.submit('/sign-in', { email: '', password: '' })
      expect(response.statusCode).toBe(400)
      expect(response.body).toContain('Enter your email address')
      expect(response.body).toContain('Enter your password')
      expect(await lastAuditId()).toBe(before)
    })
  })

  describe('lock-out', () => {
    it(`locks the account after the configured number of failures, refusing even the right password`, async () => {
      const user = await t.factories.user()
      const max = t.services.config.signIn.maxFailedAttempts
      for (let attempt = 1; attempt < max; attempt++) {
        const { response } = await signInAttempt(user.email, `wrong password ${attempt}`)
        expect(response.statusCode).toBe(401)
        expect(response.body).toContain(WRONG_CREDENTIALS)
      }
      const last = await signInAttempt(user.email, 'wrong password again')
      expect(last.response.statusCode).toBe(401)
      // The same answer as any wrong password (so that it does not tell which addresses have accounts), which says how locking works.
      expect(last.response.body).toContain(WRONG_CREDENTIALS)
      expect(last.response.body).toContain(`locked for ${t.services.config.signIn.lockoutMinutes} minutes`)
      expect((await userRow(user.id)).lockedUntil!.getTime()).toBeGreaterThan(Date.now())

      const right = await signInAttempt(user.email, user.password)
      expect(right.response.statusCode).toBe(401)
      expect(right.response.body).toContain(WRONG_CREDENTIALS)
      expect(cookieOf(right.response, SESSION_COOKIE)).toBeUndefined()
      expect(await sessionsOf(user.id)).toEqual([])

      const actions = (await auditOf(user.id)).map((row) => row.action)
      expect(actions).toEqual([...Array<string>(max - 1).fill('sign_in_failed'), 'sign_in_locked', 'sign_in_failed'])
      expect((await auditOf(user.id)).at(-1)!.details).toEqual({ reason: 'locked' })
    })

    it('lets the user in again once the lock-out has passed', async () => {
      const user = await t.factories.user()
      await db().updateTable('users').set({ failed_sign_in_count: 5, locked_until: sql`now() - interval '1 minute'` }).where('id', '=', user.id).execute()
      const { response } = await signInAttempt(user.email, user.password)
      expect(response.statusCode).toBe(302)
      const row = await userRow(user.id)
      expect(row.failedSignInCount).toBe(0)
      expect(row.lockedUntil).toBeNull()
    })

    it('starts a fresh count after a lock-out has passed: one more mistake does not lock the account again', async () => {
      const user = await t.factories.user()
      await db().updateTable('users').set({ failed_sign_in_count: 5, locked_until: sql`now() - interval '1 minute'` }).where('id', '=', user.id).execute()
      const { response } = await signInAttempt(user.email, 'one more wrong password')
      expect(response.statusCode).toBe(401)
      expect(response.body).toContain(WRONG_CREDENTIALS)
      const row = await userRow(user.id)
      expect(row.failedSignInCount).toBe(1)
      expect(row.lockedUntil).toBeNull()
    })

    it('is cleared by an administrator resetting the password', async () => {
      const user = await t.factories.user()
      for (let attempt = 0; attempt < t.services.config.signIn.maxFailedAttempts; attempt++) await signInAttempt(user.email, 'wrong password')
      expect((await userRow(user.id)).lockedUntil).not.toBeNull()

      const { temporaryPassword } = await t.services.users.resetPassword(adminActor, user.id)
      const row = await userRow(user.id)
      expect(row.lockedUntil).toBeNull()
      expect(row.failedSignInCount).toBe(0)

      const { response } = await signInAttempt(user.email, temporaryPassword)
      expect(response.statusCode).toBe(302)
      // A reset password is temporary: it must be changed first.
      expect(response.headers.location).toBe('/account/password')
      expect((await signInAttempt(user.email, FACTORY_PASSWORD)).response.statusCode).toBe(401)
    })
  })

  describe('session expiry', () => {
    it('ends a session idle for longer than the idle limit', async () => {
      const { user, agent } = await signedIn()
      await db().updateTable('sessions').set({ last_seen_at: sql`now() - interval '31 minutes'` }).where('user_id', '=', user.id).execute()

      const response = await agent.get('/')
      expect(response.statusCode).toBe(302)
      const to = location(response)
      expect(to.pathname).toBe('/sign-in')
      expect(to.searchParams.get('expired')).toBe('idle')
      expect(to.searchParams.get('returnTo')).toBe('/')
      expect(isCleared(cookieOf(response, SESSION_COOKIE))).toBe(true)
      expect(await sessionsOf(user.id)).toEqual([])

      const notice = await agent.get(`${to.pathname}${to.search}`)
      expect(notice.body).toContain('You were signed out because you had not done anything for 30 minutes.')
    })

    it('ends a session older than the absolute limit, however active', async () => {
      const { user, agent } = await signedIn()
      await db()
        .updateTable('sessions')
        .set({ created_at: sql`now() - interval '12 hours 1 minute'`, last_seen_at: sql`now()` })
        .where('user_id', '=', user.id)
        .execute()

      const response = await agent.get('/')
      expect(response.statusCode).toBe(302)
      expect(location(response).searchParams.get('expired')).toBe('absolute')
      expect(await sessionsOf(user.id)).toEqual([])
      const notice = await agent.get(String(response.headers.location))
      expect(notice.body).toContain('You were signed out because you had been signed in for 12 hours.')
    })

    it('keeps a session seen within the idle limit, and moves its last-seen time on', async () => {
      const { user, agent } = await signedIn()
      await db().updateTable('sessions').set({ last_seen_at: sql`now() - interval '29 minutes'` }).where('user_id', '=', user.id).execute()

      expect((await agent.get('/')).statusCode).toBe(200)
      const [session] = await sessionsOf(user.id)
      // Touched: another 29 minutes from now will not end it.
      const { rows } = await sql<{ recent: boolean }>`select ${session!.lastSeenAt} > now() - interval '1 minute' as recent`.execute(db())
      expect(rows[0]!.recent).toBe(true)
    })

    it('sends an API call with an ended session a 401, not a redirect', async () => {
      const { user, agent } = await signedIn()
      await db().updateTable('sessions').set({ last_seen_at: sql`now() - interval '31 minutes'` }).where('user_id', '=', user.id).execute()
      const response = await agent.get('/api/v1/me')
      expect(response.statusCode).toBe(401)
      expect(response.json()).toMatchObject({ statusCode: 401 })
    })

    it('prunes expired sessions and keeps live ones', async () => {
      const { user: idle } = await signedIn()
      const { user: old } = await signedIn()
      const { user: live } = await signedIn()
      await db().updateTable('sessions').set({ last_seen_at: sql`now() - interval '31 minutes'` }).where('user_id', '=', idle.id).execute()
      await db().updateTable('sessions').set({ created_at: sql`now() - interval '13 hours'` }).where('user_id', '=', old.id).execute()

      await t.services.auth.pruneExpiredSessions()
      expect(await sessionsOf(idle.id)).toEqual([])
      expect(await sessionsOf(old.id)).toEqual([])
      expect(await sessionsOf(live.id)).toHaveLength(1)
    })
  })

  describe('signing out', () => {
    it('deletes the session, so the old cookie no longer works, and audits it', async () => {
      const { user, agent } = await signedIn()
      const oldCookie = agent.cookies.get(SESSION_COOKIE)!
      expect((await agent.get('/')).statusCode).toBe(200)

      const response = await agent.submit('/sign-out', {})
      expect(response.statusCode).toBe(302)
      expect(response.headers.location).toBe('/sign-in?signedOut=1')
      expect(isCleared(cookieOf(response, SESSION_COOKIE))).toBe(true)
      expect(await sessionsOf(user.id)).toEqual([])
      expect((await auditOf(user.id)).map((row) => row.action)).toEqual(['sign_in', 'sign_out'])

      // Someone who kept a copy of the cookie gets nowhere.
      const replay = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: `${SESSION_COOKIE}=${oldCookie}` } })
      expect(replay.statusCode).toBe(302)
      expect(location(replay).pathname).toBe('/sign-in')
      expect((await agent.get('/sign-in?signedOut=1')).body).toContain('You have signed out.')
    })
  })

  describe('CSRF protection', () => {
    it('refuses a sign-in without a token, and signs no one in', async () => {
      const user = await t.factories.user()
      const agent = new Agent(t.app)
      await agent.get('/sign-in')
      const response = await postForm(agent, '/sign-in', { email: user.email, password: user.password })
      expect(response.statusCode).toBe(403)
      expect(response.body).toContain(CSRF_REFUSED)
      expect(cookieOf(response, SESSION_COOKIE)).toBeUndefined()
      expect(await sessionsOf(user.id)).toEqual([])
      expect(await auditOf(user.id)).toEqual([])
      expect((await userRow(user.id)).lastSignInAt).toBeNull()
    })

    it('refuses a sign-out without a token, and the session carries on', async () => {
      const { user, agent } = await signedIn()
      const response = await postForm(agent, '/sign-out', {})
      expect(response.statusCode).toBe(403)
      expect(response.body).toContain(CSRF_REFUSED)
      expect(await sessionsOf(user.id)).toHaveLength(1)
      expect((await agent.get('/')).statusCode).toBe(200)
      expect((await auditOf(user.id)).map((row) => row.action)).toEqual(['sign_in'])
    })

    it('refuses an admin form without a token, and changes nothing', async () => {
      const agent = await t.signInAs(['admin'])
      const name = `No-token council ${Date.now()}`
      const response = await postForm(agent, '/admin/organisations/new', { name, type: 'council' })
      expect(response.statusCode).toBe(403)
      expect(response.body).toContain(CSRF_REFUSED)
      expect(await db().selectFrom('organisations').select('id').where('name', '=', name).execute()).toEqual([])

      // The same form with the token works, so it was the token that was missing.
      const ok = await agent.submit('/admin/organisations/new', { name, type: 'council' }, { formPage: '/admin/organisations/new' })
      expect(ok.statusCode).toBe(302)
      expect(await db().selectFrom('organisations').select('id').where('name', '=', name).execute()).toHaveLength(1)
    })

    it("refuses a token taken from another browser's page", async () => {
      const agent = await t.signInAs(['admin'])
      const other = new Agent(t.app)
      await other.get('/sign-in')
      expect(other.csrfToken).toBeTruthy()
      expect(other.csrfToken).not.toBe(agent.csrfToken)

      const name = `Stolen-token council ${Date.now()}`
      const response = await postForm(agent, '/admin/organisations/new', { name, type: 'council', _csrf: other.csrfToken! })
      expect(response.statusCode).toBe(403)
      expect(await db().selectFrom('organisations').select('id').where('name', '=', name).execute()).toEqual([])

      // And a browser with no CSRF cookie at all cannot use someone else's token either.
      const user = await t.factories.user()
      const bare = await postForm(new Agent(t.app), '/sign-in', { email: user.email, password: user.password, _csrf: other.csrfToken! })
      expect(bare.statusCode).toBe(403)
      expect(await sessionsOf(user.id)).toEqual([])
    })
  })

  describe('session fixation', () => {
    it('issues a new session token at sign-in, never one the browser already had', async () => {
      const user = await t.factories.user()
      const agent = new Agent(t.app)
      const planted = 'attacker-chosen-session-value-0123456789abcdef'
      agent.cookies.set(SESSION_COOKIE, planted)
      await agent.get('/sign-in')
      agent.cookies.set(SESSION_COOKIE, planted)

      const response = await agent.submit('/sign-in', { email: user.email, password: user.password })
      expect(response.statusCode).toBe(302)
      const first = agent.cookies.get(SESSION_COOKIE)!
      expect(first).not.toBe(planted)
      expect((await sessionsOf(user.id)).map((session) => session.idHash)).toEqual([sha256(first)])

      // The planted value did not become a session.
      const withPlanted = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: `${SESSION_COOKIE}=${planted}` } })
      expect(withPlanted.statusCode).toBe(302)

      // Signing in again in the same browser gives yet another token (the CSRF token read from a page after signing in).
      const again = await agent.submit('/sign-in', { email: user.email, password: user.password }, { formPage: '/' })
      expect(again.statusCode).toBe(302)
      const second = agent.cookies.get(SESSION_COOKIE)!
      expect(second).not.toBe(first)
      expect(second).not.toBe(planted)
    })
  })

  describe('returning to the page asked for', () => {
    it('sends an anonymous visitor to sign in, then back to the page', async () => {
      // Two-factor off so the password step leads straight back; two-factor.test.ts covers returnTo through the code step.
      const user = await t.factories.user({ roles: ['admin'], twoFactor: false })
      const agent = new Agent(t.app)
      const refused = await agent.get('/admin/users')
      expect(refused.statusCode).toBe(302)
      expect(refused.headers.location).toBe('/sign-in?returnTo=%2Fadmin%2Fusers')

      const form = await agent.get(String(refused.headers.location))
      expect(form.body).toContain('name="returnTo" value="/admin/users"')
      const response = await agent.submit('/sign-in', { email: user.email, password: user.password, returnTo: '/admin/users' })
      expect(response.statusCode).toBe(302)
      expect(response.headers.location).toBe('/admin/users')
    })

    it.each(['//evil.example', 'https://evil.example', '/\\evil.example', '/\\/evil.example', '\\\\evil.example', 'evil.example', 'javascript:alert(1)', ' //evil.example'])('does not redirect off the site to %s', async (returnTo) => {
      const user = await t.factories.user()
      const { response } = await signInAttempt(user.email, user.password, { returnTo })
      expect(response.statusCode).toBe(302)
      expect(response.headers.location).toBe('/')

      const form = await new Agent(t.app).get(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`)
      expect(form.body).toContain('name="returnTo" value="/"')
    })

    it.each(['/\t/evil.example', '/\n/evil.example', '/\r\nSet-Cookie: a=b', '/admin\u0000', '/\u001b/evil.example'])('refuses a return address holding a control character (%j) with a 400, signed in or not', async (returnTo) => {
      const user = await t.factories.user()
      const { agent, response } = await signInAttempt(user.email, user.password, { returnTo })
      expect(response.statusCode).toBe(400)
      expect(response.headers.location).toBeUndefined()
      expect(response.body).toMatch(/not valid|cannot be stored/)
      expect(response.body).not.toMatch(/ERR_|Invalid character|TypeError/)

      const page = await new Agent(t.app).get(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`)
      expect(page.statusCode).toBe(400)
      const signedIn = await signInAttempt(user.email, user.password).then(({ agent: a }) => a.get(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`))
      expect(signedIn.statusCode).toBe(400)
      expect(agent.cookies.has(SESSION_COOKIE)).toBe(false)
    })

    it('returns to a same-site path as the browser would read it', async () => {
      const user = await t.factories.user()
      const { response } = await signInAttempt(user.email, user.password, { returnTo: '/cases?status=open&q=caf\u00e9#list' })
      expect(response.headers.location).toBe('/cases?status=open&q=caf%C3%A9#list')
    })
  })

  describe('a temporary password', () => {
    it('must be changed before anything else, then the user reaches the service', async () => {
      const user = await t.factories.user({ mustChangePassword: true })
      const { agent, response } = await signInAttempt(user.email, user.password, { returnTo: '/admin/users' })
      expect(response.statusCode).toBe(302)
      expect(response.headers.location).toBe('/account/password')

      const home = await agent.get('/')
      expect(home.statusCode).toBe(302)
      expect(home.headers.location).toBe('/account/password')
      const api = await agent.get('/api/v1/me')
      expect(api.statusCode).toBe(403)
      expect(api.json()).toMatchObject({ message: 'Change your temporary password before using the service' })

      const page = await agent.get('/account/password')
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('You signed in with a temporary password')

      const changed = await agent.submit('/account/password', { currentPassword: user.password, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })
      expect(changed.statusCode).toBe(302)
      expect(changed.headers.location).toBe('/?passwordChanged=1')
      const welcome = await agent.get('/?passwordChanged=1')
      expect(welcome.statusCode).toBe(200)
      expect(welcome.body).toContain('Your password has been changed.')
      expect((await userRow(user.id)).mustChangePassword).toBe(false)
      expect((await auditOf(user.id)).map((row) => row.action)).toEqual(['sign_in', 'password_changed'])
    })
  })

  describe('changing your password', () => {
    it.each([
      ['too short', { newPassword: 'short words', confirmPassword: 'short words' }, 'newPassword', 'Password must be 12 characters or more'],
      ['common', { newPassword: 'password1234', confirmPassword: 'password1234' }, 'newPassword', 'Password is too common'],
      ['containing the email', { newPassword: 'EMAIL_LOCAL is my password now', confirmPassword: 'EMAIL_LOCAL is my password now' }, 'newPassword', 'Password must not contain your name, your email address'],
      ['unconfirmed', { newPassword: NEW_PASSWORD, confirmPassword: `${NEW_PASSWORD}!` }, 'confirmPassword', 'The passwords do not match'],
      ['the same as now', { newPassword: FACTORY_PASSWORD, confirmPassword: FACTORY_PASSWORD }, 'newPassword', 'Your new password must be different from your current password'],
      ['with the wrong current password', { currentPassword: 'not my password at all', newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }, 'currentPassword', 'Your current password is incorrect'],
    ])('refuses a new password %s, with the GOV.UK error message, and keeps the old one', async (_case, fields, field, message) => {
      const { user, agent } = await signedIn()
      const local = user.email.split('@')[0]!
      const before = (await userRow(user.id)).passwordHash
      const filled = Object.fromEntries(Object.entries({ currentPassword: user.password, ...fields }).map(([name, value]) => [name, value.replace('EMAIL_LOCAL', local)]))

      const response = await agent.submit('/account/password', filled)
      expect(response.statusCode).toBe(400)
      expect(response.body).toContain('govuk-error-summary')
      expect(response.body).toContain(`href="#${field}"`)
      expect(response.body).toMatch(new RegExp(`<p id="${field}-error" class="govuk-error-message">\\s*<span class="govuk-visually-hidden">Error:</span> ${message}`))
      expect((await userRow(user.id)).passwordHash).toBe(before)
      // A wrong current password is audited, as a failed sign-in is: it counts towards the lock-out.
      expect((await auditOf(user.id)).map((row) => row.action)).toEqual(field === 'currentPassword' ? ['sign_in', 'password_change_failed'] : ['sign_in'])
    })

    it("ends the user's other sessions but keeps the current one", async () => {
      const user = await t.factories.user()
      const here = await t.signIn(user.email, user.password)
      const elsewhere = await t.signIn(user.email, user.password)
      const otherUser = await signedIn()
      expect(await sessionsOf(user.id)).toHaveLength(2)

      const response = await here.submit('/account/password', { currentPassword: user.password, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })
      expect(response.statusCode).toBe(302)

      expect((await here.get('/')).statusCode).toBe(200)
      expect((await elsewhere.get('/')).statusCode).toBe(302)
      expect((await sessionsOf(user.id)).map((session) => session.idHash)).toEqual([sha256(here.cookies.get(SESSION_COOKIE)!)])
      // Nobody else's sessions are touched.
      expect((await otherUser.agent.get('/')).statusCode).toBe(200)

      expect((await signInAttempt(user.email, user.password)).response.statusCode).toBe(401)
      expect((await signInAttempt(user.email, NEW_PASSWORD)).response.statusCode).toBe(302)
    })
  })

  describe('personal API tokens', () => {
    async function issued(options: { roles?: Role[]; expiresInDays?: number | null } = {}) {
      const user = await t.factories.user({ roles: options.roles })
      const token = await t.services.apiTokens.issue(adminActor, { userId: user.id, name: 'Reporting script', expiresInDays: options.expiresInDays ?? null })
      return { ...token, user }
    }

    const bearer = (token: string, url = '/api/v1/me', method: InjectOptions['method'] = 'GET', payload?: InjectOptions['payload']) =>
      t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload })

    it('authenticates an API call as the user it was issued for', async () => {
      const { user, token, id } = await issued({ expiresInDays: 30 })
      const response = await bearer(token)
      expect(response.statusCode).toBe(200)
      expect(response.json()).toMatchObject({ id: user.id, email: user.email, authenticatedBy: 'token', roles: ['case_viewer'] })
      const row = await db().selectFrom('api_tokens').select('last_used_at as lastUsedAt').where('id', '=', id).executeTakeFirstOrThrow()
      expect(row.lastUsedAt).toBeInstanceOf(Date)
    })

    it('stores only the SHA-256 of the token', async () => {
      const { token, id } = await issued()
      expect(token).toMatch(/^scp_[\w-]{43}$/)
      const row = await db().selectFrom('api_tokens').select(['token_hash as tokenHash', 'prefix']).where('id', '=', id).executeTakeFirstOrThrow()
      expect(row.tokenHash).toBe(sha256(token))
      expect(row.tokenHash).not.toBe(token)
      expect(row.tokenHash).not.toContain(token)
      expect(row.tokenHash).not.toContain(token.slice(4))
      expect(token.startsWith(row.prefix)).toBe(true)
      expect(row.prefix.length).toBeLessThan(token.length / 2)
    })

    it('refuses a revoked token with a JSON 401', async () => {
      const { token, id } = await issued()
      expect((await bearer(token)).statusCode).toBe(200)
      await t.services.apiTokens.revoke(adminActor, id)
      const response = await bearer(token)
      expect(response.statusCode).toBe(401)
      expect(response.headers['content-type']).toMatch(/^application\/json/)
      expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
      expect(response.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' })
    })

    it('refuses an expired token', async () => {
      const { token, id } = await issued({ expiresInDays: 30 })
      expect((await bearer(token)).statusCode).toBe(200)
      await db().updateTable('api_tokens').set({ expires_at: sql`now() - interval '1 second'` }).where('id', '=', id).execute()
      expect((await bearer(token)).statusCode).toBe(401)
    })

    it('refuses the token of a deactivated user', async () => {
      const { user, token } = await issued()
      expect((await bearer(token)).statusCode).toBe(200)
      await t.services.users.deactivate(adminActor, user.id)
      expect((await bearer(token)).statusCode).toBe(401)
    })

    it('refuses tokens that are not tokens', async () => {
      const { token } = await issued()
      for (const authorization of [`Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, `Bearer ${sha256(token)}`, 'Bearer', `Basic ${token}`, token]) {
        const response = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization } })
        expect(response.statusCode, authorization).toBe(401)
      }
    })

    it('is not accepted on HTML pages', async () => {
      const { token } = await issued({ roles: ['admin'] })
      for (const url of ['/', '/admin/users']) {
        const response = await bearer(token, url)
        expect(response.statusCode).toBe(302)
        expect(location(response).pathname).toBe('/sign-in')
      }
    })

    it('needs no CSRF token, because it sends no cookie', async () => {
      const { token } = await issued({ roles: ['admin'] })
      const name = `Token-made council ${Date.now()}`
      const response = await bearer(token, '/api/v1/organisations', 'POST', { name, type: 'council' })
      expect(response.statusCode).toBe(201)
      expect(response.json()).toMatchObject({ name, type: 'council', active: true })
    })

    it('gives an anonymous API call a JSON 401 with a WWW-Authenticate header', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/api/v1/me' })
      expect(response.statusCode).toBe(401)
      expect(response.headers['www-authenticate']).toBe('Bearer')
      expect(response.headers['content-type']).toMatch(/^application\/json/)
      expect(response.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' })
    })
  })

  describe('the API with a session cookie', () => {
    it('reports the session as how the user authenticated', async () => {
      const { user, agent } = await signedIn()
      const response = await agent.get('/api/v1/me')
      expect(response.statusCode).toBe(200)
      expect(response.json()).toMatchObject({ id: user.id, authenticatedBy: 'session' })
    })

    it('needs the CSRF token in the x-csrf-token header to change anything', async () => {
      const agent = await t.signInAs(['admin'])
      const name = `Session-made council ${Date.now()}`
      const withoutToken = await agent.request({ method: 'POST', url: '/api/v1/organisations', payload: { name, type: 'council' } })
      expect(withoutToken.statusCode).toBe(403)
      expect(withoutToken.headers['content-type']).toMatch(/^application\/json/)
      expect(await db().selectFrom('organisations').select('id').where('name', '=', name).execute()).toEqual([])

      const other = new Agent(t.app)
      await other.get('/sign-in')
      const wrongToken = await agent.request({ method: 'POST', url: '/api/v1/organisations', payload: { name, type: 'council' }, headers: { 'x-csrf-token': other.csrfToken! } })
      expect(wrongToken.statusCode).toBe(403)

      const withToken = await agent.json('POST', '/api/v1/organisations', { name, type: 'council' })
      expect(withToken.statusCode).toBe(201)
      expect(withToken.json()).toMatchObject({ name, type: 'council' })
      expect(await db().selectFrom('organisations').select('id').where('name', '=', name).execute()).toHaveLength(1)
    })
  })

  describe('security headers', () => {
    it('sends a Content Security Policy whose script nonce matches the page, and other protective headers', async () => {
      const first = await t.app.inject({ method: 'GET', url: '/sign-in' })
      const csp = String(first.headers['content-security-policy'])
      const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1]
      expect(nonce).toBeTruthy()
      expect(first.body).toContain(`<script nonce="${nonce}">`)
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toContain("default-src 'self'")
      expect(csp).toContain("object-src 'none'")
      expect(csp).not.toContain('unsafe-inline')
      expect(first.headers['x-content-type-options']).toBe('nosniff')

      const second = await t.app.inject({ method: 'GET', url: '/sign-in' })
      expect(/'nonce-([^']+)'/.exec(String(second.headers['content-security-policy']))?.[1]).not.toBe(nonce)
    })
  })
})

describe('sign-in rate limit', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ signIn: { maxFailedAttempts: 100, lockoutMinutes: 15, attemptsPerMinutePerIp: 3 } })
  })
  afterAll(() => t.close())

  it('refuses the fourth attempt from one address within a minute, even with the right password', async () => {
    const user = await t.factories.user()
    const agent = new Agent(t.app)
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await agent.submit('/sign-in', { email: user.email, password: 'wrong password' })
      expect(response.statusCode).toBe(401)
    }
    const fourth = await agent.submit('/sign-in', { email: user.email, password: user.password })
    expect(fourth.statusCode).toBe(429)
    expect(fourth.body).toContain('Too many attempts')
    expect(cookieOf(fourth, SESSION_COOKIE)).toBeUndefined()
    const sessions = await t.testDb.database.db.selectFrom('sessions').select('id_hash').where('user_id', '=', user.id).execute()
    expect(sessions).toEqual([])

    // Another address is counted separately.
    const elsewhere = await postForm(agent, '/sign-in', { email: user.email, password: user.password, _csrf: agent.csrfToken! }, { remoteAddress: '198.51.100.7' })
    expect(elsewhere.statusCode).toBe(302)
  })
})

describe('request logs', () => {
  it('carry the path without its query string, and no cookies or authorization', async () => {
    const lines: string[] = []
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString().split('\n').filter(Boolean))
        callback()
      },
    })
    const app = Fastify({ logger: { ...loggerOptions({ logLevel: 'info' }), stream } })
    app.get('/api/v1/people', async () => ({ ok: true }))
    await app.ready()
    try {
      const response = await app.inject({
        method: 'GET',
        url: '/api/v1/people?surname=Okonkwo&dob=1990-01-02',
        headers: { cookie: 'scp_session=session-secret-value', authorization: 'Bearer scp_token-secret-value' },
      })
      expect(response.statusCode).toBe(200)
    } finally {
      await app.close()
    }

    const entries = lines.map((line) => JSON.parse(line) as { msg: string; req?: Record<string, unknown>; res?: Record<string, unknown> })
    const incoming = entries.find((entry) => entry.msg === 'incoming request')
    expect(incoming?.req).toEqual({ method: 'GET', path: '/api/v1/people', remoteAddress: '127.0.0.1' })
    expect(entries.find((entry) => entry.msg === 'request completed')?.res).toMatchObject({ statusCode: 200 })
    const all = lines.join('\n')
    for (const secret of ['Okonkwo', '1990-01-02', 'surname', 'session-secret-value', 'token-secret-value']) expect(all).not.toContain(secret)
  })

  it('redact cookies and authorization headers if a request is ever logged whole', () => {
    const options = loggerOptions({ logLevel: 'warn' })
    expect(options.level).toBe('warn')
    expect(options.redact.paths).toEqual(expect.arrayContaining(['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]']))
  })
})
