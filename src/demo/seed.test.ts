import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/helpers/app.js'
import { SYSTEM_ACTOR } from '../modules/audit/audit.events.js'
import { POLICE_FOLDER } from '../modules/performance/performance.fixtures.js'
import { todayInLondon } from '../platform/dates.js'
import { seedGovernanceDemonstration } from './governance-demo.js'
import { seedPerformanceDemonstration } from './performance-demo.js'
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

  it('holds the governance demonstration: Charnwood CSP with members, past meetings, minutes, actions and a meeting to come', async () => {
    const bodies = await db().selectFrom('bodies').leftJoin('bodies as parent', 'parent.id', 'bodies.parent_id').select(['bodies.id', 'bodies.name', 'bodies.kind', 'bodies.visibility', 'parent.name as parentName']).execute()
    expect(bodies.map(({ name, kind, visibility, parentName }) => ({ name, kind, visibility, parentName }))).toEqual(
      expect.arrayContaining([
        { name: 'Charnwood Community Safety Partnership', kind: 'csp', visibility: 'open', parentName: null },
        { name: 'Charnwood ASB Delivery Group', kind: 'delivery_group', visibility: 'open', parentName: 'Charnwood Community Safety Partnership' },
        { name: 'Loughborough Joint Action Group', kind: 'jag', visibility: 'closed', parentName: 'Charnwood Community Safety Partnership' },
        { name: 'Leicestershire Safer Communities Strategy Board', kind: 'strategy_board', visibility: 'open', parentName: null },
      ]),
    )
    const csp = bodies.find((body) => body.kind === 'csp')!
    const today = todayInLondon()
    const coordinator = credentials!.find((credential) => credential.role === 'partnership_coordinator')!
    const boardMember = credentials!.find((credential) => credential.role === 'board_member')!
    const roles = await db()
      .selectFrom('body_members')
      .leftJoin('users', 'users.id', 'body_members.user_id')
      .select(['body_members.role', 'users.email', 'body_members.contact_id as contactId', 'body_members.elected_by_resolution_id as resolutionId'])
      .where('body_members.body_id', '=', csp.id)
      .where('body_members.from_date', '<=', today)
      .where((eb) => eb.or([eb('body_members.to_date', 'is', null), eb('body_members.to_date', '>=', today)]))
      .execute()
    expect(roles.find((row) => row.role === 'clerk')!.email).toBe(coordinator.email)
    expect(roles.find((row) => row.role === 'deputy_chair')).toMatchObject({ email: boardMember.email, resolutionId: expect.any(String) })
    expect(roles.find((row) => row.role === 'chair')).toMatchObject({ contactId: expect.any(String), resolutionId: expect.any(String) })
    expect(roles.filter((row) => row.contactId).length).toBeGreaterThanOrEqual(3)

    const meetings = await db().selectFrom('meetings').select(['id', 'meets_on', 'status', 'minutes_status', 'agenda_published_at']).where('body_id', '=', csp.id).orderBy('meets_on').execute()
    expect(meetings.map((row) => [row.status, row.minutes_status])).toEqual([['held', 'confirmed'], ['held', 'published'], ['scheduled', 'none']])
    expect(meetings[1]!.meets_on < today && meetings[2]!.meets_on > today).toBe(true)
    expect(meetings[2]!.agenda_published_at).toBeNull()
    for (const meeting of meetings) {
      const kinds = (await db().selectFrom('agenda_items').select('kind').where('meeting_id', '=', meeting.id).orderBy('position').execute()).map((row) => row.kind)
      expect(kinds).toEqual(expect.arrayContaining(['apologies', 'previous_minutes', 'matters_arising', 'action_log', 'declarations', 'report', 'hot_topics', 'any_other_business', 'next_meeting']))
      expect(kinds.at(-1)).toBe('next_meeting')
    }
    const unprogrammed = await db().selectFrom('agenda_items').select('title').where('body_id', '=', csp.id).where('meeting_id', 'is', null).execute()
    expect(unprogrammed).toHaveLength(1)
    const attendance = await db().selectFrom('meeting_attendance').select('status').distinct().where('meeting_id', '=', meetings[0]!.id).execute()
    expect(attendance.map((row) => row.status).sort()).toEqual(['apologies', 'in_attendance', 'present'])
    const noted = await db().selectFrom('resolutions').innerJoin('agenda_items', 'agenda_items.id', 'resolutions.agenda_item_id').select('resolutions.text').where('agenda_items.body_id', '=', csp.id).where('resolutions.text', '=', 'that the contents of the report be noted').execute()
    expect(noted.length).toBeGreaterThanOrEqual(3)

    const actions = await db().selectFrom('actions').select(['id', 'status', 'due_on']).where('body_id', '=', csp.id).execute()
    const statuses = actions.map((row) => row.status)
    expect(statuses).toEqual(expect.arrayContaining(['complete', 'open', 'incomplete', 'no_update']))
    expect(actions.filter((row) => row.status !== 'complete' && row.due_on !== null && row.due_on < today).length).toBeGreaterThanOrEqual(2)
    const owners = await db().selectFrom('action_owners').select(['user_id', 'contact_id', 'organisation_id']).where('action_id', 'in', actions.map((row) => row.id)).execute()
    expect(owners.some((row) => row.user_id) && owners.some((row) => row.contact_id) && owners.some((row) => row.organisation_id)).toBe(true)
    expect((await db().selectFrom('action_updates').select('id').where('action_id', 'in', actions.map((row) => row.id)).execute()).length).toBeGreaterThan(0)

    // The board member sees the partnership, with its elected chair, but not the closed JAG they do not sit on.
    const agent = await t.signIn(boardMember.email, boardMember.password)
    const page = await agent.get(`/bodies/${csp.id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toMatch(/Chair \d{4}\/\d{2}: Cllr Morgan Ellis \(elected /)
    expect((await agent.get(`/bodies/${bodies.find((body) => body.kind === 'jag')!.id}`)).statusCode).toBe(404)
  })

  it('adds no governance demonstration twice', async () => {
    const count = async () => {
      const counts: number[] = []
      for (const table of ['bodies', 'body_members', 'governance_contacts', 'meetings', 'agenda_items', 'resolutions', 'actions', 'action_updates', 'meeting_attendance'] as const) {
        counts.push(Number((await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n))
      }
      return counts
    }
    const before = await count()
    expect(await seedDemonstrationData(db())).toBeNull()
    const organisations = new Map((await db().selectFrom('organisations').select(['id', 'name']).execute()).map((row) => [row.name, row.id]))
    expect(await db().transaction().execute((trx) => seedGovernanceDemonstration(trx, organisations))).toBe(false)
    expect(await count()).toEqual(before)
  })
})

describe('demonstration police.uk data', () => {
  it('loads the shared files through the same audited import as an upload, once, and refuses a bad file rather than failing to start', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'demo-police-'))
    try {
      copyFileSync(fileURLToPath(new URL('2019-01-leicestershire-street.csv', POLICE_FOLDER)), path.join(folder, '2019-01-leicestershire-street.csv'))
      writeFileSync(path.join(folder, '2019-02-broken-street.csv'), 'not,a,police,file\n')
      await t.services.policeImports.boundariesReady(SYSTEM_ACTOR)
      expect(await seedPerformanceDemonstration(t.testDb.database, t.services.policeImports, folder)).toBe(1)
      expect(await db().selectFrom('police_files').select(['force', 'month', 'imported_by']).execute()).toEqual([{ force: 'Leicestershire Police', month: '2019-01', imported_by: null }])
      const audited = await db().selectFrom('audit_events').select(['action', 'user_id']).where('action', 'in', ['police_file.imported', 'police_file.rejected']).orderBy('id').execute()
      expect(audited).toEqual([
        { action: 'police_file.imported', user_id: null },
        { action: 'police_file.rejected', user_id: null },
      ])
      // Started again, with data loaded, it imports nothing.
      expect(await seedPerformanceDemonstration(t.testDb.database, t.services.policeImports, folder)).toBe(0)
      expect(await db().selectFrom('police_files').select('id').execute()).toHaveLength(1)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})
