import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays, todayInLondon } from '../../platform/dates.js'
import { createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { asbFactories } from '../../../test/helpers/asb-factories.js'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const dateFields = (prefix: string, iso: string) => {
  const [year, month, day] = iso.split('-')
  return { [`${prefix}-day`]: String(Number(day)), [`${prefix}-month`]: String(Number(month)), [`${prefix}-year`]: year! }
}
// Days as the service counts them: in UK time.
const isoInDays = (days: number) => addDays(todayInLondon(), days)

describe('information sharing agreements', () => {
  it('lets an admin record an agreement that opens the sharing organisation’s cases to the receiver, then end it', async () => {
    const admin = await t.signInAs(['admin'])
    const council = await t.factories.organisation({ type: 'council' })
    const housing = await t.factories.organisation({ type: 'housing_provider' })
    const housingOfficer = await t.signInAs(['case_manager'], { organisationId: housing.id })
    const record = await asbFactories(t.testDb.database.db).case({ owningOrganisationId: council.id })
    expect((await housingOfficer.get(`/cases/${record.id}`)).statusCode).toBe(404)

    const response = await admin.submit('/admin/sharing-agreements/new', {
      name: 'Tenancy ASB ISA 2026',
      purpose: 'Tenancy enforcement for ASB perpetrators',
      sharingOrganisationId: council.id,
      receivingOrganisationId: housing.id,
      ...dateFields('startsOn', isoInDays(0)),
    })
    expect(response.statusCode).toBe(302)
    expect((await housingOfficer.get(`/cases/${record.id}`)).statusCode).toBe(200)
    const list = await admin.get('/admin/sharing-agreements')
    expect(list.body).toContain('Tenancy ASB ISA 2026')
    expect(list.body).toContain('In force')

    const agreement = await t.testDb.database.db.selectFrom('sharing_agreements').select('id').where('name', '=', 'Tenancy ASB ISA 2026').executeTakeFirstOrThrow()
    const audit = await t.testDb.database.db.selectFrom('audit_events').select('action').where('record_id', '=', agreement.id).execute()
    expect(audit.map((row) => row.action)).toEqual(['sharing_agreement.created'])
    // Ended today: still in force until midnight, by design, so officers are not cut off mid-task.
    expect((await admin.submit(`/admin/sharing-agreements/${agreement.id}/end`, {}, { formPage: '/admin/sharing-agreements' })).statusCode).toBe(302)
    const row = await t.testDb.database.db.selectFrom('sharing_agreements').select('ends_on').where('id', '=', agreement.id).executeTakeFirstOrThrow()
    expect(row.ends_on).toBe(isoInDays(0))
  })

  it('refuses the same organisation twice, an end before the start and an impossible date', async () => {
    const admin = await t.signInAs(['admin'])
    const council = await t.factories.organisation()
    const other = await t.factories.organisation()
    const same = await admin.submit('/admin/sharing-agreements/new', { name: 'x', purpose: 'y', sharingOrganisationId: council.id, receivingOrganisationId: council.id, ...dateFields('startsOn', '2026-04-01') })
    expect(same.statusCode).toBe(400)
    expect(same.body).toContain('Choose two different organisations')
    const backwards = await admin.submit('/admin/sharing-agreements/new', { name: 'x', purpose: 'y', sharingOrganisationId: council.id, receivingOrganisationId: other.id, ...dateFields('startsOn', '2026-04-01'), ...dateFields('endsOn', '2026-03-01') })
    expect(backwards.statusCode).toBe(400)
    expect(backwards.body).toContain('The end date must be the same as or after the start date')
    const impossible = await admin.submit('/admin/sharing-agreements/new', { name: 'x', purpose: 'y', sharingOrganisationId: council.id, receivingOrganisationId: other.id, 'startsOn-day': '30', 'startsOn-month': '2', 'startsOn-year': '2026' })
    expect(impossible.statusCode).toBe(400)
    expect(impossible.body).toContain('Enter a real start date')
    expect(await t.testDb.database.db.selectFrom('sharing_agreements').select('id').where('name', '=', 'x').execute()).toHaveLength(0)
  })

  it('is for administrators only', async () => {
    const officer = await t.signInAs(['case_manager'])
    expect((await officer.get('/admin/sharing-agreements')).statusCode).toBe(403)
  })
})
