import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { DB } from '../../src/platform/db/schema.js'

const unique = () => randomBytes(3).toString('hex')

/** Factories for governance records, writing straight to the database (arranging tests, not testing services). */
export function governanceFactories(db: Kysely<DB>) {
  return {
    async body(options: { createdBy: string; name?: string; kind?: string; visibility?: 'open' | 'closed'; parentId?: string }) {
      return db
        .insertInto('bodies')
        .values({ name: options.name ?? `Test body ${unique()}`, kind: options.kind ?? 'csp', visibility: options.visibility ?? 'open', parent_id: options.parentId ?? null, created_by: options.createdBy })
        .returning(['id', 'name'])
        .executeTakeFirstOrThrow()
    },

    async member(options: { bodyId: string; userId?: string; contactId?: string; role?: string; fromDate?: string; createdBy: string }) {
      return db
        .insertInto('body_members')
        .values({ body_id: options.bodyId, user_id: options.userId ?? null, contact_id: options.contactId ?? null, role: options.role ?? 'member', from_date: options.fromDate ?? '2020-01-01', created_by: options.createdBy })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    async contact(options: { createdBy: string; name?: string; email?: string }) {
      return db
        .insertInto('governance_contacts')
        .values({ name: options.name ?? `Contact ${unique()}`, email: options.email ?? null, created_by: options.createdBy })
        .returning(['id', 'name'])
        .executeTakeFirstOrThrow()
    },

    async meeting(options: { bodyId: string; createdBy: string; meetsOn: string; startsAt?: string; venue?: string; status?: 'scheduled' | 'held'; minutesStatus?: 'none' | 'draft' | 'published' | 'confirmed' }) {
      return db
        .insertInto('meetings')
        .values({ body_id: options.bodyId, meets_on: options.meetsOn, starts_at: options.startsAt ?? '10:00', venue: options.venue ?? 'Microsoft Teams', status: options.status ?? 'scheduled', minutes_status: options.minutesStatus ?? 'none', created_by: options.createdBy })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    async item(options: { bodyId: string; meetingId: string | null; position: number | null; createdBy: string; kind?: string; title?: string; minutes?: string; exempt?: boolean }) {
      return db
        .insertInto('agenda_items')
        .values({ body_id: options.bodyId, meeting_id: options.meetingId, position: options.position, kind: options.kind ?? 'report', title: options.title ?? `Report ${unique()}`, minutes: options.minutes ?? null, exempt: options.exempt ?? false, created_by: options.createdBy })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    async paper(options: { itemId: string; uploadedBy: string; content: Buffer; title?: string }) {
      const paper = await db
        .insertInto('agenda_papers')
        .values({ agenda_item_id: options.itemId, title: options.title ?? 'Report', file_name: 'report.pdf', mime_type: 'application/pdf', size_bytes: options.content.length, sha256: 'b'.repeat(64), uploaded_by: options.uploadedBy })
        .returning('id')
        .executeTakeFirstOrThrow()
      await db.insertInto('agenda_paper_contents').values({ paper_id: paper.id, content: options.content }).execute()
      return paper
    },

    async action(options: { bodyId: string; createdBy: string; meetingId?: string; itemId?: string; text?: string; dueOn?: string; ownerUserId?: string; ownerOrganisationId?: string; status?: 'open' | 'complete' | 'incomplete' }) {
      const action = await db
        .insertInto('actions')
        .values({ body_id: options.bodyId, meeting_id: options.meetingId ?? null, agenda_item_id: options.itemId ?? null, text: options.text ?? `Action ${unique()}`, due_on: options.dueOn ?? '2030-01-01', status: options.status ?? 'open', created_by: options.createdBy })
        .returning('id')
        .executeTakeFirstOrThrow()
      if (options.ownerUserId) await db.insertInto('action_owners').values({ action_id: action.id, user_id: options.ownerUserId }).execute()
      if (options.ownerOrganisationId) await db.insertInto('action_owners').values({ action_id: action.id, organisation_id: options.ownerOrganisationId }).execute()
      return action
    },
  }
}
