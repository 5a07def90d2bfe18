import { type ExpressionBuilder, type RawBuilder, type SqlBool, sql } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
import type { Executor } from '../../platform/db/executor.js'
import type { ActionStatus, DB, LinkedRecordType } from '../../platform/db/schema.js'
import { rolesWith } from '../auth/permissions.js'
import { bodyRowManageableBy, bodyRowVisibleTo, currentMemberOf } from '../bodies/body-access.js'
import { caseRowVisibleTo } from '../cases/case-access.js'
import { CLOSED_STATUSES, type OwnerRef, type OwnerType } from './actions.schemas.js'

/** The signed-in user reading actions. */
export interface Viewer {
  userId: string
  organisationId: string
}

/**
 * THE ownership rule: an action is the viewer's if it names them, or names their organisation and the body is open or
 * they are a current member of it (an organisation does not open a closed body to all its staff).
 */
export function ownedBy(viewer: Viewer, actionAlias = 'actions', bodyAlias = 'bodies'): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (select 1 from action_owners owned where owned.action_id = ${sql.ref(`${actionAlias}.id`)} and (owned.user_id = ${viewer.userId}
    or (owned.organisation_id = ${viewer.organisationId} and (${sql.ref(`${bodyAlias}.visibility`)} = 'open' or ${currentMemberOf(sql.ref<string>(`${bodyAlias}.id`), viewer.userId)}))))`
}

/**
 * An action raised under an exempt item is seen, as the minutes show exempt items, by those who run the body and its
 * current members, and by its owners. Needs `bodies` and `raised_item` (the action's agenda item) in scope.
 */
function exemptVisibleTo(viewer: Viewer): RawBuilder<SqlBool> {
  return sql<SqlBool>`(raised_item.exempt is not true or ${bodyRowManageableBy(viewer.userId)} or ${currentMemberOf(sql.ref<string>('bodies.id'), viewer.userId)} or ${ownedBy(viewer)})`
}

/** Candidates for the viewer's actions, driven from the owners' indexes (ownedBy then decides). */
function ownerCandidateIds(executor: Executor, viewer: Viewer) {
  return executor
    .selectFrom('action_owners')
    .select('action_owners.action_id')
    .where((eb) => eb.or([eb('action_owners.user_id', '=', viewer.userId), eb('action_owners.organisation_id', '=', viewer.organisationId)]))
}

const hasRoleFor = (userId: string, permission: 'governance:read' | 'cases:read') =>
  sql<SqlBool>`exists (select 1 from users viewer where viewer.id = ${userId} and viewer.roles && array[${sql.join(rolesWith(permission).map((role) => sql.lit(role)))}]::text[])`

const closedList = sql.join(CLOSED_STATUSES.map((status) => sql.lit(status)))
/** The day an action was raised: its meeting's date, or (between meetings) the day it was recorded, in UK time. */
const raisedOn = sql<string>`coalesce(raised_meeting.meets_on, (actions.created_at at time zone 'Europe/London')::date)`
/** The date an action is due: its own, or (by the next meeting) that of the body's next meeting once scheduled. */
const effectiveDue = sql<string | null>`coalesce(actions.due_on, due_meeting.meets_on)`
/** Overdue: not closed, and its due date, or the date of the meeting it was due by, is before today. */
const overdue = (today: string) => sql<boolean>`(actions.status not in (${closedList}) and coalesce(${effectiveDue} < ${today}::date, false))`
/** When an update was reported: the meeting it was recorded at, or the day it was made. */
const reportedOn = sql<string>`coalesce(update_meeting.meets_on, (action_updates.created_at at time zone 'Europe/London')::date)`

export interface ActionOwner {
  type: OwnerType
  id: string
  name: string
  organisationName: string | null
  /** Where a reminder goes: an active user's address or a contact's; none for an organisation. */
  email: string | null
}

/** An update as an action log prints it: the day it was reported (at a meeting, or made), status and comment. */
export interface LogUpdateRow {
  status: ActionStatus
  comment: string | null
  reportedOn: string
  /** Recorded as reported at a meeting (rather than on the day it was made). */
  atMeeting: boolean
}

/** An update in full, for the action's own page. */
export interface ActionUpdateRow extends LogUpdateRow {
  id: string
  actionId: string
  meetingId: string | null
  meetingOn: string | null
  updatedByName: string
  createdAt: Date
}

type ActionsScope = ExpressionBuilder<DB, 'actions'>

/**
 * The action's owners as one JSON column: a list of actions and their owners in one statement, rather than a second with a row per owner. PGlite plans every statement afresh and hands rows to
 * JavaScript one by one, so on a log of hundreds of actions the fewer statements and rows, the faster.
 */
const ownersJson = (eb: ActionsScope) =>
  jsonArrayFrom(
    eb
      .selectFrom('action_owners as owner')
      // Scalar lookups by primary key: as joins, the planner hashes every user and contact again for each action.
      .select([
        sql<OwnerType>`case when owner.user_id is not null then 'user' when owner.contact_id is not null then 'contact' else 'organisation' end`.as('type'),
        sql<string>`coalesce(owner.user_id, owner.contact_id, owner.organisation_id)`.as('id'),
        sql<string>`case when owner.user_id is not null then (select name from users where id = owner.user_id)
          when owner.contact_id is not null then (select name from governance_contacts where id = owner.contact_id)
          else (select name from organisations where id = owner.organisation_id) end`.as('name'),
        sql<string | null>`case when owner.user_id is not null then (select name from organisations where id = (select organisation_id from users where id = owner.user_id))
          when owner.contact_id is not null then (select coalesce((select name from organisations where id = contact.organisation_id), contact.organisation_name) from governance_contacts contact where contact.id = owner.contact_id) end`.as('organisationName'),
        sql<string | null>`case when owner.user_id is not null then (select email from users where id = owner.user_id and active)
          when owner.contact_id is not null then (select email from governance_contacts where id = owner.contact_id) end`.as('email'),
      ])
      .whereRef('owner.action_id', '=', 'actions.id'),
  )

/** The action's updates as a log prints them, oldest first, as one JSON column; up to a day when given. */
const historyJson = (eb: ActionsScope, upTo?: string) => {
  let updates = eb
    .selectFrom('action_updates')
    .leftJoin('meetings as update_meeting', 'update_meeting.id', 'action_updates.meeting_id')
    .select(['action_updates.status', 'action_updates.comment', reportedOn.as('reportedOn'), sql<boolean>`action_updates.meeting_id is not null`.as('atMeeting')])
    .whereRef('action_updates.action_id', '=', 'actions.id')
  if (upTo) updates = updates.where(sql<SqlBool>`${reportedOn} <= ${upTo}::date`)
  return jsonArrayFrom(updates.orderBy(reportedOn).orderBy('action_updates.created_at'))
}

/** The only SQL for actions, their owners, updates and reminders. */
export function actionsRepository(db: Executor) {
  /**
   * Every list reads actions through this: where each came from, its due date (or next meeting), whether overdue and
   * whether the viewer owns it; for a viewer, only the actions of exempt items they may see. No viewer: the reminder run.
   */
  const base = (executor: Executor, today: string, viewer: Viewer | null) =>
    executor
      .selectFrom('actions')
      .innerJoin('bodies', 'bodies.id', 'actions.body_id')
      .leftJoin('meetings as raised_meeting', 'raised_meeting.id', 'actions.meeting_id')
      .leftJoin('agenda_items as raised_item', 'raised_item.id', 'actions.agenda_item_id')
      // "By the next meeting": the body's first meeting (not cancelled) after the day the action was raised.
      .leftJoinLateral(
        (eb) =>
          eb
            .selectFrom('meetings as next_meeting')
            .select('next_meeting.meets_on')
            .where(sql<SqlBool>`actions.due_next_meeting`)
            .whereRef('next_meeting.body_id', '=', 'actions.body_id')
            .where('next_meeting.status', '<>', 'cancelled')
            .where(sql<SqlBool>`next_meeting.meets_on > ${raisedOn}`)
            .orderBy('next_meeting.meets_on')
            .limit(1)
            .as('due_meeting'),
        (join) => join.onTrue(),
      )
      .select([
        'actions.id',
        'actions.body_id as bodyId',
        'bodies.name as bodyName',
        'actions.meeting_id as meetingId',
        'raised_meeting.meets_on as meetingOn',
        'actions.agenda_item_id as agendaItemId',
        'raised_item.position as itemNumber',
        'raised_item.title as itemTitle',
        'actions.text',
        'actions.due_on as dueOn',
        'actions.due_next_meeting as dueNextMeeting',
        'due_meeting.meets_on as dueMeetingOn',
        'actions.status',
        'actions.completed_at as completedAt',
        'actions.linked_record_type as linkedRecordType',
        'actions.linked_record_id as linkedRecordId',
        'actions.version',
        raisedOn.as('raisedOn'),
        overdue(today).as('overdue'),
        sql<boolean>`${viewer ? ownedBy(viewer) : sql`false`}`.as('owned'),
      ])
      .select((eb) => ownersJson(eb).as('owners'))
      .where(viewer ? exemptVisibleTo(viewer) : sql<SqlBool>`true`)

  /** Oldest first, as the log is read: by the day raised, then the item's number. */
  const oldestFirst = <Q extends ReturnType<typeof base>>(query: Q) =>
    query.orderBy(raisedOn).orderBy('raised_item.position').orderBy('actions.created_at').orderBy('actions.id') as Q

  return {
    /** The actions raised under these agenda items, with their owners, oldest first: for the printed minutes. */
    ofItems(itemIds: readonly string[], executor: Executor = db) {
      if (!itemIds.length) return Promise.resolve([])
      return executor
        .selectFrom('actions')
        .select((eb) => ['actions.id', 'actions.agenda_item_id as itemId', 'actions.text', 'actions.due_on as dueOn', 'actions.due_next_meeting as dueNextMeeting', 'actions.status', ownersJson(eb).as('owners')])
        .where('actions.agenda_item_id', 'in', itemIds)
        .orderBy('actions.created_at')
        .orderBy('actions.id')
        .execute()
    },

    find(actionId: string, viewer: Viewer, today: string, executor: Executor = db) {
      return base(executor, today, viewer).where('actions.id', '=', actionId).executeTakeFirst()
    },

    /** What the access rule needs about one action and one user. */
    accessFacts(actionId: string, viewer: Viewer, executor: Executor = db) {
      return executor
        .selectFrom('actions')
        .innerJoin('bodies', 'bodies.id', 'actions.body_id')
        .leftJoin('agenda_items as raised_item', 'raised_item.id', 'actions.agenda_item_id')
        .select([
          'actions.id',
          'actions.body_id as bodyId',
          ownedBy(viewer).as('owned'),
          exemptVisibleTo(viewer).as('exemptVisible'),
          hasRoleFor(viewer.userId, 'governance:read').as('readsGovernance'),
          bodyRowVisibleTo(viewer.userId).as('bodyVisible'),
          bodyRowManageableBy(viewer.userId).as('canManage'),
        ])
        .where('actions.id', '=', actionId)
        .executeTakeFirst()
    },

    /** An action's updates in full, oldest first. */
    history(actionId: string, executor: Executor = db): Promise<ActionUpdateRow[]> {
      return executor
        .selectFrom('action_updates')
        .innerJoin('users', 'users.id', 'action_updates.updated_by')
        .leftJoin('meetings as update_meeting', 'update_meeting.id', 'action_updates.meeting_id')
        .select([
          'action_updates.id',
          'action_updates.action_id as actionId',
          'action_updates.status',
          'action_updates.comment',
          'action_updates.meeting_id as meetingId',
          'update_meeting.meets_on as meetingOn',
          'users.name as updatedByName',
          'action_updates.created_at as createdAt',
          reportedOn.as('reportedOn'),
          sql<boolean>`action_updates.meeting_id is not null`.as('atMeeting'),
        ])
        .where('action_updates.action_id', '=', actionId)
        .orderBy(reportedOn)
        .orderBy('action_updates.created_at')
        .execute()
    },

    /**
     * Candidates for a meeting's action log: the body's actions raised at an earlier meeting, or between meetings
     * before its date, that were still open after the day before the previous meeting (the exact rule, on the status
     * as it stood at the meeting, is applied by the service over their history).
     */
    meetingLogCandidates(meeting: { bodyId: string; meetsOn: string; startsAt: string }, previousOn: string | null, viewer: Viewer, today: string, executor: Executor = db) {
      let query = base(executor, today, viewer)
        .select((eb) => historyJson(eb, meeting.meetsOn).as('history'))
        .where('actions.body_id', '=', meeting.bodyId)
        .where(
          sql<SqlBool>`((actions.meeting_id is not null and (raised_meeting.meets_on, raised_meeting.starts_at) < (${meeting.meetsOn}::date, ${meeting.startsAt}::time))
            or (actions.meeting_id is null and (actions.created_at at time zone 'Europe/London')::date < ${meeting.meetsOn}::date))`,
        )
      if (previousOn) query = query.where((eb) => eb.or([eb('actions.completed_at', 'is', null), eb('actions.completed_at', '>=', sql<Date>`((${previousOn}::date - 1)::timestamp at time zone 'Europe/London')`)]))
      return oldestFirst(query).execute()
    },

    /** The meeting, and the date of the body's meeting before it (not cancelled). */
    async meetingWithPrevious(meetingId: string, executor: Executor = db) {
      const meeting = await executor
        .selectFrom('meetings')
        .innerJoin('bodies', 'bodies.id', 'meetings.body_id')
        .select([
          'meetings.id',
          'meetings.body_id as bodyId',
          'bodies.name as bodyName',
          'meetings.meets_on as meetsOn',
          'meetings.starts_at as startsAt',
          sql<string | null>`(select previous.meets_on from meetings previous where previous.body_id = meetings.body_id and previous.status <> 'cancelled'
            and (previous.meets_on, previous.starts_at) < (meetings.meets_on, meetings.starts_at) order by previous.meets_on desc, previous.starts_at desc limit 1)`.as('previousOn'),
        ])
        .where('meetings.id', '=', meetingId)
        .executeTakeFirst()
      return meeting && { ...meeting, previous: meeting.previousOn ? { meetsOn: meeting.previousOn } : null }
    },

    /** A body's log now: by default every action not complete or withdrawn; at most `limit` rows, and how many match. */
    async bodyLog(bodyId: string, filter: { status?: ActionStatus; owner?: OwnerRef; overdue: boolean }, viewer: Viewer, today: string, limit: number, executor: Executor = db) {
      let query = base(executor, today, viewer)
        .select((eb) => historyJson(eb).as('history'))
        .where('actions.body_id', '=', bodyId)
      query = filter.status ? query.where('actions.status', '=', filter.status) : query.where('actions.status', 'not in', CLOSED_STATUSES)
      if (filter.owner) {
        const column = filter.owner.type === 'user' ? 'user_id' : filter.owner.type === 'contact' ? 'contact_id' : 'organisation_id'
        query = query.where('actions.id', 'in', executor.selectFrom('action_owners').select('action_id').where(column, '=', filter.owner.id))
      }
      if (filter.overdue) query = query.where(overdue(today))
      const rows = await oldestFirst(query)
        .select(sql<number>`count(*) over ()`.as('total'))
        .limit(limit)
        .execute()
      return { rows, total: rows[0]?.total ?? 0 }
    },

    /** Everyone who owns an open action of the body (not complete or withdrawn) the viewer may see, for the log's owner filter. */
    bodyOwners(bodyId: string, viewer: Viewer, executor: Executor = db) {
      return executor
        .selectFrom('action_owners')
        .innerJoin('actions', 'actions.id', 'action_owners.action_id')
        .innerJoin('bodies', 'bodies.id', 'actions.body_id')
        .leftJoin('agenda_items as raised_item', 'raised_item.id', 'actions.agenda_item_id')
        .leftJoin('users', 'users.id', 'action_owners.user_id')
        .leftJoin('governance_contacts', 'governance_contacts.id', 'action_owners.contact_id')
        .leftJoin('organisations', 'organisations.id', 'action_owners.organisation_id')
        .select([
          sql<OwnerType>`case when action_owners.user_id is not null then 'user' when action_owners.contact_id is not null then 'contact' else 'organisation' end`.as('type'),
          sql<string>`coalesce(action_owners.user_id, action_owners.contact_id, action_owners.organisation_id)`.as('id'),
          sql<string>`coalesce(users.name, governance_contacts.name, organisations.name)`.as('name'),
        ])
        .distinct()
        .where('actions.body_id', '=', bodyId)
        .where('actions.status', 'not in', CLOSED_STATUSES)
        .where(exemptVisibleTo(viewer))
        .orderBy('name')
        .execute()
    },

    /** Open actions the viewer owns (see ownedBy): overdue first, then by due date. */
    openOwnedBy(viewer: Viewer, today: string, options: { limit?: number } = {}, executor: Executor = db) {
      let query = base(executor, today, viewer)
        .where('actions.id', 'in', ownerCandidateIds(executor, viewer))
        .where(ownedBy(viewer))
        .where('actions.status', 'not in', CLOSED_STATUSES)
        .orderBy(overdue(today), 'desc')
        .orderBy(effectiveDue)
        .orderBy(raisedOn)
        .orderBy('actions.id')
      if (options.limit) query = query.limit(options.limit)
      return query.execute()
    },

    /** The actions the viewer owns most recently completed or withdrawn. */
    recentlyClosedOwnedBy(viewer: Viewer, today: string, limit: number, executor: Executor = db) {
      // Newest first through actions_closed_idx, checking each for an owner, until there are enough.
      return base(executor, today, viewer)
        .where('actions.status', 'in', CLOSED_STATUSES)
        .where(ownedBy(viewer))
        .orderBy('actions.completed_at', 'desc')
        .orderBy('actions.id')
        .limit(limit)
        .execute()
    },

    /** Open actions the viewer owns, how many of them overdue, and how many they own by name. */
    async counts(viewer: Viewer, today: string, executor: Executor = db) {
      const open = base(executor, today, viewer)
        .select(sql<boolean>`exists (select 1 from action_owners by_name where by_name.action_id = actions.id and by_name.user_id = ${viewer.userId})`.as('byName'))
        .where('actions.id', 'in', ownerCandidateIds(executor, viewer))
        .where(ownedBy(viewer))
        .where('actions.status', 'not in', CLOSED_STATUSES)
      const row = await executor
        .selectFrom(open.as('open'))
        .select([
          sql<number>`count(*) filter (where open."byName")`.as('open'),
          sql<number>`count(*) filter (where open."byName" and open.overdue)`.as('overdue'),
          sql<number>`count(*) filter (where not open."byName")`.as('organisationOpen'),
        ])
        .executeTakeFirstOrThrow()
      return { open: Number(row.open), overdue: Number(row.overdue), organisationOpen: Number(row.organisationOpen) }
    },

    /** Overdue actions of every body the user runs (administrators: every body), by body then due date. */
    overdueManagedBy(viewer: Viewer, today: string, executor: Executor = db) {
      return base(executor, today, viewer)
        .where(bodyRowManageableBy(viewer.userId))
        .where(overdue(today))
        .orderBy('bodies.name')
        .orderBy(effectiveDue)
        .orderBy(raisedOn)
        .orderBy('actions.id')
        .execute()
    },

    insert(values: { bodyId: string; meetingId: string | null; agendaItemId: string | null; text: string; dueOn: string | null; dueNextMeeting: boolean; linkedRecordType: LinkedRecordType | null; linkedRecordId: string | null; createdBy: string }, executor: Executor = db) {
      return executor
        .insertInto('actions')
        .values({
          body_id: values.bodyId,
          meeting_id: values.meetingId,
          agenda_item_id: values.agendaItemId,
          text: values.text,
          due_on: values.dueOn,
          due_next_meeting: values.dueNextMeeting,
          linked_record_type: values.linkedRecordType,
          linked_record_id: values.linkedRecordId,
          created_by: values.createdBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    async replaceOwners(actionId: string, owners: readonly OwnerRef[], executor: Executor = db) {
      await executor.deleteFrom('action_owners').where('action_id', '=', actionId).execute()
      await executor
        .insertInto('action_owners')
        .values(owners.map((owner) => ({ action_id: actionId, user_id: owner.type === 'user' ? owner.id : null, contact_id: owner.type === 'contact' ? owner.id : null, organisation_id: owner.type === 'organisation' ? owner.id : null })))
        .execute()
    },

    /** Changes text, due date and link if the action is still at the version the editor read. */
    async change(actionId: string, version: number, values: { text: string; dueOn: string | null; dueNextMeeting: boolean; linkedRecordType: LinkedRecordType | null; linkedRecordId: string | null }, executor: Executor = db) {
      const result = await executor
        .updateTable('actions')
        .set({ text: values.text, due_on: values.dueOn, due_next_meeting: values.dueNextMeeting, linked_record_type: values.linkedRecordType, linked_record_id: values.linkedRecordId, version: sql`version + 1`, updated_at: new Date() })
        .where('id', '=', actionId)
        .where('version', '=', version)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },

    /** Sets the status if the action is still at the version the owner read; completed_at marks when it left the log. */
    async setStatus(actionId: string, version: number, status: ActionStatus, executor: Executor = db) {
      const closing = CLOSED_STATUSES.includes(status as (typeof CLOSED_STATUSES)[number])
      const result = await executor
        .updateTable('actions')
        .set({
          status,
          completed_at: closing ? sql`case when status in (${closedList}) then completed_at else now() end` : null,
          version: sql`version + 1`,
          updated_at: new Date(),
        })
        .where('id', '=', actionId)
        .where('version', '=', version)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },

    insertUpdate(values: { actionId: string; status: ActionStatus; comment: string | null; meetingId: string | null; updatedBy: string }, executor: Executor = db) {
      return executor
        .insertInto('action_updates')
        .values({ action_id: values.actionId, status: values.status, comment: values.comment, meeting_id: values.meetingId, updated_by: values.updatedBy })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    // ---- choices for the forms ----

    activeUsers(executor: Executor = db) {
      return executor
        .selectFrom('users')
        .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
        .select(['users.id', 'users.name', 'organisations.name as organisationName'])
        .where('users.active', '=', true)
        .orderBy(sql`lower(users.name)`)
        .execute()
    },

    contacts(executor: Executor = db) {
      return executor
        .selectFrom('governance_contacts')
        .leftJoin('organisations', 'organisations.id', 'governance_contacts.organisation_id')
        .select(['governance_contacts.id', 'governance_contacts.name', sql<string | null>`coalesce(organisations.name, governance_contacts.organisation_name)`.as('organisationName')])
        .orderBy(sql`lower(governance_contacts.name)`)
        .execute()
    },

    organisations(executor: Executor = db) {
      return executor.selectFrom('organisations').select(['id', 'name']).where('active', '=', true).orderBy(sql`lower(name)`).execute()
    },

    /** Whether every one of these owners exists (active users, contacts, active organisations), as the form offers them. */
    async ownersExist(owners: readonly OwnerRef[], executor: Executor = db) {
      const ids = (type: OwnerType) => owners.filter((owner) => owner.type === type).map((owner) => owner.id)
      const count = async (table: 'users' | 'governance_contacts' | 'organisations', wanted: string[], activeOnly: boolean) => {
        if (wanted.length === 0) return 0
        let query = executor.selectFrom(table).select(sql<number>`count(*)`.as('n')).where('id', 'in', wanted)
        if (activeOnly) query = query.where(sql<SqlBool>`active`)
        return Number((await query.executeTakeFirstOrThrow()).n)
      }
      const found = (await count('users', ids('user'), true)) + (await count('governance_contacts', ids('contact'), false)) + (await count('organisations', ids('organisation'), true))
      return found === owners.length
    },

    /** A case by its reference, only if the viewer reads cases and their organisation may see it. */
    visibleCaseByReference(reference: string, viewer: Viewer, executor: Executor = db) {
      return executor
        .selectFrom('cases')
        .select(['cases.id', 'cases.reference'])
        .where(sql<SqlBool>`upper(cases.reference) = upper(${reference})`)
        .where(hasRoleFor(viewer.userId, 'cases:read'))
        .where(caseRowVisibleTo(viewer.organisationId))
        .executeTakeFirst()
    },

    /** The linked case's reference, if the viewer reads cases and their organisation may see it. */
    visibleCase(caseId: string, viewer: Viewer, executor: Executor = db) {
      return executor
        .selectFrom('cases')
        .select(['cases.id', 'cases.reference'])
        .where('cases.id', '=', caseId)
        .where(hasRoleFor(viewer.userId, 'cases:read'))
        .where(caseRowVisibleTo(viewer.organisationId))
        .executeTakeFirst()
    },

    /** An agenda item of the meeting, for an action raised under it. */
    meetingItem(meetingId: string, itemId: string, executor: Executor = db) {
      return executor
        .selectFrom('agenda_items')
        .select(['agenda_items.id', 'agenda_items.position as number', 'agenda_items.title'])
        .where('agenda_items.id', '=', itemId)
        .where('agenda_items.meeting_id', '=', meetingId)
        .executeTakeFirst()
    },

    meeting(meetingId: string, executor: Executor = db) {
      return executor.selectFrom('meetings').select(['id', 'body_id as bodyId', 'meets_on as meetsOn']).where('id', '=', meetingId).executeTakeFirst()
    },

    /** The body's meetings on or before a day, latest first: where an update can be recorded as reported. */
    recentMeetings(bodyId: string, onOrBefore: string, executor: Executor = db) {
      return executor
        .selectFrom('meetings')
        .select(['id', 'meets_on as meetsOn'])
        .where('body_id', '=', bodyId)
        .where('status', '<>', 'cancelled')
        .where('meets_on', '<=', onOrBefore)
        .orderBy('meets_on', 'desc')
        .limit(6)
        .execute()
    },

    // ---- reminders ----

    /**
     * Actions with a due date, not closed, whose reminder is due today and not yet sent: "due soon" from
     * reminder_days_before days before the due date up to the due date, "overdue" after it.
     */
    remindersDue(today: string, executor: Executor = db) {
      const kind = sql<'due_soon' | 'overdue'>`case when actions.due_on < ${today}::date then 'overdue' else 'due_soon' end`
      return base(executor, today, null)
        .select(kind.as('kind'))
        .where('actions.status', 'not in', CLOSED_STATUSES)
        .where('actions.due_on', 'is not', null)
        .where(sql<SqlBool>`actions.due_on - bodies.reminder_days_before <= ${today}::date`)
        .where(sql<SqlBool>`not exists (select 1 from action_reminders sent where sent.action_id = actions.id and sent.kind = ${kind} and sent.due_on = actions.due_on)`)
        .orderBy('actions.due_on')
        .orderBy('actions.id')
        .execute()
    },

    /** Claims a reminder: true if this call recorded it (so it is sent once however many runs overlap). */
    async claimReminder(actionId: string, kind: 'due_soon' | 'overdue', dueOn: string, executor: Executor = db) {
      const row = await executor.insertInto('action_reminders').values({ action_id: actionId, kind, due_on: dueOn }).onConflict((conflict) => conflict.doNothing()).returning('action_id').executeTakeFirst()
      return Boolean(row)
    },
  }
}

export type ActionsRepository = ReturnType<typeof actionsRepository>
