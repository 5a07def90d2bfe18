import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { startTestSmtpServer, type TestSmtpServer } from '../../../test/helpers/smtp.js'
import { addDays, todayInLondon } from '../../platform/dates.js'
import { meetingDate } from '../meetings/meetings.format.js'
import { governanceFixtures } from './actions.fixtures.js'

const today = todayInLondon()

/**
 * A body that reminds 7 days ahead; an action due in 3 days (the exact reminder day was missed) owned by a user, a
 * contact with an email address, a contact without one and an organisation; and an action due yesterday owned by a user.
 */
async function arrange(t: TestApp) {
  const gov = governanceFixtures(t.testDb.database.db)
  const clerk = await t.factories.user({ roles: ['partnership_coordinator'] })
  const owner = await t.factories.user({ roles: ['case_viewer'], name: 'Priya Shah', email: `priya-${Math.random().toString(36).slice(2, 8)}@council.example.org` })
  const body = await gov.body({ createdBy: clerk.id, reminderDaysBefore: 7, name: `Melton JAG ${Math.random().toString(36).slice(2, 8)}` })
  await gov.member(body.id, { userId: clerk.id }, { role: 'clerk', createdBy: clerk.id })
  const meeting = await gov.meeting(body.id, { meetsOn: addDays(today, -10), createdBy: clerk.id })
  const contact = await gov.contact({ createdBy: clerk.id, name: 'Tom McCabe', email: 'tom@charity.example.org' })
  const silent = await gov.contact({ createdBy: clerk.id, name: 'No Email', email: null })
  const organisation = await t.factories.organisation({ type: 'police' })
  const actor = { userId: clerk.id, organisationId: clerk.organisationId, ip: null }
  const soon = await t.services.actions.create(actor, { meetingId: meeting.id }, {
    text: 'Send the CCTV footage request',
    owners: [{ type: 'user', id: owner.id }, { type: 'contact', id: contact.id }, { type: 'contact', id: silent.id }, { type: 'organisation', id: organisation.id }],
    due: { kind: 'date', on: addDays(today, 3) },
    link: null,
  })
  const late = await t.services.actions.create(actor, { meetingId: meeting.id }, { text: 'Book the community payback team', owners: [{ type: 'user', id: owner.id }], due: { kind: 'date', on: addDays(today, -1) }, link: null })
  // Not yet in its reminder window, complete, or due by the next meeting: no reminder.
  await t.services.actions.create(actor, { meetingId: meeting.id }, { text: 'Far future', owners: [{ type: 'user', id: owner.id }], due: { kind: 'date', on: addDays(today, 30) }, link: null })
  const finished = await t.services.actions.create(actor, { meetingId: meeting.id }, { text: 'Already done', owners: [{ type: 'user', id: owner.id }], due: { kind: 'date', on: addDays(today, -2) }, link: null })
  await t.services.actions.updateStatus(actor, finished.id, { status: 'complete', comment: 'Done', version: 1 })
  await t.services.actions.create(actor, { meetingId: meeting.id }, { text: 'At the next meeting', owners: [{ type: 'user', id: owner.id }], due: { kind: 'next_meeting' }, link: null })
  return { owner, contact, body, soon, late }
}

describe('action reminders through SMTP', () => {
  let smtp: TestSmtpServer
  let t: TestApp
  beforeAll(async () => {
    smtp = await startTestSmtpServer()
    t = await createTestApp({ mail: smtp.mailConfig, publicUrl: 'https://safer.example.gov.uk' })
  })
  afterAll(async () => {
    await t.close()
    await smtp.close()
  })

  it('sends "due soon" to each user and contact owner with an address and "overdue" once, and nothing on a second run', async () => {
    const { owner, body, soon, late } = await arrange(t)
    const counts = await t.services.actions.sendReminders()
    expect(counts).toEqual({ dueSoon: 1, overdue: 1, emails: 3, sent: 3, outbox: 0, failed: 0 })
    const received = await smtp.waitFor(3)
    const dueSoon = received.filter((email) => email.subject === `Action due on ${meetingDate(addDays(today, 3))}: ${body.name}`)
    expect(dueSoon.map((email) => email.to).sort()).toEqual([[owner.email], ['tom@charity.example.org']])
    const toOwner = dueSoon.find((email) => email.to[0] === owner.email)!
    expect(toOwner.text).toContain('Dear Priya Shah')
    expect(toOwner.text).toContain(`An action you own for ${body.name} is due on ${meetingDate(addDays(today, 3))}`)
    expect(toOwner.text).toContain('Send the CCTV footage request')
    expect(toOwner.text).toContain(`https://safer.example.gov.uk/actions/${soon.id}`)
    // A contact has no account to sign in with.
    expect(dueSoon.find((email) => email.to[0] === 'tom@charity.example.org')!.text).toContain(`send your update to the clerk of ${body.name}`)
    const overdue = received.filter((email) => email.subject === `Overdue action: ${body.name}`)
    expect(overdue).toHaveLength(1)
    expect(overdue[0]!.text).toContain(`https://safer.example.gov.uk/actions/${late.id}`)

    const db = t.testDb.database.db
    expect(await db.selectFrom('action_reminders').select(['action_id', 'kind']).orderBy('kind').execute()).toEqual([
      { action_id: soon.id, kind: 'due_soon' },
      { action_id: late.id, kind: 'overdue' },
    ])
    const messages = await db.selectFrom('email_messages').select(['status', 'kind', 'related_id']).execute()
    expect(messages.every((message) => message.status === 'sent')).toBe(true)
    expect(messages.filter((message) => message.kind === 'action_due_soon')).toHaveLength(2)

    smtp.clear()
    expect(await t.services.actions.sendReminders()).toEqual({ dueSoon: 0, overdue: 0, emails: 0, sent: 0, outbox: 0, failed: 0 })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(smtp.received).toHaveLength(0)

    // Once the due date is moved, the new date earns its own reminder.
    await db.updateTable('actions').set({ due_on: addDays(today, 1) }).where('id', '=', soon.id).execute()
    expect(await t.services.actions.sendReminders()).toMatchObject({ dueSoon: 1, emails: 2 })

    const audits = await db.selectFrom('audit_events').select(['user_id', 'details']).where('action', '=', 'action.reminders_sent').orderBy('id').execute()
    expect(audits).toHaveLength(3)
    expect(audits[0]).toMatchObject({ user_id: null, details: { dueSoon: 1, overdue: 1, emails: 3, sent: 3, today } })
  })

  it('tells the action page that an organisation gets no email', async () => {
    const { soon } = await arrange(t)
    const admin = await t.factories.user({ roles: ['admin'] })
    const agent = await t.signIn(admin.email, admin.password)
    const page = await agent.get(`/actions/${soon.id}`)
    expect(page.body).toContain('No email reminder: owned by an organisation')
    expect(page.body).toContain('No email reminder: no email address')
  })
})

describe('action reminders without SMTP', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(() => t.close())

  it('keeps the messages in the outbox and fails nothing', async () => {
    await arrange(t)
    const counts = await t.services.actions.sendReminders()
    expect(counts).toEqual({ dueSoon: 1, overdue: 1, emails: 3, sent: 0, outbox: 3, failed: 0 })
    const messages = await t.testDb.database.db.selectFrom('email_messages').select(['status', 'related_type']).execute()
    expect(messages).toEqual([
      { status: 'outbox', related_type: 'action' },
      { status: 'outbox', related_type: 'action' },
      { status: 'outbox', related_type: 'action' },
    ])
  })
})
