import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { type GovernanceFixtures, governanceFixtures, inDays } from './meetings.fixtures.js'

let t: TestApp
let g: GovernanceFixtures

beforeAll(async () => {
  t = await createTestApp()
  g = governanceFixtures(t)
})
afterAll(() => t.close())

describe('the meetings API', () => {
  it('schedules a meeting with its standing items, and refuses the past, a clash and a bad time with a clear message', async () => {
    const { agent, body } = await g.clerk()
    await agent.get('/')
    const meetsOn = inDays(30)
    const created = await agent.json('POST', `/api/v1/bodies/${body.id}/meetings`, { meetsOn, startsAt: '10:00', venue: 'Microsoft Teams', hotTopic: 'Retail crime' })
    expect(created.statusCode).toBe(201)
    const meeting = created.json()
    expect(meeting).toMatchObject({ bodyId: body.id, bodyName: body.name, meetsOn, startsAt: '10:00', venue: 'Microsoft Teams', status: 'scheduled', agendaPublishedAt: null, minutesStatus: 'none' })
    expect(meeting.items.map((item: { number: number; kind: string }) => [item.number, item.kind])).toEqual([
      [1, 'apologies'],
      [2, 'previous_minutes'],
      [3, 'matters_arising'],
      [4, 'action_log'],
      [5, 'declarations'],
      [6, 'hot_topics'],
      [7, 'any_other_business'],
      [8, 'next_meeting'],
    ])
    expect(meeting.items[5]).toMatchObject({ title: 'Hot Topics', hotTopic: 'Retail crime', papers: [], papersWithheld: false })

    const past = await agent.json('POST', `/api/v1/bodies/${body.id}/meetings`, { meetsOn: inDays(-1), startsAt: '10:00', venue: 'Microsoft Teams' })
    expect(past.statusCode).toBe(400)
    expect(past.json().message).toContain('The meeting date must be today or in the future')
    const held = await agent.json('POST', `/api/v1/bodies/${body.id}/meetings`, { meetsOn: inDays(-1), startsAt: '10:00', venue: 'Microsoft Teams', alreadyHeld: true })
    expect(held.statusCode).toBe(201)
    expect(held.json().status).toBe('held')
    const clash = await agent.json('POST', `/api/v1/bodies/${body.id}/meetings`, { meetsOn, startsAt: '10:00', venue: 'Elsewhere' })
    expect(clash.statusCode).toBe(400)
    expect(clash.json().message).toContain('This body already has a meeting on')
    const badTime = await agent.json('POST', `/api/v1/bodies/${body.id}/meetings`, { meetsOn, startsAt: '10am', venue: 'Elsewhere' })
    expect(badTime.statusCode).toBe(400)
    expect(badTime.json().message).toContain('Enter the start time using the 24-hour clock')

    const list = await agent.json('GET', `/api/v1/bodies/${body.id}/meetings`)
    expect(list.statusCode).toBe(200)
    expect(list.json().map((row: { meetsOn: string }) => row.meetsOn)).toEqual([inDays(-1), meetsOn])
  })

  it('adds an item and gives the meeting with its papers', async () => {
    const { agent, body, userId } = await g.clerk()
    const meeting = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(10) })
    await agent.get('/')
    const added = await agent.json('POST', `/api/v1/meetings/${meeting.id}/items`, { title: 'Anti-social behaviour update', kind: 'report', presenterName: 'Sgt Priya Shah', presenterRole: 'Neighbourhood policing' })
    expect(added.statusCode).toBe(201)
    expect(added.json()).toMatchObject({ number: 6, title: 'Anti-social behaviour update', kind: 'report', presenter: { name: 'Sgt Priya Shah', role: 'Neighbourhood policing' }, exempt: false })
    const bad = await agent.json('POST', `/api/v1/meetings/${meeting.id}/items`, { title: 'Secret', kind: 'report', exempt: true })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toContain('Enter why the item is exempt')

    await t.testDb.database.db
      .insertInto('agenda_papers')
      .values({ agenda_item_id: added.json().id, title: 'ASB figures', file_name: 'asb.pdf', mime_type: 'application/pdf', size_bytes: 100, sha256: 'e'.repeat(64), uploaded_by: userId })
      .execute()
    const got = await agent.json('GET', `/api/v1/meetings/${meeting.id}`)
    expect(got.statusCode).toBe(200)
    expect(got.json().items[5].papers).toEqual([expect.objectContaining({ title: 'ASB figures', label: 'Agenda Item 6', fileName: 'asb.pdf', mimeType: 'application/pdf', sizeBytes: 100 })])
    expect(got.json().items).toHaveLength(8)
  })

  it('gives the forward programme', async () => {
    const { agent, body, userId } = await g.clerk()
    const meeting = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(10), reports: [{ title: 'On the agenda' }] })
    await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(-10), status: 'held' })
    const waiting = await g.item(body.id, { createdBy: userId, title: 'Waiting' })
    const response = await agent.json('GET', `/api/v1/bodies/${body.id}/forward-programme`)
    expect(response.statusCode).toBe(200)
    const programme = response.json()
    expect(programme.meetings.map((row: { id: string }) => row.id)).toEqual([meeting.id])
    expect(programme.meetings[0].items[5]).toMatchObject({ number: 6, title: 'On the agenda' })
    expect(programme.toBeProgrammed).toEqual([expect.objectContaining({ id: waiting.id, number: null, title: 'Waiting', deferredFromMeetingId: null })])
  })

  it('refuses a board member at the gate and a coordinator who does not run the body', async () => {
    const { body, userId } = await g.clerk()
    const meeting = await g.meetingWithAgenda(body.id, { createdBy: userId, meetsOn: inDays(10) })
    const boardMember = await g.memberAgent(body.id, ['board_member'], 'member', userId)
    await boardMember.get('/')
    const gate = await boardMember.json('POST', `/api/v1/bodies/${body.id}/meetings`, { meetsOn: inDays(5), startsAt: '10:00', venue: 'Microsoft Teams' })
    expect(gate.statusCode).toBe(403)
    expect(gate.json().message).toBe('You do not have permission to do this')
    expect((await boardMember.json('GET', `/api/v1/meetings/${meeting.id}`)).statusCode).toBe(200)

    const coordinator = await t.signInAs(['partnership_coordinator'])
    await coordinator.get('/')
    const refused = await coordinator.json('POST', `/api/v1/meetings/${meeting.id}/items`, { title: 'Mine', kind: 'report' })
    expect(refused.statusCode).toBe(403)
    expect(refused.json().message).toBe('Only the chair, clerk or officers of this body, or an administrator, can change it')
    expect((await coordinator.json('POST', `/api/v1/meetings/${meeting.id}/publish-agenda`)).statusCode).toBe(403)
  })
})
