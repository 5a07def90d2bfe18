import { monthIndex as index, monthLabel, monthOfIndex as fromIndex } from '../../platform/dates.js'
import { RuleError } from '../../platform/http/errors.js'
import type { Comparison, Period, PeriodKind } from './performance.types.js'

/**
 * Reporting periods as the boards use them: a month, a financial quarter (Q1 is April to June), a financial year
 * (April to March), the financial year to date, or a custom range of months. Months are 'YYYY-MM'.
 */

// Years 2000 to 2099: police.uk data starts in December 2010, and a year such as 0005 is a typing slip.
export const MONTH_PATTERN = /^20\d{2}-(0[1-9]|1[0-2])$/

export function addMonths(month: string, count: number): string {
  return fromIndex(index(month) + count)
}

export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = []
  for (let at = index(from); at <= index(to); at++) months.push(fromIndex(at))
  return months
}

// The month's names live with the other calendar formats; the performance module reads them from here.
export { monthLabel } from '../../platform/dates.js'

/** The financial year a month falls in, by its starting year: January 2019 is in 2018/19. */
const financialYearStart = (month: string) => Number(month.slice(0, 4)) - (Number(month.slice(5, 7)) < 4 ? 1 : 0)
const financialYearLabel = (startYear: number) => `${startYear}/${String((startYear + 1) % 100).padStart(2, '0')}`

const rangeLabel = (from: string, to: string) => (from === to ? monthLabel(from) : `${monthLabel(from)} to ${monthLabel(to)}`)

/** A period's own name without its months ("Quarter 4 2018/19", "2018/19 to date"), or null for a month or range. */
function nameOf(kind: PeriodKind, from: string): string | null {
  const startYear = financialYearStart(from)
  if (kind === 'quarter') return `Quarter ${Math.floor(((Number(from.slice(5, 7)) - 4 + 12) % 12) / 3) + 1} ${financialYearLabel(startYear)}`
  if (kind === 'year') return financialYearLabel(startYear)
  if (kind === 'ytd') return `${financialYearLabel(startYear)} to date`
  return null
}

function make(kind: PeriodKind, from: string, to: string): Period {
  const name = nameOf(kind, from)
  const range = rangeLabel(from, to)
  return { kind, from, to, label: name ? `${name} (${range})` : range, months: index(to) - index(from) + 1 }
}

/**
 * Some months of a period, labelled as such: "January 2019 to February 2019, the months loaded of Quarter 4 2018/19".
 * A quarter still under way is counted over its loaded months and compared with the same months a year earlier.
 */
export function partOf(period: Period, from: string, to: string, which: 'the months loaded of' | 'the same months of'): Period {
  const whole = nameOf(period.kind, period.from) ?? rangeLabel(period.from, period.to)
  return { kind: period.kind, from, to, label: `${rangeLabel(from, to)}, ${which} ${whole}`, months: index(to) - index(from) + 1 }
}

/** The period of the given kind that contains (or, for the year to date, ends at) the month. */
export function periodOf(kind: PeriodKind, month: string, custom?: { from?: string; to?: string }): Period {
  switch (kind) {
    case 'month':
      return make('month', month, month)
    case 'quarter': {
      const offset = (Number(month.slice(5, 7)) - 4 + 12) % 3
      const from = addMonths(month, -offset)
      return make('quarter', from, addMonths(from, 2))
    }
    case 'year': {
      const from = `${financialYearStart(month)}-04`
      return make('year', from, addMonths(from, 11))
    }
    case 'ytd':
      return make('ytd', `${financialYearStart(month)}-04`, month)
    case 'custom': {
      const from = custom?.from
      const to = custom?.to
      if (!from || !MONTH_PATTERN.test(from)) throw new RuleError('from', 'Enter the first month of the range, like 2018-10')
      if (!to || !MONTH_PATTERN.test(to)) throw new RuleError('to', 'Enter the last month of the range, like 2019-01')
      if (index(from) > index(to)) throw new RuleError('to', 'The last month must be the same as or after the first month')
      if (index(to) - index(from) >= 120) throw new RuleError('to', 'A range can be at most ten years')
      return make('custom', from, to)
    }
  }
}

/**
 * The same period a year earlier, or the period of equal length just before. When only some months of the period
 * are counted, the comparison is the same months of that period.
 */
export function comparisonOf(period: Period, compare: Comparison, counted: Period = period): Period {
  if (compare === 'last_year' && period.months > 12) {
    throw new RuleError('compare', 'A range of more than 12 months overlaps the same period a year earlier: compare it with the previous period')
  }
  const shift = compare === 'last_year' ? -12 : -period.months
  // A year earlier keeps the period's kind (a quarter stays a quarter); the period before is just a range.
  const whole = compare === 'last_year' ? make(period.kind, addMonths(period.from, shift), addMonths(period.to, shift)) : make('custom', addMonths(period.from, shift), addMonths(period.to, shift))
  if (counted.from === period.from && counted.to === period.to) return whole
  return partOf(whole, addMonths(counted.from, shift), addMonths(counted.to, shift), 'the same months of')
}

export const PERIOD_KINDS: { value: PeriodKind; text: string }[] = [
  { value: 'month', text: 'Month' },
  { value: 'quarter', text: 'Quarter (financial)' },
  { value: 'year', text: 'Financial year (April to March)' },
  { value: 'ytd', text: 'Financial year to date' },
  { value: 'custom', text: 'Custom range' },
]

export const COMPARISONS: { value: Comparison; text: string }[] = [
  { value: 'last_year', text: 'Same period last year' },
  { value: 'previous', text: 'Previous period' },
]
