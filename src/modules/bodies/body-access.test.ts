import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { governanceFactories } from '../../../test/helpers/governance-factories.js'
import { addDays, todayInLondon } from '../../platform/dates.js'
import { ForbiddenError, NotFoundError } from '../../platform/http/errors.js'
import type { Role } from '../auth/permissions.js'
import { bodyRowManageableBy, bodyRowVisibleTo, requireBody, requireMeetingBody, visibleBodyIds } from './body-access.js'

let t: TestApp
let gov: ReturnType<typeof governanceFactories>
const db = () => t.testDb.database.db
const today = todayInLondon()

beforeAll(async () => {
  t = await createTestApp()
  gov = governanceFactories(db())
})
afterAll(() => t.close())

const actorFor = (user: { id: string; organisationId: string }) => ({ userId: user.id, organisationId: user.organisationId, ip: null })
const user = (roles: Role[]) => t.factories.user({ roles })

async function membership(bodyId: string, userId: string, role: string, fromDate: string, toDate: string | null, createdBy: string) {
  await db().insertInto('body_members').values({ body_id: bodyId, user_id: userId, role, from_date: fromDate, to_date: toDate, created_by: createdBy }).execute()
}

/** Whether each user sees (and may manage) the body, through the SQL rules as lists use them. */
async function rules(bodyId: string, userId: string) {
  const row = await db()
    .selectFrom('bodies')
    .select([bodyRowVisibleTo(userId).as('visible'), bodyRowManageableBy(userId).as('manageable')])
    .where('id', '=', bodyId)
    .executeTakeFirstOrThrow()
  const listed = await visibleBodyIds(db(), userId).where('bodies.id', '=', bodyId).execute()
  return { visible: Boolean(row.visible), manageable: Boolean(row.manageable), listed: listed.length === 1 }
}

describe('who sees a body', () => {
  it('shows an open body to everyone and a closed body only to its current members and administrators', async () => {
    const creator = await user(['partnership_coordinator'])
    const open = await gov.body({ createdBy: creator.id, visibility: 'open' })
    const closed = await gov.body({ createdBy: creator.id, visibility: 'closed' })
    const [current, past, future, outsider, admin, endsToday] = await Promise.all([user(['board_member']), user(['board_member']), user(['board_member']), user(['board_member']), user(['admin']), user(['board_member'])])
    await membership(closed.id, current.id, 'member', '2020-01-01', null, creator.id)
    await membership(closed.id, past.id, 'member', '2020-01-01', addDays(today, -1), creator.id)
    await membership(closed.id, future.id, 'member', addDays(today, 1), null, creator.id)
    await membership(closed.id, endsToday.id, 'member', '2020-01-01', today, creator.id)

    for (const someone of [current, past, future, outsider, admin, endsToday]) expect((await rules(open.id, someone.id)).visible).toBe(true)
    expect(await rules(closed.id, current.id)).toMatchObject({ visible: true, listed: true })
    expect(await rules(closed.id, endsToday.id)).toMatchObject({ visible: true, listed: true })
    expect(await rules(closed.id, admin.id)).toMatchObject({ visible: true, listed: true })
    for (const someone of [past, future, outsider]) expect(await rules(closed.id, someone.id)).toMatchObject({ visible: false, listed: false })
  })

  it('does not count membership of another body, even its parent', async () => {
    const creator = await user(['partnership_coordinator'])
    const parent = await gov.body({ createdBy: creator.id })
    const child = await gov.body({ createdBy: creator.id, visibility: 'closed', parentId: parent.id })
    const parentMember = await user(['board_member'])
    await membership(parent.id, parentMember.id, 'chair', '2020-01-01', null, creator.id)
    expect((await rules(child.id, parentMember.id)).visible).toBe(false)
  })
})

describe('who runs a body', () => {
  it('lets administrators and coordinators who are its chair, deputy chair, clerk or officer manage it, and nobody else', async () => {
    const creator = await user(['partnership_coordinator'])
    const body = await gov.body({ createdBy: creator.id, visibility: 'closed' })
    const admin = await user(['admin'])
    expect((await rules(body.id, admin.id)).manageable).toBe(true)
    for (const role of ['chair', 'deputy_chair', 'clerk', 'officer']) {
      const coordinator = await user(['partnership_coordinator'])
      await membership(body.id, coordinator.id, role, '2020-01-01', null, creator.id)
      expect((await rules(body.id, coordinator.id)).manageable, role).toBe(true)
    }
    for (const role of ['member', 'in_attendance']) {
      const coordinator = await user(['partnership_coordinator'])
      await membership(body.id, coordinator.id, role, '2020-01-01', null, creator.id)
      expect(await rules(body.id, coordinator.id), role).toMatchObject({ visible: true, manageable: false })
    }
    const boardChair = await user(['board_member'])
    await membership(body.id, boardChair.id, 'chair', '2020-01-01', null, creator.id)
    expect((await rules(body.id, boardChair.id)).manageable).toBe(false)
    const formerClerk = await user(['partnership_coordinator'])
    await membership(body.id, formerClerk.id, 'clerk', '2020-01-01', '2021-01-01', creator.id)
    expect((await rules(body.id, formerClerk.id)).manageable).toBe(false)
  })
})

describe('requireBody and requireMeetingBody', () => {
  it('returns the body with whether the actor can manage it; refuses to manage with 403; hides a closed body with 404', async () => {
    const creator = await user(['partnership_coordinator'])
    const closed = await gov.body({ createdBy: creator.id, visibility: 'closed', name: `Closed JAG ${Math.random()}` })
    const clerk = await user(['partnership_coordinator'])
    await membership(closed.id, clerk.id, 'clerk', '2020-01-01', null, creator.id)
    const member = await user(['board_member'])
    await membership(closed.id, member.id, 'member', '2020-01-01', null, creator.id)
    const outsider = await user(['partnership_coordinator'])

    expect(await requireBody(db(), actorFor(clerk), closed.id, 'manage')).toEqual({ id: closed.id, name: closed.name, kind: 'csp', visibility: 'closed', parentId: null, canManage: true })
    expect(await requireBody(db(), actorFor(member), closed.id, 'read')).toMatchObject({ id: closed.id, canManage: false })
    await expect(requireBody(db(), actorFor(member), closed.id, 'manage')).rejects.toBeInstanceOf(ForbiddenError)
    await expect(requireBody(db(), actorFor(outsider), closed.id, 'read')).rejects.toBeInstanceOf(NotFoundError)
    await expect(requireBody(db(), actorFor(outsider), closed.id, 'manage')).rejects.toBeInstanceOf(NotFoundError)
    await expect(requireBody(db(), actorFor(clerk), '00000000-0000-4000-8000-000000000000', 'read')).rejects.toBeInstanceOf(NotFoundError)
    await expect(requireBody(db(), { userId: null, organisationId: null, ip: null }, closed.id, 'read')).rejects.toBeInstanceOf(ForbiddenError)

    const meeting = await gov.meeting({ bodyId: closed.id, meetsOn: today, createdBy: creator.id })
    expect(await requireMeetingBody(db(), actorFor(clerk), meeting.id, 'manage')).toMatchObject({ id: closed.id, meetingId: meeting.id, canManage: true })
    await expect(requireMeetingBody(db(), actorFor(member), meeting.id, 'manage')).rejects.toBeInstanceOf(ForbiddenError)
    await expect(requireMeetingBody(db(), actorFor(outsider), meeting.id, 'read')).rejects.toThrow(new NotFoundError('Meeting not found'))
    await expect(requireMeetingBody(db(), actorFor(clerk), '00000000-0000-4000-8000-000000000000', 'read')).rejects.toThrow(new NotFoundError('Meeting not found'))
  })
})
