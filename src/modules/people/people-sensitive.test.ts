import { randomUUID } from 'node:crypto'
import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { type AsbFactories, asbFactories } from '../../../test/helpers/asb-factories.js'
import { freshDatabase } from '../../../test/helpers/database.js'
import { listMigrationFiles, MIGRATIONS_DIR, migrate } from '../../platform/db/migrate.js'
import { RuleError } from '../../platform/http/errors.js'
import { MERGE_REFUSED_MESSAGE } from './people.service.js'

// Issue 12, finding 1: a partner that can see a person must never read, keep or move another organisation's
// sensitive details about them (vulnerabilities, protected characteristics and the reason they were recorded).

let t: TestApp
let asb: AsbFactories
type SignedIn = Agent & { user: { id: string; email: string; organisationId: string } }
let council: SignedIn
let police: SignedIn

beforeAll(async () => {
  t = await createTestApp()
  asb = asbFactories(db())
  council = await t.signInAs(['case_manager'])
  police = await t.signInAs(['case_manager'])
})
afterAll(() => t.close())

const db = () => t.testDb.database.db
const tag = () => randomUUID().slice(0, 6).replace(/\d/g, (digit) => 'abcdefghij'[Number(digit)]!)
const actorOf = (agent: SignedIn) => ({ userId: agent.user.id, organisationId: agent.user.organisationId, ip: null })

const VULNERABILITY = 'Partially sighted, lives alone'
const CHARACTERISTIC = 'Practising Muslim'
const REASON = 'Letters in large print; target of hate incidents'

/** A victim the council recorded with sensitive details, on a council case shared with the police. */
async function sharedVictim() {
  const familyName = `Victim${tag()}`
  const created = await council.json('POST', '/api/v1/people', {
    givenNames: 'Ruth',
    familyName,
    vulnerabilities: VULNERABILITY,
    protectedCharacteristics: CHARACTERISTIC,
    sensitiveReason: REASON,
  })
  expect(created.statusCode).toBe(201)
  const victimId = created.json().id as string
  const councilCase = await asb.case({ owningOrganisationId: council.user.organisationId })
  await asb.linkPerson(councilCase.id, victimId, 'victim')
  await asb.share(councilCase.id, police.user.organisationId, council.user.id)
  return { victimId, familyName, councilCase }
}

function expectNoSensitive(text: string) {
  for (const secret of [VULNERABILITY, CHARACTERISTIC, REASON]) expect(text).not.toContain(secret)
}

async function revokeShares(caseId: string) {
  await db().updateTable('case_shares').set({ revoked_at: new Date(), revoked_by: council.user.id }).where('case_id', '=', caseId).where('revoked_at', 'is', null).execute()
}

describe('a partner adding the person to its own case', () => {
  it('gets the person but never the council’s sensitive details: page, API, edit form and service, before and after the share is revoked', async () => {
    const { victimId, councilCase } = await sharedVictim()
    const policeCase = await asb.case({ owningOrganisationId: police.user.organisationId })

    const added = await police.submit(`/cases/${policeCase.id}/people/new`, { mode: 'existing', personId: victimId, role: 'witness' }, { formPage: `/cases/${policeCase.id}/people/new` })
    expect(added.statusCode).toBe(302)

    const readAll = async () => {
      const page = await police.get(`/people/${victimId}`)
      expect(page.statusCode).toBe(200)
      expectNoSensitive(page.body)
      expect(page.body).not.toContain('id="sensitive"')
      const api = await police.json('GET', `/api/v1/people/${victimId}`)
      expect(api.statusCode).toBe(200)
      expect(api.json()).toMatchObject({ sensitiveVisible: false, vulnerabilities: null, protectedCharacteristics: null, sensitiveReason: null, sensitiveRecordedBy: null })
      const edit = await police.get(`/people/${victimId}/edit`)
      expect(edit.statusCode).toBe(200)
      expectNoSensitive(edit.body)
      const viewed = await t.services.people.view(actorOf(police), victimId)
      expect(viewed).toMatchObject({ vulnerabilities: null, protectedCharacteristics: null, sensitiveReason: null })
    }
    await readAll()

    // The owner revokes the share: the person stays on the police case, and nothing sensitive was kept.
    await revokeShares(councilCase.id)
    await readAll()

    // The council still reads its own details, with who recorded them.
    const councilApi = (await council.json('GET', `/api/v1/people/${victimId}`)).json()
    expect(councilApi).toMatchObject({ sensitiveVisible: true, vulnerabilities: VULNERABILITY, protectedCharacteristics: CHARACTERISTIC, sensitiveReason: REASON })
    expect(councilApi.sensitiveRecordedBy.recordedBy).toBeTruthy()
    const councilPage = await council.get(`/people/${victimId}`)
    expect(councilPage.body).toContain(VULNERABILITY)
    expect(councilPage.body).toContain('Only your organisation can see it')
    expect(councilPage.body).toContain('Recorded by')

    // Audit rows for police reads say nothing sensitive was shown.
    const rows = await db().selectFrom('audit_events').select('details').where('action', '=', 'person.viewed').where('record_id', '=', victimId).where('user_id', '=', police.user.id).execute()
    expect(rows.length).toBeGreaterThanOrEqual(6)
    for (const row of rows) expect(row.details).toMatchObject({ sensitiveDetailsShown: false })
  })

  it('lets the partner record its own sensitive details, with a reason, which only it sees', async () => {
    const { victimId, familyName } = await sharedVictim()
    const version = (await police.json('GET', `/api/v1/people/${victimId}`)).json().version as number

    // A reason is required, on the API and on the page.
    const noReason = await police.json('PATCH', `/api/v1/people/${victimId}`, { vulnerabilities: 'Mobility: uses a wheelchair', version })
    expect(noReason.statusCode).toBe(400)
    const form = await police.submit(`/people/${victimId}/edit`, { givenNames: 'Ruth', familyName, aliases: '', 'dateOfBirth-day': '', 'dateOfBirth-month': '', 'dateOfBirth-year': '', phone: '', email: '', address: '', postcode: '', vulnerabilities: 'Mobility: uses a wheelchair', protectedCharacteristics: '', sensitiveReason: '', version: String(version) }, { formPage: `/people/${victimId}/edit` })
    expect(form.statusCode).toBe(400)
    expect(form.body).toContain('Give the reason for recording this sensitive information')

    const saved = await police.json('PATCH', `/api/v1/people/${victimId}`, { vulnerabilities: 'Mobility: uses a wheelchair', sensitiveReason: 'Officers must plan access for visits', version })
    expect(saved.statusCode).toBe(200)
    expect(saved.json()).toMatchObject({ sensitiveVisible: true, vulnerabilities: 'Mobility: uses a wheelchair', protectedCharacteristics: null })
    expect(saved.json().sensitiveRecordedBy.organisation).toBeTruthy()
    expectNoSensitive(saved.payload)

    // The council sees its own details only, unchanged.
    const councilApi = (await council.json('GET', `/api/v1/people/${victimId}`)).json()
    expect(councilApi).toMatchObject({ vulnerabilities: VULNERABILITY, protectedCharacteristics: CHARACTERISTIC, sensitiveReason: REASON })
    expect((await council.get(`/people/${victimId}`)).body).not.toContain('wheelchair')

    const stored = await db().selectFrom('person_sensitive_details').selectAll().where('person_id', '=', victimId).orderBy('recorded_at').execute()
    expect(stored.map((row) => ({ organisation: row.organisation_id, by: row.recorded_by, reason: row.reason }))).toEqual([
      { organisation: council.user.organisationId, by: council.user.id, reason: REASON },
      { organisation: police.user.organisationId, by: police.user.id, reason: 'Officers must plan access for visits' },
    ])
    // Recording is audited by field name, never the contents.
    const audit = await db().selectFrom('audit_events').select('details').where('action', '=', 'person.updated').where('record_id', '=', victimId).where('user_id', '=', police.user.id).execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.details).toEqual({ fields: ['vulnerabilities', 'sensitiveReason'] })
    expect(JSON.stringify(audit[0]!.details)).not.toContain('wheelchair')
  })
})

describe('merging another organisation’s person into a decoy', () => {
  it('is refused either way round, over the API, the page and the service, and changes nothing', async () => {
    const { victimId, familyName, councilCase } = await sharedVictim()
    const decoy = await police.json('POST', '/api/v1/people', { givenNames: 'Ruth', familyName, confirmNotDuplicate: true })
    expect(decoy.statusCode).toBe(201)
    const decoyId = decoy.json().id as string

    const intoDecoy = await police.json('POST', `/api/v1/people/${decoyId}/merge`, { duplicateId: victimId })
    expect(intoDecoy.statusCode).toBe(400)
    expect(intoDecoy.json().message).toBe(MERGE_REFUSED_MESSAGE)
    const decoyIntoVictim = await police.json('POST', `/api/v1/people/${victimId}/merge`, { duplicateId: decoyId })
    expect(decoyIntoVictim.statusCode).toBe(400)
    expect(decoyIntoVictim.json().message).toBe(MERGE_REFUSED_MESSAGE)

    const page = await police.submit(`/people/${decoyId}/merge`, { duplicateId: victimId }, { formPage: `/people/${decoyId}/merge` })
    expect(page.statusCode).toBe(400)
    expect(page.body).toContain('You can only merge records that your organisation alone holds')
    expectNoSensitive(page.body)

    await expect(t.services.people.merge(actorOf(police), decoyId, victimId)).rejects.toThrow(RuleError)
    await expect(t.services.people.merge(actorOf(police), victimId, decoyId)).rejects.toThrow(MERGE_REFUSED_MESSAGE)

    // Nothing moved: the victim is still the council's, on the council's case, with the council's details.
    const people = await db().selectFrom('people').select(['id', 'merged_into_id', 'aliases']).where('id', 'in', [victimId, decoyId]).execute()
    for (const person of people) expect(person).toMatchObject({ merged_into_id: null, aliases: [] })
    const links = await db().selectFrom('case_people').select('person_id').where('case_id', '=', councilCase.id).execute()
    expect(links).toEqual([{ person_id: victimId }])
    const sensitive = await db().selectFrom('person_sensitive_details').select(['person_id', 'organisation_id']).where('person_id', 'in', [victimId, decoyId]).execute()
    expect(sensitive).toEqual([{ person_id: victimId, organisation_id: council.user.organisationId }])
    const decoyApi = (await police.json('GET', `/api/v1/people/${decoyId}`)).json()
    expect(decoyApi).toMatchObject({ vulnerabilities: null, protectedCharacteristics: null, sensitiveReason: null })
    expect((await db().selectFrom('audit_events').select('id').where('action', '=', 'person.merged').where('record_id', 'in', [victimId, decoyId]).execute())).toHaveLength(0)

    // And after the share is revoked, the police have nothing of the council's on the decoy either.
    await revokeShares(councilCase.id)
    expectNoSensitive((await police.get(`/people/${decoyId}`)).body)
  })

  it('is refused for the partner’s own person once they are on another organisation’s case, so the owner’s case is never rewritten', async () => {
    const familyName = `Own${tag()}`
    const mine = await police.json('POST', '/api/v1/people', { givenNames: 'Sam', familyName })
    const duplicate = await police.json('POST', '/api/v1/people', { givenNames: 'Sam', familyName, confirmNotDuplicate: true })
    const councilCase = await asb.case({ owningOrganisationId: council.user.organisationId })
    await asb.linkPerson(councilCase.id, duplicate.json().id, 'perpetrator')
    await asb.share(councilCase.id, police.user.organisationId, council.user.id)

    const response = await police.json('POST', `/api/v1/people/${mine.json().id}/merge`, { duplicateId: duplicate.json().id })
    expect(response.statusCode).toBe(400)
    expect(response.json().message).toBe(MERGE_REFUSED_MESSAGE)
    expect(await db().selectFrom('case_people').select('person_id').where('case_id', '=', councilCase.id).execute()).toEqual([{ person_id: duplicate.json().id }])
  })

  it('is refused when another organisation recorded sensitive details about one of them, which stay where they are', async () => {
    // The police record their own details about a person they recorded; the council (seeing them through a police
    // case shared with it) records its own; the police may then not merge that person away.
    const familyName = `Held${tag()}`
    const theirs = await police.json('POST', '/api/v1/people', { givenNames: 'Lee', familyName, vulnerabilities: 'Autistic', sensitiveReason: 'Adjust interviews' })
    const twin = await police.json('POST', '/api/v1/people', { givenNames: 'Lee', familyName, confirmNotDuplicate: true })
    const policeCase = await asb.case({ owningOrganisationId: police.user.organisationId })
    await asb.linkPerson(policeCase.id, theirs.json().id, 'victim')
    await asb.share(policeCase.id, council.user.organisationId, police.user.id)
    const version = (await council.json('GET', `/api/v1/people/${theirs.json().id}`)).json().version as number
    expect((await council.json('PATCH', `/api/v1/people/${theirs.json().id}`, { protectedCharacteristics: 'Disabled', sensitiveReason: 'Housing adaptation', version })).statusCode).toBe(200)

    const response = await police.json('POST', `/api/v1/people/${twin.json().id}/merge`, { duplicateId: theirs.json().id })
    expect(response.statusCode).toBe(400)
    expect(response.json().message).toBe(MERGE_REFUSED_MESSAGE)
    const rows = await db().selectFrom('person_sensitive_details').select(['person_id', 'organisation_id']).where('person_id', 'in', [theirs.json().id, twin.json().id]).execute()
    expect(rows).toHaveLength(2)
    for (const row of rows) expect(row.person_id).toBe(theirs.json().id)
  })

  it('within one organisation keeps the survivor’s own details and leaves the duplicate’s with the duplicate', async () => {
    const familyName = `Same${tag()}`
    const survivor = await council.json('POST', '/api/v1/people', { givenNames: 'Kim', familyName, vulnerabilities: 'Kept', sensitiveReason: 'Survivor reason' })
    const duplicate = await council.json('POST', '/api/v1/people', { givenNames: 'Kim', familyName, vulnerabilities: 'Not copied', sensitiveReason: 'Duplicate reason', confirmNotDuplicate: true })
    const merged = await council.json('POST', `/api/v1/people/${survivor.json().id}/merge`, { duplicateId: duplicate.json().id })
    expect(merged.statusCode).toBe(200)
    expect(merged.json()).toMatchObject({ vulnerabilities: 'Kept', sensitiveReason: 'Survivor reason' })
    const audit = await db().selectFrom('audit_events').select('details').where('action', '=', 'person.merged').where('record_id', '=', survivor.json().id).executeTakeFirstOrThrow()
    expect(audit.details).toMatchObject({ sensitiveDetailsMoved: 0 })
  })
})

describe('migration 0009', () => {
  it('gives details recorded before it to the organisation that added the person, else the owner of their first case, and drops the old columns', async () => {
    const testDb = await freshDatabase({ migrated: false })
    const dir = await mkdtemp(path.join(tmpdir(), 'scp-0009-'))
    try {
      const files = await listMigrationFiles()
      const before = files.filter((file) => file < '0009')
      for (const file of before) await copyFile(path.join(MIGRATIONS_DIR, file), path.join(dir, file))
      await migrate(testDb.database, dir)
      const run = (query: ReturnType<typeof sql>) => query.execute(testDb.database.db)

      const [adder, owner, later] = [randomUUID(), randomUUID(), randomUUID()]
      for (const id of [adder, owner, later]) await run(sql`insert into organisations (id, name, type) values (${id}, ${`Org ${id}`}, 'council')`)
      const user = randomUUID()
      await run(sql`insert into users (id, organisation_id, name, email, password_hash, roles) values (${user}, ${adder}, 'Recorder', ${`${user}@example.com`}, 'x', '{case_manager}')`)
      const [byAdder, byCase, nobody, plain] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()]
      await run(sql`insert into people (id, given_names, family_name, vulnerabilities, sensitive_reason, created_by, created_by_organisation_id) values (${byAdder}, 'A', 'One', 'Deaf', 'Contact by text', ${user}, ${adder})`)
      await run(sql`insert into people (id, given_names, family_name, protected_characteristics, sensitive_reason) values (${byCase}, 'B', 'Two', 'Jewish', 'Hate crime victim')`)
      await run(sql`insert into people (id, given_names, family_name, vulnerabilities, sensitive_reason) values (${nobody}, 'C', 'Three', 'Frail', 'Visits')`)
      await run(sql`insert into people (id, given_names, family_name, created_by_organisation_id) values (${plain}, 'D', 'Four', ${adder})`)
      const [firstCase, secondCase] = [randomUUID(), randomUUID()]
      await run(sql`insert into cases (id, reference, title, type, owning_organisation_id) values (${firstCase}, ${`M-${firstCase}`}, 'First', 'victim_centred', ${owner})`)
      await run(sql`insert into cases (id, reference, title, type, owning_organisation_id) values (${secondCase}, ${`M-${secondCase}`}, 'Second', 'victim_centred', ${later})`)
      await run(sql`insert into case_people (case_id, person_id, role, added_at) values (${firstCase}, ${byCase}, 'victim', now() - interval '2 days')`)
      await run(sql`insert into case_people (case_id, person_id, role, added_at) values (${secondCase}, ${byCase}, 'witness', now() - interval '1 day')`)

      for (const file of files.filter((name) => name.startsWith('0009'))) await copyFile(path.join(MIGRATIONS_DIR, file), path.join(dir, file))
      await migrate(testDb.database, dir)

      const { rows } = await sql<{ person_id: string; organisation_id: string | null; vulnerabilities: string | null; protected_characteristics: string | null; reason: string; recorded_by: string | null }>`
        select person_id, organisation_id, vulnerabilities, protected_characteristics, reason, recorded_by from person_sensitive_details`.execute(testDb.database.db)
      const byPerson = Object.fromEntries(rows.map((row) => [row.person_id, row]))
      expect(rows).toHaveLength(3)
      expect(byPerson[byAdder]).toMatchObject({ organisation_id: adder, vulnerabilities: 'Deaf', reason: 'Contact by text', recorded_by: user })
      expect(byPerson[byCase]).toMatchObject({ organisation_id: owner, protected_characteristics: 'Jewish', reason: 'Hate crime victim', recorded_by: null })
      // No organisation to give them to: kept, and seen by nobody (as before, when nobody could see them either).
      expect(byPerson[nobody]).toMatchObject({ organisation_id: null, vulnerabilities: 'Frail' })
      const { rows: columns } = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'people' and column_name in ('vulnerabilities', 'protected_characteristics', 'sensitive_reason')`.execute(testDb.database.db)
      expect(columns).toEqual([])
    } finally {
      await testDb.destroy()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
