import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../src/modules/audit/audit.events.js'
import { Agent, createTestApp, type TestApp } from './helpers/app.js'

/** Regression tests for the smaller findings of the security review (issue 12, finding 8). */

let t: TestApp
let adminActor: Actor

beforeAll(async () => {
  t = await createTestApp()
  const admin = await t.factories.user({ roles: ['admin'] })
  adminActor = { userId: admin.id, organisationId: admin.organisationId, ip: null }
})
afterAll(() => t.close())


function postForm(agent: Agent, url: string, fields: Record<string, string>) {
  return agent.request({ method: 'POST', url, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
}

describe('the CSRF secret', () => {
  it('is replaced at sign-in and at sign-out, so a token read before either no longer works', async () => {
    const user = await t.factories.user()
    const agent = new Agent(t.app)
    await agent.get('/sign-in')
    const before = agent.cookies.get('scp_csrf')!
    const tokenBeforeSignIn = agent.csrfToken!
    expect(before).toBeTruthy()

    const signedIn = await agent.submit('/sign-in', { email: user.email, password: user.password })
    expect(signedIn.statusCode).toBe(302)
    const afterSignIn = agent.cookies.get('scp_csrf')!
    expect(afterSignIn).toBeTruthy()
    expect(afterSignIn).not.toBe(before)

    // A token made from the secret the browser had before signing in (which another page could have planted) is refused.
    const stale = await postForm(agent, '/sign-out', { _csrf: tokenBeforeSignIn })
    expect(stale.statusCode).toBe(403)
    expect((await agent.get('/')).statusCode).toBe(200)

    // A page read after signing in gives a working token; signing out replaces the secret again.
    await agent.get('/')
    const tokenWhileSignedIn = agent.csrfToken!
    const signedOut = await postForm(agent, '/sign-out', { _csrf: tokenWhileSignedIn })
    expect(signedOut.statusCode).toBe(302)
    const afterSignOut = agent.cookies.get('scp_csrf')!
    expect(afterSignOut).toBeTruthy()
    expect(afterSignOut).not.toBe(afterSignIn)
    const again = await postForm(agent, '/sign-in', { _csrf: tokenWhileSignedIn, email: user.email, password: user.password })
    expect(again.statusCode).toBe(403)
  })
})

describe('caching', () => {
  const cacheControl = (response: LightMyRequestResponse) => String(response.headers['cache-control'] ?? '')

  it('is forbidden for every page and API answer to a signed-in user', async () => {
    const agent = await t.signInAs(['admin'])
    for (const url of ['/', '/admin/users', '/incidents', '/cases', '/account/password', '/api/v1/me', '/api/v1/no-such-thing']) {
      const response = await agent.get(url)
      expect(response.statusCode, url).toBeLessThan(500)
      expect(cacheControl(response), url).toBe('no-store')
    }
  })

  it('is forbidden for API answers to a personal API token', async () => {
    const user = await t.factories.user()
    const { token } = await t.services.apiTokens.issue(adminActor, { userId: user.id, name: 'Reporting', expiresInDays: null })
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })
    expect(response.statusCode).toBe(200)
    expect(cacheControl(response)).toBe('no-store')
  })

  it('is left to static files, which keep their caching even for a signed-in user', async () => {
    const agent = await t.signInAs(['case_viewer'])
    const response = await agent.get('/stylesheets/govuk-frontend.min.css')
    expect(response.statusCode).toBe(200)
    expect(cacheControl(response)).toContain('max-age=3600')
    expect(cacheControl(response)).not.toContain('no-store')
  })
})
