import { z } from 'zod'
import { EARLIEST_DATE, isRealDate, todayInLondon } from '../../platform/dates.js'

export const PERSON_ROLES = { victim: 'Victim', perpetrator: 'Perpetrator', witness: 'Witness', other: 'Other' } as const
export type PersonRole = keyof typeof PERSON_ROLES
const roleKeys = Object.keys(PERSON_ROLES) as [PersonRole, ...PersonRole[]]

export const SENSITIVE_REASON_MESSAGE = 'Give the reason for recording this sensitive information'
export const DUPLICATE_MESSAGE = 'This person may already be recorded. Check the people listed, or confirm that none of them is the same person.'

/** What the service works with, from the page form or the API. */
export interface PersonInput {
  givenNames: string
  familyName: string
  aliases: string[]
  dateOfBirth: string | null
  phone: string | null
  email: string | null
  address: string | null
  postcode: string | null
  vulnerable: boolean
  riskToStaff: boolean
  vulnerabilities: string | null
  protectedCharacteristics: string | null
  sensitiveReason: string | null
}

const blankToNull = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? null : value)
const requiredText = (message: string, max: number, label: string) => z.string({ error: message }).trim().min(1, message).max(max, `${label} must be ${max} characters or fewer`)
const optionalText = (max: number, label: string) =>
  z.preprocess(blankToNull, z.string().trim().max(max, `${label} must be ${max} characters or fewer`).nullable().optional()).transform((value) => value ?? null)

const POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$/i
const postcode = z
  .preprocess(blankToNull, z.string().trim().regex(POSTCODE, 'Enter a real postcode, like LE1 6ZG').nullable().optional())
  .transform((value) => (value ? value.toUpperCase().replace(/\s+/g, '').replace(/(\d[A-Z]{2})$/, ' $1') : null))
const email = z
  .preprocess(blankToNull, z.string().trim().max(320, 'Email address must be 320 characters or fewer').pipe(z.email('Enter an email address in the correct format, like name@example.com')).nullable().optional())
  .transform((value) => value ?? null)

/** A real calendar date as YYYY-MM-DD, not in the future. */
export function dateOfBirthProblem(value: string): string | null {
  if (value < EARLIEST_DATE) return 'Date of birth must be after 1900'
  if (!isRealDate(value)) return 'Date of birth must be a real date'
  if (value > todayInLondon()) return 'Date of birth must be in the past'
  return null
}

const personFields = {
  givenNames: requiredText('Enter their given names', 200, 'Given names'),
  familyName: requiredText('Enter their family name', 200, 'Family name'),
  phone: optionalText(50, 'Phone number'),
  email,
  address: optionalText(500, 'Address'),
  postcode,
  vulnerabilities: optionalText(2000, 'Vulnerabilities'),
  protectedCharacteristics: optionalText(2000, 'Protected characteristics'),
  sensitiveReason: optionalText(2000, 'Reason'),
}

function crossFieldRules(value: { address: string | null; postcode: string | null; vulnerabilities: string | null; protectedCharacteristics: string | null; sensitiveReason: string | null }, ctx: z.RefinementCtx) {
  if (value.postcode && !value.address) ctx.addIssue({ code: 'custom', path: ['address'], message: 'Enter the address as well as the postcode' })
  if ((value.vulnerabilities || value.protectedCharacteristics) && !value.sensitiveReason) ctx.addIssue({ code: 'custom', path: ['sensitiveReason'], message: SENSITIVE_REASON_MESSAGE })
}


/** The page form: aliases comma-separated, date of birth in three boxes, checkboxes as 'yes'. */
export const personForm = z
  .object({
    ...personFields,
    aliases: z
      .preprocess((value) => (typeof value === 'string' ? value : ''), z.string().max(1000, 'Other names must be 1000 characters or fewer'))
      .transform((value) => splitAliases(value)),
    'dateOfBirth-day': z.string().trim().optional().default(''),
    'dateOfBirth-month': z.string().trim().optional().default(''),
    'dateOfBirth-year': z.string().trim().optional().default(''),
    flags: z.preprocess((value) => (value === undefined || value === '' ? [] : [value].flat()), z.array(z.enum(['vulnerable', 'riskToStaff']))),
  })
  .superRefine((value, ctx) => {
    const parts = { day: value['dateOfBirth-day'], month: value['dateOfBirth-month'], year: value['dateOfBirth-year'] }
    const given = Object.entries(parts).filter(([, part]) => part !== '')
    if (given.length > 0 && given.length < 3) {
      const missing = Object.entries(parts).filter(([, part]) => part === '').map(([name]) => name)
      ctx.addIssue({ code: 'custom', path: [`dateOfBirth-${missing[0]}`], message: `Date of birth must include a ${missing.join(' and ')}` })
    } else if (given.length === 3) {
      const problem = /^\d{1,2}$/.test(parts.day) && /^\d{1,2}$/.test(parts.month) && /^\d{4}$/.test(parts.year) ? dateOfBirthProblem(isoFromParts(parts)) : 'Date of birth must be a real date'
      if (problem) ctx.addIssue({ code: 'custom', path: ['dateOfBirth-day'], message: problem })
    }
    crossFieldRules(value, ctx)
  })
  .transform(
    (value): PersonInput => ({
      givenNames: value.givenNames,
      familyName: value.familyName,
      aliases: value.aliases,
      dateOfBirth: value['dateOfBirth-year'] ? isoFromParts({ day: value['dateOfBirth-day'], month: value['dateOfBirth-month'], year: value['dateOfBirth-year'] }) : null,
      phone: value.phone,
      email: value.email,
      address: value.address,
      postcode: value.postcode,
      vulnerable: value.flags.includes('vulnerable'),
      riskToStaff: value.flags.includes('riskToStaff'),
      vulnerabilities: value.vulnerabilities,
      protectedCharacteristics: value.protectedCharacteristics,
      sensitiveReason: value.sensitiveReason,
    }),
  )

function isoFromParts(parts: { day: string; month: string; year: string }) {
  return `${parts.year.padStart(4, '0')}-${parts.month.padStart(2, '0')}-${parts.day.padStart(2, '0')}`
}

export function splitAliases(value: string): string[] {
  const seen = new Set<string>()
  const aliases: string[] = []
  for (const alias of value.split(',').map((part) => part.trim().replace(/\s+/g, ' '))) {
    if (alias && !seen.has(alias.toLowerCase())) {
      seen.add(alias.toLowerCase())
      aliases.push(alias)
    }
  }
  return aliases
}

/** Form values for a stored person, for the edit page. */
export function formValuesOf(person: PersonInput & { version: number }): Record<string, unknown> {
  const [year, month, day] = person.dateOfBirth ? person.dateOfBirth.split('-') : ['', '', '']
  return {
    ...person,
    aliases: person.aliases.join(', '),
    'dateOfBirth-day': day ? String(Number(day)) : '',
    'dateOfBirth-month': month ? String(Number(month)) : '',
    'dateOfBirth-year': year ?? '',
    flags: [...(person.vulnerable ? ['vulnerable'] : []), ...(person.riskToStaff ? ['riskToStaff'] : [])],
  }
}

export const roleForm = z.object({
  role: z.enum(roleKeys, { error: 'Select their role in the case' }),
  roleDetail: optionalText(200, 'Role detail'),
})

/** Removing someone from a case: their role there, and why (kept on the case timeline). */
export const removeFromCaseInput = z.object({
  role: z.enum(roleKeys, { error: 'Select their role in the case' }),
  reason: z
    .string({ error: 'Give the reason for removing them from the case' })
    .trim()
    .min(1, 'Give the reason for removing them from the case')
    .max(2000, 'Reason must be 2000 characters or fewer'),
})

// ---- API ----

const apiDate = z.iso.date('Date of birth must be a real date in the format YYYY-MM-DD')

const apiPersonObject = z.object({
  ...personFields,
  aliases: z.array(z.string().trim().min(1).max(200)).max(50).default([]),
  dateOfBirth: apiDate.nullable().optional().transform((value) => value ?? null),
  vulnerable: z.boolean().default(false),
  riskToStaff: z.boolean().default(false),
})

export const personApiInput = apiPersonObject
  .extend({ confirmNotDuplicate: z.boolean().optional().describe('Save even though likely duplicates were found') })
  .superRefine(crossFieldRules)

export const personApiChanges = apiPersonObject.partial().extend({ version: z.number().int().positive().describe('The version you read: a stale version is refused with 409') })

export const personSummaryResponse = z.object({
  id: z.uuid(),
  givenNames: z.string(),
  familyName: z.string(),
  aliases: z.array(z.string()),
  dateOfBirth: z.string().nullable(),
  address: z.string().nullable(),
  postcode: z.string().nullable(),
})

export const personResponse = z.object({
  id: z.uuid(),
  givenNames: z.string(),
  familyName: z.string(),
  aliases: z.array(z.string()),
  dateOfBirth: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  address: z.string().nullable(),
  postcode: z.string().nullable(),
  vulnerable: z.boolean(),
  riskToStaff: z.boolean(),
  repeatVictim: z.boolean(),
  sensitiveVisible: z.boolean().describe('Whether your organisation has recorded sensitive details about this person. Only the organisation that recorded them sees them; when false the sensitive fields are null'),
  vulnerabilities: z.string().nullable().describe('As recorded by your organisation'),
  protectedCharacteristics: z.string().nullable().describe('As recorded by your organisation'),
  sensitiveReason: z.string().nullable().describe('Why your organisation recorded the sensitive details'),
  sensitiveRecordedBy: z
    .object({ organisation: z.string(), recordedBy: z.string().nullable(), recordedAt: z.date(), updatedBy: z.string().nullable(), updatedAt: z.date() })
    .nullable()
    .describe('Who in your organisation recorded the sensitive details, and when'),
  version: z.number().int(),
  addresses: z.array(z.object({ address: z.string(), postcode: z.string().nullable(), fromDate: z.string().nullable(), toDate: z.string().nullable() })),
  cases: z.array(z.object({ id: z.uuid(), reference: z.string(), title: z.string(), status: z.string(), role: z.string(), roleDetail: z.string().nullable(), owningOrganisation: z.string() })),
  incidents: z.array(z.object({ id: z.uuid(), reference: z.string(), occurredAt: z.date(), type: z.string(), caseReference: z.string().nullable() })),
})

export const duplicateResponse = z.object({
  statusCode: z.literal(409),
  error: z.string(),
  message: z.string(),
  duplicateIds: z.array(z.uuid()),
})
