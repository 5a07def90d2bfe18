import { z } from 'zod'
import { isoDate } from '../../platform/http/date-input.js'

export const CASE_TYPES = { victim_centred: 'Victim-centred', perpetrator_centred: 'Perpetrator-centred', location: 'Location or problem-solving' } as const
export const CASE_STATUSES = { open: 'Open', in_progress: 'In progress', review: 'Under review', closed: 'Closed' } as const
export const CASE_PRIORITIES = { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' } as const
export const CLOSURE_OUTCOMES = {
  resolved: 'Resolved: the behaviour has stopped',
  improved: 'Improved: the behaviour has reduced',
  enforcement: 'Closed after enforcement action',
  no_further_action: 'No further action possible',
  victim_withdrew: 'Victim no longer wants help',
  referred: 'Referred to another agency',
  moved_away: 'Person moved away',
} as const
export const SATISFACTION = {
  very_satisfied: 'Very satisfied',
  satisfied: 'Satisfied',
  neither: 'Neither satisfied nor dissatisfied',
  dissatisfied: 'Dissatisfied',
  very_dissatisfied: 'Very dissatisfied',
  declined: 'Declined to answer',
  not_asked: 'Could not be asked',
} as const

export type CaseType = keyof typeof CASE_TYPES
export type CaseStatus = keyof typeof CASE_STATUSES

/** Status changes an officer may make from the case page; closing and reopening have their own forms. */
export const STATUS_TRANSITIONS: Record<CaseStatus, readonly CaseStatus[]> = {
  open: ['in_progress', 'review'],
  in_progress: ['review'],
  review: ['in_progress'],
  closed: [],
}

const keys = <T extends Record<string, string>>(labels: T) => Object.keys(labels) as [keyof T & string, ...(keyof T & string)[]]
const text = (required: string, max: number, label: string) =>
  z.string({ error: required }).trim().min(1, required).max(max, `${label} must be ${max} characters or fewer`)
const optionalText = (max: number, label: string) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), z.string().trim().max(max, `${label} must be ${max} characters or fewer`).optional())
const optionalUuid = (message: string) => z.preprocess((value) => (value === '' ? undefined : value), z.uuid({ error: message }).optional())

/** A real calendar date as YYYY-MM-DD (31 February and year 0000 are refused). */
export { isoDate }

export const caseInput = z.object({
  title: text('Enter a short title for the case', 200, 'Title'),
  type: z.enum(keys(CASE_TYPES), { error: 'Select the type of case' }),
  priority: z.enum(keys(CASE_PRIORITIES), { error: 'Select a priority' }).default('normal'),
  summary: optionalText(5000, 'Summary'),
  leadOfficerId: optionalUuid('Select a lead officer from the list'),
})
export type CaseInput = z.output<typeof caseInput>

export const caseChanges = caseInput.extend({ version: z.coerce.number({ error: 'Version is missing: reload the page' }).int().positive() })
export type CaseChanges = z.output<typeof caseChanges>

export const statusInput = z.object({
  status: z.enum(['open', 'in_progress', 'review'], { error: 'Select the new status' }),
  version: z.coerce.number({ error: 'Version is missing: reload the page' }).int().positive(),
})

export const closeInput = z.object({
  outcome: z.enum(keys(CLOSURE_OUTCOMES), { error: 'Select the outcome' }),
  reason: text('Explain why the case can be closed', 5000, 'Reason'),
  satisfaction: z.enum(keys(SATISFACTION), { error: 'Select how satisfied the victim was, or that they could not be asked' }),
  version: z.coerce.number({ error: 'Version is missing: reload the page' }).int().positive(),
})
export type CloseInput = z.output<typeof closeInput>

export const reopenInput = z.object({
  reason: text('Explain why the case is being reopened', 5000, 'Reason'),
  version: z.coerce.number({ error: 'Version is missing: reload the page' }).int().positive(),
})

export const noteInput = z.object({
  body: text('Enter the note', 20000, 'Note'),
  restricted: z.preprocess((value) => value === true || value === 'true' || value === 'yes', z.boolean()).default(false),
})
export type NoteInput = z.output<typeof noteInput>

export const shareInput = z.object({
  organisationId: z.uuid({ error: 'Select the organisation to share the case with' }),
  access: z.enum(['read', 'contribute', 'full'], { error: 'Select what the organisation may do on the case' }).describe('read; contribute (read, and add notes, documents and incidents); full (full contributor)'),
  reason: text('Give the reason for sharing, for the record of information shared', 2000, 'Reason'),
})

export const taskInput = z.object({
  title: text('Enter what needs doing', 300, 'Task'),
  details: optionalText(5000, 'Details'),
  assignedTo: z.uuid({ error: 'Select the officer to do the task' }),
  dueOn: isoDate('Enter a real due date, for example 27 3 2027'),
})
export type TaskInput = z.output<typeof taskInput>

export const completeTaskInput = z.object({ outcome: optionalText(5000, 'Outcome') })

export const callbackInput = z.object({
  reached: z.preprocess((value) => (value === 'yes' ? true : value === 'no' ? false : value), z.boolean({ error: 'Select whether you spoke to them' })),
  satisfaction: z.preprocess((value) => (value === '' ? undefined : value), z.enum(['very_satisfied', 'satisfied', 'neither', 'dissatisfied', 'very_dissatisfied', 'declined'], { error: 'Select how satisfied they were' }).optional()),
  notes: optionalText(5000, 'Notes'),
})

export const caseListFilter = z.object({
  view: z.enum(['mine', 'all', 'review', 'high_risk']).default('all'),
  status: z.preprocess((value) => (value === '' ? undefined : value), z.enum(['open', 'in_progress', 'review', 'closed', 'live']).optional()),
  type: z.preprocess((value) => (value === '' ? undefined : value), z.enum(keys(CASE_TYPES)).optional()),
  q: optionalText(200, 'Search'),
  page: z.coerce.number().int().min(1).default(1),
})
export type CaseListFilter = z.output<typeof caseListFilter>

export const caseSummaryResponse = z.object({
  id: z.uuid(),
  reference: z.string(),
  title: z.string(),
  type: z.string(),
  status: z.string(),
  priority: z.string(),
  owningOrganisationId: z.uuid(),
  owningOrganisationName: z.string(),
  leadOfficerId: z.uuid().nullable(),
  leadOfficerName: z.string().nullable(),
  riskLevel: z.string().nullable(),
  highRisk: z.boolean(),
  reviewDate: z.string().nullable(),
  openedAt: z.date(),
  closedAt: z.date().nullable(),
  version: z.number(),
})

export const caseResponse = caseSummaryResponse.extend({
  summary: z.string().nullable(),
  closureOutcome: z.string().nullable(),
  closureReason: z.string().nullable(),
  victimSatisfaction: z.string().nullable(),
})
