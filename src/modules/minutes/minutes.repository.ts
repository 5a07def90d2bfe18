import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import { meetingsRepository } from '../meetings/meetings.repository.js'

export type AttendanceStatus = 'present' | 'in_attendance' | 'apologies'
export type ResolutionKind = 'resolved' | 'agreed'

/** A person the minutes name: a user or a contact without an account, as 'user:<id>' or 'contact:<id>'. */
export type PersonKey = `user:${string}` | `contact:${string}`
export const personKey = (row: { userId: string | null; contactId: string | null }): PersonKey => (row.userId ? `user:${row.userId}` : `contact:${row.contactId}`)

/** Changes made to a meeting row together with its version bump. */
export interface MeetingChanges {
  status?: 'held'
  minutes_status?: 'draft' | 'published' | 'confirmed'
  minutes_published_at?: Date
  closed_at?: string | null
}

/** Today in the UK, whatever the database server's time zone: memberships run from and to UK dates. */
const TODAY_IN_LONDON = sql<string>`(now() at time zone 'Europe/London')::date`

/** Lifts every position of an item's resolutions (or a meeting's items) above the rest, so rows can be renumbered one by one. */
const POSITION_GAP = 100_000

/** The only SQL for attendance, declarations, item minutes, resolutions and minutes versions. */
export function minutesRepository(db: Executor) {
  return {
    /** Adds a resolution at the end of an item's "RESOLVED:" (or "AGREED:") list. */
    async insertResolution(values: { agendaItemId: string; kind: 'resolved' | 'agreed'; text: string; createdBy: string }, executor: Executor = db) {
      // The item's meeting is locked first, so that two resolutions added at once (here or by an election) queue up.
      await executor
        .selectFrom('meetings')
        .select('id')
        .where('id', '=', (eb) => eb.selectFrom('agenda_items').select('meeting_id').where('id', '=', values.agendaItemId))
        .forUpdate()
        .executeTakeFirst()
      const next = await executor
        .selectFrom('resolutions')
        .select(sql<number>`coalesce(max(position), 0) + 1`.as('position'))
        .where('agenda_item_id', '=', values.agendaItemId)
        .where('kind', '=', values.kind)
        .executeTakeFirstOrThrow()
      return executor
        .insertInto('resolutions')
        .values({ agenda_item_id: values.agendaItemId, kind: values.kind, position: next.position, text: values.text, created_by: values.createdBy })
        .returning(['id', 'position'])
        .executeTakeFirstOrThrow()
    },

    // ---- the meeting ----

    /** The meeting with its body, locked for the rest of the transaction so that changes to it queue up. */
    meetingForUpdate(meetingId: string, executor: Executor = db) {
      return executor.selectFrom('meetings').selectAll().where('id', '=', meetingId).forUpdate().executeTakeFirstOrThrow()
    },

    meeting(meetingId: string, executor: Executor = db) {
      return executor
        .selectFrom('meetings')
        .innerJoin('bodies', 'bodies.id', 'meetings.body_id')
        .leftJoin('meetings as confirmedAt', 'confirmedAt.id', 'meetings.minutes_confirmed_at_meeting_id')
        .select([
          'meetings.id',
          'meetings.body_id as bodyId',
          'bodies.name as bodyName',
          'bodies.kind as bodyKind',
          'bodies.resolution_numbering as resolutionNumbering',
          'meetings.meets_on as meetsOn',
          'meetings.starts_at as startsAt',
          'meetings.venue',
          'meetings.status',
          'meetings.closed_at as closedAt',
          'meetings.agenda_published_at as agendaPublishedAt',
          'meetings.minutes_status as minutesStatus',
          'meetings.minutes_published_at as minutesPublishedAt',
          'meetings.minutes_confirmed_at as minutesConfirmedAt',
          'meetings.minutes_confirmed_at_meeting_id as confirmedAtMeetingId',
          'confirmedAt.meets_on as confirmedAtMeetingOn',
          'meetings.minutes_subject_to_amendment as subjectToAmendment',
          'meetings.minutes_amendment as amendment',
          'meetings.version',
        ])
        .where('meetings.id', '=', meetingId)
        .executeTakeFirstOrThrow()
    },

    /** Moves the meeting on one version; false when someone else already did (a stale form). */
    async bumpVersion(meetingId: string, version: number, changes: MeetingChanges, executor: Executor = db) {
      const result = await executor
        .updateTable('meetings')
        .set({ ...changes, version: sql`version + 1`, updated_at: new Date() })
        .where('id', '=', meetingId)
        .where('version', '=', version)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },

    async confirm(meetingId: string, values: { atMeetingId: string; subjectToAmendment: boolean; amendment: string | null }, executor: Executor = db) {
      await executor
        .updateTable('meetings')
        .set({
          minutes_status: 'confirmed',
          minutes_confirmed_at: new Date(),
          minutes_confirmed_at_meeting_id: values.atMeetingId,
          minutes_subject_to_amendment: values.subjectToAmendment,
          minutes_amendment: values.amendment,
          version: sql`version + 1`,
          updated_at: new Date(),
        })
        .where('id', '=', meetingId)
        .execute()
    },

    /** The body's latest meeting before this one (not cancelled) whose minutes are published and so can be confirmed. */
    previousPublishedMeeting(bodyId: string, before: { meetsOn: string; startsAt: string }, executor: Executor = db) {
      return executor
        .selectFrom('meetings')
        .select(['id', 'meets_on as meetsOn', 'version'])
        .where('body_id', '=', bodyId)
        .where('status', '<>', 'cancelled')
        .where('minutes_status', '=', 'published')
        .where(sql<boolean>`(meets_on, starts_at) < (${before.meetsOn}::date, ${before.startsAt}::time)`)
        .orderBy('meets_on', 'desc')
        .orderBy('starts_at', 'desc')
        .limit(1)
        .executeTakeFirst()
    },

    /** Meetings whose minutes were confirmed at this one. */
    confirmedAtMeeting(meetingId: string, executor: Executor = db) {
      return executor
        .selectFrom('meetings')
        .select(['id', 'meets_on as meetsOn', 'minutes_subject_to_amendment as subjectToAmendment'])
        .where('minutes_confirmed_at_meeting_id', '=', meetingId)
        .orderBy('meets_on')
        .execute()
    },

    nextMeeting(bodyId: string, after: { meetsOn: string; startsAt: string }, executor: Executor = db) {
      return executor
        .selectFrom('meetings')
        .select(['id', 'meets_on as meetsOn', 'starts_at as startsAt', 'venue'])
        .where('body_id', '=', bodyId)
        .where('status', '<>', 'cancelled')
        .where(sql<boolean>`(meets_on, starts_at) > (${after.meetsOn}::date, ${after.startsAt}::time)`)
        .orderBy('meets_on')
        .orderBy('starts_at')
        .limit(1)
        .executeTakeFirst()
    },

    // ---- attendance ----

    attendance(meetingId: string, executor: Executor = db) {
      return executor
        .selectFrom('meeting_attendance')
        .leftJoin('users', 'users.id', 'meeting_attendance.user_id')
        .leftJoin('governance_contacts', 'governance_contacts.id', 'meeting_attendance.contact_id')
        .select([
          'meeting_attendance.id',
          'meeting_attendance.user_id as userId',
          'meeting_attendance.contact_id as contactId',
          sql<string>`coalesce(users.name, governance_contacts.name)`.as('name'),
          'meeting_attendance.status',
          'meeting_attendance.role_label as roleLabel',
          'meeting_attendance.organisation_name as organisationName',
          'meeting_attendance.note',
        ])
        .where('meeting_attendance.meeting_id', '=', meetingId)
        // The chair first, then the deputy, then by name: the order the minutes print them.
        .orderBy(sql`case lower(coalesce(meeting_attendance.role_label, '')) when 'chair' then 0 when 'deputy chair' then 1 when 'vice chair' then 1 else 2 end`)
        .orderBy(sql`lower(coalesce(users.name, governance_contacts.name))`)
        .execute()
    },

    /** Names and organisations of people by key; keys that match no one are missing from the answer. */
    async people(keys: readonly PersonKey[], executor: Executor = db) {
      const userIds = keys.filter((key) => key.startsWith('user:')).map((key) => key.slice(5))
      const contactIds = keys.filter((key) => key.startsWith('contact:')).map((key) => key.slice(8))
      const found = new Map<PersonKey, { name: string; organisationName: string | null }>()
      if (userIds.length) {
        const users = await executor
          .selectFrom('users')
          .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
          .select(['users.id', 'users.name', 'organisations.name as organisationName'])
          .where('users.id', 'in', userIds)
          .execute()
        for (const user of users) found.set(`user:${user.id}`, { name: user.name, organisationName: user.organisationName })
      }
      if (contactIds.length) {
        const contacts = await executor
          .selectFrom('governance_contacts')
          .leftJoin('organisations', 'organisations.id', 'governance_contacts.organisation_id')
          .select(['governance_contacts.id', 'governance_contacts.name', sql<string | null>`coalesce(organisations.name, governance_contacts.organisation_name)`.as('organisationName')])
          .where('governance_contacts.id', 'in', contactIds)
          .execute()
        for (const contact of contacts) found.set(`contact:${contact.id}`, { name: contact.name, organisationName: contact.organisationName })
      }
      return found
    },

    /** Everyone who can be added to a meeting's attendance: active users and contacts without an account. */
    async peopleChoices(executor: Executor = db) {
      const users = await executor
        .selectFrom('users')
        .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
        .select(['users.id', 'users.name', 'organisations.name as organisationName'])
        .where('users.active', '=', true)
        .orderBy(sql`lower(users.name)`)
        .execute()
      const contacts = await executor
        .selectFrom('governance_contacts')
        .leftJoin('organisations', 'organisations.id', 'governance_contacts.organisation_id')
        .select(['governance_contacts.id', 'governance_contacts.name', sql<string | null>`coalesce(organisations.name, governance_contacts.organisation_name)`.as('organisationName')])
        .orderBy(sql`lower(governance_contacts.name)`)
        .execute()
      return {
        users: users.map((user) => ({ key: `user:${user.id}` as PersonKey, name: user.name, organisationName: user.organisationName })),
        contacts: contacts.map((contact) => ({ key: `contact:${contact.id}` as PersonKey, name: contact.name, organisationName: contact.organisationName })),
      }
    },

    /** Takes the people given off the meeting's attendance, so that their new entries replace the old. */
    async removeAttendance(meetingId: string, keys: readonly PersonKey[], executor: Executor = db) {
      const userIds = keys.filter((key) => key.startsWith('user:')).map((key) => key.slice(5))
      const contactIds = keys.filter((key) => key.startsWith('contact:')).map((key) => key.slice(8))
      if (!userIds.length && !contactIds.length) return 0
      const result = await executor
        .deleteFrom('meeting_attendance')
        .where('meeting_id', '=', meetingId)
        .where((eb) => eb.or([...(userIds.length ? [eb('user_id', 'in', userIds)] : []), ...(contactIds.length ? [eb('contact_id', 'in', contactIds)] : [])]))
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },

    async insertAttendance(
      meetingId: string,
      rows: { key: PersonKey; status: AttendanceStatus; roleLabel: string | null; organisationName: string | null; note: string | null }[],
      recordedBy: string,
      executor: Executor = db,
    ) {
      if (!rows.length) return
      await executor
        .insertInto('meeting_attendance')
        .values(
          rows.map((row) => ({
            meeting_id: meetingId,
            user_id: row.key.startsWith('user:') ? row.key.slice(5) : null,
            contact_id: row.key.startsWith('contact:') ? row.key.slice(8) : null,
            status: row.status,
            role_label: row.roleLabel,
            organisation_name: row.organisationName,
            note: row.note,
            recorded_by: recordedBy,
          })),
        )
        .execute()
    },

    async countPresent(meetingId: string, executor: Executor = db) {
      const row = await executor
        .selectFrom('meeting_attendance')
        .select(sql<number>`count(*)::int`.as('count'))
        .where('meeting_id', '=', meetingId)
        .where('status', '=', 'present')
        .executeTakeFirstOrThrow()
      return row.count
    },

    // ---- declarations ----

    declarations(meetingId: string, executor: Executor = db) {
      return executor
        .selectFrom('meeting_declarations')
        .leftJoin('users', 'users.id', 'meeting_declarations.user_id')
        .leftJoin('governance_contacts', 'governance_contacts.id', 'meeting_declarations.contact_id')
        .leftJoin('agenda_items', 'agenda_items.id', 'meeting_declarations.agenda_item_id')
        .select([
          'meeting_declarations.id',
          sql<string>`coalesce(users.name, governance_contacts.name)`.as('name'),
          'meeting_declarations.agenda_item_id as itemId',
          'agenda_items.position as itemNumber',
          'agenda_items.title as itemTitle',
          'meeting_declarations.interest',
        ])
        .where('meeting_declarations.meeting_id', '=', meetingId)
        .orderBy(sql`agenda_items.position nulls first`)
        .orderBy('meeting_declarations.recorded_at')
        .execute()
    },

    insertDeclaration(values: { meetingId: string; itemId: string | null; person: PersonKey; interest: string; recordedBy: string }, executor: Executor = db) {
      return executor
        .insertInto('meeting_declarations')
        .values({
          meeting_id: values.meetingId,
          agenda_item_id: values.itemId,
          user_id: values.person.startsWith('user:') ? values.person.slice(5) : null,
          contact_id: values.person.startsWith('contact:') ? values.person.slice(8) : null,
          interest: values.interest,
          recorded_by: values.recordedBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    async deleteDeclaration(meetingId: string, declarationId: string, executor: Executor = db) {
      const result = await executor.deleteFrom('meeting_declarations').where('meeting_id', '=', meetingId).where('id', '=', declarationId).executeTakeFirst()
      return Number(result.numDeletedRows) === 1
    },

    // ---- agenda items ----

    /** A meeting's items in agenda order, with their presenter's name as printed. */
    items(meetingId: string, executor: Executor = db) {
      return executor
        .selectFrom('agenda_items')
        .leftJoin('users as presenter', 'presenter.id', 'agenda_items.presenter_user_id')
        .leftJoin('governance_contacts as presenterContact', 'presenterContact.id', 'agenda_items.presenter_contact_id')
        .leftJoin('agenda_items as takenBefore', 'takenBefore.id', 'agenda_items.taken_before_item_id')
        .select([
          'agenda_items.id',
          'agenda_items.body_id as bodyId',
          sql<number>`agenda_items.position`.as('number'),
          'agenda_items.kind',
          'agenda_items.title',
          'agenda_items.description',
          'agenda_items.hot_topic as hotTopic',
          sql<string | null>`coalesce(presenter.name, ${sql.ref('presenterContact.name')}, agenda_items.presenter_name)`.as('presenterName'),
          'agenda_items.presenter_role as presenterRole',
          'agenda_items.exempt',
          'agenda_items.exempt_reason as exemptReason',
          'agenda_items.minutes',
          'agenda_items.taken_before_item_id as takenBeforeItemId',
          'takenBefore.position as takenBeforeNumber',
          'agenda_items.deferred_reason as deferredReason',
        ])
        .where('agenda_items.meeting_id', '=', meetingId)
        .orderBy('agenda_items.position')
        .execute()
    },

    item(meetingId: string, itemId: string, executor: Executor = db) {
      return executor.selectFrom('agenda_items').selectAll().where('meeting_id', '=', meetingId).where('id', '=', itemId).executeTakeFirst()
    },

    async updateItem(itemId: string, changes: { minutes?: string | null; taken_before_item_id?: string | null; deferred_reason?: string | null }, executor: Executor = db) {
      await executor
        .updateTable('agenda_items')
        .set({ ...changes, updated_at: new Date() })
        .where('id', '=', itemId)
        .execute()
    },

    /** The forward programme copy of a deferred item, with where it now is and whether anything has been recorded on it. */
    deferredCopy(itemId: string, executor: Executor = db) {
      return executor
        .selectFrom('agenda_items as copy')
        .leftJoin('meetings', 'meetings.id', 'copy.meeting_id')
        .select([
          'copy.id',
          'copy.meeting_id as meetingId',
          'copy.position',
          'meetings.meets_on as meetsOn',
          sql<boolean>`copy.minutes is not null or copy.deferred_reason is not null
            or exists (select 1 from resolutions where resolutions.agenda_item_id = copy.id)
            or exists (select 1 from actions where actions.agenda_item_id = copy.id)
            or exists (select 1 from agenda_papers where agenda_papers.agenda_item_id = copy.id)
            or exists (select 1 from meeting_declarations where meeting_declarations.agenda_item_id = copy.id)
            or exists (select 1 from agenda_items other where other.taken_before_item_id = copy.id)`.as('hasRecord'),
        ])
        .where('copy.deferred_from_item_id', '=', itemId)
        .executeTakeFirst()
    },

    async deferredCopies(itemIds: readonly string[], executor: Executor = db) {
      if (!itemIds.length) return []
      return executor
        .selectFrom('agenda_items as copy')
        .leftJoin('meetings', 'meetings.id', 'copy.meeting_id')
        .select(['copy.deferred_from_item_id as fromItemId', 'copy.meeting_id as meetingId', 'meetings.meets_on as meetsOn'])
        .where('copy.deferred_from_item_id', 'in', itemIds)
        .execute()
    },

    /** A copy of a deferred item for the forward programme (no meeting yet), pointing back to the item. */
    insertDeferredCopy(
      item: {
        id: string
        body_id: string
        kind: string
        title: string
        description: string | null
        hot_topic: string | null
        presenter_user_id: string | null
        presenter_contact_id: string | null
        presenter_name: string | null
        presenter_role: string | null
        exempt: boolean
        exempt_reason: string | null
      },
      createdBy: string,
      executor: Executor = db,
    ) {
      return executor
        .insertInto('agenda_items')
        .values({
          body_id: item.body_id,
          kind: item.kind,
          title: item.title,
          description: item.description,
          hot_topic: item.hot_topic,
          presenter_user_id: item.presenter_user_id,
          presenter_contact_id: item.presenter_contact_id,
          presenter_name: item.presenter_name,
          presenter_role: item.presenter_role,
          exempt: item.exempt,
          exempt_reason: item.exempt_reason,
          deferred_from_item_id: item.id,
          created_by: createdBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    /** Deletes the copy of a deferred item and closes the gap it leaves on its meeting's agenda (locked first, then read). */
    async deleteDeferredCopy(copy: { id: string; meetingId: string | null }, executor: Executor = db) {
      if (copy.meetingId) await meetingsRepository(executor).lockMeeting(copy.meetingId, executor)
      const deleted = await executor.deleteFrom('agenda_items').where('id', '=', copy.id).returning('position').executeTakeFirst()
      if (!copy.meetingId || !deleted?.position) return
      await executor.updateTable('agenda_items').set({ position: sql`position + ${POSITION_GAP}` }).where('meeting_id', '=', copy.meetingId).where('position', '>', deleted.position).execute()
      await executor
        .updateTable('agenda_items')
        .set({ position: sql`position - ${POSITION_GAP + 1}` })
        .where('meeting_id', '=', copy.meetingId)
        .where('position', '>', POSITION_GAP)
        .execute()
    },

    papers(itemIds: readonly string[], executor: Executor = db) {
      if (!itemIds.length) return Promise.resolve([])
      return executor
        .selectFrom('agenda_papers')
        .select(['id', 'agenda_item_id as itemId', 'title', 'file_name as fileName'])
        .where('agenda_item_id', 'in', itemIds)
        .where('removed_at', 'is', null)
        .orderBy('uploaded_at')
        .execute()
    },

    // ---- resolutions ----

    resolutions(itemIds: readonly string[], executor: Executor = db) {
      if (!itemIds.length) return Promise.resolve([])
      return executor
        .selectFrom('resolutions')
        .select(['id', 'agenda_item_id as itemId', 'kind', 'position', 'text'])
        .where('agenda_item_id', 'in', itemIds)
        // RESOLVED before AGREED when an item has both.
        .orderBy(sql`kind = 'resolved'`, 'desc')
        .orderBy('position')
        .execute()
    },

    /** Whether a resolution records a chair's or deputy chair's election: such a resolution cannot be removed. */
    async electsMember(resolutionId: string, executor: Executor = db) {
      const row = await executor.selectFrom('body_members').select('id').where('elected_by_resolution_id', '=', resolutionId).limit(1).executeTakeFirst()
      return Boolean(row)
    },

    async deleteResolution(resolutionId: string, executor: Executor = db) {
      await executor.deleteFrom('resolutions').where('id', '=', resolutionId).execute()
    },

    async updateResolutionText(resolutionId: string, text: string, executor: Executor = db) {
      await executor.updateTable('resolutions').set({ text }).where('id', '=', resolutionId).execute()
    },

    /**
     * Sets an item's resolutions to this order, numbering each kind 1, 2, 3 ... Every position is first lifted above
     * the rest, because (item, kind, position) is unique and is checked row by row.
     */
    async renumberResolutions(itemId: string, ordered: readonly { id: string; kind: ResolutionKind }[], executor: Executor = db) {
      await executor.updateTable('resolutions').set({ position: sql`position + ${POSITION_GAP}` }).where('agenda_item_id', '=', itemId).execute()
      const next: Record<ResolutionKind, number> = { resolved: 0, agreed: 0 }
      for (const resolution of ordered) {
        next[resolution.kind] += 1
        await executor.updateTable('resolutions').set({ kind: resolution.kind, position: next[resolution.kind] }).where('id', '=', resolution.id).execute()
      }
    },

    // ---- minutes versions ----

    async insertVersion(values: { meetingId: string; record: unknown; reason: string; changedBy: string }, executor: Executor = db) {
      const next = await executor
        .selectFrom('minutes_versions')
        .select(sql<number>`coalesce(max(version), 0) + 1`.as('version'))
        .where('meeting_id', '=', values.meetingId)
        .executeTakeFirstOrThrow()
      await executor
        .insertInto('minutes_versions')
        .values({ meeting_id: values.meetingId, version: next.version, record: JSON.stringify(values.record), reason: values.reason, changed_by: values.changedBy })
        .execute()
      return next.version
    },

    versions(meetingId: string, executor: Executor = db) {
      return executor
        .selectFrom('minutes_versions')
        .innerJoin('users', 'users.id', 'minutes_versions.changed_by')
        .select(['minutes_versions.version', 'minutes_versions.changed_at as changedAt', 'users.name as changedByName', 'minutes_versions.reason'])
        .where('minutes_versions.meeting_id', '=', meetingId)
        .orderBy('minutes_versions.version', 'desc')
        .execute()
    },

    version(meetingId: string, version: number, executor: Executor = db) {
      return executor
        .selectFrom('minutes_versions')
        .innerJoin('users', 'users.id', 'minutes_versions.changed_by')
        .select(['minutes_versions.version', 'minutes_versions.changed_at as changedAt', 'users.name as changedByName', 'minutes_versions.reason', 'minutes_versions.record'])
        .where('minutes_versions.meeting_id', '=', meetingId)
        .where('minutes_versions.version', '=', version)
        .executeTakeFirst()
    },

    /** A current member of the body (any role): members of a closed body read its exempt items. */
    async isCurrentMember(bodyId: string, userId: string, executor: Executor = db) {
      const row = await executor
        .selectFrom('body_members')
        .select('id')
        .where('body_id', '=', bodyId)
        .where('user_id', '=', userId)
        .where('from_date', '<=', TODAY_IN_LONDON)
        .where((eb) => eb.or([eb('to_date', 'is', null), eb('to_date', '>=', TODAY_IN_LONDON)]))
        .limit(1)
        .executeTakeFirst()
      return Boolean(row)
    },
  }
}

export type MinutesRepository = ReturnType<typeof minutesRepository>
