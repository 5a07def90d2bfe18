import { z } from 'zod'
import { isoDate } from '../../platform/http/date-input.js'
import type { ActionStatus, LinkedRecordType } from '../../platform/db/schema.js'

/** The statuses as the action log prints them. */
export const ACTION_STATUSES: Record<ActionStatus, string> = {
  open: 'Open',
  ongoing: 'Ongoing',
  complete: 'Complete',
  incomplete: 'Incomplete (carried forward)',
  no_update: 'No update provided',
  withdrawn: 'Withdrawn',
}

/** Complete and withdrawn actions leave the log (after the next meeting has seen them closed). */
export const CLOSED_STATUSES = ['complete', 'withdrawn'] as const satisfies readonly ActionStatus[]
/** What an owner may report; the chair, clerk and officers may set any status. */
export const OWNER_STATUSES = ['ongoing', 'complete', 'incomplete'] as const satisfies readonly ActionStatus[]

const COMMENT_REQUIRED: Partial<Record<ActionStatus, string>> = {
  incomplete: 'Enter a comment saying why the action is incomplete',
  no_update: 'Enter a comment, for example who was asked for an update',
  withdrawn: 'Enter a comment saying why the action was withdrawn',
}

export const isClosed = (status: ActionStatus) => (CLOSED_STATUSES as readonly string[]).includes(status)

/** The generic reference an action can carry; only ASB cases can be chosen until bids and delivery plans exist. */
export const LINKED_RECORD_LABELS: Record<LinkedRecordType, string> = { case: 'ASB case', funding_bid: 'Funding bid', delivery_plan_action: 'Delivery plan action' }

export const OWNER_TYPES = ['user', 'contact', 'organisation'] as const
export type OwnerType = (typeof OWNER_TYPES)[number]
export interface OwnerRef {
  type: OwnerType
  id: string
}

export type ActionDue = { kind: 'date'; on: string } | { kind: 'next_meeting' }

/** What creating or changing an action takes, from the page or the API. */
export interface ActionInput {
  text: string
  owners: OwnerRef[]
  due: ActionDue
  /** An ASB case reference to link; `keep` leaves an existing link as it is (a case the editor may not see). */
  link: { type: 'case'; reference: string } | { type: 'keep' } | null
}

const keys = <T extends Record<string, string>>(labels: T) => Object.keys(labels) as [keyof T & string, ...(keyof T & string)[]]
const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)
const optionalText = (max: number, label: string) => z.preprocess(blankToUndefined, z.string().trim().max(max, `${label} must be ${max} characters or fewer`).optional())
const actionText = z.string({ error: 'Enter the action' }).trim().min(1, 'Enter the action').max(2000, 'The action must be 2000 characters or fewer')
const OWNER_MESSAGE = 'Choose at least one owner'
const NOT_LISTED_OWNER = 'Choose owners from the lists'
const version = z.coerce.number({ error: 'Version is missing: reload the page' }).int('Version is missing: reload the page').positive('Version is missing: reload the page')

/** Owners on the page post as "user:<id>", "contact:<id>" or "organisation:<id>", from the checkboxes and the selects. */
const ownerToken = z.string().transform((value, context): OwnerRef => {
  const [type, id] = value.split(':')
  if (!(OWNER_TYPES as readonly string[]).includes(type ?? '') || !z.uuid().safeParse(id).success) {
    context.addIssue({ code: 'custom', message: NOT_LISTED_OWNER })
    return z.NEVER
  }
  return { type: type as OwnerType, id: id! }
})

/**
 * The add and change pages. The route joins the checkboxes and the three selects into `owners` and the date boxes into
 * `dueOn` ('' when empty, 'invalid' when not a real date) before this runs.
 */
export const actionForm = z
  .object({
    text: actionText,
    owners: z.array(ownerToken).min(1, OWNER_MESSAGE),
    due: z.enum(['date', 'next_meeting'], { error: 'Choose when the action is due' }),
    dueOn: z.string().optional(),
    link: z.preprocess(blankToUndefined, z.enum(['none', 'case', 'keep']).default('none')),
    caseReference: optionalText(40, 'The case reference'),
  })
  .superRefine((value, context) => {
    if (value.due === 'date' && !value.dueOn) context.addIssue({ code: 'custom', path: ['dueOn'], message: 'Enter the date the action is due' })
    if (value.due === 'date' && value.dueOn === 'invalid') context.addIssue({ code: 'custom', path: ['dueOn'], message: 'The due date must be a real date, for example 27 3 2027' })
    if (value.link === 'case' && !value.caseReference) context.addIssue({ code: 'custom', path: ['caseReference'], message: 'Enter the case reference, for example ASB-2026-000123' })
  })
  .transform(
    (value): ActionInput => ({
      text: value.text,
      owners: uniqueOwners(value.owners),
      due: value.due === 'date' ? { kind: 'date', on: value.dueOn! } : { kind: 'next_meeting' },
      link: value.link === 'case' ? { type: 'case', reference: value.caseReference! } : value.link === 'keep' ? { type: 'keep' } : null,
    }),
  )

export const actionEditForm = z.intersection(actionForm, z.object({ version }))

export function uniqueOwners(owners: readonly OwnerRef[]): OwnerRef[] {
  const seen = new Set<string>()
  return owners.filter((owner) => {
    const key = `${owner.type}:${owner.id}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

export interface StatusUpdateInput {
  status: ActionStatus
  comment?: string
  /** The meeting the update was reported at (the clerk recording the action log). */
  meetingId?: string
  version: number
}

const statusUpdateFields = {
  status: z.enum(keys(ACTION_STATUSES), { error: 'Choose the status of the action' }),
  comment: optionalText(2000, 'The comment'),
  meetingId: z.preprocess(blankToUndefined, z.uuid({ error: 'Choose the meeting from the list' }).optional()),
  version,
}
const commentWhereNeeded = (value: { status?: ActionStatus; comment?: string }, context: z.RefinementCtx) => {
  const needed = value.status && COMMENT_REQUIRED[value.status]
  if (needed && !value.comment) context.addIssue({ code: 'custom', path: ['comment'], message: needed })
}

export const statusUpdateForm = z.object(statusUpdateFields).superRefine(commentWhereNeeded)

// ---- API ----

const ownerRefSchema = z.object({
  type: z.enum(OWNER_TYPES, { error: 'Each owner type must be user, contact or organisation' }),
  id: z.uuid({ error: 'Each owner id must be a UUID' }),
})

export const apiActionInput = z
  .object({
    meetingId: z.uuid({ error: 'meetingId must be a UUID' }).optional().describe('The meeting the action came from'),
    agendaItemId: z.uuid({ error: 'agendaItemId must be a UUID' }).optional().describe('The agenda item of that meeting it came from'),
    bodyId: z.uuid({ error: 'bodyId must be a UUID' }).optional().describe('For an action raised between meetings: the body whose log it goes on'),
    text: actionText,
    owners: z.array(ownerRefSchema, { error: OWNER_MESSAGE }).min(1, OWNER_MESSAGE).describe('Users, contacts without an account, or organisations'),
    dueOn: isoDate('dueOn must be a real date as YYYY-MM-DD').optional().describe('YYYY-MM-DD; give this or dueNextMeeting'),
    dueNextMeeting: z.boolean().optional().describe('true: due by the next meeting of the body'),
    caseReference: z.string().trim().min(1).max(40).optional().describe('Link to the ASB case with this reference (ASB-YYYY-NNNNNN), if your organisation can see it'),
  })
  .superRefine((value, context) => {
    if (Boolean(value.meetingId) === Boolean(value.bodyId)) context.addIssue({ code: 'custom', path: ['meetingId'], message: 'Give the meetingId (and agendaItemId) the action came from, or the bodyId for an action raised between meetings, not both' })
    if (value.agendaItemId && !value.meetingId) context.addIssue({ code: 'custom', path: ['agendaItemId'], message: 'Give the meetingId of the agenda item' })
    if (Boolean(value.dueOn) === Boolean(value.dueNextMeeting)) context.addIssue({ code: 'custom', path: ['dueOn'], message: 'Give either dueOn or dueNextMeeting: true' })
  })
export type ApiActionInput = z.output<typeof apiActionInput>

export const apiStatusUpdateInput = z
  .object({
    ...statusUpdateFields,
    comment: z.string().trim().max(2000, 'The comment must be 2000 characters or fewer').optional(),
    meetingId: z.uuid({ error: 'meetingId must be a UUID' }).optional().describe('The meeting the update was reported at (chair, clerk or officers only)'),
    version: z.number({ error: 'version is required: the version of the action you read' }).int().positive().describe('The action\'s version when you read it; a newer version means someone else changed it'),
  })
  .superRefine(commentWhereNeeded)

export const actionLogFilter = z.object({
  status: z.preprocess(blankToUndefined, z.enum(keys(ACTION_STATUSES)).optional()).describe('One status; by default every action not complete or withdrawn'),
  owner: z.preprocess(blankToUndefined, z.string().regex(/^(user|contact|organisation):[0-9a-f-]{36}$/i, 'owner must be user:<id>, contact:<id> or organisation:<id>').optional()),
  overdue: z.preprocess((value) => value === true || value === 'true' || value === 'yes', z.boolean()).default(false),
})
export type ActionLogFilter = z.output<typeof actionLogFilter>

const ownerResponse = z.object({ type: z.enum(OWNER_TYPES), id: z.uuid(), name: z.string(), organisationName: z.string().nullable() })
const updateResponse = z.object({
  id: z.uuid(),
  status: z.enum(keys(ACTION_STATUSES)),
  comment: z.string().nullable(),
  meetingId: z.uuid().nullable(),
  meetingOn: z.string().nullable(),
  updatedByName: z.string(),
  createdAt: z.date(),
  reportedOn: z.string().describe('The meeting it was reported at, or the day it was made'),
})

export const actionResponse = z.object({
  id: z.uuid(),
  bodyId: z.uuid(),
  bodyName: z.string(),
  meetingId: z.uuid().nullable(),
  agendaItemId: z.uuid().nullable(),
  reference: z.string().describe('The meeting date and item, as the minutes print it: "290921 Item 6"'),
  text: z.string(),
  owners: z.array(ownerResponse),
  dueOn: z.string().nullable(),
  dueNextMeeting: z.boolean(),
  dueMeetingOn: z.string().nullable().describe('When due by the next meeting: that meeting\'s date, once it is scheduled'),
  status: z.enum(keys(ACTION_STATUSES)),
  statusLabel: z.string(),
  overdue: z.boolean(),
  completedAt: z.date().nullable(),
  linkedRecord: z.object({ type: z.enum(keys(LINKED_RECORD_LABELS)), id: z.uuid() }).nullable(),
  version: z.number().int(),
})

export const actionWithHistoryResponse = actionResponse.extend({ history: z.array(updateResponse).describe('Newest first') })

/** A row of an action log: the action, and its updates as the log prints them (oldest first). */
export const logEntryResponse = actionResponse.extend({
  history: z.array(z.object({ status: z.enum(keys(ACTION_STATUSES)), comment: z.string().nullable(), reportedOn: z.string().describe('The meeting it was reported at, or the day it was made') })),
})
