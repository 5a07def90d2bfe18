import { z } from 'zod'
import { isoDate as realDate } from '../../platform/http/date-input.js'
import { BREACH_ACTIONS, SETTABLE_STATUSES } from './interventions.rules.js'

const isoDate = realDate('Dates must be real dates in the format YYYY-MM-DD, between 1900 and 2100')
const optionalText = (label: string, max = 5000) => z.string().trim().max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`).optional().nullable()

export const interventionInput = z.object({
  typeCode: z.string().min(1).describe('An intervention type code from GET /api/v1/intervention-types'),
  personId: z.uuid().optional().nullable().describe('Someone on the case; optional for premises-based types (closure notice, closure order)'),
  premisesAddress: optionalText('Premises address', 500).describe('For closure notices and orders'),
  issuedOn: isoDate,
  expiresOn: isoDate.optional().nullable().describe("Defaults to the issue date plus the type's default duration"),
  reviewOn: isoDate.optional().nullable(),
  prohibitions: optionalText('Prohibitions'),
  requirements: optionalText('Requirements'),
  powerOfArrest: z.boolean().optional(),
  court: optionalText('Court', 200),
  notes: optionalText('Notes'),
})
export type InterventionInput = z.output<typeof interventionInput>

export const breachInput = z.object({
  breachedOn: isoDate,
  description: z.string().trim().min(1, 'Describe the breach').max(5000),
  action: z.enum(Object.keys(BREACH_ACTIONS) as [keyof typeof BREACH_ACTIONS]),
  fixedPenaltyPence: z.number().int().positive().optional().nullable().describe("For a fixed penalty: defaults to the type's fixed penalty"),
})
export type BreachInput = z.output<typeof breachInput>

export const statusInput = z.object({ status: z.enum(SETTABLE_STATUSES, { error: 'Select a new status' }) })

// ---- pages ----

const dateField = (missing: string, label: string) =>
  z
    .string()
    .min(1, missing)
    .refine((value) => value !== 'invalid', `${label} must be a real date`)
const optionalDateField = (label: string) =>
  z
    .string()
    .refine((value) => value !== 'invalid', `${label} must be a real date`)
    .transform((value) => value || null)
const optionalFormText = (label: string, max = 5000) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`)
    .optional()
    .transform((value) => value || null)

export const interventionForm = z.object({
  personId: z
    .string()
    .optional()
    .transform((value) => value || null),
  premisesAddress: optionalFormText('Premises address', 500),
  issuedOn: dateField('Enter the date it was issued', 'Date issued'),
  expiresOn: optionalDateField('Expiry date'),
  reviewOn: optionalDateField('Review date'),
  prohibitions: optionalFormText('Prohibitions'),
  requirements: optionalFormText('Requirements'),
  powerOfArrest: z
    .string()
    .optional()
    .transform((value) => value === 'yes'),
  court: optionalFormText('Court', 200),
  notes: optionalFormText('Notes'),
})

export const breachForm = z.object({
  breachedOn: dateField('Enter the date of the breach', 'Date of the breach'),
  description: z.string({ error: 'Describe the breach' }).trim().min(1, 'Describe the breach').max(5000, 'Description must be 5,000 characters or fewer'),
  action: z.enum(Object.keys(BREACH_ACTIONS) as [keyof typeof BREACH_ACTIONS], { error: 'Select the action taken' }),
  fixedPenalty: z.string().optional(),
})

// ---- API responses ----

export const interventionTypeResponse = z.object({
  code: z.string(),
  label: z.string(),
  stage: z.string(),
  stageOrder: z.number().int(),
  legalBasis: z.string().nullable(),
  minAge: z.number().int().nullable(),
  defaultDurationDays: z.number().int().nullable(),
  maxDurationDays: z.number().int().nullable(),
  fixedPenaltyPence: z.number().int().nullable(),
  requiresCode: z.string().nullable(),
})

const breachResponse = z.object({ id: z.uuid(), breachedOn: z.string(), description: z.string(), action: z.string(), fixedPenaltyPence: z.number().int().nullable() })

const interventionResponse = z.object({
  id: z.uuid(),
  personId: z.uuid().nullable(),
  typeCode: z.string(),
  typeLabel: z.string(),
  stage: z.string(),
  status: z.string(),
  issuedOn: z.string(),
  expiresOn: z.string().nullable(),
  reviewOn: z.string().nullable(),
  prohibitions: z.string().nullable(),
  requirements: z.string().nullable(),
  powerOfArrest: z.boolean(),
  court: z.string().nullable(),
  premisesAddress: z.string().nullable(),
  notes: z.string().nullable(),
  officerName: z.string(),
  organisationName: z.string(),
  breaches: z.array(breachResponse),
})

const ladderResponse = z.object({
  highestStage: z.string().nullable().describe('Where the person is on the ladder'),
  stages: z.array(z.object({ code: z.string(), label: z.string(), state: z.enum(['reached', 'current', 'not_reached']) })),
})

export const caseInterventionsResponse = z.object({
  people: z.array(z.object({ personId: z.uuid(), name: z.string(), roles: z.array(z.string()), ladder: ladderResponse, interventions: z.array(interventionResponse) })),
  premises: z.array(interventionResponse).describe('Interventions against premises rather than a person'),
})

export const recordedInterventionResponse = interventionResponse
export const recordedBreachResponse = breachResponse.extend({ interventionId: z.uuid() })
