import { z } from 'zod'
import { isRealDate as isRealIsoDate } from '../../platform/dates.js'
import { isoDate, isoDateTime as realDateTime } from '../../platform/http/date-input.js'
import { asArray } from '../../platform/http/forms.js'

export const CHANNELS = {
  phone: 'Phone',
  online: 'Online',
  in_person: 'In person',
  email: 'Email',
  police_referral: 'Referral from the police',
  partner_referral: 'Referral from a partner',
} as const

export const HATE_STRANDS = {
  race: 'Race',
  religion: 'Religion or belief',
  sexual_orientation: 'Sexual orientation',
  disability: 'Disability',
  transgender: 'Transgender identity',
  alternative_subculture: 'Alternative subculture',
} as const

export const CATEGORIES = { personal: 'Personal', nuisance: 'Nuisance', environmental: 'Environmental' } as const

export const INCIDENT_PAGE_SIZE = 50

export const MESSAGES = {
  occurredAfterReported: 'The date it happened must be the same as or before the date it was reported',
  occurredInFuture: 'The date it happened must be today or in the past',
  reportedInFuture: 'The date it was reported must be today or in the past',
  type: 'Select the type of incident',
  hateStrand: 'Select the kind of hate it was motivated by',
  location: 'Enter the address or describe where it happened',
  coordinates: 'Enter both latitude and longitude, or neither',
} as const

const keys = <T extends Record<string, string>>(labels: T) => Object.keys(labels) as [keyof T & string, ...(keyof T & string)[]]
const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)
const optionalText = (max: number, label: string) => z.preprocess(blankToUndefined, z.string().trim().max(max, `${label} must be ${max} characters or fewer`).optional())
const optionalUuid = (message: string) => z.preprocess(blankToUndefined, z.uuid({ error: message }).optional())
const optionalNumber = (min: number, max: number, message: string) =>
  z.preprocess((value) => {
    const blank = blankToUndefined(value)
    return typeof blank === 'string' ? Number(blank.trim()) : blank
  }, z.number({ error: message }).min(min, message).max(max, message).optional())

const UK_POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/i

/** Postcodes are stored in capitals with one space before the last three characters (LE1 5YA). */
export function normalisePostcode(postcode: string): string {
  const compact = postcode.replace(/\s+/g, '').toUpperCase()
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`
}

const postcode = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .regex(UK_POSTCODE, 'Enter a real postcode, like LE1 5YA')
    .transform(normalisePostcode)
    .optional(),
)

// ---- UK local time: forms are in the time on the officer's clock, the database holds instants ----

const londonParts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })

/** Day, month, year and HH:MM of an instant, in UK time. */
export function ukParts(date: Date) {
  const part = Object.fromEntries(londonParts.formatToParts(date).map(({ type, value }) => [type, value]))
  return { day: part.day!, month: part.month!, year: part.year!, time: `${part.hour}:${part.minute}` }
}

/** The instant of a wall-clock time in the UK (GMT or BST). */
export function ukInstant(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute)
  const offsetAt = (instant: number) => {
    const p = ukParts(new Date(instant))
    const [h, m] = p.time.split(':').map(Number)
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), h, m) - instant
  }
  const first = wall - offsetAt(wall)
  return new Date(wall - offsetAt(first))
}

/** The start of a calendar date (YYYY-MM-DD) in UK time. */
export function ukStartOfDay(isoDate: string): Date {
  const [year, month, day] = isoDate.split('-').map(Number)
  return ukInstant(year!, month!, day!)
}

const isRealDate = (year: number, month: number, day: number) => isRealIsoDate(`${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`)

type DateField = 'occurred' | 'reported'
const DATE_WORDS: Record<DateField, string> = { occurred: 'the date it happened', reported: 'the date it was reported' }
const TIME_WORDS: Record<DateField, string> = { occurred: 'the time it happened', reported: 'the time it was reported' }

/** A GOV.UK date input (field-day, field-month, field-year), gathered by incidentFormBody. */
const dateParts = (field: DateField) =>
  z.object({ day: z.string(), month: z.string(), year: z.string() }).transform((parts, ctx) => {
    const [day, month, year] = [parts.day.trim(), parts.month.trim(), parts.year.trim()]
    const words = DATE_WORDS[field]
    const sentence = words.charAt(0).toUpperCase() + words.slice(1)
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message })
      return z.NEVER
    }
    if (!day && !month && !year) return fail(`Enter ${words}`)
    const missing = (
      [
        ['a day', day],
        ['a month', month],
        ['a year', year],
      ] as const
    )
      .filter(([, value]) => !value)
      .map(([name]) => name)
    if (missing.length) return fail(`${sentence} must include ${missing.join(' and ')}`)
    if (![day, month, year].every((value) => /^\d+$/.test(value)) || year.length !== 4 || !isRealDate(Number(year), Number(month), Number(day))) return fail(`${sentence} must be a real date`)
    return { year: Number(year), month: Number(month), day: Number(day) }
  })

const timeOfDay = (field: DateField) =>
  z.string().transform((value, ctx) => {
    const time = value.trim()
    const match = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/.exec(time)
    if (!match) {
      ctx.addIssue({ code: 'custom', message: time ? `Enter ${TIME_WORDS[field]} in 24-hour format, like 14:30` : `Enter ${TIME_WORDS[field]}` })
      return z.NEVER
    }
    return { hour: Number(match[1]), minute: Number(match[2]) }
  })

/** Rules across fields, the same for the form and the API: dates in order and not in the future, strands for hate. */
function checkIncident(value: { occurredAt: Date; reportedAt: Date; hateMotivated: boolean; hateStrands: string[] }, ctx: z.RefinementCtx, fields: { occurred: string; reported: string }) {
  // A minute's grace, so "now" typed on a slow form is not "the future".
  const now = Date.now() + 60_000
  if (value.occurredAt.getTime() > now) ctx.addIssue({ code: 'custom', path: [fields.occurred], message: MESSAGES.occurredInFuture })
  else if (value.occurredAt > value.reportedAt) ctx.addIssue({ code: 'custom', path: [fields.occurred], message: MESSAGES.occurredAfterReported })
  if (value.reportedAt.getTime() > now) ctx.addIssue({ code: 'custom', path: [fields.reported], message: MESSAGES.reportedInFuture })
  if (value.hateMotivated && value.hateStrands.length === 0) ctx.addIssue({ code: 'custom', path: ['hateStrands'], message: MESSAGES.hateStrand })
}

const commonFields = {
  channel: z.enum(keys(CHANNELS), { error: 'Select how it was reported' }),
  typeCode: z.string({ error: MESSAGES.type }).trim().min(1, MESSAGES.type),
  description: z.string({ error: 'Describe what happened' }).trim().min(1, 'Describe what happened').max(10_000, 'Description must be 10,000 characters or fewer'),
  address: optionalText(500, 'Address'),
  postcode,
  locationText: optionalText(500, 'Location'),
  latitude: optionalNumber(-90, 90, 'Latitude must be a number between -90 and 90'),
  longitude: optionalNumber(-180, 180, 'Longitude must be a number between -180 and 180'),
  reportingPersonId: optionalUuid('Select the person who reported it'),
  caseId: optionalUuid('Case not found'),
}

function checkLocation(value: { address?: string; locationText?: string; latitude?: number; longitude?: number }, ctx: z.RefinementCtx) {
  if (!value.address && !value.locationText) ctx.addIssue({ code: 'custom', path: ['address'], message: MESSAGES.location })
  if ((value.latitude === undefined) !== (value.longitude === undefined)) ctx.addIssue({ code: 'custom', path: ['latitude'], message: MESSAGES.coordinates })
}

const hateStrand = z.enum(keys(HATE_STRANDS), { error: MESSAGES.hateStrand })

/** What the service records, whichever way it came in. */
export interface IncidentInput {
  occurredAt: Date
  reportedAt: Date
  channel: keyof typeof CHANNELS
  typeCode: string
  hateMotivated: boolean
  hateStrands: (keyof typeof HATE_STRANDS)[]
  description: string
  address?: string
  postcode?: string
  locationText?: string
  latitude?: number
  longitude?: number
  reportingPersonId?: string
  caseId?: string
}

/** The record-an-incident form, as posted (after incidentFormBody). */
export const incidentForm = z
  .object({
    ...commonFields,
    occurred: dateParts('occurred'),
    occurredTime: timeOfDay('occurred'),
    reported: dateParts('reported'),
    reportedTime: timeOfDay('reported'),
    hateMotivated: z.enum(['yes', 'no'], { error: 'Select yes if the incident was motivated by hate' }),
    hateStrands: z.preprocess(asArray, z.array(hateStrand)),
  })
  .transform((value, ctx): IncidentInput => {
    const { occurred, occurredTime, reported, reportedTime, ...rest } = value
    const occurredAt = ukInstant(occurred.year, occurred.month, occurred.day, occurredTime.hour, occurredTime.minute)
    const reportedAt = ukInstant(reported.year, reported.month, reported.day, reportedTime.hour, reportedTime.minute)
    const hateMotivated = value.hateMotivated === 'yes'
    const input = { ...rest, occurredAt, reportedAt, hateMotivated, hateStrands: hateMotivated ? value.hateStrands : [] }
    checkLocation(input, ctx)
    checkIncident(input, ctx, { occurred: 'occurred', reported: 'reported' })
    return input
  })

/** Gathers the date inputs' parts (occurred-day, ...) into one value per date. */
export function incidentFormBody(body: Record<string, unknown>) {
  const parts = (field: DateField) => ({ day: String(body[`${field}-day`] ?? ''), month: String(body[`${field}-month`] ?? ''), year: String(body[`${field}-year`] ?? '') })
  return { ...body, occurred: parts('occurred'), reported: parts('reported'), occurredTime: String(body.occurredTime ?? ''), reportedTime: String(body.reportedTime ?? '') }
}

/** A real date and time with its offset, like 2026-03-27T21:30:00Z (zod refuses 31 February). */
const isoDateTime = (field: string) => realDateTime(`${field} must be a real date and time in ISO 8601, like 2026-03-27T21:30:00Z, between 1900 and 2100`)

/** POST /api/v1/incidents. */
export const incidentApiInput = z
  .object({
    ...commonFields,
    occurredAt: isoDateTime('occurredAt'),
    reportedAt: isoDateTime('reportedAt').optional(),
    hateMotivated: z.boolean().default(false),
    hateStrands: z.array(hateStrand).default([]),
  })
  .transform((value, ctx): IncidentInput => {
    const input = { ...value, reportedAt: value.reportedAt ?? new Date(), hateStrands: value.hateMotivated ? value.hateStrands : [] }
    checkLocation(input, ctx)
    checkIncident(input, ctx, { occurred: 'occurredAt', reported: 'reportedAt' })
    return input
  })

const isoDateFilter = z.preprocess(blankToUndefined, isoDate('Enter dates as YYYY-MM-DD, between 1900 and 2100').optional())

/** Filters for the list page and the API; unknown values are ignored on the page and refused by the API. */
export const incidentFilters = z.object({
  type: z.preprocess(blankToUndefined, z.string().max(100).optional()),
  category: z.preprocess(blankToUndefined, z.enum(keys(CATEGORIES)).optional()),
  hateMotivated: z.preprocess(blankToUndefined, z.enum(['yes', 'no']).optional()),
  from: isoDateFilter,
  to: isoDateFilter,
  page: z.coerce.number().int().min(1).default(1),
})
export type IncidentFilters = z.output<typeof incidentFilters>

export const linkInput = z.object({ caseId: z.uuid({ error: 'Case not found' }) })

export const incidentResponse = z.object({
  id: z.uuid(),
  reference: z.string(),
  occurredAt: z.date(),
  reportedAt: z.date(),
  channel: z.string(),
  typeCode: z.string(),
  typeLabel: z.string(),
  category: z.string(),
  hateMotivated: z.boolean(),
  hateStrands: z.array(z.string()),
  description: z.string(),
  locationId: z.uuid().nullable(),
  address: z.string().nullable(),
  postcode: z.string().nullable(),
  locationText: z.string().nullable(),
  districtCode: z.string().nullable(),
  wardName: z.string().nullable(),
  reportingPersonId: z.uuid().nullable(),
  caseId: z.uuid().nullable(),
  caseReference: z.string().nullable(),
  organisationId: z.uuid(),
  organisationName: z.string(),
  createdAt: z.date(),
})

export const incidentSummaryResponse = incidentResponse.omit({ description: true, channel: true, reportingPersonId: true, organisationName: true, createdAt: true })

export const incidentPageResponse = z.object({ items: z.array(incidentSummaryResponse), total: z.number().int(), page: z.number().int(), pages: z.number().int() })

export const incidentTypeResponse = z.object({ code: z.string(), label: z.string(), category: z.string() })
