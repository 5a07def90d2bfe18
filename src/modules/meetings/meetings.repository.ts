import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'

/** Items that close every agenda, after the reports: any other business, then the date of the next meeting. */
export const CLOSING_ITEM_KINDS = ['any_other_business', 'next_meeting'] as const

/** The only SQL for meetings, agendas, the forward programme and papers. */
export function meetingsRepository(db: Executor) {
  return {
    /** The body's next meeting (not cancelled) after a date: where deferred items go. */
    nextMeetingAfter(bodyId: string, afterDate: string, executor: Executor = db) {
      return executor
        .selectFrom('meetings')
        .select(['id', 'meets_on as meetsOn'])
        .where('body_id', '=', bodyId)
        .where('status', '<>', 'cancelled')
        .where('meets_on', '>', afterDate)
        .orderBy('meets_on')
        .orderBy('starts_at')
        .limit(1)
        .executeTakeFirst()
    },

    /**
     * Puts an item on a meeting's agenda just before its closing items (or last, when it has none), moving the closing
     * items down one place. Positions are unique per meeting, so the move goes through a gap above every position.
     */
    async placeOnAgenda(itemId: string, meetingId: string, executor: Executor = db) {
      const closing = await executor
        .selectFrom('agenda_items')
        .select(sql<number | null>`min(position)`.as('first'))
        .where('meeting_id', '=', meetingId)
        .where('kind', 'in', CLOSING_ITEM_KINDS)
        .executeTakeFirst()
      const last = await executor.selectFrom('agenda_items').select(sql<number | null>`max(position)`.as('last')).where('meeting_id', '=', meetingId).executeTakeFirst()
      const position = closing?.first ?? (last?.last ?? 0) + 1
      if (closing?.first) {
        const gap = (last?.last ?? 0) + 1000
        await executor.updateTable('agenda_items').set({ position: sql`position + ${gap}` }).where('meeting_id', '=', meetingId).where('position', '>=', position).execute()
        await executor.updateTable('agenda_items').set({ position: sql`position - ${gap - 1}` }).where('meeting_id', '=', meetingId).where('position', '>=', position + gap).execute()
      }
      await executor.updateTable('agenda_items').set({ meeting_id: meetingId, position, updated_at: new Date() }).where('id', '=', itemId).execute()
      return position
    },

    /**
     * Deferred items waiting in the forward programme go onto the body's next meeting after the one they were deferred
     * from, if it is scheduled yet; otherwise they wait until it is. Called when an item is deferred and when a meeting
     * is scheduled. Returns how many items were placed.
     */
    async attachDeferredItems(bodyId: string, executor: Executor = db) {
      const waiting = await executor
        .selectFrom('agenda_items as deferred')
        .innerJoin('agenda_items as original', 'original.id', 'deferred.deferred_from_item_id')
        .innerJoin('meetings as from_meeting', 'from_meeting.id', 'original.meeting_id')
        .select(['deferred.id', 'from_meeting.meets_on as fromMeetsOn'])
        .where('deferred.body_id', '=', bodyId)
        .where('deferred.meeting_id', 'is', null)
        .orderBy('original.position')
        .execute()
      let placed = 0
      for (const item of waiting) {
        const next = await this.nextMeetingAfter(bodyId, item.fromMeetsOn, executor)
        if (!next) continue
        await this.placeOnAgenda(item.id, next.id, executor)
        placed += 1
      }
      return placed
    },
  }
}

export type MeetingsRepository = ReturnType<typeof meetingsRepository>
