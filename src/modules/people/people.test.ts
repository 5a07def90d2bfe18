import { randomUUID } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { type AsbFactories, asbFactories } from '../../../test/helpers/asb-factories.js'
import { STALE_EDIT_MESSAGE } from '../cases/case-access.js'
import { SENSITIVE_REASON_MESSAGE } from './people.schemas.js'

let t: TestApp
let asb: AsbFactories
type SignedIn = Agent & { user: { id: string; email: string; organisationId: string } }
let manager: SignedIn
let viewer: SignedIn
let other: SignedIn

beforeAll(async () => {
  t = await createTestApp()
  asb = asbFactories(db())
  manager = await t.signInAs(['case_manager'])
  viewer = await t.signInAs(['case_viewer'], { organisationId: manager.user.organisationId })
  other = await t.signInAs(['case_manager'])
})
afterAll(() => t.close())

const db = () => t.testDb.database.db
const tag = () => randomUUID().slice(0, 6).replace(/\d/g, (digit) => 'abcdefghij'[Number(digit)]!)

function decode(text: string) {
  return text.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}
function errorSummary(body: string) {
  const block = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(body)?.[0] ?? ''
  return [...block.matchAll(/<a href="([^"]+)">([^<]*)<\/a>/g)].map((match) => ({ href: match[1], text: decode(match[2]!.trim()) }))
}
function expectFormError(response: LightMyRequestResponse, field: string, message: string) {
  expect(response.statusCode).toBe(400)
  expect(errorSummary(response.body)).toContainEqual({ href: `#${field}`, text: message })
}
const idFrom = (response: LightMyRequestResponse) => /^\/people\/([0-9a-f-]{36})/.exec(response.headers.location as string)?.[1]

const personFields = (overrides: Record<string, string | string[]> = {}) => ({
  givenNames: 'Alex',
  familyName: `Test${tag()}`,
  aliases: '',
  'dateOfBirth-day': '',
  'dateOfBirth-month': '',
  'dateOfBirth-year': '',
  phone: '',
  email: '',
  address: '',
  postcode: '',
  ...overrides,
})

async function auditRows(action: string, recordId?: string) {
  let query = db().selectFrom('audit_events').selectAll().where('action', '=', action)
  if (recordId) query = query.where('record_id', '=', recordId)
  return query.execute()
}

describe('adding a person', () => {
  it('saves the person with their address, who added them, and an audit row', async () => {
    const familyName = `Okafor${tag()}`
    const response = await manager.submit('/people/new', personFields({
      givenNames: 'Grace Ada',
      familyName,
      aliases: 'Gracie, G Okafor, gracie',
      'dateOfBirth-day': '7',
      'dateOfBirth-month': '3',
      'dateOfBirth-year': '1984',
      phone: '0116 496 0000',
      email: 'grace@example.com',
      address: '4  Wharf Street,  Leicester',
      postcode: 'le1 2aa',
      flags: ['vulnerable', 'riskToStaff'],
    }))
    expect(response.statusCode).toBe(302)
    const id = idFrom(response)!
    const person = await db().selectFrom('people').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(person).toMatchObject({
      given_names: 'Grace Ada',
      family_name: familyName,
      aliases: ['Gracie', 'G Okafor'],
      date_of_birth: '1984-03-07',
      vulnerable: true,
      risk_to_staff: true,
      created_by: manager.user.id,
      created_by_organisation_id: manager.user.organisationId,
      version: 1,
    })
    const addresses = await db().selectFrom('person_addresses').innerJoin('locations', 'locations.id', 'person_addresses.location_id').selectAll().where('person_id', '=', id).execute()
    expect(addresses).toHaveLength(1)
    expect(addresses[0]).toMatchObject({ address: '4 Wharf Street, Leicester', postcode: 'LE1 2AA', to_date: null })
    const audit = await auditRows('person.created', id)
    expect(audit).toHaveLength(1)
    expect(JSON.stringify(audit[0]!.details)).not.toContain(familyName)

    const page = await manager.get(`/people/${id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(familyName)
    expect(page.body).toContain('7 March 1984')
    expect(page.body).toContain('Risk to staff')
    expect(page.body).toContain('4 Wharf Street, Leicester, LE1 2AA')
  })

  it('reuses an existing location for the same address typed differently', async () => {
    const street = `${tag()} Mill Lane`
    const first = await manager.submit('/people/new', personFields({ address: `1 ${street}`, postcode: 'LE2 7AB' }))
    const second = await manager.submit('/people/new', personFields({ givenNames: 'Robin', address: `1  ${street.toUpperCase()} `, postcode: 'le27ab' }))
    const locations = await db()
      .selectFrom('person_addresses')
      .select('location_id')
      .where('person_id', 'in', [idFrom(first)!, idFrom(second)!])
      .execute()
    expect(locations).toHaveLength(2)
    expect(locations[0]!.location_id).toBe(locations[1]!.location_id)
  })

  it('needs a reason when vulnerabilities or protected characteristics are recorded', async () => {
    const before = await db().selectFrom('people').select(db().fn.countAll().as('n')).executeTakeFirstOrThrow()
    expectFormError(await manager.submit('/people/new', personFields({ vulnerabilities: 'Lives alone, hearing impaired' })), 'sensitiveReason', SENSITIVE_REASON_MESSAGE)
    expectFormError(await manager.submit('/people/new', personFields({ protectedCharacteristics: 'Disabled' })), 'sensitiveReason', SENSITIVE_REASON_MESSAGE)
    const api = await manager.json('POST', '/api/v1/people', { givenNames: 'Sam', familyName: `Api${tag()}`, vulnerabilities: 'Lives alone' })
    expect(api.statusCode).toBe(400)
    const after = await db().selectFrom('people').select(db().fn.countAll().as('n')).executeTakeFirstOrThrow()
    expect(after.n).toBe(before.n)

    const saved = await manager.submit('/people/new', personFields({ vulnerabilities: 'Lives alone', sensitiveReason: 'Affects how we contact them' }))
    expect(saved.statusCode).toBe(302)
  })

  it('refuses a date of birth in the future or one that does not exist', async () => {
    const nextYear = String(new Date().getFullYear() + 1)
    expectFormError(await manager.submit('/people/new', personFields({ 'dateOfBirth-day': '1', 'dateOfBirth-month': '1', 'dateOfBirth-year': nextYear })), 'dateOfBirth-day', 'Date of birth must be in the past')
    expectFormError(await manager.submit('/people/new', personFields({ 'dateOfBirth-day': '31', 'dateOfBirth-month': '2', 'dateOfBirth-year': '1990' })), 'dateOfBirth-day', 'Date of birth must be a real date')
    expectFormError(await manager.submit('/people/new', personFields({ 'dateOfBirth-day': '', 'dateOfBirth-month': '2', 'dateOfBirth-year': '1990' })), 'dateOfBirth-day', 'Date of birth must include a day')
    const future = await manager.json('POST', '/api/v1/people', { givenNames: 'Sam', familyName: `Api${tag()}`, dateOfBirth: `${nextYear}-01-01` })
    expect(future.statusCode).toBe(400)
    expect(future.json().message).toBe('Date of birth must be in the past')
    const impossible = await manager.json('POST', '/api/v1/people', { givenNames: 'Sam', familyName: `Api${tag()}`, dateOfBirth: '1990-02-31' })
    expect(impossible.statusCode).toBe(400)
  })

  it('shows a missing name as a GOV.UK error and keeps what was typed', async () => {
    const response = await manager.submit('/people/new', personFields({ givenNames: '', phone: '07700 900123' }))
    expectFormError(response, 'givenNames', 'Enter their given names')
    expect(response.body).toContain('07700 900123')
  })

  it('is refused to a case viewer', async () => {
    expect((await viewer.get('/people/new')).statusCode).toBe(403)
    expect((await viewer.submit('/people/new', personFields(), { formPage: '/people' })).statusCode).toBe(403)
    expect((await viewer.json('POST', '/api/v1/people', { givenNames: 'A', familyName: 'B' })).statusCode).toBe(403)
  })
})

describe('duplicate warning', () => {
  it('warns about the same name and date of birth, and saves only once confirmed', async () => {
    const familyName = `Smith${tag()}`
    const existing = await asb.person({ givenNames: 'John', familyName, dateOfBirth: '1980-05-01', createdByOrganisationId: manager.user.organisationId })
    const fields = personFields({ givenNames: 'john', familyName: familyName.toUpperCase(), 'dateOfBirth-day': '1', 'dateOfBirth-month': '5', 'dateOfBirth-year': '1980' })
    const count = () => db().selectFrom('people').select('id').where('family_name', 'ilike', familyName).execute()

    const warned = await manager.submit('/people/new', fields)
    expect(warned.statusCode).toBe(200)
    expect(warned.body).toContain('This person may already be recorded')
    expect(warned.body).toContain(`data-duplicate-id="${existing.id}"`)
    expect(warned.body).toContain('None of these is the same person')
    expect(await count()).toHaveLength(1)

    const unticked = await manager.submit('/people/new', { ...fields, duplicatesShown: 'yes' })
    expect(unticked.statusCode).toBe(400)
    expect(errorSummary(unticked.body)[0]!.href).toBe('#confirmNotDuplicate')
    expect(await count()).toHaveLength(1)

    const confirmed = await manager.submit('/people/new', { ...fields, duplicatesShown: 'yes', confirmNotDuplicate: 'yes' })
    expect(confirmed.statusCode).toBe(302)
    expect(await count()).toHaveLength(2)
  })

  it('warns about a similar name at the same address, not at a different one', async () => {
    const familyName = `Patel${tag()}`
    const street = `${tag()} Narborough Road`
    const created = await manager.submit('/people/new', personFields({ givenNames: 'Jonathan', familyName, address: `12 ${street}`, postcode: 'LE3 0BQ' }))
    const existingId = idFrom(created)!

    const sameAddress = await manager.submit('/people/new', personFields({ givenNames: 'Jonathon', familyName, address: `12  ${street.toLowerCase()}`, postcode: 'le3 0bq' }))
    expect(sameAddress.statusCode).toBe(200)
    expect(sameAddress.body).toContain(`data-duplicate-id="${existingId}"`)

    const elsewhere = await manager.submit('/people/new', personFields({ givenNames: 'Jonathon', familyName, address: `99 ${street}`, postcode: 'LE3 0BQ' }))
    expect(elsewhere.statusCode).toBe(302)
  })

  it('on the API: 409 with the ids unless confirmNotDuplicate', async () => {
    const familyName = `Nowak${tag()}`
    const existing = await asb.person({ givenNames: 'Anna', familyName, dateOfBirth: '1975-11-30', createdByOrganisationId: manager.user.organisationId })
    const body = { givenNames: 'Anna', familyName, dateOfBirth: '1975-11-30' }
    const refused = await manager.json('POST', '/api/v1/people', body)
    expect(refused.statusCode).toBe(409)
    expect(refused.json().duplicateIds).toEqual([existing.id])
    const saved = await manager.json('POST', '/api/v1/people', { ...body, confirmNotDuplicate: true })
    expect(saved.statusCode).toBe(201)
    expect(saved.json()).toMatchObject({ givenNames: 'Anna', familyName, dateOfBirth: '1975-11-30', version: 1 })
  })

  it('does not reveal people the organisation cannot see', async () => {
    const familyName = `Hidden${tag()}`
    await asb.person({ givenNames: 'Kim', familyName, dateOfBirth: '1990-01-01', createdByOrganisationId: other.user.organisationId })
    const response = await manager.json('POST', '/api/v1/people', { givenNames: 'Kim', familyName, dateOfBirth: '1990-01-01' })
    expect(response.statusCode).toBe(201)
  })
})

describe('search', () => {
  it('finds names despite typos and audits the count, never the query', async () => {
    const familyName = `Smith`
    const john = await asb.person({ givenNames: 'John', familyName, dateOfBirth: '1970-02-02', createdByOrganisationId: manager.user.organisationId })
    const page = await manager.get('/people?q=Jonh+Smiht')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`/people/${john.id}`)

    const api = await manager.json('GET', '/api/v1/people?q=Jonh%20Smiht')
    expect(api.statusCode).toBe(200)
    expect(api.json().map((person: { id: string }) => person.id)).toContain(john.id)

    const audit = await db().selectFrom('audit_events').selectAll().where('action', '=', 'cases.searched').where('user_id', '=', manager.user.id).execute()
    expect(audit.length).toBeGreaterThanOrEqual(2)
    for (const row of audit) {
      expect(Object.keys(row.details as object)).toEqual(['resultCount'])
      expect(JSON.stringify(row.details)).not.toMatch(/jonh|smiht/i)
    }
  })

  it('finds people by another name and filters by date of birth and address', async () => {
    const familyName = `Kowalczyk${tag()}`
    const created = await manager.submit('/people/new', personFields({ givenNames: 'Piotr', familyName, aliases: `Pete ${familyName}, Peter Cole${familyName}`, 'dateOfBirth-day': '9', 'dateOfBirth-month': '9', 'dateOfBirth-year': '1999', address: '3 Belgrave Gate', postcode: 'LE1 3HR' }))
    const id = idFrom(created)!
    const byAlias = await manager.json('GET', `/api/v1/people?q=${encodeURIComponent(`Peter Cole${familyName}`)}`)
    expect(byAlias.json().map((person: { id: string }) => person.id)).toContain(id)
    const rightDob = await manager.get(`/people?q=${familyName}&dateOfBirth-day=9&dateOfBirth-month=9&dateOfBirth-year=1999`)
    expect(rightDob.body).toContain(`/people/${id}`)
    const wrongDob = await manager.get(`/people?q=${familyName}&dateOfBirth-day=10&dateOfBirth-month=9&dateOfBirth-year=1999`)
    expect(wrongDob.body).not.toContain(`/people/${id}`)
    expect((await manager.get(`/people?q=${familyName}&address=belgrave`)).body).toContain(`/people/${id}`)
    expect((await manager.get(`/people?q=${familyName}&address=le13hr`)).body).toContain(`/people/${id}`)
    expect((await manager.get(`/people?q=${familyName}&address=Humberstone`)).body).not.toContain(`/people/${id}`)
  })

  it('ranks the exact name first, then names starting with it, then close spellings, word by word and in any order', async () => {
    const organisationId = manager.user.organisationId
    const exact = await asb.person({ givenNames: 'Halina', familyName: 'Wojciechowska', createdByOrganisationId: organisationId })
    const longer = await asb.person({ givenNames: 'Halina', familyName: 'Wojciechowska-Nowak', createdByOrganisationId: organisationId })
    const close = await asb.person({ givenNames: 'Halinka', familyName: 'Wojciechowski', createdByOrganisationId: organisationId })
    const found = async (q: string) => (await manager.json('GET', `/api/v1/people?q=${encodeURIComponent(q)}`)).json().map((row: { id: string }) => row.id)

    expect((await found('Halina Wojciechowska')).slice(0, 3)).toEqual([exact.id, longer.id, close.id])
    expect(await found('Wojceichowska')).toEqual(expect.arrayContaining([exact.id, longer.id]))
    expect(await found('wojciechowska halina')).toEqual(expect.arrayContaining([exact.id, longer.id, close.id]))
    expect(await found('Ha')).toEqual(expect.arrayContaining([exact.id, longer.id, close.id]))
    expect(await found('Halina Nowak')).toContain(longer.id)

    // A name given later is found by a mistyped search at once.
    expect(await found('Brzezinksa')).not.toContain(close.id)
    await db().updateTable('people').set({ aliases: ['Lina Brzezinska'] }).where('id', '=', close.id).execute()
    expect(await found('Brzezinksa')).toContain(close.id)
  })

  it('refuses an impossible date of birth filter with a GOV.UK error', async () => {
    const response = await manager.get('/people?q=x&dateOfBirth-day=31&dateOfBirth-month=2&dateOfBirth-year=1990')
    expect(response.statusCode).toBe(400)
    expect(errorSummary(response.body)[0]!.href).toBe('#dateOfBirth-day')
  })

  it('does not find a person only on another organisation’s unshared case, until it is shared', async () => {
    const familyName = `Scope${tag()}`
    const person = await asb.person({ givenNames: 'Lee', familyName, createdByOrganisationId: other.user.organisationId })
    const otherCase = await asb.case({ owningOrganisationId: other.user.organisationId })
    await asb.linkPerson(otherCase.id, person.id, 'perpetrator')
    const search = () => manager.json('GET', `/api/v1/people?q=${familyName}`).then((response) => response.json().map((row: { id: string }) => row.id))
    expect(await search()).not.toContain(person.id)
    expect((await manager.get(`/people/${person.id}`)).statusCode).toBe(404)
    expect((await manager.json('GET', `/api/v1/people/${person.id}`)).statusCode).toBe(404)
    await asb.share(otherCase.id, manager.user.organisationId, other.user.id)
    expect(await search()).toContain(person.id)
    expect((await manager.get(`/people/${person.id}`)).statusCode).toBe(200)
  })
})

describe('person page', () => {
  it('shows only the cases and incidents the user may see, flags repeat victims, and is audited', async () => {
    const person = await asb.person({ givenNames: 'Maya', familyName: `Page${tag()}`, createdByOrganisationId: manager.user.organisationId })
    const mine = await asb.case({ owningOrganisationId: manager.user.organisationId })
    const theirs = await asb.case({ owningOrganisationId: other.user.organisationId })
    await asb.linkPerson(mine.id, person.id, 'victim')
    await asb.linkPerson(theirs.id, person.id, 'victim')
    const myIncident = await asb.incident({ organisationId: manager.user.organisationId, recordedBy: manager.user.id, reportingPersonId: person.id })
    const theirIncident = await asb.incident({ organisationId: other.user.organisationId, recordedBy: other.user.id, reportingPersonId: person.id })

    const page = await viewer.get(`/people/${person.id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(mine.reference)
    expect(page.body).not.toContain(theirs.reference)
    expect(page.body).toContain(myIncident.reference)
    expect(page.body).not.toContain(theirIncident.reference)
    // Victim on two cases across the partnership.
    expect(page.body).toContain('Repeat victim')
    expect(page.body).not.toContain('Change details')

    const api = await viewer.json('GET', `/api/v1/people/${person.id}`)
    expect(api.json().cases.map((row: { id: string }) => row.id)).toEqual([mine.id])
    expect(api.json().repeatVictim).toBe(true)

    const audit = await db().selectFrom('audit_events').selectAll().where('action', '=', 'person.viewed').where('record_id', '=', person.id).where('user_id', '=', viewer.user.id).execute()
    expect(audit).toHaveLength(2)
  })

  it('is not found for an unrelated organisation', async () => {
    const person = await asb.person({ createdByOrganisationId: manager.user.organisationId })
    expect((await other.get(`/people/${person.id}`)).statusCode).toBe(404)
    expect((await other.get(`/people/${person.id}/edit`)).statusCode).toBe(404)
    expect((await other.json('PATCH', `/api/v1/people/${person.id}`, { phone: '1', version: 1 })).statusCode).toBe(404)
  })

  it('shows sensitive fields only to the organisation that recorded them', async () => {
    const created = await manager.json('POST', '/api/v1/people', { givenNames: 'Ruth', familyName: `Sens${tag()}`, vulnerabilities: 'Partially sighted', sensitiveReason: 'Letters in large print' })
    const id = created.json().id as string
    const theirCase = await asb.case({ owningOrganisationId: manager.user.organisationId })
    await asb.linkPerson(theirCase.id, id, 'victim')
    await asb.share(theirCase.id, other.user.organisationId, manager.user.id)

    expect((await manager.get(`/people/${id}`)).body).toContain('Partially sighted')
    const shared = await other.get(`/people/${id}`)
    expect(shared.statusCode).toBe(200)
    expect(shared.body).not.toContain('Partially sighted')
    expect((await other.json('GET', `/api/v1/people/${id}`)).json()).toMatchObject({ sensitiveVisible: false, vulnerabilities: null, sensitiveReason: null })

    // A partner that may see the person cannot overwrite what it cannot see.
    const version = (await other.json('GET', `/api/v1/people/${id}`)).json().version
    const edit = await other.submit(`/people/${id}/edit`, personFields({ givenNames: 'Ruth', familyName: created.json().familyName, version: String(version) }))
    expect(edit.statusCode).toBe(302)
    const rows = await db().selectFrom('person_sensitive_details').selectAll().where('person_id', '=', id).execute()
    expect(rows.map((row) => [row.organisation_id, row.vulnerabilities])).toEqual([[manager.user.organisationId, 'Partially sighted']])
  })
})

describe('changing a person', () => {
  it('saves field changes, keeps the address history and audits field names only', async () => {
    const created = await manager.submit('/people/new', personFields({ givenNames: 'Omar', address: '1 Old Road', postcode: 'LE4 1AA', phone: '0116 1' }))
    const id = idFrom(created)!
    const edit = await manager.get(`/people/${id}/edit`)
    expect(edit.body).toContain('name="version" value="1"')
    const familyName = (await db().selectFrom('people').select('family_name').where('id', '=', id).executeTakeFirstOrThrow()).family_name
    const saved = await manager.submit(`/people/${id}/edit`, personFields({ givenNames: 'Omar', familyName, address: '2 New Street', postcode: 'LE4 2BB', phone: '0116 2', version: '1' }))
    expect(saved.statusCode).toBe(302)

    const addresses = await db().selectFrom('person_addresses').innerJoin('locations', 'locations.id', 'person_addresses.location_id').select(['address', 'from_date', 'to_date']).where('person_id', '=', id).orderBy('person_addresses.created_at').execute()
    const today = new Date().toISOString().slice(0, 10)
    expect(addresses.map((row) => [row.address, row.to_date])).toEqual([
      ['1 Old Road', expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)],
      ['2 New Street', null],
    ])
    expect(addresses[1]!.from_date).toBe(today)
    const audit = await auditRows('person.updated', id)
    expect(audit).toHaveLength(1)
    expect(audit[0]!.details).toEqual({ fields: ['phone', 'address'] })
    const person = await db().selectFrom('people').select(['version', 'phone']).where('id', '=', id).executeTakeFirstOrThrow()
    expect(person).toEqual({ version: 2, phone: '0116 2' })
    const page = await manager.get(`/people/${id}`)
    expect(page.body).toContain('1 Old Road, LE4 1AA')
    expect(page.body).toContain('Current')
  })

  it('refuses a stale version and overwrites nothing', async () => {
    const created = await manager.json('POST', '/api/v1/people', { givenNames: 'Tess', familyName: `Stale${tag()}`, phone: 'original' })
    const { id, familyName } = created.json()
    // Someone else saves first.
    expect((await viewer.json('PATCH', `/api/v1/people/${id}`, { phone: 'x', version: 1 })).statusCode).toBe(403)
    expect((await manager.json('PATCH', `/api/v1/people/${id}`, { phone: 'first save', version: 1 })).json().version).toBe(2)

    const page = await manager.submit(`/people/${id}/edit`, personFields({ givenNames: 'Tess', familyName, phone: 'my typed phone', version: '1' }))
    expect(page.statusCode).toBe(409)
    expect(decode(page.body)).toContain(STALE_EDIT_MESSAGE)
    expect(page.body).toContain('govuk-error-summary')
    expect(page.body).toContain('my typed phone')

    const api = await manager.json('PATCH', `/api/v1/people/${id}`, { phone: 'api stale', version: 1 })
    expect(api.statusCode).toBe(409)
    expect(api.json().message).toBe(STALE_EDIT_MESSAGE)

    const row = await db().selectFrom('people').select(['phone', 'version']).where('id', '=', id).executeTakeFirstOrThrow()
    expect(row).toEqual({ phone: 'first save', version: 2 })
  })

  it('applies the sensitive-reason rule to changes', async () => {
    const created = await manager.json('POST', '/api/v1/people', { givenNames: 'Ivy', familyName: `Rule${tag()}` })
    const response = await manager.json('PATCH', `/api/v1/people/${created.json().id}`, { protectedCharacteristics: 'Religion', version: 1 })
    expect(response.statusCode).toBe(400)
    expect(response.json().message).toBe(SENSITIVE_REASON_MESSAGE)
  })

  it('is refused to a case viewer', async () => {
    const person = await asb.person({ createdByOrganisationId: manager.user.organisationId })
    expect((await viewer.get(`/people/${person.id}/edit`)).statusCode).toBe(403)
    expect((await viewer.submit(`/people/${person.id}/edit`, personFields({ version: '1' }), { formPage: `/people/${person.id}` })).statusCode).toBe(403)
  })
})
