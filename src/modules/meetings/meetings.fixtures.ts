import type { LightMyRequestResponse } from 'fastify'
import type { Kysely } from 'kysely'
import { expect } from 'vitest'
import type { TestApp } from '../../../test/helpers/app.js'
import { addDays, todayInLondon } from '../../platform/dates.js'
import type { DB } from '../../platform/db/schema.js'
import type { Role } from '../auth/permissions.js'

/** Bodies, members, meetings and items written straight to the database, for arranging the meetings tests. */

let counter = 0
const unique = () => `${Date.now().toString(36)}-${(counter++).toString(36)}`

// The forward programme is in the order items were added; PGlite's clock has only milliseconds, so two items
// written one after the other could share a time and fall back to id order. Each gets a later time than the last.
let lastItemAt = 0
const nextItemAt = () => new Date((lastItemAt = Math.max(Date.now(), lastItemAt + 1)))

export const today = () => todayInLondon()
export const inDays = (days: number) => addDays(todayInLondon(), days)

/** The three boxes of the GOV.UK date input, as a browser posts them. */
export function dateParts(iso: string, prefix = 'meetsOn') {
  const [year, month, day] = iso.split('-') as [string, string, string]
  return { [`${prefix}-day`]: String(Number(day)), [`${prefix}-month`]: String(Number(month)), [`${prefix}-year`]: year }
}

/** The page answer for a bad form: a GOV.UK error summary linked to the field, and the message inline. */
export function expectPageError(response: LightMyRequestResponse, message: string, href: string, status = 400) {
  expect(response.statusCode, message).toBe(status)
  expect(response.body).toContain('There is a problem')
  expect(response.body).toContain(`<a href="${href}">${message}</a>`)
  expect(response.body).toContain(`<span class="govuk-visually-hidden">Error:</span> ${message}`)
}

export function governanceFixtures(t: TestApp) {
  const db = (): Kysely<DB> => t.testDb.database.db

  const fixtures = {
    async body(options: { createdBy: string; visibility?: 'open' | 'closed'; name?: string; defaultVenue?: string | null; defaultStartTime?: string | null }) {
      return db()
        .insertInto('bodies')
        .values({
          name: options.name ?? `Safer Test Partnership ${unique()}`,
          kind: 'csp',
          visibility: options.visibility ?? 'open',
          default_venue: options.defaultVenue ?? null,
          default_start_time: options.defaultStartTime ?? null,
          created_by: options.createdBy,
        })
        .returning(['id', 'name'])
        .executeTakeFirstOrThrow()
    },

    async member(bodyId: string, options: { userId?: string; contactId?: string; role?: string; fromDate?: string; toDate?: string | null; createdBy: string }) {
      return db()
        .insertInto('body_members')
        .values({
          body_id: bodyId,
          user_id: options.userId ?? null,
          contact_id: options.contactId ?? null,
          role: options.role ?? 'member',
          from_date: options.fromDate ?? '2020-01-01',
          to_date: options.toDate ?? null,
          created_by: options.createdBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    async contact(options: { createdBy: string; name?: string; email?: string | null; organisationName?: string }) {
      return db()
        .insertInto('governance_contacts')
        .values({ name: options.name ?? `Contact ${unique()}`, email: options.email ?? null, organisation_name: options.organisationName ?? null, created_by: options.createdBy })
        .returning(['id', 'name'])
        .executeTakeFirstOrThrow()
    },

    /** A signed-in user with a membership of the body in the given role. */
    async memberAgent(bodyId: string, roles: Role[], role: string, createdBy: string) {
      const agent = await t.signInAs(roles)
      await fixtures.member(bodyId, { userId: agent.user.id, role, createdBy })
      return agent
    },

    /** A partnership coordinator who is the clerk of a new body: the one who runs its meetings. */
    async clerk(options: { visibility?: 'open' | 'closed'; defaultVenue?: string | null; defaultStartTime?: string | null } = {}) {
      const agent = await t.signInAs(['partnership_coordinator'])
      const body = await fixtures.body({ createdBy: agent.user.id, ...options })
      await fixtures.member(body.id, { userId: agent.user.id, role: 'clerk', createdBy: agent.user.id })
      return { agent, body, userId: agent.user.id }
    },

    async meeting(
      bodyId: string,
      options: { createdBy: string; meetsOn: string; startsAt?: string; venue?: string; status?: 'scheduled' | 'held' | 'cancelled'; minutesStatus?: 'none' | 'draft' | 'published' | 'confirmed'; publishedAt?: Date },
    ) {
      return db()
        .insertInto('meetings')
        .values({
          body_id: bodyId,
          meets_on: options.meetsOn,
          starts_at: options.startsAt ?? '10:00',
          venue: options.venue ?? 'Microsoft Teams',
          status: options.status ?? 'scheduled',
          minutes_status: options.minutesStatus ?? 'none',
          agenda_published_at: options.publishedAt ?? null,
          created_by: options.createdBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    async item(
      bodyId: string,
      options: {
        createdBy: string
        meetingId?: string | null
        position?: number | null
        kind?: string
        title?: string
        exempt?: boolean
        description?: string
        presenterName?: string
        deferredFromItemId?: string
        deferredReason?: string
        minutes?: string
      },
    ) {
      return db()
        .insertInto('agenda_items')
        .values({
          body_id: bodyId,
          meeting_id: options.meetingId ?? null,
          position: options.position ?? null,
          kind: options.kind ?? 'report',
          title: options.title ?? `Report ${unique()}`,
          description: options.description ?? null,
          presenter_name: options.presenterName ?? null,
          exempt: options.exempt ?? false,
          exempt_reason: options.exempt ? 'Paragraph 1: information relating to an individual' : null,
          deferred_from_item_id: options.deferredFromItemId ?? null,
          deferred_reason: options.deferredReason ?? null,
          minutes: options.minutes ?? null,
          created_by: options.createdBy,
          created_at: nextItemAt(),
        })
        .returning(['id', 'title'])
        .executeTakeFirstOrThrow()
    },

    /** A meeting with the usual agenda: five opening items, the given reports, then the two closing items. */
    async meetingWithAgenda(bodyId: string, options: { createdBy: string; meetsOn: string; reports?: { title: string; exempt?: boolean; description?: string; presenterName?: string }[]; minutesStatus?: 'none' | 'draft' | 'published' | 'confirmed'; status?: 'scheduled' | 'held' | 'cancelled'; publishedAt?: Date }) {
      const meeting = await fixtures.meeting(bodyId, options)
      const kinds = [
        ['apologies', 'Apologies for absence'],
        ['previous_minutes', 'Minutes of the previous meeting'],
        ['matters_arising', 'Matters arising'],
        ['action_log', 'Action log'],
        ['declarations', 'Declarations of interest'],
        ...(options.reports ?? []).map((report) => ['report', report.title]),
        ['any_other_business', 'Any other business'],
        ['next_meeting', 'Date of next meeting'],
      ] as const
      const ids: string[] = []
      for (const [index, [kind, title]] of kinds.entries()) {
        const report = options.reports?.find((candidate) => candidate.title === title && kind === 'report')
        const item = await fixtures.item(bodyId, { createdBy: options.createdBy, meetingId: meeting.id, position: index + 1, kind, title, exempt: report?.exempt, description: report?.description, presenterName: report?.presenterName })
        ids.push(item.id)
      }
      return { id: meeting.id, itemIds: ids }
    },

    agenda(meetingId: string) {
      return db().selectFrom('agenda_items').select(['id', 'position', 'kind', 'title', 'hot_topic']).where('meeting_id', '=', meetingId).orderBy('position').execute()
    },

    auditRows(action: string) {
      return db().selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('id').execute()
    },
  }
  return fixtures
}

export type GovernanceFixtures = ReturnType<typeof governanceFixtures>
