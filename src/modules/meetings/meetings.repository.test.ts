import { PostgresQueryCompiler } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { type GovernanceFixtures, governanceFixtures, inDays } from './meetings.fixtures.js'
import { meetingsRepository } from './meetings.repository.js'

let t: TestApp
let g: GovernanceFixtures
let userId: string
const db = () => t.testDb.database.db

beforeAll(async () => {
  t = await createTestApp()
  g = governanceFixtures(t)
  userId = (await t.factories.user({ roles: ['partnership_coordinator'] })).id
})
afterAll(() => t.close())

/** An executor that keeps the SQL of every statement it runs, to check which take the meeting's lock. */
function recording() {
  const statements: string[] = []
  const compiler = new PostgresQueryCompiler()
  const executor = db().withPlugin({
    transformQuery: (args) => {
      statements.push(compiler.compileQuery(args.node, args.queryId).sql)
      return args.node
    },
    transformResult: async (args) => args.result,
  })
  return { executor, statements }
}
const LOCKS_MEETING = /^select "id" from "meetings" where "id" = \$1 for update$/

const titles = async (meetingId: string) => (await g.agenda(meetingId)).map((item) => [item.position, item.title])

describe('the meetings repository', () => {
  it('nextMeetingAfter finds the body’s next meeting that is not cancelled', async () => {
    const body = await g.body({ createdBy: userId })
    const other = await g.body({ createdBy: userId })
    await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(5), status: 'cancelled' })
    const next = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(10) })
    await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(20) })
    await g.meeting(other.id, { createdBy: userId, meetsOn: inDays(7) })
    const repository = meetingsRepository(db())
    expect(await repository.nextMeetingAfter(body.id, inDays(1))).toEqual({ id: next.id, meetsOn: inDays(10) })
    expect(await repository.nextMeetingAfter(body.id, inDays(20))).toBeUndefined()
  })

  it('nextMeetingAfter skips a meeting whose minutes are confirmed (locked), and deferred items go past it', async () => {
    const body = await g.body({ createdBy: userId })
    const january = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(-60), status: 'held', reports: [{ title: 'Bid A' }] })
    const confirmed = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(-30), status: 'held', minutesStatus: 'confirmed' })
    const repository = meetingsRepository(db())
    expect(await repository.nextMeetingAfter(body.id, inDays(-60))).toBeUndefined()
    const deferred = await g.item(body.id, { createdBy: userId, title: 'Bid A', deferredFromItemId: january.itemIds[5]! })
    expect(await repository.attachDeferredItems(body.id)).toBe(0)
    expect(await titles(confirmed.id)).toHaveLength(7)

    const next = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(10) })
    expect(await repository.nextMeetingAfter(body.id, inDays(-60))).toEqual({ id: next.id, meetsOn: inDays(10) })
    expect(await repository.attachDeferredItems(body.id)).toBe(1)
    expect((await g.agenda(next.id)).find((item) => item.id === deferred.id)?.position).toBe(6)
    expect(await titles(confirmed.id)).toHaveLength(7)
  })

  it('every change of agenda positions locks the meeting first, then reads the places', async () => {
    const body = await g.body({ createdBy: userId })
    const meeting = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(10), reports: [{ title: 'First report' }, { title: 'Second report' }] })
    const firstCall = async (work: (repository: ReturnType<typeof meetingsRepository>) => Promise<unknown>) => {
      const { executor, statements } = recording()
      await work(meetingsRepository(executor))
      return statements
    }

    const added = await g.item(body.id, { createdBy: userId, title: 'Added report' })
    const placing = await firstCall((repository) => repository.placeOnAgenda(added.id, meeting.id))
    expect(placing[0]).toMatch(LOCKS_MEETING)

    const moving = await firstCall((repository) => repository.moveItem(meeting.id, added.id, 'up'))
    expect(moving[0]).toMatch(LOCKS_MEETING)
    expect((await titles(meeting.id)).slice(5, 8)).toEqual([
      [6, 'First report'],
      [7, 'Added report'],
      [8, 'Second report'],
    ])

    const removing = await firstCall((repository) => repository.deleteItem({ id: added.id, meetingId: meeting.id }))
    expect(removing[0]).toMatch(LOCKS_MEETING)
    expect((await titles(meeting.id)).map(([position]) => position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect((await titles(meeting.id))[6]).toEqual([7, 'Second report'])
  })

  it('placeOnAgenda puts an item before the closing items, or last when there are none', async () => {
    const body = await g.body({ createdBy: userId })
    const meeting = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(10), reports: [{ title: 'First report' }] })
    const item = await g.item(body.id, { createdBy: userId, title: 'New report' })
    const repository = meetingsRepository(db())
    expect(await repository.placeOnAgenda(item.id, meeting.id)).toBe(7)
    expect((await titles(meeting.id)).slice(5)).toEqual([
      [6, 'First report'],
      [7, 'New report'],
      [8, 'Any other business'],
      [9, 'Date of next meeting'],
    ])

    const bare = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(11) })
    await g.item(body.id, { createdBy: userId, meetingId: bare.id, position: 1, title: 'Only item' })
    const last = await g.item(body.id, { createdBy: userId, title: 'Second item' })
    expect(await repository.placeOnAgenda(last.id, bare.id)).toBe(2)
    expect(await titles(bare.id)).toEqual([
      [1, 'Only item'],
      [2, 'Second item'],
    ])
  })

  it('attachDeferredItems moves waiting deferred items onto the next meeting after theirs, in order, and leaves the rest waiting', async () => {
    const body = await g.body({ createdBy: userId })
    const january = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(-60), status: 'held', reports: [{ title: 'Bid A' }, { title: 'Bid B' }] })
    const deferredB = await g.item(body.id, { createdBy: userId, title: 'Bid B', deferredFromItemId: january.itemIds[6]! })
    const deferredA = await g.item(body.id, { createdBy: userId, title: 'Bid A', deferredFromItemId: january.itemIds[5]! })
    const plain = await g.item(body.id, { createdBy: userId, title: 'Not deferred' })
    const repository = meetingsRepository(db())
    // No meeting after January yet: they wait.
    expect(await repository.attachDeferredItems(body.id)).toBe(0)

    const march = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(30) })
    const february = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(-30), status: 'cancelled' })
    expect(await repository.attachDeferredItems(body.id)).toBe(2)
    // The cancelled meeting is skipped; the order of the January agenda is kept.
    expect((await titles(march.id)).slice(5, 7)).toEqual([
      [6, 'Bid A'],
      [7, 'Bid B'],
    ])
    expect(await titles(february.id)).toHaveLength(7)
    const rows = await db().selectFrom('agenda_items').select(['id', 'meeting_id']).where('id', 'in', [deferredA.id, deferredB.id, plain.id]).execute()
    expect(rows.find((row) => row.id === plain.id)!.meeting_id).toBeNull()
    expect(await repository.attachDeferredItems(body.id)).toBe(0)
  })
})
