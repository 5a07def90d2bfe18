import { z } from 'zod'
import { isoDate } from '../../platform/http/date-input.js'
import { MEMBER_ROLE_LABELS } from './bodies.repository.js'

export const BODY_KINDS = {
  csp: 'Community Safety Partnership',
  strategy_board: 'Strategy board',
  delivery_group: 'Delivery group',
  jag: 'Joint Action Group (JAG)',
  scrutiny_commission: 'Scrutiny commission',
  other: 'Other',
} as const

export const RESOLUTION_NUMBERING = { letters: '(a), (b), (c)', numbers: '1., 2., 3.' } as const

export const OFFICES = { chair: 'Chair', deputy_chair: 'Deputy Chair' } as const
export type Office = keyof typeof OFFICES

const keys = <T extends Record<string, string>>(labels: T) => Object.keys(labels) as [keyof T & string, ...(keyof T & string)[]]
const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)
const text = (required: string, max: number, label: string) => z.string({ error: required }).trim().min(1, required).max(max, `${label} must be ${max} characters or fewer`)
const optionalText = (max: number, label: string) => z.preprocess(blankToUndefined, z.string().trim().max(max, `${label} must be ${max} characters or fewer`).optional())
const optionalUuid = (message: string) => z.preprocess(blankToUndefined, z.uuid({ error: message }).optional())

/** A real calendar date as YYYY-MM-DD; the date input posts 'invalid' for one that is not. */
const optionalDate = (message: string) => z.preprocess(blankToUndefined, isoDate(message).optional())

/** 14:00 or 9:30, stored as HH:MM. */
const startTime = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'Enter the start time as hours and minutes on the 24-hour clock, like 14:00')
    .transform((value) => value.padStart(5, '0'))
    .optional(),
)

export const bodyInput = z.object({
  name: text('Enter the name of the body', 200, 'Name'),
  kind: z.enum(keys(BODY_KINDS), { error: 'Select the kind of body' }),
  parentId: optionalUuid('Select the body it reports to from the list').describe('The body it sits under: a delivery group under its CSP'),
  visibility: z.enum(['open', 'closed'], { error: 'Select whether the body is open or closed' }).describe('closed: meetings, papers, minutes and actions only for members and administrators'),
  leadOrganisationId: optionalUuid('Select the lead organisation from the list'),
  description: optionalText(2000, 'Description'),
  defaultVenue: optionalText(200, 'Default venue').describe('A room and building, or "Microsoft Teams"'),
  defaultStartTime: startTime.describe('HH:MM, 24-hour clock'),
  reminderDaysBefore: z
    .preprocess(blankToUndefined, z.coerce.number({ error: 'Enter the number of days as a whole number from 0 to 60' }).int('Enter the number of days as a whole number from 0 to 60').min(0, 'Enter the number of days as a whole number from 0 to 60').max(60, 'Enter the number of days as a whole number from 0 to 60').default(7))
    .describe('Owners of an action are reminded this many days before it is due (0 to 60, default 7)'),
  resolutionNumbering: z.preprocess(blankToUndefined, z.enum(keys(RESOLUTION_NUMBERING), { error: 'Select how resolutions are numbered' }).default('letters')),
})
export type BodyInput = z.output<typeof bodyInput>

const memberFields = {
  role: z.enum(keys(MEMBER_ROLE_LABELS), { error: 'Select their role on the body' }),
  organisationId: optionalUuid('Select the organisation they represent from the list').describe("The organisation they represent; a user's own by default"),
  fromDate: isoDate('Enter the date they became a member as a real date, like 14 5 2026'),
  toDate: optionalDate('Enter the date their membership ends as a real date, like 13 5 2027'),
}
const toDateNotBeforeFromDate = (value: { fromDate: string; toDate?: string }, context: z.RefinementCtx) => {
  if (value.toDate && value.toDate < value.fromDate) context.addIssue({ code: 'custom', path: ['toDate'], message: 'The end date must be the same as or after the start date' })
}

/** The API: a user or a contact without an account, exactly one. */
export const memberInput = z
  .object({
    userId: optionalUuid('userId must be a UUID').describe('A user of the service; give this or contactId'),
    contactId: optionalUuid('contactId must be a UUID').describe('A contact without an account; give this or userId'),
    ...memberFields,
    fromDate: z.preprocess(blankToUndefined, memberFields.fromDate.optional()).describe('YYYY-MM-DD; today by default'),
    toDate: memberFields.toDate.describe('YYYY-MM-DD; none while the membership goes on'),
  })
  .superRefine((value, context) => {
    if (Boolean(value.userId) === Boolean(value.contactId)) context.addIssue({ code: 'custom', path: ['userId'], message: 'Give either userId or contactId' })
    if (value.fromDate) toDateNotBeforeFromDate({ fromDate: value.fromDate, toDate: value.toDate }, context)
  })
export type MemberInput = z.output<typeof memberInput>

/** The page: the radios say whether the person has an account; date inputs are joined before this runs. */
export const memberForm = z
  .object({
    memberType: z.enum(['user', 'contact'], { error: 'Select whether the person has an account' }),
    userId: z.string().optional(),
    contactId: z.string().optional(),
    ...memberFields,
    fromDate: z.string({ error: 'Enter the date they became a member' }).min(1, 'Enter the date they became a member').pipe(memberFields.fromDate),
  })
  .superRefine((value, context) => {
    if (value.memberType === 'user' && !z.uuid().safeParse(value.userId).success) context.addIssue({ code: 'custom', path: ['userId'], message: 'Select the person from the list of users' })
    if (value.memberType === 'contact' && !z.uuid().safeParse(value.contactId).success) context.addIssue({ code: 'custom', path: ['contactId'], message: 'Select the person from the list of contacts' })
    toDateNotBeforeFromDate(value, context)
  })
  .transform(({ memberType, userId, contactId, ...rest }): MemberInput => (memberType === 'user' ? { ...rest, userId } : { ...rest, contactId }))

export const endMemberInput = z.object({
  toDate: z.string({ error: 'Enter the date the membership ends' }).min(1, 'Enter the date the membership ends').pipe(isoDate('Enter the date the membership ends as a real date, like 13 5 2027')),
})

export const contactInput = z
  .object({
    name: text('Enter their name', 200, 'Name'),
    organisationId: optionalUuid('Select a partner organisation from the list'),
    organisationName: optionalText(200, 'Organisation name').describe('When they are not from a partner organisation'),
    jobTitle: optionalText(200, 'Job title'),
    email: z.preprocess(blankToUndefined, z.email({ error: 'Enter an email address in the correct format, like name@example.org' }).max(320).optional()),
  })
  .superRefine((value, context) => {
    if (value.organisationId && value.organisationName) context.addIssue({ code: 'custom', path: ['organisationName'], message: 'Select a partner organisation or type the name of another, not both' })
  })
export type ContactInput = z.output<typeof contactInput>

const MUNICIPAL_YEAR_MESSAGE = 'Enter the municipal year as the year it starts and the next, like 2026/27'

/** "2026/27": May 2026 to April 2027. */
export const municipalYear = z
  .string()
  .trim()
  .regex(/^\d{4}\/\d{2}$/, MUNICIPAL_YEAR_MESSAGE)
  .refine((value) => {
    const [start, end] = value.split('/') as [string, string]
    return (Number(start) + 1) % 100 === Number(end)
  }, MUNICIPAL_YEAR_MESSAGE)

export const electionInput = z.object({
  meetingId: z.uuid({ error: 'Select the meeting at which the election was held' }),
  office: z.enum(keys(OFFICES), { error: 'Select the office: Chair or Deputy Chair' }),
  memberId: z.uuid({ error: 'Select who was elected' }),
  municipalYear: z.preprocess(blankToUndefined, municipalYear.optional()).describe('Like 2026/27; by default the municipal year of the meeting date'),
})
export type ElectionInput = z.output<typeof electionInput>

// ---- API responses ----

export const bodySummaryResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(keys(BODY_KINDS)),
  visibility: z.enum(['open', 'closed']),
  parentId: z.uuid().nullable(),
  chairName: z.string().nullable(),
  memberCount: z.number().int(),
})

export const memberResponse = z.object({
  memberId: z.uuid(),
  userId: z.uuid().nullable(),
  contactId: z.uuid().nullable(),
  name: z.string(),
  email: z.string().nullable(),
  organisationName: z.string().nullable(),
  role: z.enum(keys(MEMBER_ROLE_LABELS)),
  roleLabel: z.string(),
})

export const bodyResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(keys(BODY_KINDS)),
  visibility: z.enum(['open', 'closed']),
  parentId: z.uuid().nullable(),
  parentName: z.string().nullable(),
  leadOrganisationId: z.uuid().nullable(),
  leadOrganisationName: z.string().nullable(),
  description: z.string().nullable(),
  defaultVenue: z.string().nullable(),
  defaultStartTime: z.string().nullable().describe('HH:MM'),
  reminderDaysBefore: z.number().int(),
  resolutionNumbering: z.enum(keys(RESOLUTION_NUMBERING)),
  currentMembers: z.array(memberResponse),
})

export const contactResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  organisationId: z.uuid().nullable(),
  organisationName: z.string().nullable(),
  jobTitle: z.string().nullable(),
  email: z.string().nullable(),
})
