import { z } from 'zod'

export const RESOLUTION_KINDS = { resolved: 'RESOLVED', agreed: 'AGREED' } as const

/** The wording most items of a kind are minuted with, offered as one click. */
export const STANDARD_RESOLUTIONS: Record<string, string> = {
  action_log: 'that the status of the action log be noted',
  report: 'that the contents of the report be noted',
  presentation: 'that the contents of the presentation be noted',
}

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)
const text = (required: string, max: number, label: string) => z.string({ error: required }).trim().min(1, required).max(max, `${label} must be ${max} characters or fewer`)
const optionalText = (max: number, label: string) => z.preprocess(blankToUndefined, z.string().trim().max(max, `${label} must be ${max} characters or fewer`).optional())
const optionalUuid = (message: string) => z.preprocess(blankToUndefined, z.uuid({ error: message }).optional())

const PERSON_KEY = /^(user|contact):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const personKey = (message: string) => z.string({ error: message }).regex(PERSON_KEY, message) as unknown as z.ZodType<`user:${string}` | `contact:${string}`>

/** Every change carries the meeting's version (optimistic locking) and, once the minutes are confirmed, why. */
export const changeFields = {
  version: z.coerce.number({ error: 'Version is missing: reload the page' }).int().positive('Version is missing: reload the page'),
  changeReason: optionalText(2000, 'Reason for changing confirmed minutes'),
}
export const changeInput = z.object(changeFields)
export type ChangeInput = z.output<typeof changeInput>

const attendanceStatus = z.enum(['present', 'in_attendance', 'apologies'], { error: 'Select present, in attendance or sent apologies' })
const listedStatus = z.enum(['present', 'in_attendance', 'apologies', 'not_recorded'], { error: 'Select present, in attendance, sent apologies or not recorded' })

/** The attendance form: everyone listed, each with a status, and optionally someone else to add. */
export const attendanceForm = z
  .object({
    ...changeFields,
    listed: z.array(z.object({ person: personKey('Reload the page: the attendance list is out of date'), status: listedStatus })),
    otherPerson: z.preprocess(blankToUndefined, personKey('Select the person to add from the list').optional()),
    otherStatus: z.preprocess(blankToUndefined, attendanceStatus.optional()),
    otherRoleLabel: optionalText(200, 'Role'),
    otherOrganisationName: optionalText(200, 'Organisation'),
    otherNote: optionalText(500, 'Note'),
  })
  .superRefine((value, context) => {
    if (value.otherPerson && !value.otherStatus) context.addIssue({ code: 'custom', path: ['otherStatus'], message: 'Select whether they were present, in attendance or sent apologies' })
    if (!value.otherPerson && value.otherStatus) context.addIssue({ code: 'custom', path: ['otherPerson'], message: 'Select the person to add from the list' })
  })

export const attendeeInput = z
  .object({
    userId: z.uuid({ error: 'userId must be a UUID' }).optional(),
    contactId: z.uuid({ error: 'contactId must be a UUID' }).optional(),
    status: listedStatus.describe('not_recorded takes the person off the attendance'),
    roleLabel: optionalText(200, 'Role').describe('As the minutes print it: "Chair", "Community Safety Manager". Defaults to their role on the body'),
    organisationName: optionalText(200, 'Organisation').describe('Defaults to the organisation they sit for'),
    note: optionalText(500, 'Note').describe('"Substitute for ..." and the like'),
  })
  .refine((value) => Boolean(value.userId) !== Boolean(value.contactId), { message: 'Give either a userId or a contactId for each attendee' })

export const attendanceApiInput = z.object({
  ...changeFields,
  attendees: z.array(attendeeInput).min(1, 'List at least one attendee').max(500),
})

export const declarationInput = z.object({
  ...changeFields,
  person: personKey('Select who declared the interest'),
  itemId: optionalUuid('Select the agenda item from the list'),
  interest: text('Enter the interest declared', 2000, 'Interest'),
})

export const itemMinutesInput = z.object({
  ...changeFields,
  minutes: optionalText(50_000, 'Minutes'),
})

export const resolutionInput = z.object({
  ...changeFields,
  kind: z.enum(['resolved', 'agreed'], { error: 'Select RESOLVED or AGREED' }),
  text: text('Enter the text of the resolution', 5000, 'Resolution'),
})

export const moveResolutionInput = z.object({ ...changeFields, direction: z.enum(['up', 'down'], { error: 'Choose up or down' }) })

export const itemMinutesApiInput = z.object({
  ...changeFields,
  minutes: z.string().max(50_000, 'Minutes must be 50000 characters or fewer').nullable().describe('The minutes text; null or empty clears it'),
  resolutions: z
    .array(z.object({ kind: z.enum(['resolved', 'agreed'], { error: 'kind must be resolved or agreed' }), text: text('Enter the text of each resolution', 5000, 'Resolution') }))
    .max(52)
    .describe('The item\'s resolutions in order; they replace those recorded'),
})

export const varianceInput = z.object({ ...changeFields, takenBeforeItemId: optionalUuid('Select an item from the list') })

export const deferInput = z.object({
  ...changeFields,
  deferredReason: text('Enter why the item is deferred, like "deferred until the next meeting due to absence"', 1000, 'Reason'),
})

const TIME = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/
export const closedInput = z.object({
  ...changeFields,
  closedAt: z
    .string({ error: 'Enter the time the meeting closed, like 12:30' })
    .trim()
    .regex(TIME, 'Enter the time the meeting closed in the 24-hour clock, like 12:30')
    .transform((value) => {
      const [, hours, minutes] = TIME.exec(value)!
      return `${hours!.padStart(2, '0')}:${minutes}`
    }),
})

export const publishInput = z.object({ version: changeFields.version })

const yes = (value: unknown) => value === true || value === 'yes' || value === 'true'
export const confirmPreviousInput = z
  .object({
    ...changeFields,
    subjectToAmendment: z.preprocess(yes, z.boolean()).describe('Confirmed "subject to amendment"'),
    amendment: optionalText(10_000, 'Amendment').describe('The amended text, required when subject to amendment'),
  })
  .superRefine((value, context) => {
    if (value.subjectToAmendment && !value.amendment) context.addIssue({ code: 'custom', path: ['amendment'], message: 'Enter the amendment to the minutes' })
  })

// ---- API answers ----

const attendee = z.object({ name: z.string(), organisationName: z.string().nullable(), roleLabel: z.string().nullable(), note: z.string().nullable() })
const recordItem = z.object({
  id: z.uuid(),
  number: z.number(),
  kind: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  hotTopic: z.string().nullable(),
  presenter: z.object({ name: z.string(), role: z.string().nullable() }).nullable(),
  exempt: z.boolean(),
  exemptReason: z.string().nullable(),
  papers: z.array(z.object({ id: z.uuid(), title: z.string(), label: z.string(), fileName: z.string() })),
  minutes: z.string().nullable(),
  resolutions: z.array(z.object({ kind: z.enum(['resolved', 'agreed']), label: z.string(), text: z.string() })),
  actions: z.array(z.object({ id: z.uuid(), text: z.string(), owners: z.array(z.string()), due: z.string().describe('"Next meeting" or YYYY-MM-DD'), status: z.string() })),
  deferredReason: z.string().nullable(),
  takenBeforeNumber: z.number().nullable().describe('Agenda variance: taken just before this item number'),
})

export const meetingRecordResponse = z.object({
  body: z.object({ id: z.uuid(), name: z.string(), kind: z.string(), resolutionNumbering: z.enum(['letters', 'numbers']) }),
  meeting: z.object({
    id: z.uuid(),
    meetsOn: z.string(),
    startsAt: z.string(),
    venue: z.string(),
    status: z.enum(['scheduled', 'held', 'cancelled']),
    version: z.number().describe('Send it back with the first change (optimistic locking)'),
    closedAt: z.string().nullable(),
    agendaPublishedAt: z.date().nullable(),
    minutesStatus: z.enum(['none', 'draft', 'published', 'confirmed']),
    confirmation: z.object({ atMeetingId: z.uuid(), atMeetingOn: z.string(), subjectToAmendment: z.boolean(), amendment: z.string().nullable() }).nullable(),
  }),
  chair: z.object({ name: z.string(), roleLabel: z.string() }).nullable(),
  present: z.array(attendee),
  inAttendance: z.array(attendee),
  apologies: z.array(attendee),
  declarations: z.array(z.object({ name: z.string(), itemNumber: z.number().nullable(), interest: z.string() })),
  items: z.array(recordItem),
  withheldItemNumbers: z.array(z.number()).describe('Agenda numbers of exempt items left out of this copy'),
  nextMeeting: z.object({ id: z.uuid(), meetsOn: z.string(), startsAt: z.string(), venue: z.string() }).nullable(),
})

export const meetingVersionResponse = z.object({ version: z.number().describe('The meeting\'s new version, for the next change') })
