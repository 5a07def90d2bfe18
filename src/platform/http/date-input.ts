import { z } from 'zod'
import { isRealDate } from '../dates.js'

/** GOV.UK date inputs post three boxes (name-day, name-month, name-year); forms and the API deal in YYYY-MM-DD. */

/** Joins a GOV.UK date input's day, month and year: '' when left empty, 'invalid' when not a real date. */
export function dateFromParts(body: Record<string, unknown>, prefix: string): string {
  const part = (name: string) => String(body[`${prefix}-${name}`] ?? '').trim()
  const [day, month, year] = [part('day'), part('month'), part('year')]
  if (!day && !month && !year) return ''
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return 'invalid'
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
  return isRealDate(iso) ? iso : 'invalid'
}

/** The other way: a date's parts for re-filling a date input. */
export function partsFromDate(iso: string | null | undefined): { day: string; month: string; year: string } {
  if (!iso) return { day: '', month: '', year: '' }
  const [year, month, day] = iso.split('-') as [string, string, string]
  return { day: String(Number(day)), month: String(Number(month)), year }
}

/** The one schema for a YYYY-MM-DD date from a form or the API: a real date in the service's range (isRealDate). */
export const isoDate = (message: string) =>
  z
    .string({ error: message })
    .regex(/^\d{4}-\d{2}-\d{2}$/, message)
    .refine(isRealDate, message)

/** The same for an instant with its offset (2026-03-27T21:30:00Z): its UTC date must be in the service's range. */
export const isoDateTime = (message: string) =>
  z.iso
    .datetime({ offset: true, error: message })
    // zod runs this even when the format check has failed, so the value may be no date at all.
    .refine((value) => {
      const instant = new Date(value)
      return !Number.isNaN(instant.getTime()) && isRealDate(instant.toISOString().slice(0, 10))
    }, message)
    .transform((value) => new Date(value))
