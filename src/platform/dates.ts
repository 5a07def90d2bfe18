import { listJoin } from './words.js'

/** Calendar dates ('YYYY-MM-DD') as the partners see them: in UK time, not the server's. */

/**
 * The dates the service deals in, the one range every date from a form or the API must fall in: no one it records was
 * born before 1900, and PostgreSQL refuses year 0, which JavaScript accepts.
 */
export const EARLIEST_DATE = '1900-01-01'
export const LATEST_DATE = '2100-12-31'

/**
 * True for a real calendar date within EARLIEST_DATE to LATEST_DATE: Date accepts 2026-02-30 and rolls it into March,
 * so the date must round-trip.
 */
export function isRealDate(iso: string): boolean {
  const date = new Date(`${iso}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === iso && iso >= EARLIEST_DATE && iso <= LATEST_DATE
}

const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' })

export function todayInLondon(now: Date = new Date()): string {
  return londonDate.format(now)
}

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/** A 'YYYY-MM' month as a count of months, for month arithmetic. */
export const monthIndex = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1

/** The 'YYYY-MM' month of a monthIndex count. */
export const monthOfIndex = (value: number) => `${String(Math.floor(value / 12)).padStart(4, '0')}-${String((value % 12) + 1).padStart(2, '0')}`

/** "January 2019" */
export function monthLabel(month: string): string {
  return `${MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`
}

/** "Jan 2019" */
export function shortMonthLabel(month: string): string {
  return `${MONTHS[Number(month.slice(5, 7)) - 1]!.slice(0, 3)} ${month.slice(0, 4)}`
}

/** 'YYYY-MM' months as runs: "October 2017 to February 2018 and April 2018". */
export function monthRanges(months: string[]): string {
  const runs: string[][] = []
  for (const month of [...months].sort()) {
    const run = runs.at(-1)
    if (run && monthIndex(month) === monthIndex(run.at(-1)!) + 1) run.push(month)
    else runs.push([month])
  }
  const texts = runs.map((run) => (run.length === 1 ? monthLabel(run[0]!) : `${monthLabel(run[0]!)} to ${monthLabel(run.at(-1)!)}`))
  return listJoin(texts)
}

const ukLongDate = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/London' })

/** The UK date of an instant, as the partners write it: "4 December 2026". */
export function ukDateOf(value: Date | string): string {
  return ukLongDate.format(new Date(value))
}
