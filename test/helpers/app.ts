import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { createApp } from '../../src/app.js'
import { type Services, services as createServices } from '../../src/composition.js'
import type { Config } from '../../src/config.js'
import type { Role } from '../../src/modules/auth/permissions.js'
import { freshDatabase, type TestDatabase } from './database.js'
import { currentCode } from '../../src/modules/auth/totp.js'
import { FACTORY_TOTP_SECRET, type Factories, factories } from './factories.js'

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    environment: 'test',
    port: 0,
    host: '127.0.0.1',
    database: { kind: 'pglite-memory' },
    dataDir: '/nonexistent',
    // Each app its own: an app sweeps its upload folder at start, which must not touch another test's uploads.
    uploadDir: path.join(tmpdir(), `scp-test-uploads-${randomBytes(6).toString('hex')}`),
    sessionSecret: 'test-session-secret-that-is-long-enough-0123456789',
    logLevel: 'silent',
    trustProxy: false,
    seedDemoData: false,
    session: { idleMinutes: 30, absoluteHours: 12 },
    signIn: { maxFailedAttempts: 5, lockoutMinutes: 15, attemptsPerMinutePerIp: 1000 },
    publicUrl: 'http://localhost:3000',
    mail: { from: 'Safer Communities <noreply@test.example.org>' },
    ...overrides,
  }
}

export interface TestApp {
  app: FastifyInstance
  services: Services
  testDb: TestDatabase
  factories: Factories
  /** Signs in through the real sign-in form and returns an agent that keeps its cookies and CSRF token. */
  signIn(email: string, password: string): Promise<Agent>
  /** Creates a user with the given roles (in a new organisation unless one is given) and signs them in. */
  signInAs(roles: Role[], options?: { organisationId?: string }): Promise<Agent & { user: { id: string; email: string; organisationId: string } }>
  close(): Promise<void>
}

export async function createTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const testDb = await freshDatabase()
  const config = testConfig({ ...overrides, database: testDb.target })
  const services = createServices(config, testDb.database)
  const app = await createApp(services)
  await app.ready()
  const made = factories(testDb.database.db)

  const signIn = async (email: string, password: string) => {
    const agent = new Agent(app)
    const response = await agent.submit('/sign-in', { email, password })
    if (response.statusCode !== 302) throw new Error(`sign-in failed for ${email}: ${response.statusCode}`)
    const signedIn = String(response.headers.location).startsWith('/sign-in/two-factor') ? await passSecondFactor(agent, email) : response
    // Signing in replaces the CSRF secret: like a browser, read the page it leads to for a working token.
    await agent.get(String(signedIn.headers.location))
    return agent
  }

  /** Enters the factory authenticator code; a code works once, so the user's last used step is cleared first. */
  const passSecondFactor = async (agent: Agent, email: string) => {
    const { db } = testDb.database
    const user = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()
    await db.updateTable('two_factor_secrets').set({ last_used_step: null }).where('user_id', '=', user.id).execute()
    const response = await agent.submit('/sign-in/two-factor', { code: currentCode(FACTORY_TOTP_SECRET) })
    if (response.statusCode !== 302) throw new Error(`two-factor sign-in failed for ${email}: ${response.statusCode}`)
    return response
  }

  return {
    app,
    services,
    testDb,
    factories: made,
    signIn,
    async signInAs(roles, options = {}) {
      const user = await made.user({ roles, organisationId: options.organisationId })
      const agent = await signIn(user.email, user.password)
      return Object.assign(agent, { user })
    },
    async close() {
      await app.close()
      await testDb.destroy()
      await rm(config.uploadDir, { recursive: true, force: true })
    },
  }
}

/** A browser-like client for app.inject: keeps cookies, and picks up the CSRF token from each page it reads. */
export class Agent {
  cookies = new Map<string, string>()
  csrfToken: string | undefined

  constructor(readonly app: FastifyInstance) {}

  async request(options: InjectOptions): Promise<LightMyRequestResponse> {
    const cookieHeader = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await this.app.inject({ ...options, headers: { ...(cookieHeader ? { cookie: cookieHeader } : {}), ...options.headers } })
    for (const cookie of response.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      // A new CSRF secret makes the token read from an earlier page useless.
      if (cookie.name === 'scp_csrf' && cookie.value !== this.cookies.get(cookie.name)) this.csrfToken = undefined
      const expired = cookie.value === '' || (cookie.expires && cookie.expires.getTime() <= Date.now()) || cookie.maxAge === 0
      if (expired) this.cookies.delete(cookie.name)
      else this.cookies.set(cookie.name, cookie.value)
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1]
    if (token) this.csrfToken = token
    return response
  }

  get(url: string, headers: Record<string, string> = {}) {
    return this.request({ method: 'GET', url, headers })
  }

  /** Reads the form's page first (for the CSRF token), then posts it url-encoded like a browser. */
  async submit(url: string, fields: Record<string, string | string[]>, options: { formPage?: string } = {}) {
    if (!this.csrfToken || options.formPage) await this.get(options.formPage ?? url)
    const body = new URLSearchParams()
    for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(name, one)
    body.append('_csrf', this.csrfToken ?? '')
    return this.request({ method: 'POST', url, payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  }

  /** A JSON API call with the session cookie, sending the CSRF token in a header as a script would. */
  json(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
    return this.request({ method, url, payload: payload as InjectOptions['payload'], headers: method === 'GET' ? {} : { 'x-csrf-token': this.csrfToken ?? '' } })
  }
}
