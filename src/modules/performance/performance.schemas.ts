import { z } from 'zod'
import { CHOICES } from './performance.service.js'
import { MONTH_PATTERN } from './periods.js'

/** An empty field of a GET form means "not given". */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional())
const month = (message: string) => z.string().regex(MONTH_PATTERN, message)

export const periodQuery = z.object({
  area: z.string().max(20).default('all').describe("'all' for the whole partnership, an upper-tier council's or a district's ONS code"),
  period: z.enum(['month', 'quarter', 'year', 'ytd', 'custom'], { error: 'Choose a period' }).default('ytd').describe('month; quarter (financial: Q1 is April to June); year (financial, April to March); ytd (financial year to date); custom (from and to)'),
  month: optional(month('Enter the month like 2019-01')).describe('YYYY-MM: the month the period contains or, for ytd, ends at. Defaults to the latest month loaded'),
  from: optional(month('Enter the first month like 2018-10')).describe('YYYY-MM, for a custom period'),
  to: optional(month('Enter the last month like 2019-01')).describe('YYYY-MM, for a custom period'),
  compare: z.enum(['last_year', 'previous'], { error: 'Choose what to compare with' }).default('last_year').describe('last_year: the same period a year earlier; previous: the period of equal length just before'),
  force: optional(z.string().max(200)).describe('Only crimes reported by this force, e.g. British Transport Police'),
})

const crimeType = z.enum(CHOICES as [string, ...string[]], { error: 'Choose a crime type from the list' })

export const trendQuery = z.object({
  area: periodQuery.shape.area,
  crimeType: crimeType.default('All crime'),
  to: optional(month('Enter the last month like 2019-01')).describe('YYYY-MM, the last month of the five years; defaults to the latest month loaded'),
  force: periodQuery.shape.force,
})

export const topAreasQuery = periodQuery.extend({
  crimeType: crimeType.default('All crime'),
  level: z.enum(['ward', 'lsoa'], { error: 'Choose wards or LSOAs' }).default('ward'),
  sort: z.enum(['count', 'change'], { error: 'Choose how to rank the areas' }).default('count'),
})

export const mapQuery = periodQuery.extend({
  crimeType: crimeType.default('All crime'),
  view: z.enum(['areas', 'points'], { error: 'Choose a map view' }).default('areas'),
})

export const exportQuery = z.object({ format: z.enum(['csv', 'xlsx'], { error: 'Choose CSV or Excel' }).default('csv') })
export const reportQuery = periodQuery.extend({
  format: z.enum(['pdf', 'docx'], { error: 'Choose PDF or Word' }).default('pdf'),
  agendaItem: optional(z.string().trim().max(20, 'Enter an agenda item of 20 characters or fewer')).describe('Printed as "Agenda Item 7" at the top'),
  meetingName: optional(z.string().trim().max(200, 'Enter a meeting name of 200 characters or fewer')),
})

// ---- responses ----

export const area = z.object({ code: z.string(), name: z.string(), kind: z.enum(['partnership', 'county', 'district']), districtCodes: z.array(z.string()) })
export const period = z.object({ kind: z.enum(['month', 'quarter', 'year', 'ytd', 'custom']), from: z.string(), to: z.string(), label: z.string(), months: z.number() })
export const figureRow = z.object({
  crimeType: z.string(),
  source: z.enum(['police', 'cases']),
  label: z.string(),
  current: z.number().int(),
  previous: z.number().int().nullable().describe('Null when the comparison period has months with no data loaded'),
  change: z.number().int().nullable(),
  percentChange: z.number().nullable().describe('One decimal place; null with no comparison or a comparison of 0'),
  notMeaningful: z.boolean().describe('The comparison count is under 10: the percentage says little'),
  direction: z.enum(['up', 'down', 'same']).nullable(),
})
export const dashboard = z.object({
  area,
  period,
  comparison: period,
  compare: z.enum(['last_year', 'previous']),
  force: z.string().nullable(),
  crimeTypes: z.array(figureRow),
  allCrime: figureRow,
  asb: z.object({ police: figureRow, cases: figureRow }).describe('Police-recorded ASB and ASB incidents in partner case records: separate sources, never added together'),
  noLocation: z.number().int().describe('Crimes the force reported with no location, not in any district (whole partnership only)'),
  missingMonths: z.array(z.string()).describe('Months of the period chosen with no police.uk data; the period counted is then the months loaded, compared with the same months'),
  missingComparisonMonths: z.array(z.string()),
  notCompared: z.string().nullable().describe('Why police.uk figures are not compared, or null when they are'),
  warnings: z.array(z.string()).describe('What a reader must know before reading the figures, in words'),
  forces: z.array(z.string()),
  sources: z.array(z.string()),
})
export const trend = z.object({
  area,
  crimeType: z.string(),
  source: z.enum(['police', 'cases']),
  from: z.string(),
  to: z.string(),
  points: z.array(z.object({ month: z.string(), count: z.number().int() })).describe('Months with police.uk data loaded (gaps left out)'),
  highest: z.object({ month: z.string(), count: z.number().int() }).nullable(),
  highestText: z.string(),
})
export const topAreaRow = z.object({
  code: z.string(),
  name: z.string(),
  kind: z.enum(['lsoa', 'ward']),
  districtName: z.string(),
  current: z.number().int(),
  previous: z.number().int().nullable(),
  change: z.number().int().nullable(),
  percentChange: z.number().nullable(),
  notMeaningful: z.boolean(),
})
export const topAreas = z.object({ area, period, comparison: period, notCompared: z.string().nullable(), warnings: z.array(z.string()), crimeType: z.string(), level: z.enum(['lsoa', 'ward']), sort: z.enum(['count', 'change']), rows: z.array(topAreaRow) })
export const hotspotMap = z.object({
  area,
  crimeType: z.string().nullable(),
  period,
  lsoas: z.array(z.object({ code: z.string(), name: z.string(), count: z.number().int() })).describe('Every LSOA of the area with its count (boundaries are not included)'),
  points: z.array(z.object({ longitude: z.number(), latitude: z.number(), count: z.number().int() })).describe('police.uk snap points with how many crimes each'),
  notDrawn: z.number().int().describe('Crimes coded to LSOAs of the other boundary vintage (2011 or 2021), so not in lsoas'),
})
export const areasResponse = z.object({ areas: z.array(area), months: z.array(z.string()), forces: z.array(z.string()), crimeTypes: z.array(z.string()) })
