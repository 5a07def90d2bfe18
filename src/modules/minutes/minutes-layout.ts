import { listJoin } from '../../platform/words.js'
import { type Attendee, type MeetingRecord, type RecordAction, type RecordItem, minutesOrder } from './meeting-record.js'

/**
 * The agenda and the minutes as a list of blocks in the councils' usual layout and wording, so that the DOCX, the PDF
 * and the HTML page say exactly the same thing and differ only in how each draws it.
 */
export type Block =
  /** Printed in capitals when `caps`; the HTML page keeps the words as written, which reads better. */
  | { type: 'heading'; level: 1 | 2 | 3; text: string; caps: boolean }
  | { type: 'paragraph'; text: string; emphasis?: 'bold' | 'italic' }
  /** DRAFT, NOT FOR PUBLICATION: shown prominently under the title (and on every page of a document). */
  | { type: 'marking'; text: string }
  | { type: 'field'; label: string; value: string }
  /** "Name (Chair) — Organisation" lines; never empty (the layout writes "None" instead). */
  | { type: 'people'; people: string[] }
  /** "RESOLVED:" then (a), (b) ...; a single resolution has no label and is printed on the line of its "RESOLVED:". */
  | { type: 'resolutions'; intro: 'RESOLVED:' | 'AGREED:'; items: { label: string | null; text: string }[] }
  /** An action, in bold. */
  | { type: 'action'; text: string }
  /** A data table with a header row; widths in percent; a cell's lines are separated by "\n". */
  | { type: 'table'; caption: string; head: string[]; rows: string[][]; widths: number[] }
  | { type: 'signature'; role: string }

export interface DocumentLayout {
  /** The document's title, for its metadata and the page title. */
  title: string
  /** Words marked at the top of every page: DRAFT, NOT FOR PUBLICATION. */
  markings: string[]
  blocks: Block[]
}

export interface LayoutOptions {
  /** Agenda numbers of exempt items left out of this copy: their number is kept with the title "Exempt item". */
  withheldNumbers?: readonly number[]
}

/** Each marking's words at the top of the document (the page headers carry the short form). */
const MARKING_TEXT: Record<string, string> = {
  DRAFT: 'DRAFT',
  'NOT FOR PUBLICATION': 'NOT FOR PUBLICATION: this copy includes exempt items',
  CANCELLED: 'THIS MEETING HAS BEEN CANCELLED',
}
const markingBlocks = (markings: string[]) => markings.map((text): Block => ({ type: 'marking', text: MARKING_TEXT[text] ?? text }))
const WITHHELD_TITLE = 'Exempt item'

const weekdayDate = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })

function dateParts(iso: string) {
  const parts = weekdayDate.formatToParts(new Date(`${iso.slice(0, 10)}T00:00:00Z`))
  const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value ?? ''
  return { weekday: part('weekday'), day: part('day'), month: part('month'), year: part('year') }
}

/** "Thursday, 3 December 2026", as minutes print a meeting's date. */
export function meetingDate(iso: string): string {
  const { weekday, day, month, year } = dateParts(iso)
  return `${weekday}, ${day} ${month} ${year}`
}

/** "15 January 2027" */
export function plainDate(iso: string): string {
  const { day, month, year } = dateParts(iso)
  return `${day} ${month} ${year}`
}

/** "10.00 am", "2.30 pm", from "HH:MM" (or "HH:MM:SS"). */
export function clockTime(time: string): string {
  const [hours = 0, minutes = 0] = time.split(':').map(Number)
  return `${hours % 12 || 12}.${String(minutes).padStart(2, '0')} ${hours < 12 ? 'am' : 'pm'}`
}

const sentence = (text: string) => {
  const trimmed = text.trim()
  return /[.!?;:]$/.test(trimmed) ? trimmed : `${trimmed}.`
}
const withoutFullStop = (text: string) => text.trim().replace(/\.+$/, '')
const isOnline = (venue: string) => /^(microsoft teams|teams|zoom|online|virtual)/i.test(venue.trim())
const heldWhere = (venue: string) => (isOnline(venue) ? `via ${venue}` : `at ${venue}`)
const theBody = (name: string) => (/^the /i.test(name) ? name : `the ${name}`)
const isNextMeeting = (due: string) => /^next meeting$/i.test(due.trim())

export const dueText = (action: RecordAction) => (isNextMeeting(action.due) ? 'Next meeting' : plainDate(action.due))

function paragraphs(text: string | null): Block[] {
  if (!text) return []
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => ({ type: 'paragraph', text: paragraph }))
}

function peopleBlock(people: string[]): Block {
  return people.length ? { type: 'people', people } : { type: 'paragraph', text: 'None' }
}

function attendeeLine(attendee: Attendee, options: { asChair?: string } = {}): string {
  const role = options.asChair ? ` (${options.asChair})` : attendee.roleLabel ? `, ${attendee.roleLabel}` : ''
  const note = attendee.note ? ` (${attendee.note})` : ''
  return `${attendee.name}${role}${note}${attendee.organisationName ? ` — ${attendee.organisationName}` : ''}`
}

/** The chair first, "Name (Chair)", then the others as recorded. A chair not recorded as present is not printed as present. */
function presentLines(record: MeetingRecord): string[] {
  const chair = record.chair
  const chairAttendee = chair ? record.present.find((attendee) => attendee.name === chair.name) : undefined
  const others = record.present.filter((attendee) => attendee !== chairAttendee).map((attendee) => attendeeLine(attendee))
  return chair && chairAttendee ? [attendeeLine(chairAttendee, { asChair: chair.roleLabel || 'Chair' }), ...others] : others
}

const nameWithOrganisation = (attendee: Attendee) => (attendee.organisationName ? `${attendee.name} (${attendee.organisationName})` : attendee.name)

/** An exempt item left out of this copy, kept in its place so that item and minute numbers match the full record. */
function withheldItem(number: number): RecordItem {
  return {
    id: `withheld-${number}`,
    number,
    kind: 'other',
    title: WITHHELD_TITLE,
    description: null,
    hotTopic: null,
    presenter: null,
    exempt: true,
    exemptReason: null,
    papers: [],
    minutes: null,
    resolutions: [],
    actions: [],
    deferredReason: null,
    takenBeforeNumber: null,
  }
}

function itemsWithWithheld(record: MeetingRecord, options: LayoutOptions) {
  const present = new Set(record.items.map((item) => item.number))
  const withheld = (options.withheldNumbers ?? []).filter((number) => !present.has(number)).map(withheldItem)
  const withheldIds = new Set(withheld.map((item) => item.id))
  return { items: [...record.items, ...withheld].sort((a, b) => a.number - b.number), isWithheld: (item: RecordItem) => withheldIds.has(item.id) }
}

function presentedLine(item: RecordItem): string | null {
  const labels = [...new Set(item.papers.map((paper) => paper.label))]
  if (!item.presenter && labels.length === 0) return null
  const papers = labels.length ? ` (${listJoin(labels)})` : ''
  if (!item.presenter) return `The report${papers} was considered.`
  const who = item.presenter.role ? `The ${item.presenter.role} (${item.presenter.name})` : item.presenter.name
  return `${who} ${item.kind === 'presentation' ? 'gave a presentation' : 'presented the report'}${papers}.`
}

function resolutionBlocks(item: RecordItem): Block[] {
  const kinds = [...new Set(item.resolutions.map((resolution) => resolution.kind))]
  return kinds.map((kind) => {
    const group = item.resolutions.filter((resolution) => resolution.kind === kind)
    return {
      type: 'resolutions',
      intro: kind === 'agreed' ? 'AGREED:' : 'RESOLVED:',
      items: group.map((resolution) => ({ label: group.length === 1 ? null : resolution.label, text: resolution.text })),
    }
  })
}

const actionLine = (action: RecordAction) =>
  ['ACTION: ' + withoutFullStop(action.text), listJoin(action.owners), `by ${isNextMeeting(action.due) ? 'the next meeting' : plainDate(action.due)}`].filter((part) => part.trim()).join(' — ')

function standingItemText(record: MeetingRecord, item: RecordItem, titles: Map<number, string>): Block[] {
  if (item.kind === 'declarations') {
    if (record.declarations.length === 0) return [{ type: 'paragraph', text: 'No declarations of interest were made.' }]
    return record.declarations.map((declaration) => {
      const title = declaration.itemNumber === null ? undefined : titles.get(declaration.itemNumber)
      const where = declaration.itemNumber === null ? '' : ` in item ${declaration.itemNumber}${title ? `, ${title}` : ''}`
      return { type: 'paragraph', text: `${declaration.name} declared an interest${where}: ${sentence(declaration.interest)}` }
    })
  }
  // The clerk need not retype what attendance already records.
  if (item.minutes) return []
  if (item.kind === 'apologies') {
    return [{ type: 'paragraph', text: record.apologies.length ? `Apologies for absence were received from ${listJoin(record.apologies.map(nameWithOrganisation))}.` : 'There were no apologies for absence.' }]
  }
  if (item.kind === 'next_meeting' && record.nextMeeting) {
    const next = record.nextMeeting
    return [{ type: 'paragraph', text: `The next meeting will be held on ${meetingDate(next.meetsOn)} at ${clockTime(next.startsAt)} ${heldWhere(next.venue)}.` }]
  }
  return []
}

function markingsOf(record: MeetingRecord, draft: boolean): string[] {
  return [
    ...(record.meeting.status === 'cancelled' ? ['CANCELLED'] : []),
    ...(draft ? ['DRAFT'] : []),
    ...(record.items.some((item) => item.exempt) ? ['NOT FOR PUBLICATION'] : []),
  ]
}

const titleDate = (record: MeetingRecord) => plainDate(record.meeting.meetsOn)

/** The minutes, in the order the meeting took the items (minutesOrder), with an actions summary and the chair's signature. */
export function minutesLayout(record: MeetingRecord, options: LayoutOptions = {}): DocumentLayout {
  const { meeting } = record
  const { items, isWithheld } = itemsWithWithheld(record, options)
  const titles = new Map(items.filter((item) => !isWithheld(item)).map((item) => [item.number, item.title]))
  const markings = markingsOf(record, meeting.minutesStatus === 'draft')
  const blocks: Block[] = [
    { type: 'heading', level: 1, text: `Minutes of a meeting of ${theBody(record.body.name)}`, caps: true },
    { type: 'paragraph', text: `held ${heldWhere(meeting.venue)} on ${meetingDate(meeting.meetsOn)} at ${clockTime(meeting.startsAt)}` },
    ...markingBlocks(markings),
    { type: 'heading', level: 2, text: 'Present', caps: true },
    peopleBlock(presentLines(record)),
    { type: 'heading', level: 2, text: 'In attendance', caps: true },
    peopleBlock(record.inAttendance.map((attendee) => attendeeLine(attendee))),
    { type: 'heading', level: 2, text: 'Apologies', caps: true },
    peopleBlock(record.apologies.map((attendee) => attendeeLine(attendee))),
  ]

  const entries = minutesOrder(items)
  const actionRows: string[][] = []
  for (const entry of entries) {
    const { item, minuteNumber } = entry
    if (entry.type === 'moved') {
      blocks.push({ type: 'paragraph', emphasis: 'italic', text: `Agenda Item ${item.number}, ${item.title}, was considered ${entry.when} in the meeting (see minute ${minuteNumber}).` })
      continue
    }
    blocks.push({ type: 'heading', level: 2, text: `${minuteNumber}. ${item.title}`, caps: true })
    if (isWithheld(item)) {
      blocks.push({ type: 'paragraph', text: 'This item contains exempt information. Its minute is not published.' })
      continue
    }
    if (item.exempt) blocks.push({ type: 'paragraph', emphasis: 'bold', text: `Exempt: not for publication${item.exemptReason ? ` (${withoutFullStop(item.exemptReason)})` : ''}.` })
    if (item.deferredReason !== null) {
      blocks.push({ type: 'paragraph', text: `This item was deferred until the next meeting${item.deferredReason.trim() ? `: ${sentence(item.deferredReason)}` : '.'}` })
    } else {
      const presented = presentedLine(item)
      if (presented) blocks.push({ type: 'paragraph', text: presented })
    }
    if (item.hotTopic) blocks.push({ type: 'paragraph', text: `Topic raised: ${sentence(item.hotTopic)}` })
    blocks.push(...standingItemText(record, item, titles), ...paragraphs(item.minutes), ...resolutionBlocks(item))
    for (const action of item.actions) {
      blocks.push({ type: 'action', text: actionLine(action) })
      actionRows.push([String(minuteNumber), withoutFullStop(action.text), action.owners.join('\n'), dueText(action)])
    }
  }

  if (meeting.closedAt) blocks.push({ type: 'paragraph', text: `The meeting closed at ${clockTime(meeting.closedAt)}.` })
  if (meeting.confirmation) {
    const { atMeetingOn, subjectToAmendment, amendment } = meeting.confirmation
    const confirmed = `These minutes were confirmed as a correct record at the meeting held on ${plainDate(atMeetingOn)}`
    blocks.push({ type: 'paragraph', text: subjectToAmendment && amendment ? `${confirmed}, subject to the following amendment:` : `${confirmed}.` })
    if (subjectToAmendment && amendment) blocks.push(...paragraphs(amendment))
  }
  blocks.push({ type: 'signature', role: 'Chair' })

  blocks.push({ type: 'heading', level: 2, text: 'Actions arising', caps: true })
  blocks.push(
    actionRows.length
      ? { type: 'table', caption: 'Actions arising from the meeting', head: ['Minute', 'Action', 'Owner', 'Due'], rows: actionRows, widths: [9, 43, 30, 18] }
      : { type: 'paragraph', text: 'No actions arose from this meeting.' },
  )

  return { title: `Minutes of ${theBody(record.body.name)}, ${titleDate(record)}`, markings, blocks }
}

/** The agenda: every item in its agenda order with presenter and papers; a withheld exempt item keeps its number. */
export function agendaLayout(record: MeetingRecord, options: LayoutOptions = {}): DocumentLayout {
  const { meeting } = record
  const { items, isWithheld } = itemsWithWithheld(record, options)
  const markings = markingsOf(record, meeting.agendaPublishedAt === null)
  const blocks: Block[] = [
    { type: 'heading', level: 1, text: record.body.name, caps: true },
    { type: 'heading', level: 2, text: 'Agenda', caps: true },
    ...markingBlocks(markings),
    { type: 'field', label: 'Date', value: meetingDate(meeting.meetsOn) },
    { type: 'field', label: 'Time', value: clockTime(meeting.startsAt) },
    { type: 'field', label: 'Venue', value: meeting.venue },
  ]
  for (const item of items) {
    blocks.push({ type: 'heading', level: 3, text: `${item.number}. ${item.title}${item.exempt && !isWithheld(item) ? ' (Exempt)' : ''}`, caps: false })
    if (isWithheld(item)) continue
    if (item.exempt) blocks.push({ type: 'paragraph', emphasis: 'bold', text: `Not for publication${item.exemptReason ? `: ${sentence(item.exemptReason)}` : '.'}` })
    if (item.hotTopic) blocks.push({ type: 'paragraph', text: `Topic: ${sentence(item.hotTopic)}` })
    blocks.push(...paragraphs(item.description))
    if (item.presenter) blocks.push({ type: 'paragraph', text: `Presented by ${item.presenter.name}${item.presenter.role ? `, ${item.presenter.role}` : ''}` })
    for (const paper of item.papers) blocks.push({ type: 'paragraph', text: `${paper.label}: ${paper.title}` })
    if (item.kind === 'next_meeting' && record.nextMeeting) {
      const next = record.nextMeeting
      blocks.push({ type: 'paragraph', text: `${meetingDate(next.meetsOn)} at ${clockTime(next.startsAt)}, ${next.venue}` })
    }
  }
  return { title: `Agenda of ${theBody(record.body.name)}, ${titleDate(record)}`, markings, blocks }
}
