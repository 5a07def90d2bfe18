import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { startOidcProvider, type TestOidcProvider } from '../../../test/helpers/oidc.js'
import { SESSION_COOKIE } from './authenticate.js'

const PUBLIC_URL = 'http://localhost:3000'
const CALLBACK = `${PUBLIC_URL}/sign-in/sso/callback`

describe('single sign-on with OpenID Connect', () => {
  let t: TestApp
  let idp: TestOidcProvider
  const db = () => t.testDb.database.db

  beforeAll(async () => {
    t = await createTestApp({ publicUrl: PUBLIC_URL })
    idp = await startOidcProvider({ redirectUri: CALLBACK })
  })
  afterAll(async () => {
    await idp?.close()
    await t?.close()
  })

  /** An organisation with a provider covering a domain of its own, and a user of it. */
  async function organisationWithProvider(roles: ('case_viewer' | 'admin')[] = ['case_viewer']) {
    const domain = `c${randomBytes(4).toString('hex')}.gov.uk`
    const organisation = await t.factories.organisation()
    const provider = await t.factories.ssoProvider({ organisationId: organisation.id, issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, emailDomains: [domain] })
    const user = await t.factories.user({ roles, organisationId: organisation.id, email: `alex.officer@${domain}` })
    return { domain, organisation, provider, user }
  }

  /** Starts at the sign-in page with an email address and comes back from the provider: the callback's path and query. */
  async function throughProvider(agent: Agent, fields: Record<string, string>) {
    const started = await agent.submit('/sign-in/sso', fields, { formPage: '/sign-in' })
    expect(started.statusCode).toBe(302)
    const authorization = new URL(String(started.headers.location))
    const back = await idp.authorize(authorization.href, CALLBACK)
    return { authorization, callback: `${back.pathname}${back.search}` }
  }

  const refusals = (reason: string) => db().selectFrom('audit_events').select(['details', 'user_id as userId']).where('action', '=', 'sign_in_refused').execute().then((rows) => rows.filter((row) => (row.details as { reason?: string }).reason === reason))

  it('signs in an existing user by their verified email: code flow with PKCE, state and nonce, back to the page asked for', async () => {
    const { user, provider } = await organisationWithProvider(['admin'])
    idp.account = { sub: 'alex-1', email: user.email.toUpperCase(), email_verified: true }
    idp.tamperIdToken = null
    const agent = new Agent(t.app)
    const { authorization, callback } = await throughProvider(agent, { email: user.email, returnTo: '/admin/users' })
    expect(authorization.origin).toBe(idp.issuer)
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256')
    expect(authorization.searchParams.get('code_challenge')).toBeTruthy()
    expect(authorization.searchParams.get('state')).toBeTruthy()
    expect(authorization.searchParams.get('nonce')).toBeTruthy()
    expect(authorization.searchParams.get('redirect_uri')).toBe(CALLBACK)

    const done = await agent.get(callback)
    expect(done.statusCode).toBe(302)
    expect(done.headers.location).toBe('/admin/users')
    expect(agent.cookies.has(SESSION_COOKIE)).toBe(true)
    // An administrator who signs in through their provider uses its checks, not this service's two-factor.
    expect((await agent.get('/admin/users')).statusCode).toBe(200)
    const audited = await db().selectFrom('audit_events').select('details').where('action', '=', 'sign_in').where('user_id', '=', user.id).executeTakeFirstOrThrow()
    expect(audited.details).toEqual({ method: 'sso', providerId: provider.id })
  })

  it('offers a "Sign in with" button for each provider, which starts the same flow', async () => {
    const { user, provider } = await organisationWithProvider()
    idp.account = { sub: 'alex-2', email: user.email, email_verified: true }
    idp.tamperIdToken = null
    const agent = new Agent(t.app)
    const page = await agent.get('/sign-in')
    expect(page.body).toContain(`Sign in with ${provider.name}`)
    const { callback } = await throughProvider(agent, { providerId: provider.id })
    expect((await agent.get(callback)).headers.location).toBe('/')
  })

  it('refuses an ID token issued for another client (wrong audience)', async () => {
    const { user } = await organisationWithProvider()
    idp.account = { sub: 'alex-3', email: user.email, email_verified: true }
    idp.tamperIdToken = (claims) => ({ ...claims, aud: 'some-other-service' })
    const agent = new Agent(t.app)
    const { callback } = await throughProvider(agent, { email: user.email })
    const refused = await agent.get(callback)
    expect(refused.statusCode).toBe(401)
    expect(refused.body).toContain('could not be trusted')
    expect(agent.cookies.has(SESSION_COOKIE)).toBe(false)
    expect((await refusals('invalid_token')).map((row) => row.details)).toContainEqual(expect.objectContaining({ error: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', claim: 'aud' }))
  })

  it('refuses an expired ID token', async () => {
    const { user } = await organisationWithProvider()
    idp.account = { sub: 'alex-4', email: user.email, email_verified: true }
    const now = Math.floor(Date.now() / 1000)
    idp.tamperIdToken = (claims) => ({ ...claims, iat: now - 7200, exp: now - 3600 })
    const agent = new Agent(t.app)
    const { callback } = await throughProvider(agent, { email: user.email })
    const refused = await agent.get(callback)
    expect(refused.statusCode).toBe(401)
    expect(agent.cookies.has(SESSION_COOKIE)).toBe(false)
    expect((await refusals('invalid_token')).map((row) => row.details)).toContainEqual(expect.objectContaining({ error: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' }))
  })

  it('refuses an email with no account, an account of another organisation, and an unverified email: nobody is registered', async () => {
    const { domain, user } = await organisationWithProvider()
    idp.tamperIdToken = null
    const usersBefore = await db().selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()

    idp.account = { sub: 'stranger', email: `someone.new@${domain}`, email_verified: true }
    const stranger = new Agent(t.app)
    const unknown = await stranger.get((await throughProvider(stranger, { email: `someone.new@${domain}` })).callback)
    expect(unknown.statusCode).toBe(403)
    expect(unknown.body).toContain('There is no Safer Communities account for this email address in your organisation')
    expect(stranger.cookies.has(SESSION_COOKIE)).toBe(false)

    // An account that exists, but in another organisation than the provider's.
    const elsewhere = await t.factories.user({ roles: ['case_viewer'] })
    idp.account = { sub: 'elsewhere', email: elsewhere.email, email_verified: true }
    const other = new Agent(t.app)
    expect((await other.get((await throughProvider(other, { email: user.email })).callback)).statusCode).toBe(403)

    idp.account = { sub: 'unverified', email: user.email, email_verified: false }
    const unverified = new Agent(t.app)
    const refused = await unverified.get((await throughProvider(unverified, { email: user.email })).callback)
    expect(refused.statusCode).toBe(401)
    expect(refused.body).toContain('did not confirm your email address')

    const usersAfter = await db().selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    expect(Number(usersAfter.n)).toBe(Number(usersBefore.n) + 1)
    expect((await refusals('no_account')).length).toBeGreaterThanOrEqual(2)
    expect((await refusals('email_not_verified')).length).toBeGreaterThanOrEqual(1)
  })

  it('accepts a state once, only in the browser that started it (replay and login CSRF refused)', async () => {
    const { user } = await organisationWithProvider()
    idp.account = { sub: 'alex-5', email: user.email, email_verified: true }
    idp.tamperIdToken = null
    const agent = new Agent(t.app)
    const { callback, authorization } = await throughProvider(agent, { email: user.email })
    const stateCookie = agent.cookies.get('scp_sso_state')
    expect(stateCookie).toBe(authorization.searchParams.get('state'))

    // Another browser (without the state cookie) cannot finish it.
    const attacker = new Agent(t.app)
    expect((await attacker.get(callback)).statusCode).toBe(400)
    // A doubled state is bad input, not a crash.
    expect((await attacker.get(`${callback}&state=second`)).statusCode).toBe(400)

    expect((await agent.get(callback)).statusCode).toBe(302)
    // The same answer again, even with the cookie put back: refused.
    const replay = new Agent(t.app)
    replay.cookies.set('scp_sso_state', stateCookie!)
    const replayed = await replay.get(callback)
    expect(replayed.statusCode).toBe(400)
    expect(replayed.body).toContain('This sign-in has expired or has already been used')
    expect(replay.cookies.has(SESSION_COOKIE)).toBe(false)
  })

  it('refuses an ID token carrying the nonce of an earlier sign-in (nonce replay)', async () => {
    const { user } = await organisationWithProvider()
    idp.account = { sub: 'alex-6', email: user.email, email_verified: true }
    idp.tamperIdToken = null
    const first = new Agent(t.app)
    const earlier = await throughProvider(first, { email: user.email })
    const oldNonce = earlier.authorization.searchParams.get('nonce')
    idp.tamperIdToken = (claims) => ({ ...claims, nonce: oldNonce })
    const second = new Agent(t.app)
    const refused = await second.get((await throughProvider(second, { email: user.email })).callback)
    expect(refused.statusCode).toBe(401)
    expect(second.cookies.has(SESSION_COOKIE)).toBe(false)
    expect((await refusals('invalid_token')).map((row) => row.details)).toContainEqual(expect.objectContaining({ claim: 'nonce' }))
  })

  it('says so when the provider cannot be reached, and a provider id that does not exist is a 404', async () => {
    const domain = `u${randomBytes(4).toString('hex')}.gov.uk`
    const organisation = await t.factories.organisation()
    await t.factories.ssoProvider({ organisationId: organisation.id, issuer: 'http://127.0.0.1:9', clientId: 'x', clientSecret: 'y', emailDomains: [domain] })
    const agent = new Agent(t.app)
    const down = await agent.submit('/sign-in/sso', { email: `someone@${domain}` }, { formPage: '/sign-in' })
    expect(down.statusCode).toBe(502)
    expect(down.body).toContain('could not be reached. Try again later.')
    const missing = await agent.submit('/sign-in/sso', { providerId: '00000000-0000-4000-8000-000000000000' })
    expect(missing.statusCode).toBe(404)
  })

  it('says when an email address has no single sign-on, and keeps passwords for organisations without a provider only', async () => {
    const agent = new Agent(t.app)
    const none = await agent.submit('/sign-in/sso', { email: 'someone@no-sso.example.org' }, { formPage: '/sign-in' })
    expect(none.statusCode).toBe(400)
    expect(none.body).toContain('Your organisation does not use single sign-on here')

    const { user } = await organisationWithProvider()
    const password = await new Agent(t.app).submit('/sign-in', { email: user.email, password: user.password })
    expect(password.statusCode).toBe(401)
    expect(password.body).toContain('Your organisation signs in with single sign-on')
    // A wrong password gets the usual answer, so this says nothing about which emails have accounts.
    const wrong = await new Agent(t.app).submit('/sign-in', { email: user.email, password: 'not the password at all' })
    expect(wrong.body).not.toContain('single sign-on:')

    const plain = await t.factories.user({ roles: ['case_viewer'] })
    expect((await new Agent(t.app).submit('/sign-in', { email: plain.email, password: plain.password })).statusCode).toBe(302)
  })

  it('lets an administrator add, change and remove an organisation’s provider; the client secret is never shown or audited', async () => {
    const admin = await t.signInAs(['admin'])
    const organisation = await t.factories.organisation()
    const page = `/admin/organisations/${organisation.id}/single-sign-on`
    const secret = 'super-secret-client-value-0123456789'

    const invalid = await admin.submit(page, { name: 'Entra', issuer: 'http://login.example.org', clientId: 'x', clientSecret: secret, emailDomains: 'not a domain!' }, { formPage: page })
    expect(invalid.statusCode).toBe(400)
    expect(invalid.body).toContain('The issuer address must start with https://')
    expect(invalid.body).toContain('Enter email domains like leicester.gov.uk')
    expect(invalid.body).not.toContain(secret)

    const domain = `a${randomBytes(4).toString('hex')}.gov.uk`
    const added = await admin.submit(page, { name: 'Council Entra ID', issuer: 'https://login.microsoftonline.com/tenant/v2.0/', clientId: 'client-1', clientSecret: secret, emailDomains: `@${domain.toUpperCase()}, ${domain}` }, { formPage: page })
    expect(added.headers.location).toBe(`${page}?notice=added`)
    const stored = await db().selectFrom('sso_providers').selectAll().where('organisation_id', '=', organisation.id).executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ issuer: 'https://login.microsoftonline.com/tenant/v2.0', client_secret: secret, email_domains: [domain] })
    const listed = await admin.get(page)
    expect(listed.body).toContain('Council Entra ID')
    expect(listed.body).not.toContain(secret)

    // The same domain cannot lead to two providers.
    const clash = await admin.submit(page, { name: 'Second', issuer: 'https://idp.example.org', clientId: 'c', clientSecret: 's', emailDomains: domain }, { formPage: page })
    expect(clash.statusCode).toBe(400)
    expect(clash.body).toContain(`Another sign-in service already covers ${domain}`)

    const edit = `/admin/single-sign-on/${stored.id}/edit`
    const form = await admin.get(edit)
    expect(form.body).not.toContain(secret)
    const changed = await admin.submit(edit, { name: 'Council Entra', issuer: stored.issuer, clientId: 'client-2', clientSecret: '', emailDomains: domain }, { formPage: edit })
    expect(changed.statusCode).toBe(302)
    const after = await db().selectFrom('sso_providers').selectAll().where('id', '=', stored.id).executeTakeFirstOrThrow()
    expect(after).toMatchObject({ client_id: 'client-2', client_secret: secret })

    expect((await admin.submit(`/admin/single-sign-on/${stored.id}/remove`, {}, { formPage: page })).statusCode).toBe(302)
    expect(await db().selectFrom('sso_providers').select('id').where('id', '=', stored.id).executeTakeFirst()).toBeUndefined()

    const events = await db().selectFrom('audit_events').select(['action', 'details']).where('record_id', '=', stored.id).orderBy('id').execute()
    expect(events.map((event) => event.action)).toEqual(['sso_provider.created', 'sso_provider.updated', 'sso_provider.removed'])
    expect(events[1]!.details).toEqual({ organisationId: organisation.id, fields: ['name', 'clientId'] })
    expect(JSON.stringify(events)).not.toContain(secret)

    const viewer = await t.signInAs(['case_viewer'])
    expect((await viewer.get(page)).statusCode).toBe(403)
  })
})
