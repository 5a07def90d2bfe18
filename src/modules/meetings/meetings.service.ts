import type { Kysely } from 'kysely'
import type { Config } from '../../config.js'
import { todayInLondon } from '../../platform/dates.js'
import type { Executor } from '../../platform/db/executor.js'
import type { DB } from '../../platform/db/schema.js'
import { signedIn } from '../../platform/http/actor.js'
import { ConflictError, NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Mailer, SendResult } from '../../platform/mail/mailer.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import { bodiesRepository } from '../bodies/bodies.repository.js'
import { type AccessibleBody, type BodyAccessLevel, requireBody, requireMeetingBody } from '../bodies/body-access.js'
import { FileTooLargeError, MAX_UPLOAD_BYTES, detectDocumentType, downloadName, humanSize, safeFileName, sha256 } from '../documents/documents.rules.js'
import type { ReceivedFile } from '../documents/documents.upload.js'
import { meetingDate, meetingDay, paperLabel } from './meetings.format.js'
import { meetingsRepository } from './meetings.repository.js'
import { CLOSING_ITEMS, HOT_TOPICS_TITLE, type ItemInput, type MeetingChanges, OPENING_ITEMS, type PaperFields, type ScheduleInput } from './meetings.schemas.js'

export const PAST_DATE_MESSAGE =
  'The meeting date must be today or in the future. To record a meeting that has already taken place, tick “This meeting has already taken place”'
export const PAPER_TYPES_MESSAGE = 'The selected file must be a PDF or Word (DOCX) document'
export const STALE_MEETING_MESSAGE = 'Someone else changed this meeting while you were editing it. Check its details and make your change again.'
const PAPER_TYPES = ['application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document']

type Repository = ReturnType<typeof meetingsRepository>
type MeetingRow = NonNullable<Awaited<ReturnType<Repository['findMeeting']>>>
type ItemRow = NonNullable<Awaited<ReturnType<Repository['findItem']>>>
type PaperRow = Awaited<ReturnType<Repository['papersOfItems']>>[number]

export type MeetingView = MeetingRow & { date: string; day: string }
export interface PaperView {
  id: string
  title: string
  label: string
  fileName: string
  mimeType: string
  sizeBytes: number
  size: string
}
export interface ItemView {
  id: string
  meetingId: string | null
  number: number | null
  kind: string
  title: string
  description: string | null
  hotTopic: string | null
  presenterUserId: string | null
  presenterContactId: string | null
  presenterName: string | null
  presenterRole: string | null
  presenter: { name: string; role: string | null } | null
  exempt: boolean
  exemptReason: string | null
  /** One of the items every agenda has (apologies ... date of next meeting). */
  standing: boolean
  /** An exempt item whose description and papers the reader may not see. */
  papersWithheld: boolean
  papers: PaperView[]
}

const standingKinds = new Set<string>([...OPENING_ITEMS.map((item) => item.kind), ...CLOSING_ITEMS.map((item) => item.kind), 'hot_topics', 'election'])

/** 3 months before a date, as "the last three months" means it. */
function monthsBefore(iso: string, months: number): string {
  const date = new Date(`${iso}T00:00:00Z`)
  date.setUTCMonth(date.getUTCMonth() - months)
  return date.toISOString().slice(0, 10)
}

function meetingView(row: MeetingRow): MeetingView {
  return { ...row, date: meetingDate(row.meetsOn), day: meetingDay(row.meetsOn) }
}

function paperView(paper: Pick<PaperRow, 'id' | 'title' | 'fileName' | 'mimeType' | 'sizeBytes'>, number: number | null): PaperView {
  return { id: paper.id, title: paper.title, label: number ? paperLabel(number) : 'To be programmed', fileName: paper.fileName, mimeType: paper.mimeType, sizeBytes: paper.sizeBytes, size: humanSize(paper.sizeBytes) }
}

/** The item as a reader sees it: an exempt item's description and papers only for those who may read exempt business. */
function itemView(row: ItemRow, papers: readonly PaperRow[], seesExempt: boolean): ItemView {
  const withheld = row.exempt && !seesExempt
  return {
    id: row.id,
    meetingId: row.meetingId,
    number: row.position,
    kind: row.kind,
    title: row.title,
    description: withheld ? null : row.description,
    hotTopic: row.hotTopic,
    presenterUserId: row.presenterUserId,
    presenterContactId: row.presenterContactId,
    presenterName: row.presenterName,
    presenterRole: row.presenterRole,
    presenter: row.presenterDisplayName ? { name: row.presenterDisplayName, role: row.presenterRole } : null,
    exempt: row.exempt,
    exemptReason: row.exemptReason,
    standing: standingKinds.has(row.kind),
    papersWithheld: withheld,
    papers: withheld ? [] : papers.filter((paper) => paper.itemId === row.id).map((paper) => paperView(paper, row.position)),
  }
}

/** Agenda items of a cancelled meeting, or of one whose minutes are confirmed, stay as they are. */
function assertAgendaOpen(meeting: Pick<MeetingRow, 'status' | 'minutesStatus'>) {
  if (meeting.status === 'cancelled') throw new ConflictError('This meeting has been cancelled, so its agenda cannot be changed')
  if (meeting.minutesStatus === 'confirmed') throw new ConflictError('The minutes of this meeting have been confirmed, so its agenda can no longer be changed')
}

/** The agenda email: title block, the numbered items (exempt ones by title only) and the link to the papers. */
function agendaText(bodyName: string, meeting: MeetingView, items: readonly ItemView[], link: string, updated: boolean): string {
  const lines = [bodyName, `${meeting.day} at ${meeting.startsAt}`, `Venue: ${meeting.venue}`, '']
  if (updated) lines.push('This agenda has changed since it was first sent.', '')
  lines.push('AGENDA', '')
  for (const item of items) {
    if (item.exempt) {
      lines.push(`${item.number}. ${item.title} (exempt)`)
      continue
    }
    lines.push(`${item.number}. ${item.title}${item.hotTopic ? `: ${item.hotTopic}` : ''}`)
    if (item.presenter) lines.push(`   Presented by ${item.presenter.name}${item.presenter.role ? `, ${item.presenter.role}` : ''}`)
    for (const paper of item.papers) lines.push(`   ${paper.label}: ${paper.title}`)
  }
  lines.push('', `The agenda and papers: ${link}`)
  return lines.join('\n')
}

export function meetingsService({ db, audit, mailer, config }: { db: Kysely<DB>; audit: Pick<AuditService, 'record'>; mailer: Mailer; config: Pick<Config, 'publicUrl'> }) {
  const repository = meetingsRepository(db)
  const bodies = bodiesRepository(db)

  const notFound = (message: string) => (error: unknown) => {
    if (error instanceof NotFoundError) throw new NotFoundError(message)
    throw error
  }

  async function requireItem(actor: Actor, itemId: string, level: BodyAccessLevel, executor: Executor = db) {
    const item = await repository.findItem(itemId, executor)
    if (!item) throw new NotFoundError('Agenda item not found')
    const body = await requireBody(executor, actor, item.bodyId, level).catch(notFound('Agenda item not found'))
    const meeting = item.meetingId ? await repository.findMeeting(item.meetingId, executor) : undefined
    return { item, body, meeting }
  }

  async function requirePaper(actor: Actor, paperId: string, level: BodyAccessLevel, executor: Executor = db) {
    const paper = await repository.findPaper(paperId, executor)
    if (!paper) throw new NotFoundError('Paper not found')
    const found = await requireItem(actor, paper.itemId, level, executor).catch(notFound('Paper not found'))
    // An exempt item's papers do not exist for readers who may not see exempt business.
    if (found.item.exempt && !(await seesExempt(actor, found.body, executor))) throw new NotFoundError('Paper not found')
    if (!agendaVisible(found.body, found.meeting)) throw new NotFoundError('Paper not found')
    return { paper, ...found }
  }

  /**
   * An agenda before it is published is a draft, for those who run the body only (as its documents are): its items,
   * exempt titles included, and their papers. Every page and API answer that gives a meeting's agenda goes through this.
   */
  function agendaVisible(body: AccessibleBody, meeting: Pick<MeetingRow, 'agendaPublishedAt'> | undefined) {
    return body.canManage || Boolean(meeting?.agendaPublishedAt)
  }

  /** Exempt business is for the body's current members and those who run it (administrators included). */
  async function seesExempt(actor: Actor, body: AccessibleBody, executor: Executor = db) {
    if (body.canManage) return true
    return repository.isCurrentMember(body.id, signedIn(actor).userId, todayInLondon(), executor)
  }

  async function agenda(meetingIds: readonly string[], canSeeExempt: boolean, executor: Executor = db) {
    const rows = await repository.itemsOfMeetings(meetingIds, executor)
    const papers = await repository.papersOfItems(rows.map((row) => row.id), executor)
    return rows.map((row) => itemView(row, papers, canSeeExempt))
  }

  async function meetingOf(meetingId: string, executor: Executor = db) {
    const meeting = await repository.findMeeting(meetingId, executor)
    if (!meeting) throw new NotFoundError('Meeting not found')
    return meetingView(meeting)
  }

  /** Current members, then other contacts: who can present an item. */
  async function presenterChoices(bodyId: string) {
    const members = await bodies.currentMembers(bodyId, todayInLondon())
    const memberContacts = new Set(members.map((member) => member.contactId).filter(Boolean))
    const contacts = (await repository.contacts()).filter((contact) => !memberContacts.has(contact.id))
    return { members, contacts }
  }

  /** A presenter picked from a list must be one of the body's current members, or a contact. */
  async function checkPresenter(bodyId: string, input: ItemInput, keep: Pick<ItemRow, 'presenterUserId' | 'presenterContactId'> | undefined, executor: Executor) {
    if (input.presenterUserId && input.presenterUserId !== keep?.presenterUserId) {
      const members = await bodies.currentMembers(bodyId, todayInLondon(), executor)
      if (!members.some((member) => member.userId === input.presenterUserId)) throw new RuleError('presenter', 'Select a current member of the body, or a contact, as the presenter')
    }
    if (input.presenterContactId && input.presenterContactId !== keep?.presenterContactId && !(await repository.contactExists(input.presenterContactId, executor))) {
      throw new RuleError('presenter', 'Select the presenter from the list')
    }
  }

  /** A meeting an item can be put on: the body's, still to take place, with its agenda open. */
  async function programmeTarget(bodyId: string, meetingId: string, executor: Executor) {
    const meeting = await repository.findMeeting(meetingId, executor)
    if (!meeting || meeting.bodyId !== bodyId || meeting.status !== 'scheduled' || meeting.minutesStatus === 'confirmed' || meeting.meetsOn < todayInLondon()) {
      throw new RuleError('meetingId', 'Select one of the future meetings of this body')
    }
    return meeting
  }

  const programmeTargets = async (bodyId: string) =>
    (await repository.meetingsOfBody(bodyId, { from: todayInLondon() })).filter((meeting) => meeting.status === 'scheduled' && meeting.minutesStatus !== 'confirmed').map(meetingView)

  async function recipientsOf(bodyId: string, executor: Executor = db) {
    const members = await bodies.currentMembers(bodyId, todayInLondon(), executor)
    const seen = new Set<string>()
    const recipients: typeof members = []
    const notEmailed: typeof members = []
    for (const member of members) {
      const email = member.email?.trim().toLowerCase()
      if (!email) notEmailed.push(member)
      else if (!seen.has(email)) {
        seen.add(email)
        recipients.push(member)
      }
    }
    return { recipients, notEmailed }
  }

  /** Why an item cannot be removed, or null when it can: anything recorded against it keeps it. */
  async function removalBlocker(itemId: string, executor: Executor): Promise<string | null> {
    const records = await repository.itemRecords(itemId, executor)
    const recorded = [
      records.hasMinutes && 'minutes',
      records.resolutions > 0 && (records.resolutions === 1 ? '1 resolution' : `${records.resolutions} resolutions`),
      records.actions > 0 && (records.actions === 1 ? '1 action' : `${records.actions} actions`),
      records.declarations > 0 && 'declarations of interest',
    ].filter((part): part is string => Boolean(part))
    if (recorded.length) return `This item cannot be removed: it has ${recorded.join(', ').replace(/, ([^,]*)$/, ' and $1')} recorded against it`
    if (records.deferred || records.references > 0) return 'This item cannot be removed: the minutes refer to it (it was deferred, or another item was taken before it)'
    if (records.papers > 0) return `This item cannot be removed while it has papers. Remove ${records.papers === 1 ? 'its paper' : 'its papers'} first.`
    return null
  }

  return {
    // ---- scheduling ----

    /** What the scheduling page needs: the body's defaults and its items to be programmed. */
    async scheduleForm(actor: Actor, bodyId: string) {
      const body = await requireBody(db, actor, bodyId, 'manage')
      const defaults = await repository.bodyDefaults(bodyId)
      const programmeItems = (await repository.unprogrammedItems(bodyId)).map((row) => itemView(row, [], true))
      return { body, defaults, programmeItems }
    },

    /**
     * Schedules a meeting with the standing items in order (Hot Topics when asked), the chosen items of the forward
     * programme, and any deferred items waiting for it. A date before today only for a meeting already held, recorded
     * so that its minutes can be written; never two meetings of the body at the same date and time.
     */
    schedule(actor: Actor, bodyId: string, input: ScheduleInput): Promise<{ id: string; status: 'scheduled' | 'held' }> {
      const { userId } = signedIn(actor)
      return db.transaction().execute(async (trx) => {
        await requireBody(trx, actor, bodyId, 'manage')
        const today = todayInLondon()
        if (!input.alreadyHeld && input.meetsOn < today) throw new RuleError('meetsOn', PAST_DATE_MESSAGE)
        if (input.alreadyHeld && input.meetsOn > today) throw new RuleError('alreadyHeld', 'A meeting that has already taken place must have a date of today or earlier')
        await repository.lockBody(bodyId, trx)
        if (await repository.slotTaken(bodyId, input.meetsOn, input.startsAt, null, trx)) {
          throw new RuleError('meetsOn', `This body already has a meeting on ${meetingDate(input.meetsOn)} at ${input.startsAt}`)
        }
        const waiting = await repository.unprogrammedItems(bodyId, trx)
        const chosen = new Set(input.programmeItemIds)
        if (input.programmeItemIds.some((id) => !waiting.some((item) => item.id === id))) throw new RuleError('programmeItemIds', 'Select items from the forward programme of this body')

        const status = input.alreadyHeld ? 'held' : 'scheduled'
        const id = await repository.insertMeeting({ bodyId, meetsOn: input.meetsOn, startsAt: input.startsAt, venue: input.venue, status, createdBy: userId }, trx)
        const hotTopics = input.hotTopic ? [{ kind: 'hot_topics', title: HOT_TOPICS_TITLE, hotTopic: input.hotTopic }] : []
        await repository.insertAgenda(bodyId, id, [...OPENING_ITEMS, ...hotTopics, ...CLOSING_ITEMS], userId, trx)
        // In the forward programme's order, whatever order the boxes were ticked in.
        for (const item of waiting) if (chosen.has(item.id)) await repository.placeOnAgenda(item.id, id, trx)
        const deferred = await repository.attachDeferredItems(bodyId, trx)
        await audit.record(
          actor,
          { action: 'meeting.scheduled', recordType: 'meeting', recordId: id, details: { bodyId, status, hotTopics: hotTopics.length > 0, programmedItems: chosen.size, deferredItems: deferred } },
          trx,
        )
        return { id, status }
      })
    },

    /** The body's meetings, oldest first. */
    async listForBody(actor: Actor, bodyId: string) {
      await requireBody(db, actor, bodyId, 'read')
      return (await repository.meetingsOfBody(bodyId)).map(meetingView)
    },

    /** Meetings of every body the user may see: upcoming ones (soonest first) and those of the last three months (latest first). */
    async overview(actor: Actor) {
      const { userId } = signedIn(actor)
      const today = todayInLondon()
      const rows = (await repository.meetingsVisibleTo(userId, monthsBefore(today, 3))).map((row) => ({ ...meetingView(row), bodyName: row.bodyName }))
      return { upcoming: rows.filter((row) => row.meetsOn >= today), past: rows.filter((row) => row.meetsOn < today).reverse() }
    },

    /** The forward programme: future meetings with their agendas, items to be programmed, and recent past meetings. */
    async forwardProgramme(actor: Actor, bodyId: string) {
      const body = await requireBody(db, actor, bodyId, 'read')
      const canSeeExempt = await seesExempt(actor, body)
      const today = todayInLondon()
      const future = (await repository.meetingsOfBody(bodyId, { from: today })).map(meetingView)
      const items = await agenda(future.filter((meeting) => agendaVisible(body, meeting)).map((meeting) => meeting.id), canSeeExempt)
      const toBeProgrammed = (await repository.unprogrammedItems(bodyId)).map((row) => ({
        ...itemView(row, [], canSeeExempt),
        deferredFromMeetingId: row.deferredFromMeetingId,
        deferredFromDate: row.deferredFromMeetsOn ? meetingDate(row.deferredFromMeetsOn) : null,
      }))
      const past = (await repository.meetingsOfBody(bodyId, { from: monthsBefore(today, 12), before: today })).map(meetingView).reverse()
      return {
        body,
        meetings: future.map((meeting) => ({ ...meeting, agendaWithheld: !agendaVisible(body, meeting), items: items.filter((item) => item.meetingId === meeting.id) })),
        toBeProgrammed,
        targets: future.filter((meeting) => meeting.status === 'scheduled' && meeting.minutesStatus !== 'confirmed'),
        past,
      }
    },

    /**
     * The meeting page and the API: the meeting, its agenda and papers as the reader may see them. Given `via`, a read
     * that shows exempt items' descriptions and papers is audited (as minutes.viewed: there is no meeting.viewed).
     */
    async meeting(actor: Actor, meetingId: string, via?: 'meeting-page' | 'meeting-api') {
      const body = await requireMeetingBody(db, actor, meetingId, 'read')
      const meeting = await meetingOf(meetingId)
      const canSeeExempt = await seesExempt(actor, body)
      const agendaWithheld = !agendaVisible(body, meeting)
      const items = agendaWithheld ? [] : await agenda([meetingId], canSeeExempt)
      const exemptItems = items.filter((item) => item.exempt && !item.papersWithheld).length
      if (via && exemptItems > 0) await audit.record(actor, { action: 'minutes.viewed', recordType: 'meeting', recordId: meetingId, details: { via, exemptItems } })
      return {
        body,
        meeting,
        items,
        canManage: body.canManage,
        canSeeExempt,
        agendaWithheld,
        agendaOpen: meeting.status !== 'cancelled' && meeting.minutesStatus !== 'confirmed',
      }
    },

    /** The edit and cancel pages: the meeting, if the actor may change it and it can still be changed. */
    async changeForm(actor: Actor, meetingId: string) {
      const body = await requireMeetingBody(db, actor, meetingId, 'manage')
      const meeting = await meetingOf(meetingId)
      assertAgendaOpen(meeting)
      return { body, meeting }
    },

    /** Changes the date, time or venue. A new date in the past only for a meeting already held. */
    update(actor: Actor, meetingId: string, changes: MeetingChanges) {
      return db.transaction().execute(async (trx) => {
        const body = await requireMeetingBody(trx, actor, meetingId, 'manage')
        const meeting = await meetingOf(meetingId, trx)
        assertAgendaOpen(meeting)
        if (meeting.version !== changes.version) throw new ConflictError(STALE_MEETING_MESSAGE)
        if (changes.meetsOn !== meeting.meetsOn && meeting.status === 'scheduled' && changes.meetsOn < todayInLondon()) {
          throw new RuleError('meetsOn', 'The meeting date must be today or in the future')
        }
        await repository.lockBody(body.id, trx)
        if (await repository.slotTaken(body.id, changes.meetsOn, changes.startsAt, meetingId, trx)) {
          throw new RuleError('meetsOn', `This body already has a meeting on ${meetingDate(changes.meetsOn)} at ${changes.startsAt}`)
        }
        const fields = [
          changes.meetsOn !== meeting.meetsOn && 'meetsOn',
          changes.startsAt !== meeting.startsAt && 'startsAt',
          changes.venue !== meeting.venue && 'venue',
        ].filter((field): field is string => Boolean(field))
        if (fields.length === 0) return
        if (!(await repository.updateMeeting(meetingId, changes.version, { meets_on: changes.meetsOn, starts_at: changes.startsAt, venue: changes.venue }, trx))) {
          throw new ConflictError(STALE_MEETING_MESSAGE)
        }
        await audit.record(actor, { action: 'meeting.updated', recordType: 'meeting', recordId: meetingId, details: { fields } }, trx)
      })
    },

    /** Cancels a meeting that has not taken place, with the reason. Its items stay with it. */
    cancel(actor: Actor, meetingId: string, reason: string, version: number) {
      return db.transaction().execute(async (trx) => {
        await requireMeetingBody(trx, actor, meetingId, 'manage')
        const meeting = await meetingOf(meetingId, trx)
        if (meeting.status === 'cancelled') throw new ConflictError('This meeting has already been cancelled')
        if (meeting.status === 'held' || meeting.minutesStatus !== 'none') throw new ConflictError('This meeting has taken place and has minutes, so it cannot be cancelled')
        if (!(await repository.updateMeeting(meetingId, version, { status: 'cancelled', cancelled_reason: reason }, trx))) throw new ConflictError(STALE_MEETING_MESSAGE)
        await audit.record(actor, { action: 'meeting.cancelled', recordType: 'meeting', recordId: meetingId }, trx)
      })
    },

    // ---- agenda items ----

    /** The new item page: the meeting and who can present. */
    async newItemForm(actor: Actor, meetingId: string) {
      const body = await requireMeetingBody(db, actor, meetingId, 'manage')
      const meeting = await meetingOf(meetingId)
      assertAgendaOpen(meeting)
      return { body, meeting, presenters: await presenterChoices(body.id) }
    },

    /** Adds an item to a meeting's agenda, just before its closing items. Returns the item and its number. */
    addItem(actor: Actor, meetingId: string, input: ItemInput): Promise<{ id: string; number: number }> {
      const { userId } = signedIn(actor)
      return db.transaction().execute(async (trx) => {
        const body = await requireMeetingBody(trx, actor, meetingId, 'manage')
        assertAgendaOpen(await meetingOf(meetingId, trx))
        await checkPresenter(body.id, input, undefined, trx)
        const id = await repository.insertItem(body.id, { ...input, kind: input.kind ?? 'report', hotTopic: null }, userId, trx)
        const number = await repository.placeOnAgenda(id, meetingId, trx)
        await audit.record(actor, { action: 'agenda.item_added', recordType: 'agenda_item', recordId: id, details: { bodyId: body.id, meetingId, kind: input.kind, exempt: input.exempt } }, trx)
        return { id, number }
      })
    },

    /** The forward programme's new item page: who can present, and the meetings it can go on. */
    async newProgrammeItemForm(actor: Actor, bodyId: string) {
      const body = await requireBody(db, actor, bodyId, 'manage')
      return { body, presenters: await presenterChoices(bodyId), targets: await programmeTargets(bodyId) }
    },

    /** Adds an item to the forward programme: to be programmed (meetingId null), or onto a future meeting. */
    addProgrammeItem(actor: Actor, bodyId: string, input: ItemInput, meetingId: string | null): Promise<{ id: string; meetingId: string | null }> {
      const { userId } = signedIn(actor)
      return db.transaction().execute(async (trx) => {
        await requireBody(trx, actor, bodyId, 'manage')
        await checkPresenter(bodyId, input, undefined, trx)
        if (meetingId) await programmeTarget(bodyId, meetingId, trx)
        const id = await repository.insertItem(bodyId, { ...input, kind: input.kind ?? 'report', hotTopic: null }, userId, trx)
        if (meetingId) await repository.placeOnAgenda(id, meetingId, trx)
        await audit.record(actor, { action: 'agenda.item_added', recordType: 'agenda_item', recordId: id, details: { bodyId, meetingId, kind: input.kind, exempt: input.exempt } }, trx)
        return { id, meetingId }
      })
    },

    /** The edit page: the item in full (the actor runs the body), its meeting, and who can present. */
    async itemForm(actor: Actor, itemId: string) {
      const { item, body, meeting } = await requireItem(actor, itemId, 'manage')
      if (meeting) assertAgendaOpen(meeting)
      return { body, meeting: meeting ? meetingView(meeting) : null, item: itemView(item, [], true), presenters: await presenterChoices(body.id) }
    },

    /** Changes an item. A standing item keeps its kind; only Hot Topics has a topic. */
    updateItem(actor: Actor, itemId: string, input: ItemInput): Promise<{ bodyId: string; meetingId: string | null }> {
      return db.transaction().execute(async (trx) => {
        const { item, body, meeting } = await requireItem(actor, itemId, 'manage', trx)
        if (meeting) assertAgendaOpen(meeting)
        await checkPresenter(body.id, input, item, trx)
        const standing = standingKinds.has(item.kind)
        const next = {
          ...input,
          kind: standing ? item.kind : (input.kind ?? item.kind),
          hotTopic: item.kind === 'hot_topics' ? input.hotTopic : null,
        }
        const before: Record<string, unknown> = { ...item }
        const fields = (['kind', 'title', 'description', 'hotTopic', 'presenterUserId', 'presenterContactId', 'presenterName', 'presenterRole', 'exempt', 'exemptReason'] as const).filter(
          (field) => (before[field] ?? null) !== (next[field] ?? null),
        )
        if (fields.length === 0) return { bodyId: body.id, meetingId: item.meetingId }
        await repository.updateItem(itemId, next, trx)
        await audit.record(actor, { action: 'agenda.item_updated', recordType: 'agenda_item', recordId: itemId, details: { bodyId: body.id, meetingId: item.meetingId, fields } }, trx)
        return { bodyId: body.id, meetingId: item.meetingId }
      })
    },

    /** Moves an item one place up or down its agenda, swapping with its neighbour (standing items too). */
    moveItem(actor: Actor, itemId: string, direction: 'up' | 'down'): Promise<{ meetingId: string }> {
      return db.transaction().execute(async (trx) => {
        const { item, meeting } = await requireItem(actor, itemId, 'manage', trx)
        if (!meeting || item.position === null) throw new ConflictError('This item is not on a meeting’s agenda yet')
        assertAgendaOpen(meeting)
        if (await repository.moveItem(meeting.id, item.id, direction, trx)) {
          await audit.record(actor, { action: 'agenda.item_updated', recordType: 'agenda_item', recordId: itemId, details: { meetingId: meeting.id, fields: ['position'], direction } }, trx)
        }
        return { meetingId: meeting.id }
      })
    },

    /** The remove page: the item, and why it cannot be removed, if it cannot. */
    async removeItemForm(actor: Actor, itemId: string) {
      const { item, body, meeting } = await requireItem(actor, itemId, 'manage')
      if (meeting) assertAgendaOpen(meeting)
      return { body, meeting: meeting ? meetingView(meeting) : null, item: itemView(item, [], true), blocker: await removalBlocker(itemId, db) }
    },

    /** Removes an item that nothing has been recorded against; the items after it move up one place. */
    removeItem(actor: Actor, itemId: string): Promise<{ bodyId: string; meetingId: string | null }> {
      return db.transaction().execute(async (trx) => {
        const { item, body, meeting } = await requireItem(actor, itemId, 'manage', trx)
        if (meeting) assertAgendaOpen(meeting)
        const blocker = await removalBlocker(itemId, trx)
        if (blocker) throw new ConflictError(blocker)
        await repository.deleteItem({ id: item.id, meetingId: item.meetingId }, trx)
        await audit.record(actor, { action: 'agenda.item_removed', recordType: 'agenda_item', recordId: itemId, details: { bodyId: body.id, meetingId: item.meetingId, kind: item.kind } }, trx)
        return { bodyId: body.id, meetingId: item.meetingId }
      })
    },

    /** The body an item belongs to, if the actor may run it: where its forms go back to. */
    async itemBody(actor: Actor, itemId: string) {
      return (await requireItem(actor, itemId, 'manage')).body
    },

    /** Puts an item to be programmed onto a future meeting of its body. */
    programmeItem(actor: Actor, itemId: string, meetingId: string): Promise<{ bodyId: string; number: number }> {
      return db.transaction().execute(async (trx) => {
        const { item, body } = await requireItem(actor, itemId, 'manage', trx)
        if (item.meetingId) throw new ConflictError('This item is already on a meeting’s agenda')
        await programmeTarget(body.id, meetingId, trx)
        const number = await repository.placeOnAgenda(itemId, meetingId, trx)
        await audit.record(actor, { action: 'agenda.item_updated', recordType: 'agenda_item', recordId: itemId, details: { bodyId: body.id, meetingId, fields: ['meetingId'] } }, trx)
        return { bodyId: body.id, number }
      })
    },

    // ---- papers ----

    /** The upload page: the item, if it is on an agenda the actor may change. */
    async paperForm(actor: Actor, itemId: string) {
      const { item, body, meeting } = await requireItem(actor, itemId, 'manage')
      if (!meeting) throw new ConflictError('Put the item on a meeting’s agenda before adding papers: they are labelled with its number')
      assertAgendaOpen(meeting)
      return { body, meeting: meetingView(meeting), item: itemView(item, [], true) }
    },

    /**
     * Checks the file after the access check (present, not empty, under 10MB, a PDF or DOCX by its content), then
     * stores it with an audit row in one transaction. Its label, "Agenda Item 6", follows the item's number.
     */
    async uploadPaper(actor: Actor, itemId: string, fields: PaperFields, file: ReceivedFile | undefined): Promise<{ id: string; meetingId: string }> {
      const { userId } = signedIn(actor)
      const { meeting } = await requireItem(actor, itemId, 'manage')
      if (!meeting) throw new ConflictError('Put the item on a meeting’s agenda before adding papers: they are labelled with its number')
      assertAgendaOpen(meeting)
      if (!file) throw new RuleError('file', 'Select a file')
      if (file.tooLarge || file.data.length > MAX_UPLOAD_BYTES) throw new FileTooLargeError()
      if (file.data.length === 0) throw new RuleError('file', 'The selected file is empty')
      const fileName = safeFileName(file.fileName)
      const type = await detectDocumentType(file.data, fileName)
      if (!type || !PAPER_TYPES.includes(type.mimeType)) throw new RuleError('file', PAPER_TYPES_MESSAGE)
      return db.transaction().execute(async (trx) => {
        const current = await requireItem(actor, itemId, 'manage', trx)
        assertAgendaOpen(current.meeting!)
        const id = await repository.insertPaper({ itemId, title: fields.title, fileName, mimeType: type.mimeType, sha256: sha256(file.data), content: file.data, uploadedBy: userId }, trx)
        await audit.record(
          actor,
          { action: 'agenda.paper_uploaded', recordType: 'agenda_paper', recordId: id, details: { meetingId: meeting.id, itemId, mimeType: type.mimeType, sizeBytes: file.data.length } },
          trx,
        )
        return { id, meetingId: meeting.id }
      })
    },

    /** The file, for download; every download is audited. An exempt item's paper only for members and those who run the body. */
    async downloadPaper(actor: Actor, paperId: string) {
      const { paper, item } = await requirePaper(actor, paperId, 'read')
      const content = await repository.paperContent(paperId)
      if (!content) throw new NotFoundError('Paper not found')
      await audit.record(actor, { action: 'agenda.paper_downloaded', recordType: 'agenda_paper', recordId: paperId, details: { meetingId: item.meetingId, itemId: item.id } })
      return { content, mimeType: paper.mimeType, fileName: downloadName(paper.fileName, paper.mimeType) }
    },

    /** The remove page: the paper, if the actor may change its agenda. */
    async paper(actor: Actor, paperId: string) {
      const { paper, item, body, meeting } = await requirePaper(actor, paperId, 'manage')
      if (meeting) assertAgendaOpen(meeting)
      return { body, meeting: meeting ? meetingView(meeting) : null, item: itemView(item, [], true), paper: paperView(paper, item.position) }
    },

    /** Removes a paper: its content is deleted, the row kept with who removed it. */
    removePaper(actor: Actor, paperId: string): Promise<{ meetingId: string | null }> {
      const { userId } = signedIn(actor)
      return db.transaction().execute(async (trx) => {
        const { item, meeting } = await requirePaper(actor, paperId, 'manage', trx)
        if (meeting) assertAgendaOpen(meeting)
        if (!(await repository.removePaper(paperId, userId, trx))) throw new NotFoundError('Paper not found')
        await audit.record(actor, { action: 'agenda.paper_removed', recordType: 'agenda_paper', recordId: paperId, details: { meetingId: item.meetingId, itemId: item.id } }, trx)
        return { meetingId: item.meetingId }
      })
    },

    // ---- publishing the agenda ----

    /** The confirm page: the meeting, who will be emailed, and who will not (no email address). */
    async publishForm(actor: Actor, meetingId: string) {
      const body = await requireMeetingBody(db, actor, meetingId, 'manage')
      const meeting = await meetingOf(meetingId)
      assertAgendaOpen(meeting)
      return { body, meeting, ...(await recipientsOf(body.id)) }
    },

    /**
     * Publishes the agenda and queues one email per member with an email address, in one transaction; then sends them.
     * Without SMTP they stay in the outbox and nothing fails. Publishing again sends the updated agenda.
     */
    async publishAgenda(actor: Actor, meetingId: string) {
      const { userId } = signedIn(actor)
      const queued = await db.transaction().execute(async (trx) => {
        const body = await requireMeetingBody(trx, actor, meetingId, 'manage')
        const meeting = await meetingOf(meetingId, trx)
        assertAgendaOpen(meeting)
        const items = await agenda([meetingId], true, trx)
        const { recipients, notEmailed } = await recipientsOf(body.id, trx)
        await repository.markAgendaPublished(meetingId, userId, trx)
        const subject = `Agenda: ${body.name} on ${meeting.day} at ${meeting.startsAt}`
        const text = agendaText(body.name, meeting, items, `${config.publicUrl}/meetings/${meetingId}`, Boolean(meeting.agendaPublishedAt))
        const ids: string[] = []
        for (const recipient of recipients) ids.push(await mailer.queue({ kind: 'agenda', to: [recipient.email!], subject, text, related: { type: 'meeting', id: meetingId } }, trx))
        await audit.record(actor, { action: 'agenda.published', recordType: 'meeting', recordId: meetingId, details: { recipients: ids.length } }, trx)
        return { ids, notEmailed: notEmailed.length }
      })
      const results: SendResult[] = []
      for (const id of queued.ids) results.push(await mailer.deliver(id))
      const count = (status: string) => results.filter((result) => result.status === status).length
      return { recipients: queued.ids.length, sent: count('sent'), outbox: count('outbox'), failed: count('failed'), notEmailed: queued.notEmailed }
    },
  }
}

export type MeetingsService = ReturnType<typeof meetingsService>
