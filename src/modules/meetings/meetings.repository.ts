import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import { bodyRowVisibleTo } from '../bodies/body-access.js'

/** Items that close every agenda, after the reports: any other business, then the date of the next meeting. */
export const CLOSING_ITEM_KINDS = ['any_other_business', 'next_meeting'] as const

export interface NewAgendaItem {
  kind: string
  title: string
  description?: string | null
  hotTopic?: string | null
  presenterUserId?: string | null
  presenterContactId?: string | null
  presenterName?: string | null
  presenterRole?: string | null
  exempt?: boolean
  exemptReason?: string | null
}

const meetingColumns = [
  'meetings.id',
  'meetings.body_id as bodyId',
  'meetings.meets_on as meetsOn',
  sql<string>`to_char(meetings.starts_at, 'HH24:MI')`.as('startsAt'),
  'meetings.venue',
  'meetings.status',
  'meetings.agenda_published_at as agendaPublishedAt',
  'meetings.minutes_status as minutesStatus',
  'meetings.cancelled_reason as cancelledReason',
  'meetings.version',
] as const

const itemColumns = [
  'agenda_items.id',
  'agenda_items.body_id as bodyId',
  'agenda_items.meeting_id as meetingId',
  'agenda_items.position',
  'agenda_items.kind',
  'agenda_items.title',
  'agenda_items.description',
  'agenda_items.hot_topic as hotTopic',
  'agenda_items.presenter_user_id as presenterUserId',
  'agenda_items.presenter_contact_id as presenterContactId',
  'agenda_items.presenter_name as presenterName',
  'agenda_items.presenter_role as presenterRole',
  'agenda_items.exempt',
  'agenda_items.exempt_reason as exemptReason',
  'agenda_items.deferred_from_item_id as deferredFromItemId',
  'agenda_items.deferred_reason as deferredReason',
  sql<string | null>`coalesce(presenter_user.name, presenter_contact.name, agenda_items.presenter_name)`.as('presenterDisplayName'),
] as const

/** The only SQL for meetings, agendas, the forward programme and papers. */
export function meetingsRepository(db: Executor) {
  const items = (executor: Executor) =>
    executor
      .selectFrom('agenda_items')
      .leftJoin('users as presenter_user', 'presenter_user.id', 'agenda_items.presenter_user_id')
      .leftJoin('governance_contacts as presenter_contact', 'presenter_contact.id', 'agenda_items.presenter_contact_id')
      .select(itemColumns)

  /**
   * Holds the meeting's row until the transaction ends. Every change to a meeting's agenda positions takes it first, so
   * two changes to one agenda (from any module) queue up instead of both reading max(position) and clashing.
   */
  async function lockMeeting(meetingId: string, executor: Executor) {
    await executor.selectFrom('meetings').select('id').where('id', '=', meetingId).forUpdate().executeTakeFirst()
  }

  /**
   * Moves every item of the meeting at or after `from` by `by` places. Positions are unique per meeting and PostgreSQL
   * checks that row by row, so the items first go through a gap above every position.
   */
  async function shift(meetingId: string, from: number, by: 1 | -1, executor: Executor) {
    const last = await executor.selectFrom('agenda_items').select(sql<number | null>`max(position)`.as('last')).where('meeting_id', '=', meetingId).executeTakeFirst()
    const gap = (last?.last ?? 0) + 1000
    await executor.updateTable('agenda_items').set({ position: sql`position + ${gap}` }).where('meeting_id', '=', meetingId).where('position', '>=', from).execute()
    await executor
      .updateTable('agenda_items')
      .set({ position: sql`position - ${gap - by}` })
      .where('meeting_id', '=', meetingId)
      .where('position', '>=', from + gap)
      .execute()
  }

  function nextMeetingAfter(bodyId: string, afterDate: string, executor: Executor = db) {
    return executor
      .selectFrom('meetings')
      .select(['id', 'meets_on as meetsOn'])
      .where('body_id', '=', bodyId)
      .where('status', '<>', 'cancelled')
      // Confirmed minutes are locked: nothing more goes on that agenda.
      .where('minutes_status', '<>', 'confirmed')
      .where('meets_on', '>', afterDate)
      .orderBy('meets_on')
      .orderBy('starts_at')
      .limit(1)
      .executeTakeFirst()
  }

  async function placeOnAgenda(itemId: string, meetingId: string, executor: Executor = db) {
    await lockMeeting(meetingId, executor)
    const closing = await executor
      .selectFrom('agenda_items')
      .select(sql<number | null>`min(position)`.as('first'))
      .where('meeting_id', '=', meetingId)
      .where('kind', 'in', CLOSING_ITEM_KINDS)
      .executeTakeFirst()
    const last = await executor.selectFrom('agenda_items').select(sql<number | null>`max(position)`.as('last')).where('meeting_id', '=', meetingId).executeTakeFirst()
    const position = closing?.first ?? (last?.last ?? 0) + 1
    if (closing?.first) await shift(meetingId, position, 1, executor)
    await executor.updateTable('agenda_items').set({ meeting_id: meetingId, position, updated_at: new Date() }).where('id', '=', itemId).execute()
    return position
  }

  return {
    lockMeeting,

    /** The body's next meeting after a date, not cancelled and with its minutes not confirmed: where deferred items go. */
    nextMeetingAfter,

    /**
     * Puts an item on a meeting's agenda just before its closing items (or last, when it has none), moving the closing
     * items down one place. Returns the item's number on the agenda.
     */
    placeOnAgenda,

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
        // Oldest deferral first, so that items keep the order they had on the agendas they came from.
        .orderBy('from_meeting.meets_on')
        .orderBy('original.position')
        .execute()
      let placed = 0
      for (const item of waiting) {
        const next = await nextMeetingAfter(bodyId, item.fromMeetsOn, executor)
        if (!next) continue
        await placeOnAgenda(item.id, next.id, executor)
        placed += 1
      }
      return placed
    },

    // ---- bodies and members, as meetings need them ----

    bodyDefaults(bodyId: string, executor: Executor = db) {
      return executor
        .selectFrom('bodies')
        .select(['default_venue as defaultVenue', sql<string | null>`to_char(default_start_time, 'HH24:MI')`.as('defaultStartTime')])
        .where('id', '=', bodyId)
        .executeTakeFirstOrThrow()
    },

    /** Holds the body's row until the transaction ends, so that two clerks cannot schedule the same slot at once. */
    async lockBody(bodyId: string, executor: Executor) {
      await executor.selectFrom('bodies').select('id').where('id', '=', bodyId).forUpdate().executeTakeFirst()
    },

    async isCurrentMember(bodyId: string, userId: string, onDate: string, executor: Executor = db) {
      const row = await executor
        .selectFrom('body_members')
        .select('id')
        .where('body_id', '=', bodyId)
        .where('user_id', '=', userId)
        .where('from_date', '<=', onDate)
        .where((eb) => eb.or([eb('to_date', 'is', null), eb('to_date', '>=', onDate)]))
        .executeTakeFirst()
      return Boolean(row)
    },

    contacts(executor: Executor = db) {
      return executor
        .selectFrom('governance_contacts')
        .select(['id', 'name', 'organisation_name as organisationName', 'job_title as jobTitle'])
        .orderBy(sql`lower(name)`)
        .orderBy('id')
        .execute()
    },

    async contactExists(contactId: string, executor: Executor = db) {
      return Boolean(await executor.selectFrom('governance_contacts').select('id').where('id', '=', contactId).executeTakeFirst())
    },

    // ---- meetings ----

    findMeeting(meetingId: string, executor: Executor = db) {
      return executor.selectFrom('meetings').select(meetingColumns).where('meetings.id', '=', meetingId).executeTakeFirst()
    },

    /** A meeting of the body, not cancelled, at that date and time (another than `exceptId`). */
    async slotTaken(bodyId: string, meetsOn: string, startsAt: string, exceptId: string | null, executor: Executor = db) {
      let query = executor
        .selectFrom('meetings')
        .select('id')
        .where('body_id', '=', bodyId)
        .where('meets_on', '=', meetsOn)
        .where('starts_at', '=', startsAt)
        .where('status', '<>', 'cancelled')
      if (exceptId) query = query.where('id', '<>', exceptId)
      return Boolean(await query.executeTakeFirst())
    },

    async insertMeeting(values: { bodyId: string; meetsOn: string; startsAt: string; venue: string; status: 'scheduled' | 'held'; createdBy: string }, executor: Executor = db) {
      const row = await executor
        .insertInto('meetings')
        .values({ body_id: values.bodyId, meets_on: values.meetsOn, starts_at: values.startsAt, venue: values.venue, status: values.status, created_by: values.createdBy })
        .returning('id')
        .executeTakeFirstOrThrow()
      return row.id
    },

    /** Changes the meeting if it is still at the version the clerk read; false when someone else changed it first. */
    async updateMeeting(
      meetingId: string,
      version: number,
      values: { meets_on?: string; starts_at?: string; venue?: string; status?: 'cancelled'; cancelled_reason?: string },
      executor: Executor = db,
    ) {
      const row = await executor
        .updateTable('meetings')
        .set({ ...values, version: sql`version + 1`, updated_at: new Date() })
        .where('id', '=', meetingId)
        .where('version', '=', version)
        .returning('id')
        .executeTakeFirst()
      return Boolean(row)
    },

    async markAgendaPublished(meetingId: string, userId: string, executor: Executor = db) {
      await executor.updateTable('meetings').set({ agenda_published_at: new Date(), agenda_published_by: userId, updated_at: new Date() }).where('id', '=', meetingId).execute()
    },

    /** The body's meetings from a date (all when null), in date order. */
    meetingsOfBody(bodyId: string, options: { from?: string; before?: string } = {}, executor: Executor = db) {
      let query = executor.selectFrom('meetings').select(meetingColumns).where('meetings.body_id', '=', bodyId)
      if (options.from) query = query.where('meetings.meets_on', '>=', options.from)
      if (options.before) query = query.where('meetings.meets_on', '<', options.before)
      return query.orderBy('meetings.meets_on').orderBy('meetings.starts_at').execute()
    },

    /** Meetings on or after a date of every body the user may see, with the body's name, in date order. */
    meetingsVisibleTo(userId: string, from: string, executor: Executor = db) {
      return executor
        .selectFrom('meetings')
        .innerJoin('bodies', 'bodies.id', 'meetings.body_id')
        .select([...meetingColumns, 'bodies.name as bodyName'])
        .where(bodyRowVisibleTo(userId))
        .where('meetings.meets_on', '>=', from)
        .orderBy('meetings.meets_on')
        .orderBy('meetings.starts_at')
        .orderBy('bodies.name')
        .execute()
    },

    // ---- agenda items ----

    /** The items of these meetings in agenda order. */
    itemsOfMeetings(meetingIds: readonly string[], executor: Executor = db) {
      if (meetingIds.length === 0) return Promise.resolve([])
      return items(executor).where('agenda_items.meeting_id', 'in', meetingIds).orderBy('agenda_items.meeting_id').orderBy('agenda_items.position').execute()
    },

    /** The body's items "to be programmed", with the meeting a deferred one came from. */
    unprogrammedItems(bodyId: string, executor: Executor = db) {
      return items(executor)
        .leftJoin('agenda_items as original', 'original.id', 'agenda_items.deferred_from_item_id')
        .leftJoin('meetings as from_meeting', 'from_meeting.id', 'original.meeting_id')
        .select(['from_meeting.meets_on as deferredFromMeetsOn', 'from_meeting.id as deferredFromMeetingId'])
        .where('agenda_items.body_id', '=', bodyId)
        .where('agenda_items.meeting_id', 'is', null)
        .orderBy('agenda_items.created_at')
        .orderBy('agenda_items.id')
        .execute()
    },

    findItem(itemId: string, executor: Executor = db) {
      return items(executor).where('agenda_items.id', '=', itemId).executeTakeFirst()
    },

    /** Adds an item to the forward programme (no meeting); placeOnAgenda then puts it on a meeting, when there is one. */
    async insertItem(bodyId: string, item: NewAgendaItem, createdBy: string, executor: Executor = db) {
      const row = await executor
        .insertInto('agenda_items')
        .values({
          body_id: bodyId,
          kind: item.kind,
          title: item.title,
          description: item.description ?? null,
          hot_topic: item.hotTopic ?? null,
          presenter_user_id: item.presenterUserId ?? null,
          presenter_contact_id: item.presenterContactId ?? null,
          presenter_name: item.presenterName ?? null,
          presenter_role: item.presenterRole ?? null,
          exempt: item.exempt ?? false,
          exempt_reason: item.exemptReason ?? null,
          created_by: createdBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      return row.id
    },

    /** A new meeting's agenda: these items, numbered 1, 2, 3 in the order given. */
    async insertAgenda(bodyId: string, meetingId: string, agenda: readonly NewAgendaItem[], createdBy: string, executor: Executor = db) {
      await executor
        .insertInto('agenda_items')
        .values(
          agenda.map((item, index) => ({
            body_id: bodyId,
            meeting_id: meetingId,
            position: index + 1,
            kind: item.kind,
            title: item.title,
            hot_topic: item.hotTopic ?? null,
            created_by: createdBy,
          })),
        )
        .execute()
    },

    async updateItem(itemId: string, item: Omit<NewAgendaItem, 'kind'> & { kind?: string }, executor: Executor = db) {
      await executor
        .updateTable('agenda_items')
        .set({
          ...(item.kind ? { kind: item.kind } : {}),
          title: item.title,
          description: item.description ?? null,
          hot_topic: item.hotTopic ?? null,
          presenter_user_id: item.presenterUserId ?? null,
          presenter_contact_id: item.presenterContactId ?? null,
          presenter_name: item.presenterName ?? null,
          presenter_role: item.presenterRole ?? null,
          exempt: item.exempt ?? false,
          exempt_reason: item.exemptReason ?? null,
          updated_at: new Date(),
        })
        .where('id', '=', itemId)
        .execute()
    },

    /**
     * Swaps an item with its neighbour above or below on its meeting's agenda, reading both places once the agenda is
     * locked; through a free position, as positions are unique per meeting. False when there is no neighbour.
     */
    async moveItem(meetingId: string, itemId: string, direction: 'up' | 'down', executor: Executor = db) {
      await lockMeeting(meetingId, executor)
      const item = await executor.selectFrom('agenda_items').select('position').where('id', '=', itemId).where('meeting_id', '=', meetingId).executeTakeFirst()
      if (!item?.position) return false
      const neighbour = await executor
        .selectFrom('agenda_items')
        .select(['id', 'position'])
        .where('meeting_id', '=', meetingId)
        .where('position', direction === 'up' ? '<' : '>', item.position)
        .orderBy('position', direction === 'up' ? 'desc' : 'asc')
        .limit(1)
        .executeTakeFirst()
      if (!neighbour?.position) return false
      const last = await executor.selectFrom('agenda_items').select(sql<number>`max(position)`.as('last')).where('meeting_id', '=', meetingId).executeTakeFirstOrThrow()
      await executor.updateTable('agenda_items').set({ position: last.last + 1 }).where('id', '=', itemId).execute()
      await executor.updateTable('agenda_items').set({ position: item.position, updated_at: new Date() }).where('id', '=', neighbour.id).execute()
      await executor.updateTable('agenda_items').set({ position: neighbour.position, updated_at: new Date() }).where('id', '=', itemId).execute()
      return true
    },

    /** What has been recorded against an item: any of it means the item must stay. */
    async itemRecords(itemId: string, executor: Executor = db) {
      const count = (table: 'resolutions' | 'actions' | 'meeting_declarations' | 'agenda_papers') =>
        sql<number>`(select count(*) from ${sql.table(table)} where agenda_item_id = ${itemId}${table === 'agenda_papers' ? sql` and removed_at is null` : sql``})`
      return executor
        .selectFrom('agenda_items')
        .select([
          sql<boolean>`minutes is not null and length(trim(minutes)) > 0`.as('hasMinutes'),
          sql<boolean>`deferred_reason is not null`.as('deferred'),
          count('resolutions').as('resolutions'),
          count('actions').as('actions'),
          count('meeting_declarations').as('declarations'),
          count('agenda_papers').as('papers'),
          sql<number>`(select count(*) from agenda_items other where other.taken_before_item_id = ${itemId} or other.deferred_from_item_id = ${itemId})`.as('references'),
        ])
        .where('id', '=', itemId)
        .executeTakeFirstOrThrow()
    },

    /**
     * Deletes an item with nothing recorded against it, and the rows of papers already removed from it (their content
     * is gone already; the audit log keeps their history), then closes the gap in the agenda's numbering.
     */
    async deleteItem(item: { id: string; meetingId: string | null }, executor: Executor = db) {
      if (item.meetingId) await lockMeeting(item.meetingId, executor)
      // Its place as it is now that the agenda is locked: another change may have moved it since it was read.
      const current = await executor.selectFrom('agenda_items').select('position').where('id', '=', item.id).executeTakeFirst()
      await executor.deleteFrom('agenda_papers').where('agenda_item_id', '=', item.id).where('removed_at', 'is not', null).execute()
      await executor.deleteFrom('agenda_items').where('id', '=', item.id).execute()
      if (item.meetingId && current?.position) await shift(item.meetingId, current.position + 1, -1, executor)
    },

    // ---- papers ----

    /** Papers not removed, of these items, in the order they were uploaded. */
    papersOfItems(itemIds: readonly string[], executor: Executor = db) {
      if (itemIds.length === 0) return Promise.resolve([])
      return executor
        .selectFrom('agenda_papers')
        .select(['id', 'agenda_item_id as itemId', 'title', 'file_name as fileName', 'mime_type as mimeType', 'size_bytes as sizeBytes', 'uploaded_at as uploadedAt'])
        .where('agenda_item_id', 'in', itemIds)
        .where('removed_at', 'is', null)
        .orderBy('uploaded_at')
        .orderBy('id')
        .execute()
    },

    findPaper(paperId: string, executor: Executor = db) {
      return executor
        .selectFrom('agenda_papers')
        .select(['id', 'agenda_item_id as itemId', 'title', 'file_name as fileName', 'mime_type as mimeType', 'size_bytes as sizeBytes', 'uploaded_at as uploadedAt'])
        .where('id', '=', paperId)
        .where('removed_at', 'is', null)
        .executeTakeFirst()
    },

    async insertPaper(values: { itemId: string; title: string; fileName: string; mimeType: string; sha256: string; content: Buffer; uploadedBy: string }, executor: Executor = db) {
      const { id } = await executor
        .insertInto('agenda_papers')
        .values({
          agenda_item_id: values.itemId,
          title: values.title,
          file_name: values.fileName,
          mime_type: values.mimeType,
          size_bytes: values.content.length,
          sha256: values.sha256,
          uploaded_by: values.uploadedBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      // Base64 in and out: PGlite converts bytea byte by byte in JavaScript, encode() and decode() run in the database.
      await executor
        .insertInto('agenda_paper_contents')
        .values({ paper_id: id, content: sql<Buffer>`decode(${values.content.toString('base64')}, 'base64')` })
        .execute()
      return id
    },

    async paperContent(paperId: string, executor: Executor = db) {
      const row = await executor.selectFrom('agenda_paper_contents').select(sql<string>`encode(content, 'base64')`.as('content')).where('paper_id', '=', paperId).executeTakeFirst()
      return row ? Buffer.from(row.content, 'base64') : undefined
    },

    /** Marks the paper removed and deletes its content; false when it was already removed. */
    async removePaper(paperId: string, removedBy: string, executor: Executor = db) {
      const removed = await executor
        .updateTable('agenda_papers')
        .set({ removed_at: new Date(), removed_by: removedBy })
        .where('id', '=', paperId)
        .where('removed_at', 'is', null)
        .returning('id')
        .executeTakeFirst()
      if (!removed) return false
      await executor.deleteFrom('agenda_paper_contents').where('paper_id', '=', paperId).execute()
      return true
    },
  }
}

export type MeetingsRepository = ReturnType<typeof meetingsRepository>
