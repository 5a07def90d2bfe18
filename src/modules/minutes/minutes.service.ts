import type { Kysely, Selectable, Transaction } from 'kysely'
import { todayInLondon } from '../../platform/dates.js'
import type { DB, MeetingsTable } from '../../platform/db/schema.js'
import type { Executor } from '../../platform/db/executor.js'
import { signedIn } from '../../platform/http/actor.js'
import { ConflictError, NotFoundError, RuleError } from '../../platform/http/errors.js'
import { type ActionOwner, actionsRepository } from '../actions/actions.repository.js'
import { ACTION_STATUSES } from '../actions/actions.schemas.js'
import { nameOrder, ownerLabel } from '../actions/actions.service.js'
import type { Actor, AuditAction } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import { type BodyMember, bodiesRepository } from '../bodies/bodies.repository.js'
import { type AccessibleBody, requireMeetingBody } from '../bodies/body-access.js'
import { STALE_EDIT_MESSAGE } from '../cases/case-access.js'
import { meetingsRepository } from '../meetings/meetings.repository.js'
import { type Attendee, type MeetingRecord, type RecordItem, requireMinutes, resolutionLabel } from './meeting-record.js'
import { type AttendanceStatus, type MeetingChanges, type PersonKey, type ResolutionKind, minutesRepository, personKey } from './minutes.repository.js'
import { type ChangeInput, STANDARD_RESOLUTIONS } from './minutes.schemas.js'

/** Standing items: every agenda has them, so they are never deferred to the next one. */
const STANDING_KINDS = ['apologies', 'previous_minutes', 'matters_arising', 'action_log', 'declarations', 'any_other_business', 'next_meeting']
/** Roles that can be "in attendance" rather than present as members. */
const OFFICER_ROLES = ['officer', 'clerk', 'in_attendance']
/** Membership roles printed after a name in the attendance; a plain member is printed without one. */
const PRINTED_ROLES = new Set(['chair', 'deputy_chair', 'officer', 'clerk'])

export const CHANGE_REASON_REQUIRED = 'Enter the reason for changing confirmed minutes'
export const NO_ATTENDANCE_MESSAGE = 'Record who was present before publishing the minutes'

const longDate = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' })
/** "29 September 2026" */
export const printedDate = (isoDate: string) => longDate.format(new Date(`${isoDate}T00:00:00Z`))
const hhmm = (time: string) => time.slice(0, 5)

export interface AttendeeChange {
  person: PersonKey
  status: AttendanceStatus | 'not_recorded'
  roleLabel?: string
  organisationName?: string
  note?: string
  /** The form field to show an error against. */
  field?: string
}

function isUniqueViolation(error: unknown) {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505'
}

/** A record without its exempt items (and declarations on them), for readers who are not members. */
function withoutExempt(record: MeetingRecord): MeetingRecord {
  const exemptNumbers = new Set(record.items.filter((item) => item.exempt).map((item) => item.number))
  return {
    ...record,
    items: record.items.filter((item) => !item.exempt),
    withheldItemNumbers: [...exemptNumbers].sort((a, b) => a - b),
    declarations: record.declarations.filter((declaration) => declaration.itemNumber === null || !exemptNumbers.has(declaration.itemNumber)),
  }
}

interface ChangeContext {
  trx: Transaction<DB>
  userId: string
  meeting: Selectable<MeetingsTable>
  /** Changes to the meeting row, made with the version bump. */
  meetingChanges: MeetingChanges
}

export function minutesService({ db, audit }: { db: Kysely<DB>; audit: Pick<AuditService, 'record'> }) {
  const repository = minutesRepository(db)

  /** The meeting as the minutes show it, exempt items included; no access check (callers make it). */
  async function buildRecord(executor: Executor, meetingId: string): Promise<MeetingRecord> {
    const repo = minutesRepository(executor)
    const meeting = await repo.meeting(meetingId)
    const [attendance, declarations, items, members, nextMeeting] = await Promise.all([
      repo.attendance(meetingId),
      repo.declarations(meetingId),
      repo.items(meetingId),
      bodiesRepository(executor).currentMembers(meeting.bodyId, meeting.meetsOn),
      repo.nextMeeting(meeting.bodyId, { meetsOn: meeting.meetsOn, startsAt: meeting.startsAt }),
    ])
    const itemIds = items.map((item) => item.id)
    const [papers, resolutions, actions] = await Promise.all([repo.papers(itemIds), repo.resolutions(itemIds), actionsRepository(executor).ofItems(itemIds)])

    const toAttendee = (row: (typeof attendance)[number]): Attendee => ({ name: row.name, organisationName: row.organisationName, roleLabel: row.roleLabel, note: row.note })
    const present = attendance.filter((row) => row.status === 'present')
    const recordedChair = present.find((row) => row.roleLabel?.trim().toLowerCase() === 'chair')
    const bodyChair = members.find((member) => member.role === 'chair')
    const chairSentApologies = bodyChair && attendance.some((row) => row.status === 'apologies' && personKey(row) === personKey(bodyChair))
    const presentDeputy = present.find((row) => row.roleLabel?.trim().toLowerCase() === 'deputy chair')
    const chair = recordedChair
      ? { name: recordedChair.name, roleLabel: recordedChair.roleLabel ?? 'Chair' }
      : bodyChair && !chairSentApologies
        ? { name: bodyChair.name, roleLabel: bodyChair.roleLabel }
        : presentDeputy
          ? { name: presentDeputy.name, roleLabel: presentDeputy.roleLabel ?? 'Deputy Chair' }
          : null

    // Owners as the minutes print them, in name order whatever their kind.
    const owners = (list: readonly ActionOwner[]) => [...list].sort((a, b) => nameOrder.compare(a.name, b.name)).map(ownerLabel)
    const recordItems: RecordItem[] = items.map((item) => ({
      id: item.id,
      number: item.number,
      kind: item.kind,
      title: item.title,
      description: item.description,
      hotTopic: item.hotTopic,
      presenter: item.presenterName ? { name: item.presenterName, role: item.presenterRole } : null,
      exempt: item.exempt,
      exemptReason: item.exemptReason,
      papers: papers.filter((paper) => paper.itemId === item.id).map((paper) => ({ id: paper.id, title: paper.title, label: `Agenda Item ${item.number}`, fileName: paper.fileName })),
      minutes: item.minutes,
      resolutions: resolutions
        .filter((resolution) => resolution.itemId === item.id)
        .map((resolution) => ({ kind: resolution.kind, label: resolutionLabel(resolution.position, meeting.resolutionNumbering), text: resolution.text })),
      actions: actions
        .filter((action) => action.itemId === item.id)
        .map((action) => ({ id: action.id, text: action.text, owners: owners(action.owners), due: action.dueNextMeeting || !action.dueOn ? 'Next meeting' : action.dueOn, status: ACTION_STATUSES[action.status] })),
      deferredReason: item.deferredReason,
      takenBeforeNumber: item.takenBeforeNumber,
    }))

    return {
      body: { id: meeting.bodyId, name: meeting.bodyName, kind: meeting.bodyKind, resolutionNumbering: meeting.resolutionNumbering },
      meeting: {
        id: meeting.id,
        meetsOn: meeting.meetsOn,
        startsAt: hhmm(meeting.startsAt),
        venue: meeting.venue,
        status: meeting.status,
        version: meeting.version,
        closedAt: meeting.closedAt ? hhmm(meeting.closedAt) : null,
        agendaPublishedAt: meeting.agendaPublishedAt,
        minutesStatus: meeting.minutesStatus,
        confirmation:
          meeting.confirmedAtMeetingId && meeting.confirmedAtMeetingOn
            ? { atMeetingId: meeting.confirmedAtMeetingId, atMeetingOn: meeting.confirmedAtMeetingOn, subjectToAmendment: meeting.subjectToAmendment, amendment: meeting.amendment }
            : null,
      },
      chair,
      present: present.map(toAttendee),
      inAttendance: attendance.filter((row) => row.status === 'in_attendance').map(toAttendee),
      apologies: attendance.filter((row) => row.status === 'apologies').map(toAttendee),
      declarations: declarations.map((declaration) => ({ name: declaration.name, itemNumber: declaration.itemNumber, interest: declaration.interest })),
      items: recordItems,
      withheldItemNumbers: [],
      nextMeeting: nextMeeting ? { id: nextMeeting.id, meetsOn: nextMeeting.meetsOn, startsAt: hhmm(nextMeeting.startsAt), venue: nextMeeting.venue } : null,
    }
  }

  /** Managers and current members of the body read its exempt items; other readers do not. */
  async function seesExempt(executor: Executor, actor: Actor, body: AccessibleBody) {
    return body.canManage || (await minutesRepository(executor).isCurrentMember(body.id, signedIn(actor).userId))
  }

  /**
   * Every change to a meeting's minutes: access, then the meeting locked and its version checked (a stale form changes
   * nothing), a reason required once the minutes are confirmed, the change, the version bump and the audit row, and
   * for confirmed minutes a new version of the record as it now stands: all in one transaction.
   */
  function change<T>(
    actor: Actor,
    meetingId: string,
    input: ChangeInput,
    action: AuditAction,
    work: (context: ChangeContext) => Promise<{ result: T; details: Record<string, unknown> }>,
    options: { lockable?: boolean } = {},
  ): Promise<T> {
    const { userId } = signedIn(actor)
    return db.transaction().execute(async (trx) => {
      await requireMeetingBody(trx, actor, meetingId, 'manage')
      const repo = minutesRepository(trx)
      const meeting = await repo.meetingForUpdate(meetingId)
      if (meeting.version !== input.version) throw new ConflictError(STALE_EDIT_MESSAGE)
      if (meeting.status === 'cancelled') throw new ConflictError('This meeting was cancelled, so it has no minutes to record')
      const locked = meeting.minutes_status === 'confirmed'
      if (locked && options.lockable !== false && !input.changeReason) throw new RuleError('changeReason', CHANGE_REASON_REQUIRED)
      const context: ChangeContext = { trx, userId, meeting, meetingChanges: meeting.minutes_status === 'none' ? { minutes_status: 'draft' } : {} }
      const { result, details } = await work(context)
      if (!(await repo.bumpVersion(meetingId, input.version, context.meetingChanges))) throw new ConflictError(STALE_EDIT_MESSAGE)
      await audit.record(actor, { action, recordType: 'meeting', recordId: meetingId, details }, trx)
      if (locked && input.changeReason) {
        const version = await repo.insertVersion({ meetingId, record: await buildRecord(trx, meetingId), reason: input.changeReason, changedBy: userId })
        await audit.record(actor, { action: 'minutes.amended', recordType: 'meeting', recordId: meetingId, details: { version, change: action } }, trx)
      }
      return result
    })
  }

  async function requireItem(executor: Executor, meetingId: string, itemId: string) {
    const item = await minutesRepository(executor).item(meetingId, itemId)
    if (!item) throw new NotFoundError('Agenda item not found')
    return item
  }

  /** A meeting in the future has not been held: only apologies can be recorded for it. */
  const isFuture = (meetsOn: string) => meetsOn > todayInLondon()

  async function itemResolutions(executor: Executor, itemId: string) {
    return (await minutesRepository(executor).resolutions([itemId])).map((resolution) => ({ id: resolution.id, kind: resolution.kind, text: resolution.text, position: resolution.position }))
  }

  async function header(executor: Executor, meetingId: string) {
    const meeting = await minutesRepository(executor).meeting(meetingId)
    return {
      ...meeting,
      startsAt: hhmm(meeting.startsAt),
      closedAt: meeting.closedAt ? hhmm(meeting.closedAt) : null,
      locked: meeting.minutesStatus === 'confirmed',
      isFuture: isFuture(meeting.meetsOn),
    }
  }

  /** The item page: the item as minuted, its resolutions with ids, and what can be done to it. The read (exempt items too) is audited. */
  async function itemForm(actor: Actor, meetingId: string, itemId: string, via = 'clerk-item-page') {
    await requireMeetingBody(db, actor, meetingId, 'manage')
    const item = await requireItem(db, meetingId, itemId)
    const [meeting, record, resolutions, copy] = await Promise.all([header(db, meetingId), buildRecord(db, meetingId), itemResolutions(db, itemId), repository.deferredCopy(itemId)])
    const recordItem = record.items.find((candidate) => candidate.id === itemId)!
    await audit.record(actor, { action: 'minutes.viewed', recordType: 'meeting', recordId: meetingId, details: { via, itemId, exempt: recordItem.exempt } })
    return {
      meeting,
      item: recordItem,
      takenBeforeItemId: item.taken_before_item_id,
      otherItems: record.items.filter((other) => other.id !== itemId).map((other) => ({ id: other.id, number: other.number, title: other.title })),
      resolutions: resolutions.map((resolution) => ({ ...resolution, label: resolutionLabel(resolution.position, record.body.resolutionNumbering) })),
      standardWording: STANDARD_RESOLUTIONS[item.kind] ?? null,
      deferrable: !STANDING_KINDS.includes(item.kind),
      deferredTo: copy ? { meetingId: copy.meetingId, meetsOn: copy.meetsOn, undoable: !copy.hasRecord } : null,
    }
  }

  return {
    /** The meeting as its agenda and minutes show it, if the actor may see its body. Exempt items are left out unless includeExempt. */
    async record(actor: Actor, meetingId: string, options: { includeExempt?: boolean } = {}): Promise<MeetingRecord> {
      await requireMeetingBody(db, actor, meetingId, 'read')
      const record = await buildRecord(db, meetingId)
      return options.includeExempt ? record : withoutExempt(record)
    },

    /** Whether the actor may read the meeting's exempt items: the body's managers and current members. */
    async exemptVisibleTo(actor: Actor, meetingId: string): Promise<boolean> {
      return seesExempt(db, actor, await requireMeetingBody(db, actor, meetingId, 'read'))
    },

    /** The record for the API, as the actor may see it (a draft only for the body's managers); the read is audited. */
    async view(actor: Actor, meetingId: string): Promise<MeetingRecord> {
      const body = await requireMeetingBody(db, actor, meetingId, 'read')
      const record = await buildRecord(db, meetingId)
      requireMinutes(record, body.canManage)
      await audit.record(actor, { action: 'minutes.viewed', recordType: 'meeting', recordId: meetingId, details: { via: 'api' } })
      return (await seesExempt(db, actor, body)) ? record : withoutExempt(record)
    },

    /** The clerk's minutes page: the record (exempt items too) with what the clerk can still do to each item. The read is audited. */
    async page(actor: Actor, meetingId: string) {
      await requireMeetingBody(db, actor, meetingId, 'manage')
      const meeting = await header(db, meetingId)
      const record = await buildRecord(db, meetingId)
      await audit.record(actor, { action: 'minutes.viewed', recordType: 'meeting', recordId: meetingId, details: { via: 'clerk-page', exemptItems: record.items.filter((item) => item.exempt).length } })
      const copies = await repository.deferredCopies(record.items.map((item) => item.id))
      const previous = await repository.previousPublishedMeeting(meeting.bodyId, { meetsOn: record.meeting.meetsOn, startsAt: record.meeting.startsAt })
      return {
        meeting,
        record,
        itemState: Object.fromEntries(
          record.items.map((item) => {
            const copy = copies.find((candidate) => candidate.fromItemId === item.id)
            return [item.id, { deferredTo: copy ? { meetingId: copy.meetingId, meetsOn: copy.meetsOn } : null }]
          }),
        ),
        previous: previous ?? null,
        confirmedHere: await repository.confirmedAtMeeting(meetingId),
      }
    },

    // ---- attendance ----

    async attendanceForm(actor: Actor, meetingId: string) {
      await requireMeetingBody(db, actor, meetingId, 'manage')
      const meeting = await header(db, meetingId)
      const [members, attendance, choices] = await Promise.all([bodiesRepository(db).currentMembers(meeting.bodyId, meeting.meetsOn), repository.attendance(meetingId), repository.peopleChoices()])
      const recorded = new Map(attendance.map((row) => [personKey(row), row]))
      // Who came and who sent apologies is personal data: reading the form is audited, with the count.
      await audit.record(actor, { action: 'minutes.viewed', recordType: 'meeting', recordId: meetingId, details: { via: 'attendance', recorded: attendance.length } })
      const listed = new Map<PersonKey, BodyMember>()
      for (const member of members) if (!listed.has(personKey(member))) listed.set(personKey(member), member)
      return {
        meeting,
        members: [...listed.entries()].map(([key, member]) => ({
          key,
          name: member.name,
          organisationName: member.organisationName,
          roleLabel: member.roleLabel,
          mayBeInAttendance: OFFICER_ROLES.includes(member.role),
          status: recorded.get(key)?.status ?? 'not_recorded',
        })),
        others: attendance
          .filter((row) => !listed.has(personKey(row)))
          .map((row) => ({ key: personKey(row), name: row.name, organisationName: row.organisationName, roleLabel: row.roleLabel, status: row.status as string })),
        choices,
      }
    },

    /**
     * Replaces the attendance of the people given (not_recorded takes them off). The same person twice is refused and
     * nothing changes. A member's role and organisation default to their membership; anyone's to what was recorded before.
     */
    recordAttendance(actor: Actor, meetingId: string, input: ChangeInput & { attendees: AttendeeChange[] }) {
      return change(actor, meetingId, input, 'minutes.attendance_recorded', async ({ trx, userId, meeting, meetingChanges }) => {
        const repo = minutesRepository(trx)
        const people = await repo.people(input.attendees.map((attendee) => attendee.person))
        const seen = new Set<PersonKey>()
        for (const attendee of input.attendees) {
          const person = people.get(attendee.person)
          if (!person) throw new RuleError(attendee.field ?? 'attendees', 'Select a person from the list')
          if (seen.has(attendee.person)) throw new RuleError(attendee.field ?? 'attendees', `${person.name} is already on the attendance list: record each person once`)
          seen.add(attendee.person)
          if (isFuture(meeting.meets_on) && (attendee.status === 'present' || attendee.status === 'in_attendance')) {
            throw new RuleError(attendee.field ?? 'attendees', `The meeting has not taken place yet: you can only record apologies from ${person.name}`)
          }
        }
        const [members, existing] = await Promise.all([bodiesRepository(trx).currentMembers(meeting.body_id, meeting.meets_on), repo.attendance(meetingId)])
        const rows = input.attendees.flatMap((attendee) => {
          if (attendee.status === 'not_recorded') return []
          const member = members.find((candidate) => personKey(candidate) === attendee.person)
          const before = existing.find((row) => personKey(row) === attendee.person)
          return [
            {
              key: attendee.person,
              status: attendee.status,
              roleLabel: attendee.roleLabel ?? before?.roleLabel ?? (member && PRINTED_ROLES.has(member.role) ? member.roleLabel : null),
              organisationName: attendee.organisationName ?? before?.organisationName ?? member?.organisationName ?? people.get(attendee.person)!.organisationName,
              note: attendee.note ?? before?.note ?? null,
            },
          ]
        })
        const removed = await repo.removeAttendance(meetingId, [...seen])
        // The unique indexes are the backstop for a row this save did not replace (another writer): explain, do not fail.
        try {
          await repo.insertAttendance(meetingId, rows, userId)
        } catch (error) {
          if (isUniqueViolation(error)) throw new RuleError('attendees', 'Someone on the form is already recorded at this meeting: reload the page and try again')
          throw error
        }
        if (meeting.status === 'scheduled' && !isFuture(meeting.meets_on)) meetingChanges.status = 'held'
        const count = (status: AttendanceStatus) => rows.filter((row) => row.status === status).length
        return { result: undefined, details: { present: count('present'), inAttendance: count('in_attendance'), apologies: count('apologies'), replaced: removed } }
      })
    },

    // ---- declarations ----

    async declarationsForm(actor: Actor, meetingId: string) {
      await requireMeetingBody(db, actor, meetingId, 'manage')
      const [meeting, attendance, declarations, items] = await Promise.all([header(db, meetingId), repository.attendance(meetingId), repository.declarations(meetingId), repository.items(meetingId)])
      await audit.record(actor, { action: 'minutes.viewed', recordType: 'meeting', recordId: meetingId, details: { via: 'declarations', declarations: declarations.length } })
      return {
        meeting,
        declarations,
        people: attendance.filter((row) => row.status !== 'apologies').map((row) => ({ key: personKey(row), name: row.name, organisationName: row.organisationName })),
        items: items.map((item) => ({ id: item.id, number: item.number, title: item.title })),
      }
    },

    addDeclaration(actor: Actor, meetingId: string, input: ChangeInput & { person: PersonKey; itemId?: string; interest: string }) {
      return change(actor, meetingId, input, 'minutes.declaration_recorded', async ({ trx, userId }) => {
        const repo = minutesRepository(trx)
        const attending = (await repo.attendance(meetingId)).some((row) => row.status !== 'apologies' && personKey(row) === input.person)
        if (!attending) throw new RuleError('person', 'Select someone recorded as present or in attendance')
        if (input.itemId && !(await repo.item(meetingId, input.itemId))) throw new RuleError('itemId', 'Select an agenda item of this meeting')
        const { id } = await repo.insertDeclaration({ meetingId, itemId: input.itemId ?? null, person: input.person, interest: input.interest, recordedBy: userId })
        return { result: id, details: { declarationId: id, itemId: input.itemId ?? null } }
      })
    },

    removeDeclaration(actor: Actor, meetingId: string, declarationId: string, input: ChangeInput) {
      return change(actor, meetingId, input, 'minutes.declaration_recorded', async ({ trx }) => {
        if (!(await minutesRepository(trx).deleteDeclaration(meetingId, declarationId))) throw new NotFoundError('Declaration not found')
        return { result: undefined, details: { declarationId, removed: true } }
      })
    },

    // ---- item minutes and resolutions ----

    itemForm,

    recordItemMinutes(actor: Actor, meetingId: string, itemId: string, input: ChangeInput & { minutes?: string | null }) {
      return change(actor, meetingId, input, 'minutes.item_recorded', async ({ trx }) => {
        await requireItem(trx, meetingId, itemId)
        await minutesRepository(trx).updateItem(itemId, { minutes: input.minutes?.trim() || null })
        return { result: undefined, details: { itemId, hasMinutes: Boolean(input.minutes?.trim()) } }
      })
    },

    /**
     * The API's whole-item write: the minutes text and the resolutions in order, replacing those recorded. Existing
     * resolutions are reused in order (an election refers to its resolution), extra ones removed, new ones added.
     */
    replaceItemMinutes(actor: Actor, meetingId: string, itemId: string, input: ChangeInput & { minutes: string | null; resolutions: { kind: ResolutionKind; text: string }[] }) {
      return change(actor, meetingId, input, 'minutes.item_recorded', async ({ trx, userId }) => {
        const repo = minutesRepository(trx)
        await requireItem(trx, meetingId, itemId)
        await repo.updateItem(itemId, { minutes: input.minutes?.trim() || null })
        const existing = await itemResolutions(trx, itemId)
        for (const extra of existing.slice(input.resolutions.length)) {
          if (await repo.electsMember(extra.id)) throw new RuleError('resolutions', 'A resolution recording an election cannot be removed: keep it in the list')
          await repo.deleteResolution(extra.id)
        }
        const ordered: { id: string; kind: ResolutionKind }[] = []
        for (const [index, resolution] of input.resolutions.entries()) {
          const reused = existing[index]
          if (reused) {
            await repo.updateResolutionText(reused.id, resolution.text)
            ordered.push({ id: reused.id, kind: resolution.kind })
          } else {
            const { id } = await repo.insertResolution({ agendaItemId: itemId, kind: resolution.kind, text: resolution.text, createdBy: userId })
            ordered.push({ id, kind: resolution.kind })
          }
        }
        await minutesRepository(trx).renumberResolutions(itemId, ordered)
        return { result: undefined, details: { itemId, resolutions: input.resolutions.length, hasMinutes: Boolean(input.minutes?.trim()) } }
      })
    },

    addResolution(actor: Actor, meetingId: string, itemId: string, input: ChangeInput & { kind: ResolutionKind; text: string }) {
      return change(actor, meetingId, input, 'minutes.resolution_recorded', async ({ trx, userId }) => {
        await requireItem(trx, meetingId, itemId)
        const { id } = await minutesRepository(trx).insertResolution({ agendaItemId: itemId, kind: input.kind, text: input.text, createdBy: userId })
        return { result: id, details: { itemId, resolutionId: id, kind: input.kind } }
      })
    },

    async resolutionForm(actor: Actor, meetingId: string, itemId: string, resolutionId: string) {
      const form = await itemForm(actor, meetingId, itemId, 'clerk-resolution-page')
      const resolution = form.resolutions.find((candidate) => candidate.id === resolutionId)
      if (!resolution) throw new NotFoundError('Resolution not found')
      return { ...form, resolution }
    },

    editResolution(actor: Actor, meetingId: string, itemId: string, resolutionId: string, input: ChangeInput & { kind: ResolutionKind; text: string }) {
      return change(actor, meetingId, input, 'minutes.resolution_recorded', async ({ trx }) => {
        await requireItem(trx, meetingId, itemId)
        const resolutions = await itemResolutions(trx, itemId)
        const resolution = resolutions.find((candidate) => candidate.id === resolutionId)
        if (!resolution) throw new NotFoundError('Resolution not found')
        await minutesRepository(trx).updateResolutionText(resolutionId, input.text)
        // A change of kind moves it to the end of the other kind's list.
        if (resolution.kind !== input.kind) {
          const others = resolutions.filter((candidate) => candidate.id !== resolutionId).map(({ id, kind }) => ({ id, kind }))
          const afterLastOfKind = others.map((candidate) => candidate.kind).lastIndexOf(input.kind) + 1
          others.splice(afterLastOfKind || others.length, 0, { id: resolutionId, kind: input.kind })
          await minutesRepository(trx).renumberResolutions(itemId, others)
        }
        return { result: undefined, details: { itemId, resolutionId, kind: input.kind, changed: ['text', ...(resolution.kind !== input.kind ? ['kind'] : [])] } }
      })
    },

    removeResolution(actor: Actor, meetingId: string, itemId: string, resolutionId: string, input: ChangeInput) {
      return change(actor, meetingId, input, 'minutes.resolution_recorded', async ({ trx }) => {
        const repo = minutesRepository(trx)
        await requireItem(trx, meetingId, itemId)
        const resolutions = await itemResolutions(trx, itemId)
        if (!resolutions.some((candidate) => candidate.id === resolutionId)) throw new NotFoundError('Resolution not found')
        if (await repo.electsMember(resolutionId)) throw new RuleError('resolution', 'This resolution records the election of a chair or deputy chair, so it cannot be removed. Change its wording instead')
        await repo.deleteResolution(resolutionId)
        await minutesRepository(trx).renumberResolutions(itemId, resolutions.filter((candidate) => candidate.id !== resolutionId).map(({ id, kind }) => ({ id, kind })))
        return { result: undefined, details: { itemId, resolutionId, removed: true } }
      })
    },

    /** Moves a resolution up or down among those of its kind. */
    moveResolution(actor: Actor, meetingId: string, itemId: string, resolutionId: string, input: ChangeInput & { direction: 'up' | 'down' }) {
      return change(actor, meetingId, input, 'minutes.resolution_recorded', async ({ trx }) => {
        await requireItem(trx, meetingId, itemId)
        const ordered = (await itemResolutions(trx, itemId)).map(({ id, kind }) => ({ id, kind }))
        const index = ordered.findIndex((candidate) => candidate.id === resolutionId)
        if (index < 0) throw new NotFoundError('Resolution not found')
        const kind = ordered[index]!.kind
        const sameKind = ordered.map((candidate, at) => ({ ...candidate, at })).filter((candidate) => candidate.kind === kind)
        const place = sameKind.findIndex((candidate) => candidate.id === resolutionId)
        const swapWith = sameKind[input.direction === 'up' ? place - 1 : place + 1]
        if (swapWith) {
          ordered[index] = ordered[swapWith.at]!
          ordered[swapWith.at] = { id: resolutionId, kind }
          await minutesRepository(trx).renumberResolutions(itemId, ordered)
        }
        return { result: undefined, details: { itemId, resolutionId, moved: input.direction } }
      })
    },

    // ---- variance, deferral, closing ----

    /** Agenda variance: the item was taken just before another item of the meeting (none: in agenda order). */
    setVariance(actor: Actor, meetingId: string, itemId: string, input: ChangeInput & { takenBeforeItemId?: string }) {
      return change(actor, meetingId, input, 'minutes.variance_recorded', async ({ trx }) => {
        await requireItem(trx, meetingId, itemId)
        if (input.takenBeforeItemId) {
          if (input.takenBeforeItemId === itemId) throw new RuleError('takenBeforeItemId', 'Select a different item: an item cannot be taken before itself')
          if (!(await minutesRepository(trx).item(meetingId, input.takenBeforeItemId))) throw new RuleError('takenBeforeItemId', 'Select an item of this meeting')
        }
        await minutesRepository(trx).updateItem(itemId, { taken_before_item_id: input.takenBeforeItemId ?? null })
        return { result: undefined, details: { itemId, takenBeforeItemId: input.takenBeforeItemId ?? null } }
      })
    },

    /**
     * Defers an item: its reason is minuted, and a copy goes to the forward programme, onto the next meeting's agenda
     * if that is scheduled (otherwise it waits there until it is). Returns the meeting it went to, if any.
     */
    defer(actor: Actor, meetingId: string, itemId: string, input: ChangeInput & { deferredReason: string }) {
      return change(actor, meetingId, input, 'minutes.item_deferred', async ({ trx, userId, meeting }) => {
        const repo = minutesRepository(trx)
        const item = await requireItem(trx, meetingId, itemId)
        if (STANDING_KINDS.includes(item.kind)) throw new RuleError('deferredReason', 'Standing items are on every agenda, so they cannot be deferred')
        if (item.deferred_reason || (await repo.deferredCopy(itemId))) throw new RuleError('deferredReason', 'This item has already been deferred')
        await repo.updateItem(itemId, { deferred_reason: input.deferredReason })
        const copy = await repo.insertDeferredCopy(item, userId)
        await meetingsRepository(trx).attachDeferredItems(meeting.body_id)
        const placed = await repo.deferredCopy(itemId)
        return { result: placed?.meetingId ? { meetingId: placed.meetingId, meetsOn: placed.meetsOn } : null, details: { itemId, copyId: copy.id, toMeetingId: placed?.meetingId ?? null } }
      })
    },

    /** Undoes a deferral while nothing has been recorded on the copy: the copy is deleted and the reason cleared. */
    undoDeferral(actor: Actor, meetingId: string, itemId: string, input: ChangeInput) {
      return change(actor, meetingId, input, 'minutes.item_deferred', async ({ trx }) => {
        const repo = minutesRepository(trx)
        const item = await requireItem(trx, meetingId, itemId)
        const copy = await repo.deferredCopy(itemId)
        if (!copy && !item.deferred_reason) throw new RuleError('undo', 'This item has not been deferred')
        if (copy?.hasRecord) {
          throw new RuleError('undo', `The deferred item has already been minuted${copy.meetsOn ? ` at the meeting on ${printedDate(copy.meetsOn)}` : ''}, so the deferral cannot be undone`)
        }
        if (copy) await repo.deleteDeferredCopy(copy)
        await repo.updateItem(itemId, { deferred_reason: null })
        return { result: undefined, details: { itemId, undone: true, copyId: copy?.id ?? null } }
      })
    },

    recordClosed(actor: Actor, meetingId: string, input: ChangeInput & { closedAt: string }) {
      return change(actor, meetingId, input, 'minutes.meeting_closed', async ({ meeting, meetingChanges }) => {
        if (input.closedAt <= hhmm(meeting.starts_at)) throw new RuleError('closedAt', `The meeting must close after it started at ${hhmm(meeting.starts_at)}`)
        meetingChanges.closed_at = input.closedAt
        return { result: undefined, details: { closedAt: input.closedAt } }
      })
    },

    // ---- publishing and confirming ----

    /** Circulates the draft minutes. Only once the meeting has taken place and who was present is recorded. */
    publish(actor: Actor, meetingId: string, input: { version: number }) {
      return change(
        actor,
        meetingId,
        input,
        'minutes.published',
        async ({ trx, meeting, meetingChanges }) => {
          if (meeting.minutes_status === 'published') throw new RuleError('publish', 'These minutes have already been published')
          if (meeting.minutes_status === 'confirmed') throw new RuleError('publish', 'These minutes have already been confirmed as a correct record')
          if (isFuture(meeting.meets_on)) throw new RuleError('publish', 'The meeting has not taken place yet, so its minutes cannot be published')
          if ((await minutesRepository(trx).countPresent(meetingId)) === 0) throw new RuleError('publish', NO_ATTENDANCE_MESSAGE)
          meetingChanges.minutes_status = 'published'
          meetingChanges.minutes_published_at = new Date()
          return { result: undefined, details: {} }
        },
        { lockable: false },
      )
    },

    /**
     * At meeting M, confirms the minutes of the body's previous meeting with published minutes as a correct record
     * (optionally subject to an amendment): that meeting's minutes are locked, M's "minutes of the previous meeting"
     * item gets the resolution, and version 1 of the confirmed record is kept.
     */
    confirmPrevious(actor: Actor, meetingId: string, input: ChangeInput & { subjectToAmendment: boolean; amendment?: string }) {
      return change(actor, meetingId, input, 'minutes.resolution_recorded', async ({ trx, userId, meeting }) => {
        const repo = minutesRepository(trx)
        if (isFuture(meeting.meets_on)) throw new RuleError('confirm', 'Minutes are confirmed at a meeting: this meeting has not taken place yet')
        const previous = await repo.previousPublishedMeeting(meeting.body_id, { meetsOn: meeting.meets_on, startsAt: meeting.starts_at })
        if (!previous) throw new RuleError('confirm', 'There are no published minutes of an earlier meeting of this body to confirm')
        const item = (await repo.items(meetingId)).find((candidate) => candidate.kind === 'previous_minutes')
        if (!item) throw new RuleError('confirm', 'Add a "Minutes of the previous meeting" item to this agenda first')
        const amendment = input.subjectToAmendment ? (input.amendment ?? null) : null
        if (input.subjectToAmendment && !amendment) throw new RuleError('amendment', 'Enter the amendment to the minutes')

        await repo.confirm(previous.id, { atMeetingId: meetingId, subjectToAmendment: input.subjectToAmendment, amendment })
        const text = `that the minutes of the meeting held on ${printedDate(previous.meetsOn)} be taken as read and confirmed as a correct record${amendment ? `, subject to the following amendment: ${amendment}` : ''}`
        const resolution = await repo.insertResolution({ agendaItemId: item.id, kind: 'resolved', text, createdBy: userId })
        const version = await repo.insertVersion({
          meetingId: previous.id,
          record: await buildRecord(trx, previous.id),
          reason: `Confirmed as a correct record at the meeting on ${printedDate(meeting.meets_on)}`,
          changedBy: userId,
        })
        await audit.record(actor, { action: 'minutes.confirmed', recordType: 'meeting', recordId: previous.id, details: { atMeetingId: meetingId, subjectToAmendment: input.subjectToAmendment, version } }, trx)
        return { result: { meetingId: previous.id }, details: { itemId: item.id, resolutionId: resolution.id, confirmedMeetingId: previous.id } }
      })
    },

    // ---- versions of confirmed minutes ----

    async versions(actor: Actor, meetingId: string) {
      await requireMeetingBody(db, actor, meetingId, 'read')
      return { meeting: await header(db, meetingId), versions: await repository.versions(meetingId) }
    },

    /** One version: the record as it stood then (exempt items only for managers and members). */
    async version(actor: Actor, meetingId: string, version: number) {
      const body = await requireMeetingBody(db, actor, meetingId, 'read')
      const found = await repository.version(meetingId, version)
      if (!found) throw new NotFoundError('Version not found')
      const record = found.record as unknown as MeetingRecord
      await audit.record(actor, { action: 'minutes.viewed', recordType: 'meeting', recordId: meetingId, details: { version } })
      return { meeting: await header(db, meetingId), version: { ...found, record: (await seesExempt(db, actor, body)) ? record : withoutExempt(record) } }
    },
  }
}

export type MinutesService = ReturnType<typeof minutesService>
