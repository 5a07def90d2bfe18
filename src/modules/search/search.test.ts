import { randomBytes, randomInt } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { asbFactories, type AsbFactories } from '../../../test/helpers/asb-factories.js'
import { MESSAGES } from './search.schemas.js'

let t: TestApp
let asb: AsbFactories
const db = () => t.testDb.database.db

beforeAll(async () => {
  t = await createTestApp()
  asb = asbFactories(db())
})
afterAll(() => t.close())

/**
 * A made-up word no other test uses, so each test finds only its own records. Letters only: a digit could make it hold a
 * number a test searches for ("15" in "Zed3a15f0c2" failed one run in about 40).
 */
const word = () => `Zed${randomBytes(4).toString('hex').replace(/\d/g, (digit) => 'ghijklmnop'[Number(digit)]!)}`
const caseReference = () => `ASB-2031-${String(randomInt(100_000, 999_999))}`
const incidentReference = () => `INC-2031-${String(randomInt(100_000, 999_999))}`

interface Found {
  cases: { items: { id: string; reference: string }[]; more: boolean }
  people: { items: { id: string }[]; more: boolean }
  incidents: { items: { id: string; reference: string }[]; more: boolean }
  locations: { items: { id: string }[]; more: boolean }
  exactMatch: { type: string; id: string; href: string } | null
}
type Agent = Awaited<ReturnType<TestApp['signInAs']>>

async function searchApi(agent: Agent, q: string, extra = ''): Promise<Found> {
  const response = await agent.json('GET', `/api/v1/search?q=${encodeURIComponent(q)}${extra}`)
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as Found
}
const ids = (section: { items: { id: string }[] }) => section.items.map((item) => item.id)

async function organisationWithOfficer() {
  const organisation = await t.factories.organisation({ type: 'council' })
  const officer = await t.signInAs(['case_manager'], { organisationId: organisation.id })
  return { organisation, officer }
}

async function caseWith(owningOrganisationId: string, options: { title?: string; reference?: string } = {}) {
  const record = await asb.case({ owningOrganisationId, title: options.title })
  const reference = options.reference ?? caseReference()
  await db().updateTable('cases').set({ reference }).where('id', '=', record.id).execute()
  return { ...record, reference }
}

async function location(address: string, postcode: string | null = null) {
  return db().insertInto('locations').values({ address, postcode }).returning(['id', 'address']).executeTakeFirstOrThrow()
}

async function incidentWith(options: { organisationId: string; recordedBy: string; caseId?: string; locationId?: string; description?: string; reference?: string }) {
  const incident = await asb.incident({ organisationId: options.organisationId, recordedBy: options.recordedBy, caseId: options.caseId, locationId: options.locationId })
  const reference = options.reference ?? incidentReference()
  await db()
    .updateTable('incidents')
    .set({ reference, ...(options.description ? { description: options.description } : {}) })
    .where('id', '=', incident.id)
    .execute()
  return { ...incident, reference }
}

describe('finding cases', () => {
  it('finds a case by its reference in full (and opens it from the page), by the start of it, and by words of its title in any order', async () => {
    const { organisation, officer } = await organisationWithOfficer()
    const tag = word()
    const record = await caseWith(organisation.id, { title: `Noise and intimidation ${tag} Beaumont Leys` })

    const byReference = await searchApi(officer, record.reference.toLowerCase())
    expect(ids(byReference.cases)).toEqual([record.id])
    expect(byReference.exactMatch).toEqual({ type: 'case', id: record.id, href: `/cases/${record.id}` })
    const page = await officer.get(`/search?q=${record.reference}`)
    expect(page.statusCode).toBe(302)
    expect(page.headers.location).toBe(`/cases/${record.id}`)

    const byStart = await searchApi(officer, record.reference.slice(0, -2))
    expect(ids(byStart.cases)).toContain(record.id)
    expect(byStart.exactMatch).toBeNull()

    const byTitle = await searchApi(officer, `beaumont ${tag.toUpperCase()} noise`)
    expect(ids(byTitle.cases)).toEqual([record.id])
    const titlePage = await officer.get(`/search?q=${encodeURIComponent(`beaumont ${tag}`)}`)
    expect(titlePage.statusCode).toBe(200)
    expect(titlePage.body).toContain(record.reference)
    expect(titlePage.body).toContain('1 case found')
  })

  it('finds a case by a short reference without the leading zeros', async () => {
    const { organisation, officer } = await organisationWithOfficer()
    const reference = `ASB-2031-0${String(randomInt(10_000, 99_999))}`
    const record = await caseWith(organisation.id, { reference })
    const found = await searchApi(officer, reference.replace('-0', '-'))
    expect(found.exactMatch?.id).toBe(record.id)
  })

  it('shows the first 10 with a link to the case list when more match', async () => {
    const { organisation, officer } = await organisationWithOfficer()
    const tag = word()
    for (let i = 0; i < 11; i++) await caseWith(organisation.id, { title: `Rowdy behaviour ${tag} number ${i}` })
    const found = await searchApi(officer, tag)
    expect(found.cases.items).toHaveLength(10)
    expect(found.cases.more).toBe(true)
    const page = await officer.get(`/search?q=${tag}`)
    expect(page.body).toContain('The first 10 cases found')
    expect(page.body).toContain(`href="/cases?view=all&amp;q=${tag}"`)
  })
})

describe('finding people', () => {
  it('finds a person by name with a typo, narrowed by date of birth', async () => {
    const { organisation, officer } = await organisationWithOfficer()
    const familyName = `Okonkwo${randomBytes(2).toString('hex')}`
    const person = await asb.person({ givenNames: 'Amira', familyName, dateOfBirth: '1985-03-27', createdByOrganisationId: organisation.id })
    const namesake = await asb.person({ givenNames: 'Amira', familyName, dateOfBirth: '1990-01-01', createdByOrganisationId: organisation.id })

    const typo = `Amria ${familyName.slice(0, 7)}${familyName.slice(8)}`
    const found = await searchApi(officer, typo)
    expect(ids(found.people)).toEqual(expect.arrayContaining([person.id, namesake.id]))

    const narrowed = await searchApi(officer, typo, '&dateOfBirth=1985-03-27')
    expect(ids(narrowed.people)).toEqual([person.id])
    const page = await officer.get(`/search?q=${encodeURIComponent(typo)}&dateOfBirth-day=27&dateOfBirth-month=3&dateOfBirth-year=1985`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`/people/${person.id}`)
    expect(page.body).not.toContain(`/people/${namesake.id}`)
    expect(page.body).toContain('Search people by address')
  })
})

describe('finding incidents and addresses', () => {
  it('finds an incident by reference, by words of its description, and by the address and postcode where it happened', async () => {
    const { organisation, officer } = await organisationWithOfficer()
    const street = word()
    const place = await location(`14 ${street} Road, Leicester`, 'LE1 6ZG')
    const incident = await incidentWith({ organisationId: organisation.id, recordedBy: officer.user.id, locationId: place.id, description: `Bins set alight behind the ${word()} shops` })
    const description = (await db().selectFrom('incidents').select('description').where('id', '=', incident.id).executeTakeFirstOrThrow()).description

    const byReference = await searchApi(officer, incident.reference)
    expect(ids(byReference.incidents)).toEqual([incident.id])
    expect(byReference.exactMatch).toEqual({ type: 'incident', id: incident.id, href: `/incidents/${incident.id}` })
    const page = await officer.get(`/search?q=${incident.reference}`)
    expect(page.headers.location).toBe(`/incidents/${incident.id}`)

    const shopWord = description.split(' ')[5]!
    expect(ids((await searchApi(officer, `alight ${shopWord}`)).incidents)).toEqual([incident.id])
    expect(ids((await searchApi(officer, `${street} road 14`)).incidents)).toEqual([incident.id])
    expect(ids((await searchApi(officer, `${street} road 15`)).incidents)).toEqual([])

    // The address page is the location's own page; postcode searches find it whatever the spacing.
    const byStreet = await searchApi(officer, `${street} road`)
    expect(ids(byStreet.locations)).toEqual([place.id])
    const byPostcode = await searchApi(officer, 'le16zg')
    expect(ids(byPostcode.locations)).toContain(place.id)
    expect(ids(byPostcode.incidents)).toContain(incident.id)
    const streetPage = await officer.get(`/search?q=${street}`)
    expect(streetPage.body).toContain(`href="/locations/${place.id}"`)
    expect(streetPage.body).toContain(`href="/incidents/${incident.id}"`)
  })

  it('finds a location by postcode, by its outward code without the neighbouring districts', async () => {
    const { organisation, officer } = await organisationWithOfficer()
    const street = word()
    const inLe1 = await location(`2 ${street} Street, Leicester`, 'LE1 7RH')
    const inLe17 = await location(`3 ${street} Street, Lutterworth`, 'le17 4aa')
    for (const place of [inLe1, inLe17]) await incidentWith({ organisationId: organisation.id, recordedBy: officer.user.id, locationId: place.id })

    expect(ids((await searchApi(officer, 'LE1 7RH')).locations)).toContain(inLe1.id)
    expect(ids((await searchApi(officer, 'LE1 7RH')).locations)).not.toContain(inLe17.id)
    const outward = ids((await searchApi(officer, 'le1')).locations)
    expect(outward).toContain(inLe1.id)
    expect(outward).not.toContain(inLe17.id)
    expect(ids((await searchApi(officer, 'LE17 4AA')).locations)).toEqual([inLe17.id])
  })
})

describe('a term too common to check every match', () => {
  it('checks a bounded number of matches and says there may be more, without showing what the user may not see', async () => {
    const { organisation, officer } = await organisationWithOfficer()
    const street = word()
    // More addresses on the street than a search reads (SEARCH_CANDIDATES), none on a record the officer can see...
    await sql`insert into locations (address) select n || ' ' || ${street}::text || ' Road, Leicester' from generate_series(1, 1001) n`.execute(db())
    const found = await searchApi(officer, `${street} road`)
    expect(found.locations).toEqual({ items: [], more: true })
    const page = await officer.get(`/search?q=${street}`)
    expect(page.body).toContain('0 addresses found, but too many records match to check them all')

    // ...and one that is, found when the words narrow the search.
    const place = await location(`1002 ${street} Road, Leicester`)
    await incidentWith({ organisationId: organisation.id, recordedBy: officer.user.id, locationId: place.id })
    expect((await searchApi(officer, `1002 ${street}`)).locations).toEqual({ items: [expect.objectContaining({ id: place.id })], more: false })
  })
})

describe('no leak through search', () => {
  it('never shows another organisation’s cases, people, incidents or addresses, on the page or the API', async () => {
    const owner = await organisationWithOfficer()
    const stranger = await organisationWithOfficer()
    const tag = word()
    const record = await caseWith(owner.organisation.id, { title: `Harassment ${tag}` })
    const person = await asb.person({ givenNames: 'Private', familyName: tag, createdByOrganisationId: owner.organisation.id })
    await asb.linkPerson(record.id, person.id, 'victim')
    const place = await location(`9 ${tag} Close, Leicester`, 'LE2 1AA')
    const incident = await incidentWith({ organisationId: owner.organisation.id, recordedBy: owner.officer.user.id, caseId: record.id, locationId: place.id, description: `Shouting ${tag}` })

    const ownView = await searchApi(owner.officer, tag)
    expect(ids(ownView.cases)).toEqual([record.id])
    expect(ids(ownView.people)).toEqual([person.id])
    expect(ids(ownView.incidents)).toEqual([incident.id])
    expect(ids(ownView.locations)).toEqual([place.id])

    for (const q of [tag, record.reference, incident.reference, `Private ${tag}`, `${tag} close`]) {
      const found = await searchApi(stranger.officer, q)
      expect(found, q).toEqual({ cases: { items: [], more: false }, people: { items: [], more: false }, incidents: { items: [], more: false }, locations: { items: [], more: false }, exactMatch: null })
      const page = await stranger.officer.get(`/search?q=${encodeURIComponent(q)}`)
      expect(page.statusCode, q).toBe(200)
      for (const secret of [record.id, person.id, incident.id, place.id, `Harassment ${tag}`, `${tag} Close`]) expect(page.body, `${q}: ${secret}`).not.toContain(secret)
    }
  })

  it('shows a shared case, and what is on it, to the partner it is shared with, and stops when the share is revoked', async () => {
    const owner = await organisationWithOfficer()
    const partner = await organisationWithOfficer()
    const tag = word()
    const record = await caseWith(owner.organisation.id, { title: `Drug dealing ${tag}` })
    const person = await asb.person({ givenNames: 'Shared', familyName: tag, createdByOrganisationId: owner.organisation.id })
    await asb.linkPerson(record.id, person.id, 'perpetrator')
    const place = await location(`1 ${tag} Walk, Leicester`)
    const incident = await incidentWith({ organisationId: owner.organisation.id, recordedBy: owner.officer.user.id, caseId: record.id, locationId: place.id })
    expect(ids((await searchApi(partner.officer, tag)).cases)).toEqual([])

    await asb.share(record.id, partner.organisation.id, owner.officer.user.id)
    const found = await searchApi(partner.officer, tag)
    expect(ids(found.cases)).toEqual([record.id])
    expect(ids(found.people)).toEqual([person.id])
    expect(ids(found.incidents)).toEqual([incident.id])
    expect(ids(found.locations)).toEqual([place.id])
    expect((await partner.officer.get(`/search?q=${record.reference}`)).headers.location).toBe(`/cases/${record.id}`)

    await db().updateTable('case_shares').set({ revoked_at: new Date(), revoked_by: owner.officer.user.id }).where('case_id', '=', record.id).execute()
    const after = await searchApi(partner.officer, tag)
    expect([...ids(after.cases), ...ids(after.people), ...ids(after.incidents), ...ids(after.locations)]).toEqual([])
  })
})

describe('the search form', () => {
  it('opens empty without an error, and audits nothing', async () => {
    const { officer } = await organisationWithOfficer()
    const page = await officer.get('/search')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Search cases, people, incidents and addresses')
    expect(page.body).not.toContain('There is a problem')
    expect(await db().selectFrom('audit_events').select('id').where('action', '=', 'cases.searched').where('user_id', '=', officer.user.id).execute()).toEqual([])
  })

  it('shows a GOV.UK error for an empty, too short or too long term, or a date of birth that is not real, and a 400 from the API', async () => {
    const { officer } = await organisationWithOfficer()
    for (const [query, message] of [
      ['q=', MESSAGES.qMissing],
      ['q=%20%20', MESSAGES.qMissing],
      ['q=a', MESSAGES.qShort],
      [`q=${'a'.repeat(201)}`, MESSAGES.qLong],
      ['q=Smith&dateOfBirth-day=31&dateOfBirth-month=2&dateOfBirth-year=1990', MESSAGES.dateOfBirth],
    ] as const) {
      const page = await officer.get(`/search?${query}`)
      expect(page.statusCode, query).toBe(400)
      expect(page.body).toContain('There is a problem')
      expect(page.body).toContain(message)
      expect(page.body).toContain('govuk-error-message')
      // The summary links to the first box of the date input, as the GOV.UK pattern asks.
      if (query.includes('dateOfBirth')) expect(page.body).toContain('href="#dateOfBirth-day"')
    }
    for (const query of ['', 'q=', 'q=a', 'q=Smith&dateOfBirth=1990-02-31', 'q=Smith&dateOfBirth=2999-01-01']) {
      const response = await officer.json('GET', `/api/v1/search?${query}`)
      expect(response.statusCode, query).toBe(400)
      expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' })
    }
    expect(await db().selectFrom('audit_events').select('id').where('action', '=', 'cases.searched').where('user_id', '=', officer.user.id).execute()).toEqual([])
  })

  it('audits each search with one row of counts, never the terms', async () => {
    const { organisation, officer } = await organisationWithOfficer()
    const tag = word()
    await caseWith(organisation.id, { title: `Graffiti ${tag}` })
    await asb.person({ givenNames: 'Audited', familyName: tag, createdByOrganisationId: organisation.id })
    await officer.get(`/search?q=${tag}&dateOfBirth-day=&dateOfBirth-month=&dateOfBirth-year=`)
    const rows = await db().selectFrom('audit_events').select(['record_type', 'details']).where('action', '=', 'cases.searched').where('user_id', '=', officer.user.id).execute()
    expect(rows.map((row) => row.record_type)).toEqual(['search'])
    const search = rows.find((row) => row.record_type === 'search')
    expect(search?.details).toEqual({ cases: 1, people: 1, incidents: 0, locations: 0, more: [], dateOfBirthGiven: false })
    expect(JSON.stringify(rows).toLowerCase()).not.toContain(tag.toLowerCase())
  })
})

describe('where search is offered', () => {
  it('shows Search in the navigation and on the home page only to users who may read cases, and refuses the others', async () => {
    const viewer = await t.signInAs(['case_viewer'])
    const home = await viewer.get('/')
    expect(home.body).toMatch(/<a class="govuk-service-navigation__link" href="\/search"/)
    expect(home.body).toContain('action="/search"')
    const admin = await t.signInAs(['admin'])
    const adminHome = await admin.get('/admin/users')
    expect(adminHome.statusCode).toBe(200)
    expect(adminHome.body).not.toContain('href="/search"')
    expect((await admin.get('/')).body).not.toContain('action="/search"')
    expect((await admin.get('/search?q=Smith')).statusCode).toBe(403)
    expect((await admin.json('GET', '/api/v1/search?q=Smith')).statusCode).toBe(403)
  })

  it('is described in the OpenAPI document', async () => {
    const viewer = await t.signInAs(['case_viewer'])
    const document = (await viewer.get('/api/v1/openapi.json')).json() as { paths: Record<string, { get?: { parameters?: { name: string }[] } }> }
    expect(document.paths['/api/v1/search']?.get?.parameters?.map((parameter) => parameter.name)).toEqual(expect.arrayContaining(['q', 'dateOfBirth']))
  })
})
