import { randomUUID } from 'node:crypto'
import argon2 from 'argon2'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest'
import type { Actor } from '../src/modules/audit/audit.events.js'
import { governanceFixtures, inDays } from '../src/modules/meetings/meetings.fixtures.js'
import { Agent, createTestApp, type TestApp } from './helpers/app.js'
import { asbFactories } from './helpers/asb-factories.js'
import { FACTORY_PASSWORD } from './helpers/factories.js'

/** Regression tests for the smaller findings of the security review (issue 12, finding 8). */

let t: TestApp
let adminActor: Actor

beforeAll(async () => {
  t = await createTestApp()
  const admin = await t.factories.user({ roles: ['admin'] })
  adminActor = { userId: admin.id, organisationId: admin.organisationId, ip: null }
})
afterAll(() => t.close())

const db = () => t.testDb.database.db


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

describe('personal API tokens', () => {
  const bearer = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })

  async function issued() {
    const user = await t.factories.user()
    const { token, id } = await t.services.apiTokens.issue(adminActor, { userId: user.id, name: 'Reporting script', expiresInDays: null })
    expect((await bearer(token)).statusCode).toBe(200)
    return { user, token, id }
  }

  async function revocationsOf(tokenId: string) {
    const rows = await db().selectFrom('audit_events').select(['action', 'user_id as userId', 'details']).where('record_type', '=', 'api_token').where('record_id', '=', tokenId).orderBy('id').execute()
    return rows.filter((row) => row.action === 'api_token.revoked')
  }

  async function revokedAt(tokenId: string) {
    return (await db().selectFrom('api_tokens').select('revoked_at').where('id', '=', tokenId).executeTakeFirstOrThrow()).revoked_at
  }

  it('are revoked when the user moves to another organisation, and the revocation is audited', async () => {
    const { user, token, id } = await issued()
    const untouched = await issued()
    const other = await t.factories.organisation()
    await t.services.users.update(adminActor, user.id, { organisationId: other.id })

    expect((await bearer(token)).statusCode).toBe(401)
    expect(await revokedAt(id)).not.toBeNull()
    expect(await revocationsOf(id)).toEqual([{ action: 'api_token.revoked', userId: adminActor.userId, details: { userId: user.id, reason: 'organisation_changed' } }])
    // Another user's token, and a change that is not a move, leave tokens alone.
    expect((await bearer(untouched.token)).statusCode).toBe(200)
    await t.services.users.update(adminActor, untouched.user.id, { name: 'A new name' })
    expect((await bearer(untouched.token)).statusCode).toBe(200)
  })

  it('are revoked when an administrator resets the password', async () => {
    const { user, token, id } = await issued()
    await t.services.users.resetPassword(adminActor, user.id)
    expect((await bearer(token)).statusCode).toBe(401)
    expect(await revocationsOf(id)).toEqual([{ action: 'api_token.revoked', userId: adminActor.userId, details: { userId: user.id, reason: 'password_reset' } }])
  })

  it('do not come back when a deactivated user is reactivated', async () => {
    const { user, token, id } = await issued()
    await t.services.users.deactivate(adminActor, user.id)
    expect((await bearer(token)).statusCode).toBe(401)
    await t.services.users.reactivate(adminActor, user.id)
    expect((await bearer(token)).statusCode).toBe(401)
    expect(await revokedAt(id)).not.toBeNull()
    expect((await revocationsOf(id)).map((row) => row.details)).toEqual([{ userId: user.id, reason: 'deactivated' }])

    // A token issued after reactivation works.
    const fresh = await t.services.apiTokens.issue(adminActor, { userId: user.id, name: 'New script', expiresInDays: null })
    expect((await bearer(fresh.token)).statusCode).toBe(200)
  })
})

describe('signing in with a wrong password', () => {
  // Counts the argon2 password checks each refusal makes (the slow, deliberate work), passing through to the real one.
  let verify: MockInstance<typeof argon2.verify>
  beforeAll(() => {
    verify = vi.spyOn(argon2, 'verify')
  })
  afterAll(() => verify.mockRestore())
  /** The page as it would be for any address: without the per-request token and nonce, and the address typed. */
  const normalise = (body: string, email: string) =>
    body
      .replaceAll(email, 'EMAIL')
      .replace(/name="_csrf" value="[^"]+"/g, 'CSRF')
      .replace(/nonce="[^"]+"/g, 'NONCE')

  async function attempt(email: string, password: string) {
    const checks = () => verify.mock.calls.length
    const before = checks()
    const response = await new Agent(t.app).submit('/sign-in', { email, password })
    return { status: response.statusCode, body: normalise(response.body, email), passwordChecks: checks() - before }
  }

  it('gives the same answer, with the same work, whether the address has an account (locked or not) or none', async () => {
    const user = await t.factories.user()
    const unknown = `nobody-${Date.now()}@test.example.org`
    const max = t.services.config.signIn.maxFailedAttempts
    // Past the lock-out, and then the right password while locked.
    const passwordsTried = [...Array.from({ length: max + 1 }, (_, n) => `wrong password ${n}`), user.password]
    for (const [n, password] of passwordsTried.entries()) {
      const existing = await attempt(user.email, password)
      const nobody = await attempt(unknown, password)
      expect(existing.status, `attempt ${n + 1}`).toBe(401)
      expect(nobody.status, `attempt ${n + 1}`).toBe(401)
      expect(existing.body, `attempt ${n + 1}`).toBe(nobody.body)
      expect(existing.body).toContain('Enter a correct email address and password')
      expect(existing.passwordChecks, `attempt ${n + 1}`).toBe(1)
      expect(nobody.passwordChecks, `attempt ${n + 1}`).toBe(1)
    }
    const row = await db().selectFrom('users').select('locked_until').where('id', '=', user.id).executeTakeFirstOrThrow()
    expect(row.locked_until!.getTime()).toBeGreaterThan(Date.now())
  })
})

describe('changing your password with a wrong current password', () => {
  const NEW_PASSWORD = 'granite otter climbs slowly'
  const change = (agent: Agent, currentPassword: string) =>
    agent.submit('/account/password', { currentPassword, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }, { formPage: '/account/password' })
  const actionsOf = async (userId: string) =>
    (await db().selectFrom('audit_events').select(['action', 'details']).where('user_id', '=', userId).where('action', 'like', 'password_change%').orderBy('id').execute())

  it('counts with failed sign-ins and locks the account as they do, ending its sessions', async () => {
    const agent = await t.signInAs(['case_viewer'])
    const elsewhere = await t.signIn(agent.user.email, FACTORY_PASSWORD)
    const max = t.services.config.signIn.maxFailedAttempts
    // A failed sign-in elsewhere counts towards the same lock.
    expect((await new Agent(t.app).submit('/sign-in', { email: agent.user.email, password: 'a wrong guess' })).statusCode).toBe(401)
    for (let attempt = 2; attempt < max; attempt++) {
      const response = await change(agent, `wrong guess ${attempt}`)
      expect(response.statusCode).toBe(400)
      expect(response.body).toContain('Your current password is incorrect')
    }
    const locking = await change(agent, 'the last wrong guess')
    expect(locking.statusCode).toBe(400)
    expect(locking.body).toContain('This account is locked after too many wrong passwords, and you have been signed out')
    const row = await db().selectFrom('users').select(['locked_until', 'password_hash']).where('id', '=', agent.user.id).executeTakeFirstOrThrow()
    expect(row.locked_until!.getTime()).toBeGreaterThan(Date.now())

    // Every session has ended, and the right password neither signs in nor changes anything until the lock passes.
    expect((await agent.get('/')).statusCode).toBe(302)
    expect((await elsewhere.get('/')).statusCode).toBe(302)
    expect((await new Agent(t.app).submit('/sign-in', { email: agent.user.email, password: FACTORY_PASSWORD })).statusCode).toBe(401)
    expect((await db().selectFrom('users').select('password_hash').where('id', '=', agent.user.id).executeTakeFirstOrThrow()).password_hash).toBe(row.password_hash)
    expect(await actionsOf(agent.user.id)).toEqual([
      ...Array.from({ length: max - 2 }, () => ({ action: 'password_change_failed', details: { reason: 'wrong_password' } })),
      { action: 'password_change_locked', details: { reason: 'wrong_password' } },
    ])
  })

  it('is refused while the account is locked, even with the right current password', async () => {
    const agent = await t.signInAs(['case_viewer'])
    await db().updateTable('users').set({ failed_sign_in_count: 5, locked_until: new Date(Date.now() + 10 * 60_000) }).where('id', '=', agent.user.id).execute()
    const response = await change(agent, FACTORY_PASSWORD)
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('This account is locked after too many wrong passwords. Try again in')
    expect(await actionsOf(agent.user.id)).toEqual([{ action: 'password_change_failed', details: { reason: 'locked' } }])
  })

  it('starts the count afresh after a successful change', async () => {
    const agent = await t.signInAs(['case_viewer'])
    const failures = async () => (await db().selectFrom('users').select('failed_sign_in_count').where('id', '=', agent.user.id).executeTakeFirstOrThrow()).failed_sign_in_count
    expect((await change(agent, 'a wrong guess')).statusCode).toBe(400)
    expect(await failures()).toBe(1)
    expect((await change(agent, FACTORY_PASSWORD)).statusCode).toBe(302)
    expect(await failures()).toBe(0)
  })

  it('is rate-limited per address as sign-in is', async () => {
    const limited = await createTestApp({ signIn: { maxFailedAttempts: 50, lockoutMinutes: 15, attemptsPerMinutePerIp: 3 } })
    try {
      const user = await limited.factories.user()
      const agent = await limited.signIn(user.email, user.password)
      for (let attempt = 1; attempt <= 3; attempt++) expect((await change(agent, `wrong guess ${attempt}`)).statusCode).toBe(400)
      expect((await change(agent, user.password)).statusCode).toBe(429)
    } finally {
      await limited.close()
    }
  })
})

describe("the reference of a case the reader may not see", () => {
  it('is not shown on the incident, address, person, list and search pages, nor in the API, until the case is shared', async () => {
    const asb = asbFactories(db())
    const police = await t.factories.organisation({ type: 'police' })
    const council = await t.factories.organisation({ type: 'council' })
    const officer = await t.signInAs(['case_manager'], { organisationId: police.id })
    const councilOfficer = await t.signInAs(['case_manager'], { organisationId: council.id })
    const councilCase = await asb.case({ owningOrganisationId: council.id })
    const location = await asb.location()
    const reporter = await asb.person({ createdByOrganisationId: police.id })
    // The police recorded the incident, which is now on the council's case (shared with them once, since revoked).
    const made = await asb.incident({ organisationId: police.id, recordedBy: officer.user.id, caseId: councilCase.id, locationId: location.id, reportingPersonId: reporter.id })
    // A reference in capitals, as real ones are, searched for by its start: the search page lists it (typed in full,
    // the page would go straight to the incident).
    const incident = { ...made, reference: `INC-T-${randomUUID().slice(0, 8).toUpperCase()}` }
    await db().updateTable('incidents').set({ reference: incident.reference }).where('id', '=', incident.id).execute()

    const pages = [`/incidents/${incident.id}`, `/locations/${location.id}`, `/people/${reporter.id}`, '/incidents', `/search?q=${incident.reference.slice(0, -1)}`]
    for (const url of pages) {
      const response = await officer.get(url)
      expect(response.statusCode, url).toBe(200)
      expect(response.body, url).toContain(incident.reference)
      expect(response.body, url).not.toContain(councilCase.reference)
      expect(response.body, url).not.toContain(councilCase.id)
    }
    const page = await officer.get(`/incidents/${incident.id}`)
    expect(page.body).toContain('On a case you do not have access to')
    // It is on a case already: not offered for another.
    expect(page.body).not.toContain(`/incidents/${incident.id}/link`)
    for (const url of [`/api/v1/incidents/${incident.id}`, `/api/v1/people/${reporter.id}`, '/api/v1/incidents', `/api/v1/search?q=${incident.reference}`]) {
      const response = await officer.get(url)
      expect(response.statusCode, url).toBe(200)
      expect(response.body, url).not.toContain(councilCase.reference)
      expect(response.body, url).not.toContain(councilCase.id)
    }
    expect((await officer.get(`/api/v1/incidents/${incident.id}`)).json()).toMatchObject({ caseId: null, caseReference: null })

    // The council sees its own case's reference; once the case is shared, so do the police.
    expect((await councilOfficer.get(`/incidents/${incident.id}`)).body).toContain(councilCase.reference)
    await asb.share(councilCase.id, police.id, councilOfficer.user.id)
    for (const url of [`/incidents/${incident.id}`, `/locations/${location.id}`, `/people/${reporter.id}`]) {
      expect((await officer.get(url)).body, url).toContain(councilCase.reference)
    }
  })
})

describe('an agenda before it is published', () => {
  it('is for those who run the body only, on the meeting page, the forward programme, the API and the papers', async () => {
    const g = governanceFixtures(t)
    const { agent: clerk, body, userId } = await g.clerk()
    const meeting = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(15), reports: [{ title: 'Persistent offender case review', exempt: true, description: 'Named individuals' }] })
    const paper = await db()
      .insertInto('agenda_papers')
      .values({ agenda_item_id: meeting.itemIds[5]!, title: 'Offender profiles', file_name: 'p.pdf', mime_type: 'application/pdf', size_bytes: 10, sha256: 'c'.repeat(64), uploaded_by: userId })
      .returning('id')
      .executeTakeFirstOrThrow()
    await db().insertInto('agenda_paper_contents').values({ paper_id: paper.id, content: Buffer.from('%PDF-1.4 x') }).execute()
    const reader = await t.signInAs(['board_member'])
    const member = await g.memberAgent(body.id, ['board_member'], 'member', userId)

    for (const agent of [reader, member]) {
      const api = await agent.get(`/api/v1/meetings/${meeting.id}`)
      expect(api.statusCode).toBe(200)
      expect(api.json()).toMatchObject({ id: meeting.id, agendaPublishedAt: null, items: [] })
      const programme = await agent.get(`/api/v1/bodies/${body.id}/forward-programme`)
      expect(programme.json().meetings.find((one: { id: string }) => one.id === meeting.id)).toMatchObject({ items: [] })
      for (const url of [`/meetings/${meeting.id}`, `/bodies/${body.id}/forward-programme`]) {
        const page = await agent.get(url)
        expect(page.statusCode, url).toBe(200)
        expect(page.body, url).not.toContain('Persistent offender case review')
        expect(page.body, url).toContain('not been published yet')
      }
      expect((await agent.get(`/papers/${paper.id}/download`)).statusCode).toBe(404)
    }

    // Those who run the body see the draft agenda.
    expect((await clerk.get(`/api/v1/meetings/${meeting.id}`)).json().items[5]).toMatchObject({ title: 'Persistent offender case review', description: 'Named individuals' })
    expect((await clerk.get(`/meetings/${meeting.id}`)).body).toContain('Persistent offender case review')

    // Published, the agenda is for every reader: an exempt item by its title only.
    await db().updateTable('meetings').set({ agenda_published_at: new Date() }).where('id', '=', meeting.id).execute()
    expect((await reader.get(`/api/v1/meetings/${meeting.id}`)).json().items[5]).toMatchObject({ title: 'Persistent offender case review', exempt: true, description: null, papers: [] })
    expect((await member.get(`/papers/${paper.id}/download`)).statusCode).toBe(200)
  })
})
