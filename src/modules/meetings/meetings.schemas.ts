import { z } from 'zod'
import { isRealDate } from '../../platform/dates.js'
import { asArray } from '../../platform/http/forms.js'

/** The items every agenda opens with, in order. */
export const OPENING_ITEMS = [
  { kind: 'apologies', title: 'Apologies for absence' },
  { kind: 'previous_minutes', title: 'Minutes of the previous meeting' },
  { kind: 'matters_arising', title: 'Matters arising' },
  { kind: 'action_log', title: 'Action log' },
  { kind: 'declarations', title: 'Declarations of interest' },
] as const

/** The items every agenda closes with, in order (their kinds are CLOSING_ITEM_KINDS). */
export const CLOSING_ITEMS = [
  { kind: 'any_other_business', title: 'Any other business' },
  { kind: 'next_meeting', title: 'Date of next meeting' },
] as const

export const HOT_TOPICS_TITLE = 'Hot Topics'

/** The kinds of item a clerk adds; the standing ones come with every agenda. */
export const ITEM_KINDS = { report: 'Report', presentation: 'Presentation', other: 'Other item' } as const
export type ItemKind = keyof typeof ITEM_KINDS

export const TEAMS = 'Microsoft Teams'

export const MEETING_STATUSES = { scheduled: 'Scheduled', held: 'Held', cancelled: 'Cancelled' } as const
export const MINUTES_STATUSES = { none: 'No minutes yet', draft: 'Minutes draft', published: 'Minutes published', confirmed: 'Minutes confirmed' } as const

const keys = <T extends Record<string, string>>(labels: T) => Object.keys(labels) as [keyof T & string, ...(keyof T & string)[]]
const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)
const text = (required: string, max: number, label: string) => z.string({ error: required }).trim().min(1, required).max(max, `${label} must be ${max} characters or fewer`)
const optionalText = (max: number, label: string) => z.preprocess(blankToUndefined, z.string().trim().max(max, `${label} must be ${max} characters or fewer`).optional())
const checkbox = z.preprocess((value) => value === true || value === 'true' || value === 'yes', z.boolean()).default(false)
const version = z.coerce.number({ error: 'Version is missing: reload the page' }).int().positive()

const DATE_MESSAGE = 'Enter the meeting date as a real date, for example 4 12 2026'
const meetingDate = z
  .string({ error: 'Enter the meeting date' })
  .min(1, 'Enter the meeting date')
  .regex(/^\d{4}-\d{2}-\d{2}$/, DATE_MESSAGE)
  .refine(isRealDate, DATE_MESSAGE)

const TIME_MESSAGE = 'Enter the start time using the 24-hour clock, for example 10:00 or 14:30'
/** 10:00, 9:30 or 14.30; stored and shown as HH:MM. */
const startTime = z
  .string({ error: 'Enter the start time' })
  .trim()
  .min(1, 'Enter the start time')
  .regex(/^([01]?\d|2[0-3])[:.]([0-5]\d)$/, TIME_MESSAGE)
  .transform((value) => {
    const [hours, minutes] = value.split(/[:.]/) as [string, string]
    return `${hours.padStart(2, '0')}:${minutes}`
  })

// ---- meetings ----

/** What the service schedules. */
export interface ScheduleInput {
  meetsOn: string
  startsAt: string
  venue: string
  hotTopic: string | null
  alreadyHeld: boolean
  programmeItemIds: string[]
}

/** A meeting's date, time and place, as the service changes them. */
export interface MeetingChanges {
  meetsOn: string
  startsAt: string
  venue: string
  version: number
}

/** The page's venue: radios for Teams or in person, with the room and building revealed for in person. */
const venueFields = {
  venueType: z.enum(['teams', 'in_person'], { error: 'Select whether the meeting is on Microsoft Teams or in person' }),
  venue: optionalText(200, 'Venue'),
}
const venueRule = {
  check: (value: { venueType?: string; venue?: string }) => value.venueType !== 'in_person' || Boolean(value.venue),
  params: { message: 'Enter the venue, for example Council Chamber, Southfields, Loughborough', path: ['venue'], when: () => true },
}
const venueOf = (value: { venueType: 'teams' | 'in_person'; venue?: string }) => (value.venueType === 'teams' ? TEAMS : value.venue!)

/** The scheduling page (the date comes joined from the GOV.UK date input). */
export const scheduleForm = z
  .object({
    meetsOn: meetingDate,
    startsAt: startTime,
    ...venueFields,
    hotTopics: checkbox,
    hotTopic: optionalText(200, 'Hot topic'),
    programmeItemIds: z.preprocess(asArray, z.array(z.uuid({ error: 'Select items from the list' }))),
    alreadyHeld: checkbox,
  })
  .refine(venueRule.check, venueRule.params)
  .refine((value) => !value.hotTopics || Boolean(value.hotTopic), { message: 'Enter the hot topic, or untick Hot Topics', path: ['hotTopic'], when: () => true })
  .transform(
    (value): ScheduleInput => ({
      meetsOn: value.meetsOn,
      startsAt: value.startsAt,
      venue: venueOf(value),
      hotTopic: value.hotTopics ? value.hotTopic! : null,
      alreadyHeld: value.alreadyHeld,
      programmeItemIds: value.programmeItemIds,
    }),
  )

export const editMeetingForm = z
  .object({ meetsOn: meetingDate, startsAt: startTime, ...venueFields, version })
  .refine(venueRule.check, venueRule.params)
  .transform((value): MeetingChanges => ({ meetsOn: value.meetsOn, startsAt: value.startsAt, venue: venueOf(value), version: value.version }))

export const cancelForm = z.object({
  reason: text('Enter why the meeting is cancelled', 2000, 'Reason'),
  version,
})

/** The API's new meeting. */
export const scheduleBody = z
  .object({
    meetsOn: meetingDate.describe('YYYY-MM-DD. Today or later, unless alreadyHeld'),
    startsAt: startTime.describe('HH:MM, 24-hour'),
    venue: text('Enter the venue, or "Microsoft Teams"', 200, 'Venue').describe('A room and building, or "Microsoft Teams"'),
    hotTopic: optionalText(200, 'Hot topic').describe('Adds a "Hot Topics" item with this topic'),
    alreadyHeld: z.boolean().default(false).describe('A meeting that has already taken place, recorded so that its minutes can be written: it may be in the past'),
    programmeItemIds: z.array(z.uuid()).default([]).describe('Items "to be programmed" of the forward programme to put on this agenda'),
  })
  .transform((value): ScheduleInput => ({ ...value, hotTopic: value.hotTopic ?? null }))

// ---- agenda items ----

/** An item as the service adds or changes it. */
export interface ItemInput {
  title: string
  kind?: ItemKind
  description: string | null
  hotTopic: string | null
  presenterUserId: string | null
  presenterContactId: string | null
  presenterName: string | null
  presenterRole: string | null
  exempt: boolean
  exemptReason: string | null
}

const itemFields = {
  title: text('Enter the title of the item', 200, 'Title'),
  description: optionalText(5000, 'Description'),
  hotTopic: optionalText(200, 'Hot topic'),
  presenterName: optionalText(200, 'Presenter name'),
  presenterRole: optionalText(200, 'Presenter role'),
  exempt: checkbox,
  exemptReason: optionalText(1000, 'Reason'),
}

interface ItemRuleValues {
  presenter?: string
  presenterUserId?: string
  presenterContactId?: string
  presenterName?: string
  presenterRole?: string
  exempt?: boolean
  exemptReason?: string
}
const presenterChosen = (value: ItemRuleValues) => Boolean(value.presenter || value.presenterUserId || value.presenterContactId)

/** Cross-field rules, checked even when other fields are wrong, so that every problem shows at once. */
function itemRules<S extends z.ZodType<ItemRuleValues>>(schema: S): S {
  return schema
    .refine((value) => !(presenterChosen(value) && value.presenterName), { message: 'Choose a member or contact, or type a name: not both', path: ['presenterName'], when: () => true })
    .refine((value) => !value.presenterRole || presenterChosen(value) || Boolean(value.presenterName), {
      message: "Enter the presenter's name, or choose a member or contact",
      path: ['presenterName'],
      when: () => true,
    })
    .refine((value) => !value.exempt || Boolean(value.exemptReason), {
      message: 'Enter why the item is exempt, for example the paragraph of Schedule 12A that applies',
      path: ['exemptReason'],
      when: () => true,
    })
}

const toItemInput = (value: ItemRuleValues & { title: string; kind?: ItemKind; description?: string; hotTopic?: string }): ItemInput => {
  // The page's presenter list posts "user:<id>" or "contact:<id>".
  const [type, id] = value.presenter?.split(':') ?? []
  return {
    title: value.title,
    kind: value.kind,
    description: value.description ?? null,
    hotTopic: value.hotTopic ?? null,
    presenterUserId: value.presenterUserId ?? (type === 'user' ? id! : null),
    presenterContactId: value.presenterContactId ?? (type === 'contact' ? id! : null),
    presenterName: value.presenterName ?? null,
    presenterRole: value.presenterRole ?? null,
    exempt: Boolean(value.exempt),
    exemptReason: value.exempt ? (value.exemptReason ?? null) : null,
  }
}

const kindField = z.enum(keys(ITEM_KINDS), { error: 'Select the type of item' })
const pageItemFields = {
  ...itemFields,
  presenter: z.preprocess(blankToUndefined, z.string().regex(/^(user|contact):[0-9a-f-]{36}$/i, 'Select the presenter from the list').optional()),
}

/** The new item page. */
export const itemForm = itemRules(z.object({ ...pageItemFields, kind: kindField })).transform(toItemInput)
/** The edit page: a standing item keeps its kind. */
export const itemChangesForm = itemRules(z.object({ ...pageItemFields, kind: z.preprocess(blankToUndefined, kindField.optional()) })).transform(toItemInput)

/** A forward programme item: to be programmed, or straight onto a future meeting. */
export const programmeItemForm = itemRules(
  z.object({ ...pageItemFields, kind: kindField, meetingId: z.preprocess(blankToUndefined, z.uuid({ error: 'Select a meeting from the list' }).optional()) }),
).transform((value) => ({ item: toItemInput(value), meetingId: value.meetingId ?? null }))

export const programmeForm = z.object({ meetingId: z.uuid({ error: 'Select the meeting to put the item on' }) })
export const moveForm = z.object({ direction: z.enum(['up', 'down'], { error: 'Choose up or down' }) })

/** The API's new item. */
export const itemBody = itemRules(
  z.object({
    ...itemFields,
    kind: z.enum(keys(ITEM_KINDS), { error: 'kind must be report, presentation or other' }),
    exempt: z.boolean().default(false).describe('Exempt or confidential: its papers and minutes go only to members'),
    presenterUserId: z.uuid().optional().describe('A current member of the body with an account'),
    presenterContactId: z.uuid().optional().describe('A governance contact without an account'),
  }),
).transform(toItemInput)

// ---- papers ----

export const paperFields = z.object({ title: text('Enter the title of the paper', 200, 'Title') })
export type PaperFields = z.output<typeof paperFields>

// ---- API responses ----

const paperResponse = z.object({ id: z.uuid(), title: z.string(), label: z.string(), fileName: z.string(), mimeType: z.string(), sizeBytes: z.number().int() })

export const itemResponse = z.object({
  id: z.uuid(),
  number: z.number().int().nullable().describe('Its number on the agenda; null while to be programmed'),
  kind: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  hotTopic: z.string().nullable(),
  presenter: z.object({ name: z.string(), role: z.string().nullable() }).nullable(),
  exempt: z.boolean(),
  exemptReason: z.string().nullable(),
  papersWithheld: z.boolean().describe('True for an exempt item whose papers the caller may not see'),
  papers: z.array(paperResponse),
})

export const meetingSummaryResponse = z.object({
  id: z.uuid(),
  bodyId: z.uuid(),
  meetsOn: z.string(),
  startsAt: z.string(),
  venue: z.string(),
  status: z.enum(keys(MEETING_STATUSES)),
  agendaPublishedAt: z.date().nullable(),
  minutesStatus: z.enum(keys(MINUTES_STATUSES)),
  cancelledReason: z.string().nullable(),
})

export const meetingResponse = meetingSummaryResponse.extend({ bodyName: z.string(), items: z.array(itemResponse) })

export const forwardProgrammeResponse = z.object({
  meetings: z.array(meetingSummaryResponse.extend({ items: z.array(itemResponse) })),
  toBeProgrammed: z.array(itemResponse.extend({ deferredFromMeetingId: z.uuid().nullable() })),
})

export const publishResponse = z.object({
  recipients: z.number().int().describe('Members emailed'),
  sent: z.number().int(),
  outbox: z.number().int().describe('Kept in the outbox: email is not set up'),
  failed: z.number().int(),
  notEmailed: z.number().int().describe('Members with no email address'),
})
