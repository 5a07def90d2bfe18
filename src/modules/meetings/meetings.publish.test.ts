import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { startTestSmtpServer, type TestSmtpServer } from '../../../test/helpers/smtp.js'
import { type GovernanceFixtures, governanceFixtures, inDays } from './meetings.fixtures.js'
import { meetingDay } from './meetings.format.js'

const emailsAbout = (t: TestApp, meetingId: string) => t.testDb.database.db.selectFrom('email_messages').selectAll().where('related_id', '=', meetingId).orderBy('created_at').execute()

/** A clerk, two members with an email, one contact without, and a meeting with an open and an exempt report. */
async function arrange(t: TestApp, g: GovernanceFixtures) {
  const clerk = await g.clerk()
  const { body, userId } = clerk
  const member = await g.memberAgent(body.id, ['board_member'], 'member', userId)
  const withEmail = await g.contact({ createdBy: userId, name: 'Asha Patel', email: 'asha.patel@voluntary.example.org' })
  await g.member(body.id, { contactId: withEmail.id, role: 'in_attendance', createdBy: userId })
  const noEmail = await g.contact({ createdBy: userId, name: 'Cllr Ruth Taylor', organisationName: 'Melton Borough Council' })
  await g.member(body.id, { contactId: noEmail.id, role: 'member', createdBy: userId })
  const former = await t.factories.user({ roles: ['board_member'] })
  await g.member(body.id, { userId: former.id, fromDate: '2019-01-01', toDate: '2020-01-01', createdBy: userId })
  const meetsOn = inDays(21)
  const meeting = await g.meetingWithAgenda(body.id, {
    createdBy: userId,
    meetsOn,
    reports: [{ title: 'Town centre PSPO review', presenterName: 'Jane Smith' }, { title: 'Persistent offender review', exempt: true, description: 'Names John Doe' }],
  })
  return { ...clerk, member, former, meeting, meetsOn, emails: [clerk.agent.user.email, member.user.email, 'asha.patel@voluntary.example.org'].sort() }
}

describe('publishing the agenda by email', () => {
  let t: TestApp
  let g: GovernanceFixtures
  let smtp: TestSmtpServer

  beforeAll(async () => {
    smtp = await startTestSmtpServer()
    t = await createTestApp({ mail: smtp.mailConfig })
    g = governanceFixtures(t)
  })
  afterAll(async () => {
    await t.close()
    await smtp.close()
  })

  it('lists who will be emailed and who will not, then sends one email per member with the agenda', async () => {
    const { agent, body, meeting, meetsOn, emails, former } = await arrange(t, g)
    const confirm = await agent.get(`/meetings/${meeting.id}/publish-agenda`)
    expect(confirm.statusCode).toBe(200)
    expect(confirm.body).toContain('Publish the agenda')
    expect(confirm.body).toContain('Will be emailed (3)')
    expect(confirm.body).toContain('asha.patel@voluntary.example.org')
    expect(confirm.body).toContain('Cllr Ruth Taylor (Member, Melton Borough Council): will not be emailed')
    expect(confirm.body).not.toContain(former.email)

    smtp.clear()
    const response = await agent.submit(`/meetings/${meeting.id}/publish-agenda`, {})
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/meetings/${meeting.id}?notice=published&recipients=3&outbox=0&failed=0`)
    const received = await smtp.waitFor(3)
    expect(received).toHaveLength(3)
    expect(received.map((email) => email.to).flat().sort()).toEqual(emails)
    const subject = `Agenda: ${body.name} on ${meetingDay(meetsOn)} at 10:00`
    for (const email of received) expect(email.subject).toBe(subject)
    const text = received[0]!.text
    expect(text).toContain(body.name)
    expect(text).toContain(`${meetingDay(meetsOn)} at 10:00`)
    expect(text).toContain('Venue: Microsoft Teams')
    expect(text).toContain('1. Apologies for absence')
    expect(text).toContain('6. Town centre PSPO review')
    expect(text).toContain('Presented by Jane Smith')
    expect(text).toContain('7. Persistent offender review (exempt)')
    expect(text).not.toContain('John Doe')
    expect(text).toContain('9. Date of next meeting')
    expect(text).toContain(`http://localhost:3000/meetings/${meeting.id}`)

    const stored = await emailsAbout(t, meeting.id)
    expect(stored).toHaveLength(3)
    for (const email of stored) expect(email).toMatchObject({ kind: 'agenda', status: 'sent', related_type: 'meeting', subject })
    const row = await t.testDb.database.db.selectFrom('meetings').select(['agenda_published_at', 'agenda_published_by']).where('id', '=', meeting.id).executeTakeFirstOrThrow()
    expect(row.agenda_published_at).not.toBeNull()
    expect(row.agenda_published_by).toBe(agent.user.id)
    const audit = (await g.auditRows('agenda.published')).find((entry) => entry.record_id === meeting.id)
    expect(audit!.details).toEqual({ recipients: 3 })

    const page = await agent.get(response.headers.location as string)
    expect(page.body).toContain('Agenda published.')
    expect(page.body).toContain('3 members were emailed.')
    expect(page.body).toContain('Send the updated agenda')
  })

  it('sends the updated agenda again after a change', async () => {
    const { agent, meeting } = await arrange(t, g)
    await agent.submit(`/meetings/${meeting.id}/publish-agenda`, {})
    await agent.submit(`/meetings/${meeting.id}/items/new`, { title: 'Late report on e-scooters', kind: 'report' })
    smtp.clear()
    const confirm = await agent.get(`/meetings/${meeting.id}/publish-agenda`)
    expect(confirm.body).toContain('Send the updated agenda')
    expect((await agent.submit(`/meetings/${meeting.id}/publish-agenda`, {})).statusCode).toBe(302)
    const received = await smtp.waitFor(3)
    expect(received[0]!.text).toContain('This agenda has changed since it was first sent.')
    expect(received[0]!.text).toContain('8. Late report on e-scooters')
    expect(await emailsAbout(t, meeting.id)).toHaveLength(6)
  })

  it('publishes through the API, and not for a cancelled meeting', async () => {
    const { agent, body, userId, meeting } = await arrange(t, g)
    smtp.clear()
    await agent.get('/')
    const response = await agent.json('POST', `/api/v1/meetings/${meeting.id}/publish-agenda`)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ recipients: 3, sent: 3, outbox: 0, failed: 0, notEmailed: 1 })

    const cancelled = await g.meeting(body.id, { createdBy: userId, meetsOn: inDays(9), status: 'cancelled' })
    const refused = await agent.submit(`/meetings/${cancelled.id}/publish-agenda`, {}, { formPage: `/meetings/${cancelled.id}` })
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toContain('This meeting has been cancelled, so its agenda cannot be changed')
    expect(await emailsAbout(t, cancelled.id)).toHaveLength(0)
  })

  it('is for those who run the body', async () => {
    const { member, body, userId, meeting } = await arrange(t, g)
    await member.get('/')
    expect((await member.submit(`/meetings/${meeting.id}/publish-agenda`, {})).statusCode).toBe(403)
    const coordinator = await g.memberAgent(body.id, ['partnership_coordinator'], 'member', userId)
    await coordinator.get('/')
    const refused = await coordinator.submit(`/meetings/${meeting.id}/publish-agenda`, {})
    expect(refused.statusCode).toBe(403)
    expect(await emailsAbout(t, meeting.id)).toHaveLength(0)
  })
})

describe('publishing the agenda without SMTP', () => {
  let t: TestApp
  let g: GovernanceFixtures

  beforeAll(async () => {
    t = await createTestApp()
    g = governanceFixtures(t)
  })
  afterAll(() => t.close())

  it('publishes, keeps the emails in the outbox and fails nothing', async () => {
    const { agent, meeting } = await arrange(t, g)
    const response = await agent.submit(`/meetings/${meeting.id}/publish-agenda`, {}, { formPage: `/meetings/${meeting.id}/publish-agenda` })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(`/meetings/${meeting.id}?notice=published&recipients=3&outbox=3&failed=0`)
    const stored = await emailsAbout(t, meeting.id)
    expect(stored).toHaveLength(3)
    for (const email of stored) expect(email).toMatchObject({ status: 'outbox', sent_at: null, kind: 'agenda' })
    const page = await agent.get(response.headers.location as string)
    expect(page.body).toContain('Email is not set up, so 3 messages are waiting in the outbox.')
    expect(page.body).toContain('Agenda published')
  })
})
