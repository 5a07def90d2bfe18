import type { Kysely } from 'kysely'
import type { Config } from '../../config.js'
import { todayInLondon } from '../../platform/dates.js'
import type { Executor } from '../../platform/db/executor.js'
import type { ActionStatus, DB, LinkedRecordType } from '../../platform/db/schema.js'
import { signedIn } from '../../platform/http/actor.js'
import { ConflictError, ForbiddenError, NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Mailer, OutgoingEmail } from '../../platform/mail/mailer.js'
import { type Actor, SYSTEM_ACTOR } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import { bodiesRepository } from '../bodies/bodies.repository.js'
import { requireBody, requireMeetingBody } from '../bodies/body-access.js'
import { STALE_EDIT_MESSAGE } from '../cases/case-access.js'
import { meetingDate } from '../meetings/meetings.format.js'
import { type ActionLogDocument, type ExportFormat, EXPORT_TYPES, exportFileName, exportLog } from './actions-exports.js'
import { type ActionOwner, type LogUpdateRow, actionsRepository } from './actions.repository.js'
import {
  ACTION_STATUSES,
  type ActionInput,
  type ActionLogFilter,
  type OwnerRef,
  OWNER_STATUSES,
  type StatusUpdateInput,
  isClosed,
} from './actions.schemas.js'

/** The reminder run acts as the service itself, not as a user. */

/** "My actions" shows every open action and this many of those most recently completed or withdrawn. */
export const RECENTLY_CLOSED = 20

/** A body log shows at most this many rows (the full history is in the meeting logs and the exports). */
export const BODY_LOG_LIMIT = 500

/** "290921": a date as the action log's references print it. */
export function shortDate(iso: string): string {
  const [year, month, day] = iso.split('-') as [string, string, string]
  return `${day}${month}${year.slice(2)}`
}

/** "290921 Item 6": the meeting and item an action came from; "120326 Between meetings" for one raised between them. */
export function actionReference(action: { meetingOn: string | null; itemNumber: number | null; raisedOn: string }): string {
  if (!action.meetingOn) return `${shortDate(action.raisedOn)} Between meetings`
  return action.itemNumber ? `${shortDate(action.meetingOn)} Item ${action.itemNumber}` : shortDate(action.meetingOn)
}

/** "Mark Oswin (Charnwood Borough Council)", or an organisation's name. */
export function ownerLabel(owner: Pick<ActionOwner, 'type' | 'name' | 'organisationName'>): string {
  return owner.type !== 'organisation' && owner.organisationName ? `${owner.name} (${owner.organisationName})` : owner.name
}

function dueText(action: { dueOn: string | null; dueNextMeeting: boolean; dueMeetingOn: string | null }): string {
  if (action.dueOn) return meetingDate(action.dueOn)
  return action.dueMeetingOn ? `Next meeting (${meetingDate(action.dueMeetingOn)})` : 'Next meeting'
}

interface ActionRowLike {
  id: string
  bodyId: string
  bodyName: string
  meetingId: string | null
  meetingOn: string | null
  agendaItemId: string | null
  itemNumber: number | null
  itemTitle: string | null
  text: string
  dueOn: string | null
  dueNextMeeting: boolean
  dueMeetingOn: string | null
  status: ActionStatus
  completedAt: Date | null
  linkedRecordType: LinkedRecordType | null
  linkedRecordId: string | null
  version: number
  raisedOn: string
  overdue: boolean
  /** The viewer owns it, by the one ownership rule (ownedBy in the repository). */
  owned: boolean
  owners: ActionOwner[]
}

/** Owners as the log lists them: people by name, then organisations. */
export const nameOrder = new Intl.Collator('en-GB', { sensitivity: 'base' })
const peopleFirst = (a: ActionOwner, b: ActionOwner) => Number(a.type === 'organisation') - Number(b.type === 'organisation') || nameOrder.compare(a.name, b.name)

/** An action as pages, the API, exports and emails show it. */
function present<T extends ActionRowLike>({ owners, ...row }: T) {
  const own = owners.map((owner) => ({ ...owner, label: ownerLabel(owner) })).sort(peopleFirst)
  return {
    ...row,
    overdue: Boolean(row.overdue),
    owned: Boolean(row.owned),
    reference: actionReference(row),
    statusLabel: ACTION_STATUSES[row.status],
    dueText: dueText(row),
    owners: own,
    ownersText: own.map((owner) => owner.label).join(', '),
    linkedRecord: row.linkedRecordType && row.linkedRecordId ? { type: row.linkedRecordType, id: row.linkedRecordId } : null,
  }
}
export type ActionView = ReturnType<typeof present<ActionRowLike>>

const presentUpdate = <T extends LogUpdateRow>(update: T) => ({ ...update, statusLabel: ACTION_STATUSES[update.status] })
export type UpdateView = ReturnType<typeof presentUpdate<LogUpdateRow>>

/** One row of an action log: the action (status as it stood), its latest update and the earlier ones, newest first. */
export interface LogEntry {
  action: ActionView
  latest: UpdateView | null
  earlier: UpdateView[]
}

function logEntry(action: ActionView, history: readonly UpdateView[]): LogEntry {
  const latest = history.at(-1) ?? null
  return { action, latest, earlier: history.slice(0, -1).reverse() }
}

/** What the actor may do with one action (see requireAction). */
export interface ActionAccess {
  bodyId: string
  owned: boolean
  canManage: boolean
  /** May read the body's whole log: reads governance and may see the body. */
  canReadBody: boolean
}

export function actionsService({ db, audit, mailer, config }: { db: Kysely<DB>; audit: Pick<AuditService, 'record'>; mailer: Mailer; config: Pick<Config, 'publicUrl'> }) {
  const repository = actionsRepository(db)
  const viewerOf = (actor: Actor) => signedIn(actor)

  /**
   * THE rule for one action. Its owners (see ownedBy) may see it and report progress. Anyone else needs governance:read
   * and sight of the body (a closed body: members and administrators), and for an exempt item's action to run the body
   * or sit on it; otherwise it is "not found". Changing the action, or setting any status, is for those who run the body.
   */
  async function requireAction(actor: Actor, actionId: string, level: 'read' | 'update' | 'manage', executor: Executor = db): Promise<ActionAccess> {
    const facts = await repository.accessFacts(actionId, viewerOf(actor), executor)
    const canReadBody = Boolean(facts?.readsGovernance && facts.bodyVisible)
    if (!facts || !facts.exemptVisible || !(facts.owned || canReadBody)) throw new NotFoundError('Action not found')
    const access = { bodyId: facts.bodyId, owned: Boolean(facts.owned), canManage: Boolean(facts.canManage), canReadBody }
    if (level === 'update' && !access.owned && !access.canManage) throw new ForbiddenError('Only the owners of this action, or the chair, clerk or officers of the body, can update it')
    if (level === 'manage' && !access.canManage) throw new ForbiddenError('Only the chair, clerk or officers of the body, or an administrator, can change this action')
    return access
  }

  const shown = <T extends ActionRowLike>(rows: readonly T[]) => rows.map((row) => present(row))

  async function findView(actor: Actor, actionId: string, executor: Executor = db) {
    const row = await repository.find(actionId, viewerOf(actor), todayInLondon(), executor)
    if (!row) throw new NotFoundError('Action not found')
    return present(row)
  }

  /** Owners must exist; a due date not before the action was raised; a case only if the actor reads cases and their organisation may see it. */
  async function checkedValues(executor: Executor, actor: Actor, input: ActionInput, raisedOn: string, existingLink: { type: LinkedRecordType; id: string } | null) {
    if (input.owners.length === 0) throw new RuleError('owners', 'Choose at least one owner')
    if (!(await repository.ownersExist(input.owners, executor))) throw new RuleError('owners', 'Choose owners from the lists')
    if (input.due.kind === 'date' && input.due.on < raisedOn) throw new RuleError('dueOn', `The due date must be on or after ${meetingDate(raisedOn)}, when the action was raised`)
    let link: { type: LinkedRecordType; id: string } | null = null
    if (input.link?.type === 'case') {
      const found = await repository.visibleCaseByReference(input.link.reference, viewerOf(actor), executor)
      if (!found) throw new RuleError('caseReference', 'No case with that reference that you can see')
      link = { type: 'case', id: found.id }
    } else if (input.link?.type === 'keep') {
      link = existingLink
    }
    return {
      text: input.text,
      dueOn: input.due.kind === 'date' ? input.due.on : null,
      dueNextMeeting: input.due.kind === 'next_meeting',
      linkedRecordType: link?.type ?? null,
      linkedRecordId: link?.id ?? null,
    }
  }

  /** Where an action is raised: at a meeting (under one of its items), or on the body's log between meetings. */
  type Origin = { meetingId: string; agendaItemId?: string } | { bodyId: string }

  async function originOf(executor: Executor, actor: Actor, origin: Origin) {
    if ('bodyId' in origin) {
      const body = await requireBody(executor, actor, origin.bodyId, 'manage')
      return { body, meeting: null, item: null, raisedOn: todayInLondon() }
    }
    const body = await requireMeetingBody(executor, actor, origin.meetingId, 'manage')
    const meeting = await repository.meeting(origin.meetingId, executor)
    if (!meeting) throw new NotFoundError('Meeting not found')
    const item = origin.agendaItemId ? await repository.meetingItem(origin.meetingId, origin.agendaItemId, executor) : null
    if (origin.agendaItemId && !item) throw new NotFoundError('Agenda item not found')
    return { body, meeting, item, raisedOn: meeting.meetsOn }
  }

  /** People and organisations an action can be given to: the body's members on the day first. */
  async function ownerChoices(bodyId: string, onDate: string) {
    const [members, users, contacts, organisations] = await Promise.all([
      bodiesRepository(db).currentMembers(bodyId, onDate),
      repository.activeUsers(),
      repository.contacts(),
      repository.organisations(),
    ])
    const seen = new Set<string>()
    const memberChoices = members
      .map((member) => ({
        value: member.userId ? `user:${member.userId}` : `contact:${member.contactId}`,
        text: ownerLabel({ type: member.userId ? 'user' : 'contact', name: member.name, organisationName: member.organisationName }),
        hint: member.roleLabel,
      }))
      .filter((choice) => !seen.has(choice.value) && seen.add(choice.value))
    return { memberChoices, users, contacts, organisations }
  }

  /** The log as it stood at a meeting, without auditing: for the page, the API and the exports. */
  async function buildMeetingLog(actor: Actor, meetingId: string) {
    const body = await requireMeetingBody(db, actor, meetingId, 'read')
    const meeting = await repository.meetingWithPrevious(meetingId)
    if (!meeting) throw new NotFoundError('Meeting not found')
    const previousOn = meeting.previous?.meetsOn ?? null
    const candidates = await repository.meetingLogCandidates(meeting, previousOn, viewerOf(actor), todayInLondon())
    // The status as it stood at the meeting: still open, or closed since the previous meeting (seen closed once).
    const entries = candidates.flatMap((row) => {
      const action = present(row)
      const history = row.history.map(presentUpdate)
      const latest = history.at(-1)
      const status = latest?.status ?? 'open'
      // Closed before the previous meeting, or reported closed at it: that meeting saw it. Closed on the day of the
      // previous meeting but not recorded at it (an owner's update after the meeting): shown once more here.
      if (isClosed(status) && previousOn && latest && (latest.reportedOn < previousOn || (latest.atMeeting && latest.reportedOn === previousOn))) return []
      return [logEntry({ ...action, status, statusLabel: ACTION_STATUSES[status] }, history)]
    })
    return { body, meeting, entries }
  }

  function reminderEmail(action: ActionView, kind: 'due_soon' | 'overdue', recipient: ActionOwner): OutgoingEmail {
    const due = meetingDate(action.dueOn!)
    const next =
      recipient.type === 'user'
        ? `Record progress or mark it complete at ${config.publicUrl}/actions/${action.id}`
        : `Please send your update to the clerk of ${action.bodyName}.`
    const opening = kind === 'due_soon' ? `An action you own for ${action.bodyName} is due on ${due}.` : `An action you own for ${action.bodyName} was due on ${due} and is not complete.`
    return {
      kind: kind === 'due_soon' ? 'action_due_soon' : 'action_overdue',
      to: [recipient.email!],
      subject: kind === 'due_soon' ? `Action due on ${due}: ${action.bodyName}` : `Overdue action: ${action.bodyName}`,
      text: [`Dear ${recipient.name},`, opening, `Action (${action.reference}): ${action.text}`, `Due: ${due}`, `Status: ${action.statusLabel}`, next].join('\n\n'),
      related: { type: 'action', id: action.id },
    }
  }

  /** The action page: the action, its history (newest first), the linked record and what the actor may do. */
  async function readAction(actor: Actor, actionId: string) {
    const access = await requireAction(actor, actionId, 'read')
    const action = await findView(actor, actionId)
    const history = (await repository.history(actionId)).map(presentUpdate).reverse()
    const linkedCase = action.linkedRecord?.type === 'case' ? ((await repository.visibleCase(action.linkedRecord.id, viewerOf(actor))) ?? null) : null
    return { action, history, linkedCase, access: { ...access, canUpdate: access.owned || access.canManage } }
  }

  return {
    /** The add page: the body, the meeting and item, and who can own the action. */
    async createForm(actor: Actor, origin: Origin) {
      const { body, meeting, item, raisedOn } = await originOf(db, actor, origin)
      return { body, meeting, item, ...(await ownerChoices(body.id, raisedOn)) }
    },

    /** Records an action with its owners; returns where it went. */
    create(actor: Actor, origin: Origin, input: ActionInput) {
      const { userId } = viewerOf(actor)
      return db.transaction().execute(async (trx) => {
        const { body, meeting, item, raisedOn } = await originOf(trx, actor, origin)
        const values = await checkedValues(trx, actor, input, raisedOn, null)
        const { id } = await repository.insert({ bodyId: body.id, meetingId: meeting?.id ?? null, agendaItemId: item?.id ?? null, ...values, createdBy: userId }, trx)
        await repository.replaceOwners(id, input.owners, trx)
        await audit.record(
          actor,
          { action: 'action.created', recordType: 'action', recordId: id, details: { bodyId: body.id, meetingId: meeting?.id ?? null, agendaItemId: item?.id ?? null, owners: input.owners.length, dueNextMeeting: values.dueNextMeeting, linkedRecordType: values.linkedRecordType } },
          trx,
        )
        return { id, bodyId: body.id, meetingId: meeting?.id ?? null }
      })
    },

    /** The action page: the action, its history (newest first), the linked record and what the actor may do. */
    get: readAction,

    /** The action as `get` gives it, for someone reading it: the read is audited. */
    async view(actor: Actor, actionId: string) {
      const page = await readAction(actor, actionId)
      await audit.record(actor, { action: 'action.viewed', recordType: 'action', recordId: actionId, details: { bodyId: page.action.bodyId } })
      return page
    },

    /** The change page (managers): the action, the owner choices with its current owners, and its case if visible. */
    async editForm(actor: Actor, actionId: string) {
      await requireAction(actor, actionId, 'manage')
      const action = await findView(actor, actionId)
      const choices = await ownerChoices(action.bodyId, action.raisedOn)
      const listed = new Set(choices.memberChoices.map((choice) => choice.value))
      const currentOwners = action.owners.filter((owner) => !listed.has(`${owner.type}:${owner.id}`)).map((owner) => ({ value: `${owner.type}:${owner.id}`, text: owner.label, hint: 'Current owner' }))
      const linkedCase = action.linkedRecord?.type === 'case' ? ((await repository.visibleCase(action.linkedRecord.id, viewerOf(actor))) ?? null) : null
      return { action, ...choices, memberChoices: [...choices.memberChoices, ...currentOwners], linkedCase }
    },

    /** Changes the text, owners, due date or link, if nobody else changed the action meanwhile. */
    edit(actor: Actor, actionId: string, input: ActionInput & { version: number }) {
      return db.transaction().execute(async (trx) => {
        await requireAction(actor, actionId, 'manage', trx)
        const before = await findView(actor, actionId, trx)
        const values = await checkedValues(trx, actor, input, before.raisedOn, before.linkedRecord)
        if (!(await repository.change(actionId, input.version, values, trx))) throw new ConflictError(STALE_EDIT_MESSAGE)
        await repository.replaceOwners(actionId, input.owners, trx)
        const ownersKey = (owners: readonly OwnerRef[]) => owners.map((owner) => `${owner.type}:${owner.id}`).sort().join()
        const fields = [
          values.text !== before.text && 'text',
          ownersKey(input.owners) !== ownersKey(before.owners) && 'owners',
          (values.dueOn !== before.dueOn || values.dueNextMeeting !== before.dueNextMeeting) && 'due',
          values.linkedRecordId !== (before.linkedRecord?.id ?? null) && 'link',
        ].filter(Boolean)
        await audit.record(actor, { action: 'action.updated', recordType: 'action', recordId: actionId, details: { bodyId: before.bodyId, fields } }, trx)
        return { id: actionId, bodyId: before.bodyId }
      })
    },

    /** The update page: the action with its history, the statuses the actor may choose, the meeting it is reported at. */
    async updateForm(actor: Actor, actionId: string, meetingId?: string) {
      const access = await requireAction(actor, actionId, 'update')
      const action = await findView(actor, actionId)
      const history = (await repository.history(actionId)).map(presentUpdate).reverse()
      const statuses = access.canManage ? (Object.keys(ACTION_STATUSES) as ActionStatus[]) : [...OWNER_STATUSES]
      const meetings = access.canManage ? await repository.recentMeetings(action.bodyId, todayInLondon()) : []
      const reportedAt = meetingId ? (meetings.find((meeting) => meeting.id === meetingId) ?? null) : null
      return { action, history, access, statuses, meetings, reportedAt }
    },

    /**
     * Reports progress: a dated update with a comment, and the action's status. Owners may say Ongoing, Complete or
     * Incomplete; the chair, clerk and officers any status, and may record it as reported at a meeting of the body.
     */
    updateStatus(actor: Actor, actionId: string, input: StatusUpdateInput) {
      const { userId } = viewerOf(actor)
      return db.transaction().execute(async (trx) => {
        const access = await requireAction(actor, actionId, 'update', trx)
        if (!access.canManage && !(OWNER_STATUSES as readonly string[]).includes(input.status)) throw new RuleError('status', 'Choose Ongoing, Complete or Incomplete')
        if (input.meetingId) {
          if (!access.canManage) throw new RuleError('meetingId', 'Only the chair, clerk or officers of the body can record an update at a meeting')
          const meeting = await repository.meeting(input.meetingId, trx)
          if (!meeting || meeting.bodyId !== access.bodyId || meeting.meetsOn > todayInLondon()) throw new RuleError('meetingId', 'Choose a meeting of this body that has taken place')
        }
        const before = await repository.find(actionId, viewerOf(actor), todayInLondon(), trx)
        if (!(await repository.setStatus(actionId, input.version, input.status, trx))) throw new ConflictError(STALE_EDIT_MESSAGE)
        const update = await repository.insertUpdate({ actionId, status: input.status, comment: input.comment ?? null, meetingId: input.meetingId ?? null, updatedBy: userId }, trx)
        await audit.record(
          actor,
          { action: 'action.status_updated', recordType: 'action', recordId: actionId, details: { bodyId: access.bodyId, updateId: update.id, from: before?.status, to: input.status, meetingId: input.meetingId ?? null, asOwner: !access.canManage } },
          trx,
        )
        return { id: actionId, bodyId: access.bodyId }
      })
    },

    /** A meeting's action log (see buildMeetingLog), audited. */
    async meetingLog(actor: Actor, meetingId: string) {
      const log = await buildMeetingLog(actor, meetingId)
      await audit.record(actor, { action: 'action_log.viewed', recordType: 'meeting', recordId: meetingId, details: { bodyId: log.body.id, actions: log.entries.length } })
      return log
    },

    /** The meeting's action log as DOCX, XLSX or CSV; every export is audited. */
    async exportMeetingLog(actor: Actor, meetingId: string, format: ExportFormat) {
      const { body, meeting, entries } = await buildMeetingLog(actor, meetingId)
      const document: ActionLogDocument = { bodyName: body.name, meetingOn: meeting.meetsOn, entries }
      const content = await exportLog(document, format)
      await audit.record(actor, { action: 'action_log.exported', recordType: 'meeting', recordId: meetingId, details: { bodyId: body.id, format, actions: entries.length } })
      return { content, mimeType: EXPORT_TYPES[format], fileName: exportFileName(document, format) }
    },

    /** A body's log now: every action not complete or withdrawn (or one status), by owner, overdue only; with history. */
    async bodyLog(actor: Actor, bodyId: string, filter: ActionLogFilter) {
      const body = await requireBody(db, actor, bodyId, 'read')
      const [type, id] = filter.owner?.split(':') ?? []
      const owner = type && id ? ({ type, id } as OwnerRef) : undefined
      const viewer = viewerOf(actor)
      const { rows, total } = await repository.bodyLog(bodyId, { status: filter.status, owner, overdue: filter.overdue }, viewer, todayInLondon(), BODY_LOG_LIMIT)
      const entries = rows.map((row) => logEntry(present(row), row.history.map(presentUpdate)))
      const owners = (await repository.bodyOwners(bodyId, viewer)).map((candidate) => ({ value: `${candidate.type}:${candidate.id}`, text: candidate.name }))
      await audit.record(actor, { action: 'action_log.viewed', recordType: 'body', recordId: bodyId, details: { filter, actions: entries.length } })
      return { body, entries, total, owners }
    },

    /**
     * "My actions": those I own by name, and those my organisation owns (of a closed body, only if I sit on it); open
     * ones first, overdue at the top, then the most recently completed or withdrawn.
     */
    async mine(actor: Actor) {
      const viewer = viewerOf(actor)
      const { userId } = viewer
      const today = todayInLondon()
      const [open, closed] = await Promise.all([repository.openOwnedBy(viewer, today), repository.recentlyClosedOwnedBy(viewer, today, RECENTLY_CLOSED)])
      const actions = shown([...open, ...closed])
      const byName = (action: ActionView) => action.owners.some((owner) => owner.type === 'user' && owner.id === userId)
      return { mine: actions.filter(byName), organisation: actions.filter((action) => !byName(action)) }
    },

    /** The home page panel: counts, and the first five open actions. */
    async homeSummary(actor: Actor) {
      const viewer = viewerOf(actor)
      const today = todayInLondon()
      const [counts, first] = await Promise.all([repository.counts(viewer, today), repository.openOwnedBy(viewer, today, { limit: 5 })])
      return { ...counts, first: shown(first) }
    },

    /** Overdue actions across every body the actor runs (administrators: all), grouped by body. */
    async overdueByBody(actor: Actor) {
      const actions = shown(await repository.overdueManagedBy(viewerOf(actor), todayInLondon()))
      const groups = new Map<string, { bodyId: string; bodyName: string; actions: ActionView[] }>()
      for (const action of actions) {
        const group = groups.get(action.bodyId) ?? { bodyId: action.bodyId, bodyName: action.bodyName, actions: [] }
        group.actions.push(action)
        groups.set(action.bodyId, group)
      }
      return [...groups.values()]
    },

    /**
     * Emails owners: "due soon" from the body's reminder_days_before days before the due date up to the due date (so a
     * missed day is caught up), and "overdue" once after it. Each kind is sent at most once per action and due date:
     * the reminder is claimed in the same transaction as its emails are queued, and they are delivered after commit.
     * Organisations get no email; contacts without an email address neither.
     */
    async sendReminders(today: string = todayInLondon()) {
      const due = await repository.remindersDue(today)
      const counts = { dueSoon: 0, overdue: 0, emails: 0, sent: 0, outbox: 0, failed: 0 }
      const queued: string[] = []
      for (const row of due) {
        const recipients = row.owners.filter((owner) => owner.type !== 'organisation' && owner.email)
        if (recipients.length === 0) continue
        const action = present(row)
        await db.transaction().execute(async (trx) => {
          if (!(await repository.claimReminder(row.id, row.kind, row.dueOn!, trx))) return
          for (const recipient of recipients) queued.push(await mailer.queue(reminderEmail(action, row.kind, recipient), trx))
          counts[row.kind === 'due_soon' ? 'dueSoon' : 'overdue'] += 1
        })
      }
      for (const id of queued) counts[(await mailer.deliver(id)).status] += 1
      counts.emails = queued.length
      await audit.record(SYSTEM_ACTOR, { action: 'action.reminders_sent', details: { today, ...counts } })
      return counts
    },
  }
}

export type ActionsService = ReturnType<typeof actionsService>
