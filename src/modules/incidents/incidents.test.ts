import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { type AsbFactories, asbFactories } from '../../../test/helpers/asb-factories.js'
import { createViewEnvironment } from '../../platform/views/views.js'
import { incidentTypes } from './incidents.service.js'
import { MESSAGES, ukParts } from './incidents.schemas.js'

type SignedIn = Agent & { user: { id: string; organisationId: string } }

let t: TestApp
let asb: AsbFactories
let orgA: { id: string }
let orgB: { id: string }
let managerA: SignedIn
let managerB: SignedIn
let viewerA: SignedIn

const db = () => t.testDb.database.db

beforeAll(async () => {
  t = await createTestApp()
  asb = asbFactories(db())
  orgA = await t.factories.organisation()
  orgB = await t.factories.organisation()
  managerA = await t.signInAs(['case_manager'], { organisationId: orgA.id })
  managerB = await t.signInAs(['case_manager'], { organisationId: orgB.id })
  viewerA = await t.signInAs(['case_viewer'], { organisationId: orgA.id })
})
afterAll(() => t.close())

const yesterday = () => ukParts(new Date(Date.now() - 86_400_000))
const today = () => ukParts(new Date())

/** A valid form post: it happened yesterday at 21:30, reported today. */
function formFields(overrides: Record<string, string | string[]> = {}) {
  const then = yesterday()
  const now = today()
  return {
    'occurred-day': then.day,
    'occurred-month': then.month,
    'occurred-year': then.year,
    occurredTime: '21:30',
    'reported-day': now.day,
    'reported-month': now.month,
    'reported-year': now.year,
    reportedTime: '00:00',
    channel: 'phone',
    typeCode: 'noise',
    hateMotivated: 'no',
    description: 'Loud music from the flat above until 3am',
    address: '12 Granby Street, Leicester',
    postcode: 'le1 6ew',
    ...overrides,
  }
}

function apiBody(overrides: Record<string, unknown> = {}) {
  return {
    occurredAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
    channel: 'online',
    typeCode: 'graffiti',
    description: 'Tags sprayed on the bus shelter',
    locationText: 'Bus shelter on London Road',
    ...overrides,
  }
}

function fieldError(body: string, id: string) {
  return new RegExp(`<p id="${id}-error" class="govuk-error-message">[\\s\\S]*?</span>([^<]*)</p>`).exec(body)?.[1]?.trim()
}

async function auditRows(action: string, recordId: string) {
  return db().selectFrom('audit_events').selectAll().where('action', '=', action).where('record_id', '=', recordId).execute()
}

describe('recording an incident with the form', () => {
  it('records it with a reference, category from the type, location and audit row, then shows it', async () => {
    const page = await managerA.get('/incidents/new')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('name="reported-day" type="text" value="' + today().day)
    // The strands are revealed by answering yes.
    expect(page.body).toMatch(/id="conditional-hateMotivated"[\s\S]*name="hateStrands" type="checkbox" value="race"/)

    const response = await managerA.submit('/incidents/new', formFields({ hateMotivated: 'yes', hateStrands: ['race', 'religion'] }))
    expect(response.statusCode).toBe(302)
    const id = /\/incidents\/([0-9a-f-]{36})\?recorded=1/.exec(response.headers.location as string)![1]!
    const row = await db().selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row.reference).toMatch(new RegExp(`^INC-${today().year}-\\d{6}$`))
    expect(row.category).toBe('nuisance')
    expect(row.organisation_id).toBe(orgA.id)
    expect(row.recorded_by).toBe(managerA.user.id)
    expect(row.hate_strands).toEqual(['race', 'religion'])
    expect(ukParts(row.occurred_at).time).toBe('21:30')
    const location = await db().selectFrom('locations').selectAll().where('id', '=', row.location_id!).executeTakeFirstOrThrow()
    expect(location.postcode).toBe('LE1 6EW')
    expect(await auditRows('incident.recorded', id)).toHaveLength(1)

    const shown = await managerA.get(`/incidents/${id}`)
    expect(shown.statusCode).toBe(200)
    expect(shown.body).toContain(row.reference)
    expect(shown.body).toContain('Yes: Race, Religion or belief')
    expect(shown.body).toContain(`/locations/${location.id}`)
    expect(await auditRows('incident.viewed', id)).toHaveLength(1)
  })

  it('escapes what officers type', async () => {
    const response = await managerA.submit('/incidents/new', formFields({ description: '<script>alert(1)</script>', address: '<b>9</b> Belgrave Gate' }))
    const id = /\/incidents\/([0-9a-f-]{36})/.exec(response.headers.location as string)![1]!
    const shown = await managerA.get(`/incidents/${id}`)
    expect(shown.body).not.toContain('<script>alert(1)</script>')
    expect(shown.body).toContain('&lt;script&gt;')
    expect(shown.body).not.toContain('<b>9</b>')
    expect((await managerA.get('/incidents')).body).not.toContain('<b>9</b>')
  })

  it('refuses an incident that happened after it was reported, on the date it happened', async () => {
    const now = today()
    const then = yesterday()
    const response = await managerA.submit(
      '/incidents/new',
      formFields({ 'occurred-day': now.day, 'occurred-month': now.month, 'occurred-year': now.year, occurredTime: '00:01', 'reported-day': then.day, 'reported-month': then.month, 'reported-year': then.year, reportedTime: '23:00' }),
    )
    expect(response.statusCode).toBe(400)
    expect(fieldError(response.body, 'occurred')).toBe(MESSAGES.occurredAfterReported)
    expect(response.body).toContain('href="#occurred-day"')
    expect(response.body).toContain('Loud music from the flat above')
  })

  it('refuses dates in the future', async () => {
    const next = ukParts(new Date(Date.now() + 3 * 86_400_000))
    const future = { day: next.day, month: next.month, year: next.year }
    const response = await managerA.submit(
      '/incidents/new',
      formFields({ 'occurred-day': future.day, 'occurred-month': future.month, 'occurred-year': future.year, 'reported-day': future.day, 'reported-month': future.month, 'reported-year': future.year }),
    )
    expect(response.statusCode).toBe(400)
    expect(fieldError(response.body, 'occurred')).toBe(MESSAGES.occurredInFuture)
    expect(fieldError(response.body, 'reported')).toBe(MESSAGES.reportedInFuture)
  })

  it('refuses an impossible date, a missing time and an unknown type', async () => {
    const impossible = await managerA.submit('/incidents/new', formFields({ 'occurred-day': '31', 'occurred-month': '2', 'occurred-year': '2025', occurredTime: '' }))
    expect(impossible.statusCode).toBe(400)
    expect(fieldError(impossible.body, 'occurred')).toBe('The date it happened must be a real date')
    expect(fieldError(impossible.body, 'occurredTime')).toBe('Enter the time it happened')

    const unknownType = await managerA.submit('/incidents/new', formFields({ typeCode: 'not_a_type' }))
    expect(unknownType.statusCode).toBe(400)
    expect(fieldError(unknownType.body, 'typeCode')).toBe(MESSAGES.type)

    const noType = await managerA.submit('/incidents/new', formFields({ typeCode: '' }))
    expect(fieldError(noType.body, 'typeCode')).toBe(MESSAGES.type)
  })

  it('needs a strand for a hate incident, and a place', async () => {
    const response = await managerA.submit('/incidents/new', formFields({ hateMotivated: 'yes', address: '', postcode: '' }))
    expect(response.statusCode).toBe(400)
    expect(fieldError(response.body, 'hateStrands')).toBe(MESSAGES.hateStrand)
    expect(fieldError(response.body, 'address')).toBe(MESSAGES.location)
  })

  it('records straight onto a case, with a timeline line', async () => {
    const caseRow = await asb.case({ owningOrganisationId: orgA.id })
    const page = await managerA.get(`/incidents/new?caseId=${caseRow.id}`)
    expect(page.body).toContain(caseRow.reference)
    const response = await managerA.submit('/incidents/new', formFields({ caseId: caseRow.id }))
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/cases/${caseRow.id}?incident=recorded`)
    const events = await db().selectFrom('case_events').selectAll().where('case_id', '=', caseRow.id).where('kind', '=', 'incident').execute()
    expect(events).toHaveLength(1)
    const panel = await t.services.incidents.forCase({ userId: managerA.user.id, organisationId: orgA.id, ip: null }, caseRow.id)
    expect(panel).toHaveLength(1)
    expect(panel[0]!.typeLabel).toBe('Noise')

    const env = createViewEnvironment()
    const context = { panels: { incidents: panel }, caseRecord: { id: caseRow.id, reference: caseRow.reference, status: 'open', isOwner: true }, csrfToken: 'x' }
    const html = env.render('incidents/views/case-panel.njk', { ...context, canContribute: true })
    expect(html).toContain('<h2 class="govuk-heading-m" id="incidents-heading">Incidents</h2>')
    expect(html).toContain(panel[0]!.reference)
    expect(html).toContain('12 Granby Street, Leicester')
    expect(html).toContain(`/incidents/new?caseId=${caseRow.id}`)
    expect(env.render('incidents/views/case-panel.njk', { ...context, canContribute: false })).not.toContain('/incidents/new')
  })

  it('refuses to record onto a case another organisation cannot see, or a closed case', async () => {
    const caseRow = await asb.case({ owningOrganisationId: orgA.id })
    expect((await managerB.submit('/incidents/new', formFields({ caseId: caseRow.id }), { formPage: '/incidents/new' })).statusCode).toBe(404)
    const closed = await asb.case({ owningOrganisationId: orgA.id, status: 'closed' })
    expect((await managerA.submit('/incidents/new', formFields({ caseId: closed.id }), { formPage: '/incidents/new' })).statusCode).toBe(409)
  })

  it('refuses a reporting person the organisation cannot see', async () => {
    const hidden = await asb.person({ createdByOrganisationId: orgB.id })
    const response = await managerA.submit('/incidents/new', formFields({ reportingPersonId: hidden.id }))
    expect(response.statusCode).toBe(400)
    const own = await asb.person({ createdByOrganisationId: orgA.id })
    expect((await managerA.submit('/incidents/new', formFields({ reportingPersonId: own.id }))).statusCode).toBe(302)
  })

  it('is refused to a case viewer', async () => {
    expect((await viewerA.get('/incidents/new')).statusCode).toBe(403)
    expect((await viewerA.submit('/incidents/new', formFields(), { formPage: '/incidents' })).statusCode).toBe(403)
    expect((await viewerA.json('POST', '/api/v1/incidents', apiBody())).statusCode).toBe(403)
  })
})

describe('the API', () => {
  it('records an incident (201) and reads it back', async () => {
    const response = await managerA.json('POST', '/api/v1/incidents', apiBody({ hateMotivated: true, hateStrands: ['disability'] }))
    expect(response.statusCode).toBe(201)
    const body = response.json()
    expect(body.reference).toMatch(/^INC-\d{4}-\d{6}$/)
    expect(body.category).toBe('environmental')
    expect(body.hateStrands).toEqual(['disability'])
    expect(body.locationText).toBe('Bus shelter on London Road')
    const read = await managerA.json('GET', `/api/v1/incidents/${body.id}`)
    expect(read.statusCode).toBe(200)
    expect(read.json().description).toBe('Tags sprayed on the bus shelter')
  })

  it('refuses bad input with 400 JSON', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ occurredAt: new Date(Date.now() - 3_600_000).toISOString(), reportedAt: new Date(Date.now() - 7_200_000).toISOString() }, MESSAGES.occurredAfterReported],
      [{ occurredAt: new Date(Date.now() + 86_400_000).toISOString() }, MESSAGES.occurredInFuture],
      [{ typeCode: 'nope' }, MESSAGES.type],
      [{ hateMotivated: true }, MESSAGES.hateStrand],
      [{ occurredAt: '2025-02-31T10:00:00Z' }, 'occurredAt'],
    ]
    for (const [overrides, message] of cases) {
      const response = await managerA.json('POST', '/api/v1/incidents', apiBody(overrides))
      expect(response.statusCode, message).toBe(400)
      expect(response.json().message).toContain(message)
    }
  })

  it('is documented in the OpenAPI description under Incidents', async () => {
    const spec = (await managerA.json('GET', '/api/v1/openapi.json')).json()
    for (const path of ['/api/v1/incidents', '/api/v1/incidents/{id}', '/api/v1/incidents/{id}/link', '/api/v1/incident-types']) expect(spec.paths[path], path).toBeDefined()
    expect(spec.paths['/api/v1/incidents'].post.tags).toEqual(['Incidents'])
  })

  it('lists incident types', async () => {
    const response = await managerA.json('GET', '/api/v1/incident-types')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toContainEqual({ code: 'noise', label: 'Noise', category: 'nuisance' })
    expect(await incidentTypes(db())).toHaveLength(response.json().length)
  })
})

describe('scope', () => {
  it('hides an organisation’s incidents from another organisation, until they are on a case shared with it', async () => {
    const caseRow = await asb.case({ owningOrganisationId: orgA.id })
    const incident = await asb.incident({ organisationId: orgA.id, recordedBy: managerA.user.id, typeCode: 'drug_related' })

    expect((await managerB.get(`/incidents/${incident.id}`)).statusCode).toBe(404)
    const apiRead = await managerB.json('GET', `/api/v1/incidents/${incident.id}`)
    expect(apiRead.statusCode).toBe(404)
    expect(apiRead.json().message).toBe('Incident not found')
    expect((await managerB.get('/incidents')).body).not.toContain(incident.reference)
    expect((await managerB.json('GET', '/api/v1/incidents?type=drug_related')).json().items.map((item: { id: string }) => item.id)).not.toContain(incident.id)
    expect((await managerA.get('/incidents')).body).toContain(incident.reference)

    const linked = await managerA.json('POST', `/api/v1/incidents/${incident.id}/link`, { caseId: caseRow.id })
    expect(linked.statusCode).toBe(200)
    expect(linked.json().caseId).toBe(caseRow.id)
    expect(await auditRows('incident.linked', incident.id)).toHaveLength(1)
    expect((await managerB.get(`/incidents/${incident.id}`)).statusCode).toBe(404)

    await asb.share(caseRow.id, orgB.id, managerA.user.id)
    expect((await managerB.get(`/incidents/${incident.id}`)).statusCode).toBe(200)
    expect((await managerB.get('/incidents')).body).toContain(incident.reference)
  })

  it('links from the incident page by case reference, once only', async () => {
    const caseRow = await asb.case({ owningOrganisationId: orgA.id })
    const other = await asb.case({ owningOrganisationId: orgB.id })
    const incident = await asb.incident({ organisationId: orgA.id, recordedBy: managerA.user.id })

    const invisible = await managerA.submit(`/incidents/${incident.id}/link`, { caseReference: other.reference }, { formPage: `/incidents/${incident.id}` })
    expect(invisible.statusCode).toBe(400)
    expect(fieldError(invisible.body, 'caseReference')).toContain('Enter the reference of a case you can see')

    const response = await managerA.submit(`/incidents/${incident.id}/link`, { caseReference: caseRow.reference.toLowerCase() }, { formPage: `/incidents/${incident.id}` })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/cases/${caseRow.id}?incident=linked`)
    expect(await db().selectFrom('case_events').select('summary').where('case_id', '=', caseRow.id).execute()).toHaveLength(1)

    const again = await managerA.json('POST', `/api/v1/incidents/${incident.id}/link`, { caseId: caseRow.id })
    expect(again.statusCode).toBe(409)
    expect((await managerB.json('POST', `/api/v1/incidents/${incident.id}/link`, { caseId: other.id })).statusCode).toBe(404)
    expect((await viewerA.json('POST', `/api/v1/incidents/${incident.id}/link`, { caseId: caseRow.id })).statusCode).toBe(403)
  })

  it('filters the list by type, category, hate and date, newest first', async () => {
    const org = await t.factories.organisation()
    const manager = await t.signInAs(['case_manager'], { organisationId: org.id })
    const record = (overrides: Record<string, unknown>) => manager.json('POST', '/api/v1/incidents', apiBody(overrides)).then((response) => response.json())
    const old = await record({ occurredAt: '2025-01-10T12:00:00Z', typeCode: 'fly_tipping' })
    const hate = await record({ occurredAt: '2025-06-10T12:00:00Z', typeCode: 'hate_incident', hateMotivated: true, hateStrands: ['race'] })
    const recent = await record({ typeCode: 'noise' })
    const ids = async (query: string) => (await manager.json('GET', `/api/v1/incidents${query}`)).json().items.map((item: { id: string }) => item.id)

    expect(await ids('')).toEqual([recent.id, hate.id, old.id])
    expect(await ids('?type=fly_tipping')).toEqual([old.id])
    expect(await ids('?category=personal')).toEqual([hate.id])
    expect(await ids('?hateMotivated=yes')).toEqual([hate.id])
    expect(await ids('?from=2025-01-01&to=2025-06-10')).toEqual([hate.id, old.id])
    expect(await ids('?to=2025-06-09')).toEqual([old.id])
    expect((await manager.json('GET', '/api/v1/incidents?from=2025-02-31')).statusCode).toBe(400)
    const page = await manager.get('/incidents?hateMotivated=yes')
    expect(page.body).toContain(hate.reference)
    expect(page.body).not.toContain(old.reference)
  })

  it('gives the case panel only to organisations that can see the case', async () => {
    const caseRow = await asb.case({ owningOrganisationId: orgA.id })
    await expect(t.services.incidents.forCase({ userId: managerB.user.id, organisationId: orgB.id, ip: null }, caseRow.id)).rejects.toThrow('Case not found')
  })
})
