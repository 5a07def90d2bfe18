import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { asbFactories } from '../../../test/helpers/asb-factories.js'
import { isRealDate } from '../dates.js'
import { dateFromParts, isoDate, isoDateTime } from './date-input.js'

describe("the one rule for a date's range (1900 to 2100)", () => {
  it.each([
    ['1900-01-01', true],
    ['2100-12-31', true],
    ['2026-02-28', true],
    ['0000-01-01', false],
    ['1899-12-31', false],
    ['2101-01-01', false],
    ['9999-12-31', false],
    ['2026-02-30', false],
  ])('%s is a date the service takes: %s', (iso, expected) => {
    expect(isRealDate(iso)).toBe(expected)
    expect(isoDate('Enter a real date').safeParse(iso).success).toBe(expected)
    expect(dateFromParts({ 'on-day': iso.slice(8), 'on-month': iso.slice(5, 7), 'on-year': iso.slice(0, 4) }, 'on')).toBe(expected ? iso : 'invalid')
  })

  it('applies to instants too, by their UTC date', () => {
    const schema = isoDateTime('Enter a real date and time')
    expect(schema.parse('2026-03-27T21:30:00Z')).toEqual(new Date('2026-03-27T21:30:00Z'))
    for (const bad of ['0000-01-01T00:00:00Z', '1899-12-31T23:59:59Z', '2101-01-01T00:00:00-01:00', '2026-02-30T10:00:00Z', 'a\r\n\tb', 'not a date']) {
      expect(schema.safeParse(bad).error?.issues[0]?.message).toBe('Enter a real date and time')
    }
  })
})

describe('year 0000 and other dates out of range, at the routes', () => {
  let t: TestApp
  let manager: Agent & { user: { id: string; organisationId: string } }

  beforeAll(async () => {
    t = await createTestApp()
    manager = await t.signInAs(['case_manager'])
  })
  afterAll(() => t.close())

  const asb = () => asbFactories(t.testDb.database.db)

  it('refuses them on the incidents API, in the body and in the filters', async () => {
    const body = { occurredAt: '0000-01-01T00:00:00Z', channel: 'online', typeCode: 'graffiti', description: 'Tags on the shelter', locationText: 'Bus shelter on London Road' }
    const created = await manager.json('POST', '/api/v1/incidents', body)
    expect(created.statusCode).toBe(400)
    expect(created.json().message).toContain('occurredAt must be a real date and time in ISO 8601, like 2026-03-27T21:30:00Z, between 1900 and 2100')
    const listed = await manager.json('GET', '/api/v1/incidents?from=0000-01-01')
    expect(listed.statusCode).toBe(400)
    expect(listed.json().message).toBe('from: Enter dates as YYYY-MM-DD, between 1900 and 2100')
  })

  it('refuses them on the interventions API', async () => {
    const kase = await asb().case({ owningOrganisationId: manager.user.organisationId })
    const person = await asb().person()
    await asb().linkPerson(kase.id, person.id, 'perpetrator')
    const response = await manager.json('POST', `/api/v1/cases/${kase.id}/interventions`, { typeCode: 'cpw', personId: person.id, issuedOn: '0000-01-01' })
    expect(response.statusCode).toBe(400)
    expect(response.json().message).toBe('issuedOn: Dates must be real dates in the format YYYY-MM-DD, between 1900 and 2100')
  })

  it('shows a GOV.UK error on a form with a date input, and saves nothing', async () => {
    const kase = await asb().case({ owningOrganisationId: manager.user.organisationId })
    for (const year of ['0000', '2101']) {
      const response = await manager.submit(`/cases/${kase.id}/tasks/new`, { title: 'Visit', assignedTo: manager.user.id, 'dueOn-day': '1', 'dueOn-month': '1', 'dueOn-year': year }, { formPage: `/cases/${kase.id}/tasks/new` })
      expect(response.statusCode).toBe(400)
      expect(response.body).toContain('govuk-error-summary')
      expect(response.body).toContain('Enter a real due date')
    }
    expect(await t.testDb.database.db.selectFrom('tasks').select('id').where('case_id', '=', kase.id).execute()).toEqual([])
  })

  it('says a date of birth must be after 1900', async () => {
    const response = await manager.submit('/people/new', { givenNames: 'Ada', familyName: 'Old', 'dateOfBirth-day': '1', 'dateOfBirth-month': '1', 'dateOfBirth-year': '0000' }, { formPage: '/people/new' })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('Date of birth must be after 1900')
  })
})
