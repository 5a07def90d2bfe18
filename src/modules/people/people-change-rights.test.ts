import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { type AsbFactories, asbFactories } from '../../../test/helpers/asb-factories.js'

// Issue 12: seeing a person through a case another organisation shared is not the right to change its record.

let t: TestApp
let asb: AsbFactories
type SignedIn = Agent & { user: { id: string; email: string; organisationId: string } }
let council: SignedIn
let police: SignedIn

beforeAll(async () => {
  t = await createTestApp()
  asb = asbFactories(t.testDb.database.db)
  council = await t.signInAs(['case_manager'])
  police = await t.signInAs(['case_manager'])
})
afterAll(() => t.close())

const tag = () => randomUUID().slice(0, 6).replace(/\d/g, (digit) => 'abcdefghij'[Number(digit)]!)

/** The council's victim on a council case shared with the police at the given level. */
async function councilVictim(access: 'read' | 'contribute' | 'full') {
  const familyName = `Victim${tag()}`
  const person = await asb.person({ givenNames: 'Ruth', familyName, createdByOrganisationId: council.user.organisationId })
  const record = await asb.case({ owningOrganisationId: council.user.organisationId })
  await asb.linkPerson(record.id, person.id, 'victim')
  await asb.share(record.id, police.user.organisationId, council.user.id, access)
  return { id: person.id, familyName }
}

const familyNameOf = async (id: string) => (await t.testDb.database.db.selectFrom('people').select('family_name').where('id', '=', id).executeTakeFirstOrThrow()).family_name

describe('changing a person another organisation recorded', () => {
  for (const access of ['read', 'contribute'] as const) {
    it(`is refused to a partner with a ${access} share, on the page and the API, and changes nothing`, async () => {
      const victim = await councilVictim(access)
      const page = await police.get(`/people/${victim.id}`)
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain("Record your organisation&#39;s sensitive details")

      const form = await police.get(`/people/${victim.id}/edit`)
      expect(form.statusCode).toBe(200)
      expect(form.body).toContain('Only that organisation, or a full contributor to their case, can change their name')
      const submitted = await police.submit(`/people/${victim.id}/edit`, { givenNames: 'Ruth', familyName: 'Changed', version: '1' })
      expect(submitted.statusCode).toBe(403)
      expect(submitted.body).toContain('only the organisation that recorded them, or a full contributor to their case, can change their record')
      const api = await police.json('PATCH', `/api/v1/people/${victim.id}`, { familyName: 'Changed', version: 1 })
      expect(api.statusCode).toBe(403)
      expect(api.json().message).toContain('Ask that organisation to make the change')
      expect(await familyNameOf(victim.id)).toBe(victim.familyName)
    })
  }

  it('is allowed to a full contributor and to the organisation that recorded the person', async () => {
    const victim = await councilVictim('full')
    expect((await police.get(`/people/${victim.id}`)).body).toContain('Change details')
    expect((await police.get(`/people/${victim.id}/edit`)).body).not.toContain('Only that organisation')
    const byPartner = await police.json('PATCH', `/api/v1/people/${victim.id}`, { familyName: `Partner${tag()}`, version: 1 })
    expect(byPartner.statusCode).toBe(200)

    const other = await councilVictim('read')
    const byOwner = await council.json('PATCH', `/api/v1/people/${other.id}`, { familyName: 'Owner', version: 1 })
    expect(byOwner.statusCode).toBe(200)
    expect(await familyNameOf(other.id)).toBe('Owner')
  })

  it('is allowed to a partner for the people it recorded itself', async () => {
    const own = await asb.person({ givenNames: 'Sam', familyName: `Own${tag()}`, createdByOrganisationId: police.user.organisationId })
    const response = await police.json('PATCH', `/api/v1/people/${own.id}`, { familyName: 'Renamed', version: 1 })
    expect(response.statusCode).toBe(200)
  })
})
