import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { multipart, samples } from '../src/modules/documents/documents.fixtures.js'
import { addDays, todayInLondon } from '../src/platform/dates.js'
import type { AccessEntry } from '../src/platform/http/access.js'
import type { Agent } from './helpers/app.js'
import { createTestApp, type TestApp } from './helpers/app.js'
import { governanceFactories } from './helpers/governance-factories.js'
import { type ScopeIds, scopeRequests } from './helpers/governance-scope-bodies.js'

/**
 * A closed body's meetings, papers, minutes and actions over every route that names one of its records: a user who
 * may run or read governance but is not a member gets 404 (its existence does not leak), never the record, and
 * changes nothing; administrators and members still reach them, and an action's owner reaches that action alone.
 */

/** Route parameters that name a governance record of one body. (:contactId and :messageId do not: contacts are shared, messages are the outbox.) */
const BODY_SCOPED = ['bodyId', 'meetingId', 'itemId', 'paperId', 'actionId', 'memberId', 'resolutionId', 'version', 'declarationId']
/** Governance tables whose every row must be as it was after the stranger's calls. */
const GOVERNANCE_TABLES = [
  'bodies',
  'body_members',
  'governance_contacts',
  'meetings',
  'agenda_items',
  'agenda_papers',
  'meeting_attendance',
  'meeting_declarations',
  'resolutions',
  'minutes_versions',
  'actions',
  'action_owners',
  'action_updates',
  'action_reminders',
  'email_messages',
]
const SECRETS = {
  bodyName: 'Loughborough Town Centre JAG 7f3a',
  reportTitle: 'Operation Nightingale tasking 7f3a',
  programmeTitle: 'Cuckooing in Shelthorpe 7f3a',
  minutes: 'Tenancy enforcement at Flat 12 was discussed 7f3a',
  resolution: 'that a closure order be sought for Flat 12 7f3a',
  interest: 'Landlord of a neighbouring flat 7f3a',
  action: 'Serve a community protection warning on the tenant 7f3a',
  overdueAction: 'Report back on the dispersal order 7f3a',
}
/** Lists across bodies: a closed body's records must not appear in them either. */
const LISTS = ['/', '/bodies', '/meetings', '/actions', '/actions/overdue', '/api/v1/bodies', '/api/v1/actions/mine']

let t: TestApp
let routes: AccessEntry[]
let ids: Omit<ScopeIds, 'strangerId'> & { paperId: string; actionId: string; resolutionId: string; declarationId: string; programmeItemId: string; }
let member: Agent
let clerkLogin: { email: string; password: string }

const param = (name: string) => `:${name}`
const paramsOf = (url: string) => [...url.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1]!)

/** The route's address for the closed body's records: each parameter replaced with the id of the record it names. */
function addressOf(url: string): string {
  // Agenda changes and confirming the previous minutes belong to the coming meeting; the minutes to the held one.
  const coming = /^(\/api\/v1)?\/meetings\/:meetingId\/(edit|cancel|items(\/new)?|publish-agenda|minutes\/confirm-previous)$/.test(url)
  const chosen: Record<string, string> = {
    bodyId: ids.bodyId,
    meetingId: coming ? ids.nextMeetingId : ids.meetingId,
    itemId: url.endsWith('/programme') ? ids.programmeItemId : ids.itemId,
    paperId: ids.paperId,
    actionId: ids.actionId,
    memberId: ids.memberId,
    resolutionId: ids.resolutionId,
    version: '1',
    declarationId: ids.declarationId,
  }
  const filled = url.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    if (!chosen[name]) throw new Error(`No record for ${param(name)} in ${url}: add it to BODY_SCOPED and the ids`)
    return chosen[name]
  })
  // The document downloads require a format: without it validation, not the scope check, would answer.
  return url.endsWith('/document') ? `${filled}?format=pdf` : filled
}

/** Whether a page or JSON answer shows anything of the closed body. */
function leaked(response: LightMyRequestResponse): string[] {
  return Object.values(SECRETS).filter((secret) => response.body.includes(secret))
}

beforeAll(async () => {
  t = await createTestApp()
  const db = t.testDb.database.db
  const gov = governanceFactories(db)
  const today = todayInLondon()
  const clerk = await t.factories.user({ roles: ['partnership_coordinator'] })
  const memberUser = await t.factories.user({ roles: ['board_member'] })
  const body = await gov.body({ createdBy: clerk.id, name: SECRETS.bodyName, kind: 'jag', visibility: 'closed' })
  await gov.member({ bodyId: body.id, userId: clerk.id, role: 'clerk', createdBy: clerk.id })
  const membership = await gov.member({ bodyId: body.id, userId: memberUser.id, role: 'member', createdBy: clerk.id })
  const contact = await gov.contact({ createdBy: clerk.id, email: 'presenter@charity.example.org' })
  await gov.member({ bodyId: body.id, contactId: contact.id, role: 'in_attendance', createdBy: clerk.id })

  // The meeting held last month, its minutes published; and the next one, scheduled.
  const meeting = await gov.meeting({ bodyId: body.id, createdBy: clerk.id, meetsOn: addDays(today, -30), status: 'held', minutesStatus: 'published' })
  await db.updateTable('meetings').set({ agenda_published_at: new Date(), agenda_published_by: clerk.id, minutes_published_at: new Date(), closed_at: '11:30' }).where('id', '=', meeting.id).execute()
  const nextMeeting = await gov.meeting({ bodyId: body.id, createdBy: clerk.id, meetsOn: addDays(today, 30) })
  const opening = [
    ['apologies', 'Apologies for absence'],
    ['previous_minutes', 'Minutes of the previous meeting'],
    ['matters_arising', 'Matters arising'],
    ['action_log', 'Action log'],
    ['declarations', 'Declarations of interest'],
  ] as const
  const closing = [
    ['any_other_business', 'Any other business'],
    ['next_meeting', 'Date of next meeting'],
  ] as const
  const itemsOf = async (meetingId: string, middle: { kind: string; title: string; minutes?: string }[]) => {
    const all = [...opening.map(([kind, title]) => ({ kind, title })), ...middle, ...closing.map(([kind, title]) => ({ kind, title }))]
    const made = []
    for (const [index, item] of all.entries()) made.push(await gov.item({ bodyId: body.id, meetingId, position: index + 1, createdBy: clerk.id, ...item }))
    return made
  }
  const heldItems = await itemsOf(meeting.id, [{ kind: 'report', title: SECRETS.reportTitle, minutes: SECRETS.minutes }])
  await itemsOf(nextMeeting.id, [])
  const report = heldItems[5]!
  const programmeItem = await gov.item({ bodyId: body.id, meetingId: null, position: null, createdBy: clerk.id, title: SECRETS.programmeTitle })
  const paper = await gov.paper({ itemId: report.id, uploadedBy: clerk.id, content: samples.pdf(), title: 'Tasking report' })

  await db
    .insertInto('meeting_attendance')
    .values([
      { meeting_id: meeting.id, user_id: clerk.id, status: 'present', recorded_by: clerk.id },
      { meeting_id: meeting.id, user_id: memberUser.id, status: 'present', recorded_by: clerk.id },
      { meeting_id: meeting.id, contact_id: contact.id, status: 'apologies', recorded_by: clerk.id },
    ])
    .execute()
  const declaration = await db.insertInto('meeting_declarations').values({ meeting_id: meeting.id, agenda_item_id: report.id, user_id: memberUser.id, interest: SECRETS.interest, recorded_by: clerk.id }).returning('id').executeTakeFirstOrThrow()
  const resolution = await db.insertInto('resolutions').values({ agenda_item_id: report.id, position: 1, text: SECRETS.resolution, created_by: clerk.id }).returning('id').executeTakeFirstOrThrow()
  const action = await gov.action({ bodyId: body.id, createdBy: clerk.id, meetingId: meeting.id, itemId: report.id, text: SECRETS.action, dueOn: addDays(today, 14), ownerUserId: memberUser.id })
  await gov.action({ bodyId: body.id, createdBy: clerk.id, meetingId: meeting.id, itemId: report.id, text: SECRETS.overdueAction, dueOn: addDays(today, -7), ownerUserId: memberUser.id })
  await db.insertInto('action_updates').values({ action_id: action.id, status: 'open', comment: 'Raised at the meeting', meeting_id: meeting.id, updated_by: clerk.id }).execute()
  // Version 1 of the record, as the minutes service keeps one.
  const record = await t.services.minutes.record({ userId: clerk.id, organisationId: clerk.organisationId, ip: null }, meeting.id, { includeExempt: true })
  await db.insertInto('minutes_versions').values({ meeting_id: meeting.id, version: 1, record: JSON.stringify(record), reason: 'Confirmed as a correct record', changed_by: clerk.id }).execute()

  ids = {
    bodyId: body.id,
    meetingId: meeting.id,
    nextMeetingId: nextMeeting.id,
    itemId: report.id,
    otherItemId: heldItems[3]!.id,
    programmeItemId: programmeItem.id,
    paperId: paper.id,
    actionId: action.id,
    resolutionId: resolution.id,
    declarationId: declaration.id,
    memberId: membership.id,
    memberUserId: memberUser.id,
    laterDate: addDays(today, 60),
  }
  member = await t.signIn(memberUser.email, memberUser.password)
  clerkLogin = clerk
  routes = t.app.accessTable.filter((route) => route.method !== 'HEAD' && paramsOf(route.url).some((name) => BODY_SCOPED.includes(name)))
})
afterAll(() => t.close())

async function snapshot() {
  const db = t.testDb.database.db
  const tables: Record<string, unknown[]> = {}
  for (const table of GOVERNANCE_TABLES) tables[table] = (await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by 1`.execute(db)).rows
  const count = async (from: string) => Number((await sql<{ count: string }>`select count(*) as count from ${sql.raw(from)}`.execute(db)).rows[0]!.count)
  return {
    tables,
    counts: {
      meetings: await count('meetings'),
      agendaItems: await count('agenda_items'),
      resolutions: await count('resolutions'),
      actions: await count('actions'),
      actionUpdates: await count('action_updates'),
      attendance: await count('meeting_attendance'),
      bodyMembers: await count('body_members'),
      papersNotRemoved: await count('agenda_papers where removed_at is null'),
      paperContents: await count('agenda_paper_contents'),
      emails: await count('email_messages'),
      minutesVersions: await count('minutes_versions'),
    },
  }
}

/** Sends the route's request as its page or a script would, with a valid body for a change. */
async function send(agent: Agent, route: AccessEntry, url: string, strangerId: string): Promise<LightMyRequestResponse> {
  if (route.method === 'GET') return agent.get(url)
  const request = scopeRequests({ ...ids, strangerId })[`${route.method} ${route.url}`]
  if (!request) throw new Error(`No request body for ${route.method} ${route.url}: add a valid one to test/helpers/governance-scope-bodies.ts`)
  if ('upload' in request) {
    const upload = multipart({ _csrf: agent.csrfToken!, ...request.upload }, { name: 'report.pdf', data: samples.pdf() })
    return agent.request({ method: 'POST', url, payload: upload.payload, headers: { ...upload.headers, 'x-csrf-token': agent.csrfToken! } })
  }
  if ('form' in request) return agent.submit(url, request.form)
  return agent.json(route.method as 'POST' | 'PATCH' | 'DELETE', url, request.json)
}

describe('a closed body over every governance route', () => {
  it('covers every route naming a body, meeting, item, paper, member, resolution, declaration, version or action', () => {
    const keys = routes.map((route) => `${route.method} ${route.url}`)
    expect(routes.length, keys.join('\n')).toBeGreaterThanOrEqual(93)
    for (const family of ['/bodies/', '/meetings/', '/agenda-items/', '/papers/', '/actions/', '/api/v1/bodies/', '/api/v1/meetings/', '/api/v1/actions/']) {
      expect(routes.some((route) => route.url.startsWith(family)), family).toBe(true)
    }
    for (const key of [
      'GET /bodies/:bodyId',
      'GET /meetings/:meetingId',
      'GET /meetings/:meetingId/published-minutes',
      'GET /meetings/:meetingId/minutes.pdf',
      'GET /meetings/:meetingId/minutes/versions/:version',
      'GET /papers/:paperId/download',
      'GET /actions/:actionId',
      'GET /meetings/:meetingId/action-log.xlsx',
      'POST /agenda-items/:itemId/papers/new',
      'POST /meetings/:meetingId/declarations/:declarationId/remove',
      'POST /meetings/:meetingId/minutes/items/:itemId/resolutions/:resolutionId/edit',
      'POST /bodies/:bodyId/members/:memberId/end',
      'POST /api/v1/actions/:actionId/updates',
    ]) {
      expect(keys).toContain(key)
    }
    // Every parameter of these routes is one this test fills, so none is left unchecked.
    for (const route of routes) expect(() => addressOf(route.url)).not.toThrow()
  })

  it('answers a partnership coordinator who is not a member with 404 on every one, shows nothing and changes nothing', async () => {
    const stranger = await t.signInAs(['partnership_coordinator'])
    await stranger.get('/')
    const before = await snapshot()
    const failures: string[] = []
    for (const url of LISTS) {
      const response = await stranger.get(url)
      if (response.statusCode !== 200 || leaked(response).length) failures.push(`GET ${url}: ${response.statusCode} showing ${leaked(response).join(', ')}`)
    }
    for (const route of routes) {
      const url = addressOf(route.url)
      const response = await send(stranger, route, url, stranger.user.id)
      if (response.statusCode !== 404) failures.push(`${route.method} ${route.url}: ${response.statusCode} ${response.body.slice(0, 200)}`)
      else if (leaked(response).length) failures.push(`${route.method} ${route.url}: 404 showing ${leaked(response).join(', ')}`)
    }
    // A route that names the meeting in its body rather than its address.
    const raised = await stranger.json('POST', '/api/v1/actions', { meetingId: ids.meetingId, agendaItemId: ids.itemId, text: 'Visit the shop owners', owners: [{ type: 'user', id: ids.memberUserId }], dueOn: ids.laterDate })
    if (raised.statusCode !== 404) failures.push(`POST /api/v1/actions: ${raised.statusCode} ${raised.body.slice(0, 200)}`)
    expect(failures).toEqual([])

    const after = await snapshot()
    expect(after.counts).toEqual(before.counts)
    expect(after.counts.emails).toBe(0)
    expect(after.counts.minutesVersions).toBe(1)
    expect(after.counts.papersNotRemoved).toBe(1)
    expect(after.tables).toEqual(before.tables)
  })

  it('answers a board member who is not a member with 404 on every page and read, and never lets them into a change', async () => {
    const outsider = await t.signInAs(['board_member'])
    const failures: string[] = []
    for (const route of routes.filter((route) => route.method === 'GET')) {
      const response = await outsider.get(addressOf(route.url))
      const allowed = route.access === 'governance:manage' ? [403, 404] : [404]
      if (!allowed.includes(response.statusCode)) failures.push(`${route.method} ${route.url}: ${response.statusCode}`)
      else if (leaked(response).length) failures.push(`${route.method} ${route.url}: ${response.statusCode} showing ${leaked(response).join(', ')}`)
    }
    expect(failures).toEqual([])
  })

  it('still answers an administrator on every page and read, and the body’s own member on its pages (so the ids are right)', async () => {
    const admin = await t.signInAs(['admin'])
    const failures: string[] = []
    for (const route of routes.filter((route) => route.method === 'GET')) {
      const response = await admin.get(addressOf(route.url))
      if (response.statusCode === 404 || response.statusCode >= 500) failures.push(`${route.method} ${route.url}: ${response.statusCode} ${response.body.slice(0, 200)}`)
    }
    expect(failures).toEqual([])

    const bodyPage = await member.get(`/bodies/${ids.bodyId}`)
    expect(bodyPage.statusCode).toBe(200)
    expect(bodyPage.body).toContain(SECRETS.bodyName)
    const meetingPage = await member.get(`/meetings/${ids.meetingId}`)
    expect(meetingPage.statusCode).toBe(200)
    expect(meetingPage.body).toContain(SECRETS.reportTitle)
    const minutes = await member.get(`/meetings/${ids.meetingId}/published-minutes`)
    expect(minutes.statusCode).toBe(200)
    expect(minutes.body).toContain(SECRETS.resolution)
    const paper = await member.get(`/papers/${ids.paperId}/download`)
    expect(paper.statusCode).toBe(200)
    expect(paper.rawPayload.equals(samples.pdf())).toBe(true)
    const action = await member.get(`/actions/${ids.actionId}`)
    expect(action.statusCode).toBe(200)
    expect(action.body).toContain(SECRETS.action)
    // And the lists the stranger saw without it do show it to those it belongs to.
    for (const url of ['/bodies', '/meetings', '/api/v1/bodies']) expect((await member.get(url)).body, url).toContain(SECRETS.bodyName)
    for (const url of ['/', '/actions', '/api/v1/actions/mine']) expect((await member.get(url)).body, url).toContain(SECRETS.overdueAction)
    const clerk = await t.signIn(clerkLogin.email, clerkLogin.password)
    expect((await clerk.get('/actions/overdue')).body).toContain(SECRETS.overdueAction)
  })

  it('lets an owner without a governance role see their action, and nothing else of the body', async () => {
    const owner = await t.signInAs(['case_viewer'])
    await t.testDb.database.db.insertInto('action_owners').values({ action_id: ids.actionId, user_id: owner.user.id }).execute()

    const action = await owner.get(`/actions/${ids.actionId}`)
    expect(action.statusCode).toBe(200)
    expect(action.body).toContain(SECRETS.action)
    const mine = await owner.get('/actions')
    expect(mine.statusCode).toBe(200)
    expect(mine.body).toContain(SECRETS.action)
    const api = await owner.json('GET', `/api/v1/actions/${ids.actionId}`)
    expect(api.statusCode).toBe(200)
    expect(api.json()).toMatchObject({ id: ids.actionId, text: SECRETS.action })

    // Without governance:read the gate refuses them first (403); either way, no record of the body's meetings.
    for (const url of [`/bodies/${ids.bodyId}`, `/meetings/${ids.meetingId}`, `/meetings/${ids.meetingId}/published-minutes`, `/api/v1/meetings/${ids.meetingId}/minutes`]) {
      const response = await owner.get(url)
      expect([403, 404], url).toContain(response.statusCode)
      expect(leaked(response), url).toEqual([])
    }
  })


  it('lets the body’s clerk past the scope check with the very same requests (so each reaches it, with the right ids)', async () => {
    const clerk = await t.signIn(clerkLogin.email, clerkLogin.password)
    await clerk.get('/')
    const newcomer = await t.factories.user({ roles: ['board_member'] })
    // Removals and cancelling last, so that every other change still finds its record.
    const last = (route: AccessEntry) => Number(/\/(remove|cancel|end)$/.test(route.url))
    const changes = routes.filter((route) => route.method !== 'GET').sort((a, b) => last(a) - last(b))
    const failures: string[] = []
    for (const route of changes) {
      const response = await send(clerk, route, addressOf(route.url), newcomer.id)
      // Rules may refuse a change the earlier ones made stale (409, 400); the scope check and the gate must not.
      if ([403, 404].includes(response.statusCode) || response.statusCode >= 500) failures.push(`${route.method} ${route.url}: ${response.statusCode} ${response.body.slice(0, 200)}`)
    }
    expect(failures).toEqual([])
  })
})
