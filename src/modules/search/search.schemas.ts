import { z } from 'zod'
import { isRealDate, todayInLondon } from '../../platform/dates.js'
import { personSummaryResponse } from '../people/people.schemas.js'

/** Each section shows this many; one more is fetched to know whether there are more. */
export const SECTION_SIZE = 10

export const MESSAGES = {
  qMissing: 'Enter a reference, name, address, postcode or words to search for',
  qShort: 'Search term must be 2 characters or more',
  qLong: 'Search term must be 200 characters or fewer',
  dateOfBirth: 'Date of birth must be a real date in the past',
} as const

const q = z.preprocess(
  (value) => (typeof value === 'string' ? value.trim().replace(/\s+/g, ' ') : value),
  z.string({ error: MESSAGES.qMissing }).min(1, MESSAGES.qMissing).min(2, MESSAGES.qShort).max(200, MESSAGES.qLong),
)
const dateOfBirth = z
  .string()
  .refine((value) => /^\d{4}-\d{2}-\d{2}$/.test(value) && isRealDate(value) && value <= todayInLondon(), MESSAGES.dateOfBirth)
  .optional()

/** The search page's and the API's query. The page joins its three date of birth boxes into YYYY-MM-DD first. */
export const searchQuery = z.object({
  q: q.describe('A case or incident reference (ASB-2026-000123, INC-2026-000045), a name, words of a case title or incident description, an address or a postcode. 2 to 200 characters.'),
  dateOfBirth: z.preprocess((value) => (value === '' ? undefined : value), dateOfBirth).describe('Narrows the people found to this date of birth (YYYY-MM-DD).'),
})
export type SearchQuery = z.output<typeof searchQuery>

const section = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    more: z.boolean().describe(`True when there are more than the first ${SECTION_SIZE} shown`),
  })

export const caseHitResponse = z.object({
  id: z.uuid(),
  reference: z.string(),
  title: z.string(),
  type: z.string(),
  status: z.string(),
  openedAt: z.date(),
  owningOrganisationName: z.string(),
})

export const incidentHitResponse = z.object({
  id: z.uuid(),
  reference: z.string(),
  occurredAt: z.date(),
  typeLabel: z.string(),
  category: z.string(),
  address: z.string().nullable(),
  postcode: z.string().nullable(),
  locationText: z.string().nullable(),
  caseId: z.uuid().nullable(),
  caseReference: z.string().nullable(),
})

export const locationHitResponse = z.object({
  id: z.uuid(),
  address: z.string(),
  postcode: z.string().nullable(),
  wardName: z.string().nullable(),
})

export const searchResponse = z.object({
  cases: section(caseHitResponse),
  people: section(personSummaryResponse),
  incidents: section(incidentHitResponse),
  locations: section(locationHitResponse),
  exactMatch: z
    .object({ type: z.enum(['case', 'incident']), id: z.uuid(), href: z.string() })
    .nullable()
    .describe('The case or incident whose reference was typed in full, when the user may see it'),
})
export type SearchResults = z.output<typeof searchResponse>
