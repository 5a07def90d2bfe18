import { NotFoundError } from '../../platform/http/errors.js'

/**
 * A meeting as its agenda and minutes show it: what the minutes service builds from the database and what the
 * HTML page, the DOCX and the PDF are rendered from. Names as printed; no ids of people.
 */
export interface MeetingRecord {
  body: { id: string; name: string; kind: string; resolutionNumbering: 'letters' | 'numbers' }
  meeting: {
    id: string
    /** YYYY-MM-DD */
    meetsOn: string
    /** HH:MM */
    startsAt: string
    venue: string
    status: 'scheduled' | 'held' | 'cancelled'
    /** For optimistic locking: send it back with the first change. */
    version: number
    /** HH:MM, when the minutes record it */
    closedAt: string | null
    agendaPublishedAt: Date | null
    minutesStatus: 'none' | 'draft' | 'published' | 'confirmed'
    /** When confirmed as a correct record: at which meeting, and any amendment. */
    confirmation: { atMeetingId: string; atMeetingOn: string; subjectToAmendment: boolean; amendment: string | null } | null
  }
  /** Who chaired: the attendee recorded as Chair, else the body's chair on the day. */
  chair: { name: string; roleLabel: string } | null
  present: Attendee[]
  inAttendance: Attendee[]
  apologies: Attendee[]
  declarations: { name: string; itemNumber: number | null; interest: string }[]
  /** In agenda order. */
  items: RecordItem[]
  /** Agenda numbers of exempt items left out of this copy (the reader may not see them): numbering stays as printed. */
  withheldItemNumbers: number[]
  /** The next meeting of the body, for the "date of next meeting" item. */
  nextMeeting: { id: string; meetsOn: string; startsAt: string; venue: string } | null
}

export interface Attendee {
  name: string
  organisationName: string | null
  roleLabel: string | null
  note: string | null
}

export interface RecordItem {
  id: string
  /** Its number on the agenda. */
  number: number
  kind: string
  title: string
  description: string | null
  hotTopic: string | null
  presenter: { name: string; role: string | null } | null
  exempt: boolean
  exemptReason: string | null
  /** "Agenda Item 6" papers. */
  papers: { id: string; title: string; label: string; fileName: string }[]
  minutes: string | null
  /** Labelled (a), (b) ... or 1., 2. as the body numbers them. */
  resolutions: { kind: 'resolved' | 'agreed'; label: string; text: string }[]
  actions: RecordAction[]
  deferredReason: string | null
  /** Agenda variance: this item was taken just before item number N. */
  takenBeforeNumber: number | null
}

export interface RecordAction {
  id: string
  text: string
  /** Display names: "Mark Oswin (Charnwood Borough Council)", or an organisation's name. */
  owners: string[]
  /** "Next meeting" or a date, YYYY-MM-DD. */
  due: string
  status: string
}

/** One entry of the minutes in the order the meeting took the items. */
export type MinutesEntry =
  | { type: 'item'; item: RecordItem; minuteNumber: number }
  /** At an item's own place on the agenda, when it was taken elsewhere: "considered earlier (later) in the meeting". */
  | { type: 'moved'; item: RecordItem; minuteNumber: number; when: 'earlier' | 'later' }

/**
 * The minutes in the order items were taken. An item taken by agenda variance appears just before the item it was taken
 * before, and at its own place a line says it was considered earlier (or later), with its minute number, so that both
 * places read correctly. Minute numbers run 1, 2, 3 in the order taken.
 */
export function minutesOrder(items: readonly RecordItem[]): MinutesEntry[] {
  const byNumber = new Map(items.map((item) => [item.number, item]))
  const moved = items.filter((item) => item.takenBeforeNumber !== null && byNumber.has(item.takenBeforeNumber) && item.takenBeforeNumber !== item.number)
  const movedIds = new Set(moved.map((item) => item.id))
  // Taken order: walk the agenda; before each item, the items taken just before it (in their agenda order).
  const taken: RecordItem[] = []
  const place = (item: RecordItem, seen: Set<string>) => {
    if (seen.has(item.id)) return
    seen.add(item.id)
    for (const early of moved.filter((candidate) => candidate.takenBeforeNumber === item.number)) place(early, seen)
    taken.push(item)
  }
  const seen = new Set<string>()
  for (const item of items) if (!movedIds.has(item.id)) place(item, seen)
  for (const item of moved) if (!seen.has(item.id)) taken.push(item) // a cycle of variances: keep every item
  const minuteNumber = new Map(taken.map((item, index) => [item.id, index + 1]))

  const entries: MinutesEntry[] = taken.map((item) => ({ type: 'item', item, minuteNumber: minuteNumber.get(item.id)! }))
  // Each moved item's note goes at its own agenda place: after the agenda item before it that was not moved.
  for (const item of moved) {
    const previous = items.filter((candidate) => candidate.number < item.number && !movedIds.has(candidate.id)).at(-1)
    const own = minuteNumber.get(item.id)!
    const when = previous && own < minuteNumber.get(previous.id)! ? 'earlier' : 'later'
    const at = previous ? entries.findIndex((entry) => entry.type === 'item' && entry.item.id === previous.id) + 1 : 0
    entries.splice(at, 0, { type: 'moved', item, minuteNumber: own, when })
  }
  return entries
}

export const RESOLUTION_LETTERS = 'abcdefghijklmnopqrstuvwxyz'

/** "(a)", "(b)" ... or "1.", "2." */
export function resolutionLabel(position: number, numbering: 'letters' | 'numbers'): string {
  if (numbering === 'numbers') return `${position}.`
  let label = ''
  for (let n = position; n > 0; n = Math.floor((n - 1) / 26)) label = RESOLUTION_LETTERS[(n - 1) % 26] + label
  return `(${label})`
}

export const MINUTES_NOT_WRITTEN = 'The minutes of this meeting have not been written yet'
export const MINUTES_NOT_PUBLISHED = 'The minutes of this meeting have not been published yet'

/** Minutes exist once written; a draft is the clerk's until it is published, so others find nothing. */
export function requireMinutes(record: Pick<MeetingRecord, 'meeting'>, canManage: boolean) {
  if (record.meeting.minutesStatus === 'none') throw new NotFoundError(MINUTES_NOT_WRITTEN)
  if (record.meeting.minutesStatus === 'draft' && !canManage) throw new NotFoundError(MINUTES_NOT_PUBLISHED)
}
