import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/helpers/app.js'
import { DEMO_ORGANISATIONS, DEMO_USERS, seedDemonstrationData, type DemoCredential } from './seed.js'

let t: TestApp
let credentials: DemoCredential[] | null
const db = () => t.testDb.database.db

beforeAll(async () => {
  t = await createTestApp()
  credentials = await seedDemonstrationData(db())
})
afterAll(() => t.close())

describe('demonstration data', () => {
  it('loads the partners and one user per role, whose printed details sign in', async () => {
    expect(credentials).toHaveLength(DEMO_USERS.length)
    const organisations = await db().selectFrom('organisations').select('name').execute()
    expect(organisations.map((row) => row.name).sort()).toEqual(DEMO_ORGANISATIONS.map((row) => row.name).sort())
    const manager = credentials!.find((credential) => credential.role === 'case_manager')!
    const agent = await t.signIn(manager.email, manager.password)
    expect((await agent.get('/cases?view=mine')).statusCode).toBe(200)
  })

  it('holds ASB cases in all nine LLR districts, with people, incidents, risk and interventions', async () => {
    const districts = await db()
      .selectFrom('cases')
      .innerJoin('locations', 'locations.id', 'cases.location_id')
      .select('locations.district_code')
      .distinct()
      .execute()
    expect(districts.map((row) => row.district_code).sort()).toEqual(['E06000016', 'E06000017', 'E07000129', 'E07000130', 'E07000131', 'E07000132', 'E07000133', 'E07000134', 'E07000135'])
    const count = async (table: 'cases' | 'people' | 'incidents' | 'risk_assessments' | 'interventions' | 'case_shares' | 'tasks') => Number((await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
    expect(await count('cases')).toBeGreaterThanOrEqual(40)
    for (const table of ['people', 'incidents', 'risk_assessments', 'interventions', 'case_shares', 'tasks'] as const) expect(await count(table), table).toBeGreaterThan(0)
    const closed = await db().selectFrom('cases').select(['victim_satisfaction', 'closure_outcome']).where('status', '=', 'closed').execute()
    expect(closed.length).toBeGreaterThan(0)
    for (const row of closed) expect(row.victim_satisfaction && row.closure_outcome).toBeTruthy()
    const hate = await db().selectFrom('incidents').select('id').where('hate_motivated', '=', true).execute()
    expect(hate.length).toBeGreaterThan(0)
  })

  it('lets the police case viewer see only the cases shared with the police', async () => {
    const viewer = credentials!.find((credential) => credential.role === 'case_viewer')!
    const agent = await t.signIn(viewer.email, viewer.password)
    const listed = (await agent.json('GET', '/api/v1/cases?view=all&page=1')).json() as { total: number }
    const police = await db().selectFrom('organisations').select('id').where('name', '=', 'Leicestershire Police').executeTakeFirstOrThrow()
    const shared = await db().selectFrom('case_shares').select('case_id').distinct().where('organisation_id', '=', police.id).where('revoked_at', 'is', null).execute()
    expect(shared.length).toBeGreaterThan(0)
    expect(listed.total).toBe(shared.length)
  })

  it('continues case and incident numbering after the demonstration data, and seeds nothing twice', async () => {
    const manager = credentials!.find((credential) => credential.role === 'case_manager')!
    const agent = await t.signIn(manager.email, manager.password)
    const response = await agent.submit('/cases/new', { title: 'New case after demo', type: 'location', priority: 'normal' })
    expect(response.statusCode).toBe(302)
    expect(await seedDemonstrationData(db())).toBeNull()
  })
})
