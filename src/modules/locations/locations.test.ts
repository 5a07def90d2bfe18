import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { type AsbFactories, asbFactories } from '../../../test/helpers/asb-factories.js'
import { findOrCreateLocation } from './locations.service.js'

type SignedIn = Agent & { user: { id: string; organisationId: string } }

let t: TestApp
let asb: AsbFactories
let orgA: { id: string }
let orgB: { id: string }
let managerA: SignedIn
let managerB: SignedIn

const db = () => t.testDb.database.db

beforeAll(async () => {
  t = await createTestApp()
  asb = asbFactories(db())
  orgA = await t.factories.organisation()
  orgB = await t.factories.organisation()
  managerA = await t.signInAs(['case_manager'], { organisationId: orgA.id })
  managerB = await t.signInAs(['case_viewer'], { organisationId: orgB.id })
})
afterAll(() => t.close())

describe('finding or making a location', () => {
  it('treats the same address typed differently as one location', async () => {
    const first = await findOrCreateLocation(db(), { address: '5 Gallowtree Gate, Leicester', postcode: 'LE1 5AD' })
    const second = await findOrCreateLocation(db(), { address: '  5 GALLOWTREE   gate, leicester ', postcode: 'LE1 5AD' })
    expect(second).toBe(first)
    const otherPostcode = await findOrCreateLocation(db(), { address: '5 Gallowtree Gate, Leicester', postcode: 'LE2 1AA' })
    expect(otherPostcode).not.toBe(first)
  })

  it('fills district, ward and LSOA from coordinates, including for an address first typed without them', async () => {
    const id = await findOrCreateLocation(db(), { address: 'Clock Tower, Leicester' })
    expect((await db().selectFrom('locations').select('district_code').where('id', '=', id).executeTakeFirstOrThrow()).district_code).toBeNull()
    expect(await findOrCreateLocation(db(), { address: 'Clock Tower, Leicester', latitude: 52.6366, longitude: -1.1358 })).toBe(id)
    const row = await db().selectFrom('locations').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row.district_code).toBe('E06000016')
    expect(row.ward_name).toBe('Castle')
    expect(row.lsoa_code).toMatch(/^E01/)
  })

  it('keeps a point outside the area without a district', async () => {
    const id = await findOrCreateLocation(db(), { address: '10 Downing Street, London', latitude: 51.5034, longitude: -0.1276 })
    const row = await db().selectFrom('locations').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row.latitude).toBe(51.5034)
    expect(row.district_code).toBeNull()
  })
})

describe('the address page', () => {
  it('lists repeat incidents the user may see, newest first, and hides the rest', async () => {
    const body = (occurredAt: string, description: string) => ({
      occurredAt,
      channel: 'phone',
      typeCode: 'youth_related',
      description,
      address: '1 Market Place, Oakham',
      postcode: 'LE15 6DT',
      latitude: 52.6703,
      longitude: -0.7286,
    })
    const older = (await managerA.json('POST', '/api/v1/incidents', body('2025-03-01T20:00:00Z', 'Group shouting'))).json()
    const newer = (await managerA.json('POST', '/api/v1/incidents', body('2025-04-01T20:00:00Z', 'Fireworks thrown'))).json()
    expect(newer.locationId).toBe(older.locationId)
    expect(newer.districtCode).toBe('E06000017')
    const otherOrgs = await asb.incident({ organisationId: orgB.id, recordedBy: managerB.user.id, locationId: older.locationId })

    const page = await managerA.get(`/locations/${older.locationId}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('1 Market Place, Oakham')
    expect(page.body).toContain('Rutland')
    expect(page.body).toContain('2 incidents, newest first')
    expect(page.body).toContain('repeat location')
    expect(page.body.indexOf(newer.reference)).toBeLessThan(page.body.indexOf(older.reference))
    expect(page.body).not.toContain(otherOrgs.reference)
    const audit = await db().selectFrom('audit_events').selectAll().where('action', '=', 'location.viewed').where('record_id', '=', older.locationId).execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.details).toEqual({ incidents: 2 })
  })

  it('is not found for an address seen only through another organisation’s records, or unknown', async () => {
    const location = await asb.location()
    await asb.incident({ organisationId: orgA.id, recordedBy: managerA.user.id, locationId: location.id })
    expect((await managerB.get(`/locations/${location.id}`)).statusCode).toBe(404)
    expect((await managerB.get('/locations/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404)
    expect((await managerA.get(`/locations/${location.id}`)).statusCode).toBe(200)
  })

  it('becomes visible through a case shared with the organisation', async () => {
    const location = await asb.location()
    const caseRow = await asb.case({ owningOrganisationId: orgA.id })
    const incident = await asb.incident({ organisationId: orgA.id, recordedBy: managerA.user.id, locationId: location.id, caseId: caseRow.id })
    await asb.share(caseRow.id, orgB.id, managerA.user.id)
    const page = await managerB.get(`/locations/${location.id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(incident.reference)
  })
})
