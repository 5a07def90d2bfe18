import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { type AsbFactories, asbFactories } from '../../../test/helpers/asb-factories.js'
import { createViewEnvironment } from '../../platform/views/views.js'

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
const actorOf = (agent: SignedIn) => ({ userId: agent.user.id, organisationId: agent.user.organisationId, ip: null })

async function riskAssessment(caseId: string, personId: string, level: string, assessedAt: Date) {
  const questionnaire = await db().selectFrom('risk_questionnaires').select('id').where('active', '=', true).executeTakeFirstOrThrow()
  return db()
    .insertInto('risk_assessments')
    .values({ case_id: caseId, person_id: personId, questionnaire_id: questionnaire.id, answers: JSON.stringify({}), score: 0, level, assessed_by: manager.user.id, assessed_at: assessedAt })
    .returning('id')
    .executeTakeFirstOrThrow()
}

describe('people on a case', () => {
  it('adds an existing person in a role, with a timeline line and an audit row without personal data', async () => {
    const theCase = await asb.case({ owningOrganisationId: manager.user.organisationId })
    const familyName = `Case${tag()}`
    const person = await asb.person({ givenNames: 'Dana', familyName, createdByOrganisationId: manager.user.organisationId })

    const form = await manager.get(`/cases/${theCase.id}/people/new?q=${familyName}`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain(`value="${person.id}"`)

    const missing = await manager.submit(`/cases/${theCase.id}/people/new`, { mode: 'existing', personId: person.id, q: familyName })
    expect(missing.statusCode).toBe(400)
    expect(missing.body).toContain('Select their role in the case')

    const added = await manager.submit(`/cases/${theCase.id}/people/new`, { mode: 'existing', personId: person.id, role: 'other', roleDetail: 'landlord' })
    expect(added.statusCode).toBe(302)
    expect(added.headers.location).toBe(`/cases/${theCase.id}?notice=person-added`)
    const link = await db().selectFrom('case_people').selectAll().where('case_id', '=', theCase.id).executeTakeFirstOrThrow()
    expect(link).toMatchObject({ person_id: person.id, role: 'other', role_detail: 'landlord', added_by: manager.user.id })
    const events = await db().selectFrom('case_events').selectAll().where('case_id', '=', theCase.id).execute()
    expect(events.map((event) => event.summary)).toEqual([`Other (landlord) added: Dana ${familyName}`])
    const audit = await db().selectFrom('audit_events').selectAll().where('action', '=', 'case.person_added').where('record_id', '=', theCase.id).execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.details).toEqual({ personId: person.id, role: 'other' })

    const again = await manager.submit(`/cases/${theCase.id}/people/new`, { mode: 'existing', personId: person.id, role: 'other' })
    expect(again.statusCode).toBe(400)
  })

  it('creates someone new on the case, with the duplicate check', async () => {
    const theCase = await asb.case({ owningOrganisationId: manager.user.organisationId })
    const familyName = `New${tag()}`
    const existing = await asb.person({ givenNames: 'Eve', familyName, dateOfBirth: '2001-04-04', createdByOrganisationId: manager.user.organisationId })
    const fields = { mode: 'new', role: 'victim', givenNames: 'Eve', familyName, 'dateOfBirth-day': '4', 'dateOfBirth-month': '4', 'dateOfBirth-year': '2001' }

    expect((await manager.get(`/cases/${theCase.id}/people/new?new=1`)).body).toContain('name="givenNames"')
    const warned = await manager.submit(`/cases/${theCase.id}/people/new`, fields)
    expect(warned.statusCode).toBe(200)
    expect(warned.body).toContain(`name="personId" value="${existing.id}"`)
    expect(await db().selectFrom('case_people').selectAll().where('case_id', '=', theCase.id).execute()).toHaveLength(0)

    const confirmed = await manager.submit(`/cases/${theCase.id}/people/new`, { ...fields, duplicatesShown: 'yes', confirmNotDuplicate: 'yes' })
    expect(confirmed.statusCode).toBe(302)
    const links = await db().selectFrom('case_people').innerJoin('people', 'people.id', 'case_people.person_id').selectAll().where('case_id', '=', theCase.id).execute()
    expect(links).toHaveLength(1)
    expect(links[0]).toMatchObject({ role: 'victim', family_name: familyName, created_by_organisation_id: manager.user.organisationId })
    expect(links[0]!.person_id).not.toBe(existing.id)

    const noRole = await manager.submit(`/cases/${theCase.id}/people/new`, { ...fields, role: '', givenNames: '' })
    expect(noRole.statusCode).toBe(400)
    expect(noRole.body).toContain('Select their role in the case')
    expect(noRole.body).toContain('Enter their given names')
  })

  it('removes a person from the case', async () => {
    const theCase = await asb.case({ owningOrganisationId: manager.user.organisationId })
    const person = await asb.person({ createdByOrganisationId: manager.user.organisationId })
    await asb.linkPerson(theCase.id, person.id, 'witness')
    await asb.linkPerson(theCase.id, person.id, 'victim')
    // The panel's link leads to a confirmation page naming the person and the role, not straight to the removal.
    const confirm = await manager.get(`/cases/${theCase.id}/people/${person.id}/remove?role=witness`)
    expect(confirm.statusCode).toBe(200)
    expect(confirm.body).toContain(`Remove ${person.givenNames} ${person.familyName} from the case?`)
    expect(confirm.body).toContain('Witness')
    // Without a reason: a GOV.UK error, and nothing removed.
    const noReason = await manager.submit(`/cases/${theCase.id}/people/${person.id}/remove`, { role: 'witness', reason: ' ' })
    expect(noReason.statusCode).toBe(400)
    expect(noReason.body).toContain('Give the reason for removing them from the case')
    expect(await db().selectFrom('case_people').select('role').where('case_id', '=', theCase.id).execute()).toHaveLength(2)

    const removed = await manager.submit(`/cases/${theCase.id}/people/${person.id}/remove`, { role: 'witness', reason: 'Added to the wrong case' })
    expect(removed.statusCode).toBe(302)
    const roles = await db().selectFrom('case_people').select('role').where('case_id', '=', theCase.id).execute()
    expect(roles).toEqual([{ role: 'victim' }])
    const audit = await db().selectFrom('audit_events').selectAll().where('action', '=', 'case.person_removed').where('record_id', '=', theCase.id).execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.details).toEqual({ personId: person.id, role: 'witness' })
    const event = await db().selectFrom('case_events').select('summary').where('case_id', '=', theCase.id).where('kind', '=', 'person').executeTakeFirstOrThrow()
    expect(event.summary).toBe(`Witness removed: ${person.givenNames} ${person.familyName}. Reason: Added to the wrong case`)

    // The API needs the reason too.
    const api = await manager.json('POST', `/api/v1/cases/${theCase.id}/people/${person.id}/remove`, { role: 'victim' })
    expect(api.statusCode).toBe(400)
    expect((await manager.json('POST', `/api/v1/cases/${theCase.id}/people/${person.id}/remove`, { role: 'victim', reason: 'Not involved after all' })).statusCode).toBe(204)
    expect(await db().selectFrom('case_people').select('role').where('case_id', '=', theCase.id).execute()).toEqual([])
  })

  it('follows the case rules: not found for an unrelated organisation, refused to viewers and on closed cases; a sharing partner may add', async () => {
    const theCase = await asb.case({ owningOrganisationId: manager.user.organisationId })
    const person = await asb.person({ createdByOrganisationId: manager.user.organisationId })
    expect((await other.get(`/cases/${theCase.id}/people/new`)).statusCode).toBe(404)
    expect((await other.submit(`/cases/${theCase.id}/people/new`, { mode: 'existing', personId: person.id, role: 'victim' }, { formPage: '/people' })).statusCode).toBe(404)
    expect((await viewer.get(`/cases/${theCase.id}/people/new`)).statusCode).toBe(403)
    expect((await viewer.submit(`/cases/${theCase.id}/people/${person.id}/remove`, { role: 'victim' }, { formPage: '/people' })).statusCode).toBe(403)

    const closed = await asb.case({ owningOrganisationId: manager.user.organisationId, status: 'closed' })
    expect((await manager.submit(`/cases/${closed.id}/people/new`, { mode: 'existing', personId: person.id, role: 'victim' }, { formPage: '/people' })).statusCode).toBe(409)

    // A read-only share: the partner reads the case but cannot add or remove anyone, with a message that says why.
    const share = await asb.share(theCase.id, other.user.organisationId, manager.user.id)
    await asb.linkPerson(theCase.id, person.id, 'victim')
    const partnerPerson = await asb.person({ createdByOrganisationId: other.user.organisationId })
    const refused = await other.submit(`/cases/${theCase.id}/people/new`, { mode: 'existing', personId: partnerPerson.id, role: 'witness' }, { formPage: '/people' })
    expect(refused.statusCode).toBe(403)
    expect(refused.body).toContain('Your organisation can only read this case')
    expect((await other.get(`/cases/${theCase.id}/people/${person.id}/remove?role=victim`)).statusCode).toBe(403)
    expect((await other.submit(`/cases/${theCase.id}/people/${person.id}/remove`, { role: 'victim', reason: 'x' }, { formPage: '/people' })).statusCode).toBe(403)
    const api = await other.json('POST', `/api/v1/cases/${theCase.id}/people/${person.id}/remove`, { role: 'victim', reason: 'x' })
    expect(api.statusCode).toBe(403)
    expect(api.json().message).toContain('Your organisation can only read this case')
    expect(await db().selectFrom('case_people').select('role').where('case_id', '=', theCase.id).execute()).toEqual([{ role: 'victim' }])

    // A full contributor may.
    await db().updateTable('case_shares').set({ access: 'full' }).where('id', '=', share.id).execute()
    expect((await other.submit(`/cases/${theCase.id}/people/new`, { mode: 'existing', personId: partnerPerson.id, role: 'witness' }, { formPage: '/people' })).statusCode).toBe(302)
    // A person the partner cannot see cannot be added by id.
    const hidden = await asb.person({ createdByOrganisationId: (await t.factories.organisation()).id })
    expect((await other.submit(`/cases/${theCase.id}/people/new`, { mode: 'existing', personId: hidden.id, role: 'witness' }, { formPage: '/people' })).statusCode).toBe(400)
  })

  it('forCase lists role, flags and the latest risk level, and the panel renders them', async () => {
    const theCase = await asb.case({ owningOrganisationId: manager.user.organisationId })
    const person = await asb.person({ givenNames: 'Fay', familyName: `Panel${tag()}`, createdByOrganisationId: manager.user.organisationId })
    await db().updateTable('people').set({ vulnerable: true }).where('id', '=', person.id).execute()
    await asb.linkPerson(theCase.id, person.id, 'victim')
    await riskAssessment(theCase.id, person.id, 'standard', new Date(Date.now() - 86_400_000))
    await riskAssessment(theCase.id, person.id, 'high', new Date())

    const rows = await t.services.people.forCase(actorOf(manager), theCase.id)
    expect(rows).toEqual([expect.objectContaining({ id: person.id, role: 'victim', vulnerable: true, riskToStaff: false, riskLevel: 'high' })])
    await expect(t.services.people.forCase(actorOf(other), theCase.id)).rejects.toMatchObject({ statusCode: 404 })

    const html = createViewEnvironment().render('people/views/case-panel.njk', { panels: { people: rows }, caseRecord: { id: theCase.id }, canContribute: true, csrfToken: 'token' })
    expect(html).toContain(`/people/${person.id}`)
    expect(html).toContain('High risk')
    expect(html).toContain('Vulnerable')
    expect(html).toContain(`/cases/${theCase.id}/people/${person.id}/remove`)
    const readOnly = createViewEnvironment().render('people/views/case-panel.njk', { panels: { people: rows }, caseRecord: { id: theCase.id }, canContribute: false })
    expect(readOnly).not.toContain('/remove')
  })
})

describe('merging duplicates', () => {
  it('moves every link to the survivor in one go, and is audited', async () => {
    const org = manager.user.organisationId
    const survivor = await asb.person({ givenNames: 'Gary', familyName: `Merge${tag()}`, createdByOrganisationId: org })
    const duplicate = await asb.person({ givenNames: 'Garry', familyName: survivor.familyName, dateOfBirth: '1988-08-08', createdByOrganisationId: org })
    await db().updateTable('people').set({ aliases: ['Gaz'] }).where('id', '=', duplicate.id).execute()
    const shared = await asb.case({ owningOrganisationId: org })
    const other1 = await asb.case({ owningOrganisationId: org })
    await asb.linkPerson(shared.id, survivor.id, 'perpetrator')
    await asb.linkPerson(shared.id, duplicate.id, 'perpetrator')
    await asb.linkPerson(shared.id, duplicate.id, 'witness')
    await asb.linkPerson(other1.id, duplicate.id, 'perpetrator')
    const incident = await asb.incident({ organisationId: org, recordedBy: manager.user.id, reportingPersonId: duplicate.id })
    const location = await asb.location()
    await db().insertInto('person_addresses').values({ person_id: duplicate.id, location_id: location.id }).execute()
    await riskAssessment(other1.id, duplicate.id, 'medium', new Date())
    await db()
      .insertInto('interventions')
      .values({ case_id: other1.id, person_id: duplicate.id, type_code: 'advice', issued_on: '2026-01-05', officer_id: manager.user.id, organisation_id: org })
      .execute()
    await db().insertInto('callbacks').values({ case_id: other1.id, person_id: duplicate.id, called_at: new Date(), reached: true, called_by: manager.user.id }).execute()
    await db().insertInto('person_sensitive_details').values({ person_id: duplicate.id, organisation_id: org, vulnerabilities: 'Hearing impaired', reason: 'Contact by text', recorded_by: manager.user.id }).execute()

    const page = await manager.get(`/people/${survivor.id}/merge?q=${survivor.familyName}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`value="${duplicate.id}"`)
    expect(page.body).not.toContain(`value="${survivor.id}"`)
    expect((await manager.submit(`/people/${survivor.id}/merge`, {})).statusCode).toBe(400)

    const merged = await manager.submit(`/people/${survivor.id}/merge`, { duplicateId: duplicate.id })
    expect(merged.statusCode).toBe(302)

    const countFor = async (personId: string) => {
      const [casePeople, incidents, addresses, risk, interventions, callbacks] = await Promise.all([
        db().selectFrom('case_people').select(['case_id', 'role']).where('person_id', '=', personId).orderBy('case_id').orderBy('role').execute(),
        db().selectFrom('incidents').select('id').where('reporting_person_id', '=', personId).execute(),
        db().selectFrom('person_addresses').select('id').where('person_id', '=', personId).execute(),
        db().selectFrom('risk_assessments').select('id').where('person_id', '=', personId).execute(),
        db().selectFrom('interventions').select('id').where('person_id', '=', personId).execute(),
        db().selectFrom('callbacks').select('id').where('person_id', '=', personId).execute(),
      ])
      return { casePeople: casePeople.length, incidents: incidents.length, addresses: addresses.length, risk: risk.length, interventions: interventions.length, callbacks: callbacks.length }
    }
    expect(await countFor(duplicate.id)).toEqual({ casePeople: 0, incidents: 0, addresses: 0, risk: 0, interventions: 0, callbacks: 0 })
    // The shared case keeps one perpetrator link, plus the witness link and the other case.
    expect(await countFor(survivor.id)).toEqual({ casePeople: 3, incidents: 1, addresses: 1, risk: 1, interventions: 1, callbacks: 1 })
    expect((await db().selectFrom('incidents').select('reporting_person_id').where('id', '=', incident.id).executeTakeFirstOrThrow()).reporting_person_id).toBe(survivor.id)

    const rows = await db().selectFrom('people').selectAll().where('id', 'in', [survivor.id, duplicate.id]).execute()
    const kept = rows.find((row) => row.id === survivor.id)!
    const gone = rows.find((row) => row.id === duplicate.id)!
    expect(gone.merged_into_id).toBe(survivor.id)
    expect(kept.aliases).toEqual([`Garry ${survivor.familyName}`, 'Gaz'])
    expect(kept.date_of_birth).toBe('1988-08-08')

    const audit = await db().selectFrom('audit_events').selectAll().where('action', '=', 'person.merged').where('record_id', '=', survivor.id).execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.details).toEqual({ mergedPersonId: duplicate.id, survivorId: survivor.id, linksMoved: 8, sensitiveDetailsMoved: 1 })
    // The organisation's own sensitive details move with the person.
    const sensitive = await db().selectFrom('person_sensitive_details').select(['person_id', 'organisation_id']).where('person_id', 'in', [survivor.id, duplicate.id]).execute()
    expect(sensitive).toEqual([{ person_id: survivor.id, organisation_id: org }])

    // The merged person's page sends users to the survivor; search finds only the survivor.
    const redirect = await manager.get(`/people/${duplicate.id}`)
    expect(redirect.statusCode).toBe(302)
    expect(redirect.headers.location).toBe(`/people/${survivor.id}?notice=merged-away`)
    const found = await manager.json('GET', `/api/v1/people?q=${survivor.familyName}`)
    expect(found.json().map((row: { id: string }) => row.id)).toEqual([survivor.id])
  })

  it('needs both people to be visible, and is refused to viewers', async () => {
    const mine = await asb.person({ createdByOrganisationId: manager.user.organisationId })
    const theirs = await asb.person({ createdByOrganisationId: other.user.organisationId })
    const response = await manager.json('POST', `/api/v1/people/${mine.id}/merge`, { duplicateId: theirs.id })
    expect(response.statusCode).toBe(400)
    expect((await other.json('POST', `/api/v1/people/${mine.id}/merge`, { duplicateId: theirs.id })).statusCode).toBe(404)
    expect((await manager.json('POST', `/api/v1/people/${mine.id}/merge`, { duplicateId: mine.id })).statusCode).toBe(400)
    expect((await viewer.get(`/people/${mine.id}/merge`)).statusCode).toBe(403)
    expect((await viewer.json('POST', `/api/v1/people/${mine.id}/merge`, { duplicateId: theirs.id })).statusCode).toBe(403)
    const unchanged = await db().selectFrom('people').select('merged_into_id').where('id', '=', theirs.id).executeTakeFirstOrThrow()
    expect(unchanged.merged_into_id).toBeNull()
  })

  it('merges through the API', async () => {
    const a = await asb.person({ givenNames: 'Hal', familyName: `Api${tag()}`, createdByOrganisationId: manager.user.organisationId })
    const b = await asb.person({ givenNames: 'Hal', familyName: a.familyName, createdByOrganisationId: manager.user.organisationId })
    const response = await manager.json('POST', `/api/v1/people/${a.id}/merge`, { duplicateId: b.id })
    expect(response.statusCode).toBe(200)
    expect(response.json().id).toBe(a.id)
    expect((await manager.json('GET', `/api/v1/people/${b.id}`)).statusCode).toBe(404)
  })
})

describe('the API description', () => {
  it('lists the people endpoints under the People tag', async () => {
    const spec = (await manager.get('/api/v1/openapi.json')).json()
    const paths = Object.keys(spec.paths).filter((path) => path.startsWith('/api/v1/people'))
    expect(paths.sort()).toEqual(['/api/v1/people', '/api/v1/people/{id}', '/api/v1/people/{id}/merge'])
    expect(spec.paths['/api/v1/people'].post.tags).toEqual(['People'])
  })
})
