import { randomUUID } from 'node:crypto'
import Fastify from 'fastify'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PERMISSIONS, ROLE_PERMISSIONS, ROLES, type Role } from '../src/modules/auth/permissions.js'
import { type AccessEntry, setUpAccessGate } from '../src/platform/http/access.js'
import { Agent, createTestApp, type TestApp } from './helpers/app.js'

const PERMISSION_MESSAGE = 'You do not have permission to do this'
const PERMISSION_PAGE_TITLE = 'You do not have permission to see this page'
const CSRF_MESSAGE = 'This form has expired'

/** The routes the app registered, as its gate sees them (HEAD mirrors GET and has no body to check). */
let routes: AccessEntry[]
let t: TestApp

/** A concrete address for a route: a random UUID for each parameter, 'x' for a wildcard. */
function addressOf(url: string) {
  return url.replace(/:[A-Za-z_]+/g, () => randomUUID()).replace(/\*$/, 'x')
}

const isApi = (url: string) => url.startsWith('/api/')
const label = (route: AccessEntry) => `${route.method} ${route.url} (${route.access})`

function mayReach(role: Role, route: AccessEntry) {
  if (route.access === 'public' || route.access === 'signed-in') return true
  return ROLE_PERMISSIONS[role].includes(route.access)
}

/** Sends the request as the agent would from a browser or script, with a valid CSRF token for anything that changes data. */
async function call(agent: Agent, route: AccessEntry): Promise<LightMyRequestResponse> {
  const url = addressOf(route.url)
  if (route.method === 'GET') return agent.get(url)
  if (isApi(url)) return agent.json(route.method as 'POST' | 'PATCH' | 'DELETE', url, {})
  return agent.submit(url, {})
}

function refusedByGate(response: LightMyRequestResponse, route: AccessEntry): string | undefined {
  if (response.statusCode !== 403) return `expected 403, got ${response.statusCode}`
  if (response.body.includes(CSRF_MESSAGE)) return 'got the CSRF refusal, not the permission refusal'
  if (isApi(route.url)) {
    if (!String(response.headers['content-type']).startsWith('application/json')) return `expected JSON, got ${response.headers['content-type']}`
    const body = response.json() as Record<string, unknown>
    if (body.statusCode !== 403 || body.error !== 'Forbidden' || body.message !== PERMISSION_MESSAGE) return `unexpected JSON body ${response.body}`
    return undefined
  }
  if (!String(response.headers['content-type']).startsWith('text/html')) return `expected an HTML page, got ${response.headers['content-type']}`
  if (!response.body.includes(PERMISSION_PAGE_TITLE) || !response.body.includes(PERMISSION_MESSAGE)) return 'not the GOV.UK permission page'
  if (!response.body.includes('govuk-template')) return 'not a GOV.UK page'
  return undefined
}

function reached(response: LightMyRequestResponse): string | undefined {
  if (response.statusCode === 401 || response.statusCode === 403) return `refused with ${response.statusCode}: ${response.body.slice(0, 200)}`
  if (response.statusCode >= 500) return `failed with ${response.statusCode}`
  const location = String(response.headers.location ?? '')
  if (location.startsWith('/sign-in') || location.startsWith('/account/password')) return `redirected to ${location}`
  return undefined
}

describe('the permission gate, over every route and every role', () => {
  beforeAll(async () => {
    t = await createTestApp()
    routes = t.app.accessTable.filter((route) => route.method !== 'HEAD')
  })
  afterAll(() => t.close())

  it('sees every route the app serves', () => {
    // A floor, so that the table-driven tests below cannot pass by checking nothing.
    expect(routes.length).toBeGreaterThanOrEqual(45)
    const accesses = new Set(routes.map((route) => route.access))
    for (const access of ['public', 'signed-in', ...PERMISSIONS]) expect(accesses, access).toContain(access)
    const keys = routes.map((route) => `${route.method} ${route.url}`)
    for (const key of [
      'GET /',
      'GET /sign-in',
      'POST /sign-out',
      'GET /api/v1/health',
      'GET /api/v1/openapi.json',
      'GET /api-docs',
      'GET /api/v1/me',
      'GET /admin/organisations',
      'PATCH /api/v1/organisations/:id',
      'POST /admin/users/:id/deactivate',
      'POST /api/v1/users/:id/reactivate',
      'POST /admin/api-tokens/:id/revoke',
      'GET /audit/export.csv',
      'GET /api/v1/audit-events',
      'GET /assets/*',
    ]) {
      expect(keys).toContain(key)
    }
    // Every permission guards at least one page.
    for (const permission of PERMISSIONS) {
      expect(routes.some((route) => route.access === permission && !isApi(route.url)), permission).toBe(true)
    }
  })

  it('sends anonymous page requests to sign-in, refuses anonymous API requests with 401, and lets anyone reach public routes', async () => {
    const failures: string[] = []
    let checked = 0
    for (const route of routes) {
      const url = addressOf(route.url)
      if (route.access === 'public') {
        // A fresh anonymous agent per route, so a POST can fetch its form's CSRF token from the sign-in page.
        const agent = new Agent(t.app)
        const response = route.method === 'GET' ? await agent.get(url) : await agent.submit(url, {}, { formPage: '/sign-in' })
        const problem = reached(response)
        if (problem) failures.push(`${label(route)} anonymous: ${problem}`)
        checked++
        continue
      }
      const response = await t.app.inject({ method: route.method as 'GET', url, ...(route.method === 'GET' ? {} : { payload: {} }) })
      if (isApi(url)) {
        const body = response.json() as Record<string, unknown>
        if (response.statusCode !== 401 || body.statusCode !== 401 || body.error !== 'Unauthorized' || response.headers['www-authenticate'] !== 'Bearer') {
          failures.push(`${label(route)} anonymous: expected a 401 JSON with WWW-Authenticate, got ${response.statusCode} ${response.body}`)
        }
      } else {
        const location = String(response.headers.location ?? '')
        const expected = route.method === 'GET' ? `/sign-in?returnTo=${encodeURIComponent(url)}` : '/sign-in'
        if (response.statusCode !== 302 || !location.startsWith('/sign-in') || location !== expected) {
          failures.push(`${label(route)} anonymous: expected a redirect to ${expected}, got ${response.statusCode} ${location}`)
        }
      }
      checked++
    }
    expect(failures).toEqual([])
    expect(checked).toBe(routes.length)
  })

  it.each(ROLES)('gives a user with only the %s role exactly the routes their permissions allow', async (role) => {
    const agent = await t.signInAs([role])
    await agent.get('/')
    expect(agent.csrfToken).toBeTruthy()
    const failures: string[] = []
    let refused = 0
    let allowed = 0
    for (const route of routes) {
      // Signing out ends the agent's session: use a fresh session for that one.
      if (route.method === 'POST' && route.url === '/sign-out') {
        const response = await call(await t.signInAs([role]), route)
        if (response.statusCode !== 302 || response.headers.location !== '/sign-in?signedOut=1') failures.push(`${label(route)} as ${role}: did not sign out (${response.statusCode})`)
        allowed++
        continue
      }
      const response = await call(agent, route)
      if (mayReach(role, route)) {
        const problem = reached(response)
        if (problem) failures.push(`${label(route)} as ${role}: ${problem}`)
        allowed++
      } else {
        const problem = refusedByGate(response, route)
        if (problem) failures.push(`${label(route)} as ${role}: ${problem}`)
        refused++
      }
    }
    expect(failures).toEqual([])
    expect(allowed + refused).toBe(routes.length)
    // Still signed in after the whole run: the refusals above were the gate, not a lost session.
    expect((await agent.get('/api/v1/me')).statusCode).toBe(200)
    const permissions = ROLE_PERMISSIONS[role]
    const guarded = routes.filter((route) => route.access !== 'public' && route.access !== 'signed-in')
    expect(refused).toBe(guarded.filter((route) => !permissions.includes(route.access as (typeof permissions)[number])).length)
    // Administrators run the service but do not read ASB cases: data minimisation.
    if (role === 'admin') expect(refused).toBe(guarded.filter((route) => String(route.access).startsWith('cases:')).length)
    if (permissions.length === 0) expect(refused).toBe(guarded.length)
  })

  it('answers a signed-in API request without the permission with the JSON 403 even when authenticated by an API token', async () => {
    const viewer = await t.factories.user({ roles: ['case_viewer'] })
    const admin = await t.signInAs(['admin'])
    const issued = await t.services.apiTokens.issue({ userId: admin.user.id, organisationId: admin.user.organisationId, ip: null }, { userId: viewer.id, name: 'gate test', expiresInDays: 30 })
    const viewerMay = ROLE_PERMISSIONS.case_viewer as readonly string[]
    const forbidden = routes.filter((route) => isApi(route.url) && route.access !== 'public' && route.access !== 'signed-in' && !viewerMay.includes(route.access))
    expect(forbidden.length).toBeGreaterThan(10)
    for (const route of forbidden) {
      const response = await t.app.inject({
        method: route.method as 'GET',
        url: addressOf(route.url),
        headers: { authorization: `Bearer ${issued.token}` },
        ...(route.method === 'GET' ? {} : { payload: {} }),
      })
      expect(refusedByGate(response, route), label(route)).toBeUndefined()
    }
    const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${issued.token}` } })
    expect(me.statusCode).toBe(200)
  })
})

describe('a route without config.access', () => {
  it('makes start-up fail, naming the route', async () => {
    const app = Fastify()
    // As createApp does: the gate first, then plugins that add routes.
    void app.register(setUpAccessGate)
    void app.register(async (child) => {
      child.get('/forgotten', async () => 'oops')
    })
    await expect(app.ready()).rejects.toThrow('Route GET /forgotten has no config.access')
  })

  it('makes the awaited registration of a routes plugin fail', async () => {
    const app = Fastify()
    await app.register(setUpAccessGate)
    await expect(
      app.register(async (child) => {
        child.get('/declared', { config: { access: 'public' } }, async () => 'fine')
        child.patch('/forgotten/:id', async () => 'oops')
      }),
    ).rejects.toThrow('Route PATCH /forgotten/:id has no config.access')
  })

  it('is refused when added straight onto the app, while a route that declares access is accepted and recorded', async () => {
    const app = Fastify()
    await app.register(setUpAccessGate)
    expect(() => app.post('/forgotten', async () => 'oops')).toThrow('Route POST /forgotten has no config.access')
    app.get('/declared', { config: { access: 'audit:read' } }, async () => 'fine')
    await app.ready()
    expect(app.accessTable).toContainEqual({ method: 'GET', url: '/declared', access: 'audit:read' })
    expect(app.accessTable.some((route) => route.url === '/forgotten')).toBe(false)
    await app.close()
  })
})
