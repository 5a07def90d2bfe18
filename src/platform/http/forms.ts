import type { z } from 'zod'
import { RuleError } from './errors.js'

/** What the GOV.UK error summary and the inline field errors need. */
export interface FormErrors {
  summary: { text: string; href: string }[]
  fields: Record<string, { text: string }>
}

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FormErrors }

/**
 * Validates a form. `dateInputs` names fields shown as GOV.UK date inputs: their error summary links go to the first
 * box (`#field-day`), as the GOV.UK pattern asks, while the inline error stays on the field.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown, options: { dateInputs?: readonly string[] } = {}): FormResult<z.output<S>> {
  const parsed = schema.safeParse(body ?? {})
  if (parsed.success) return { ok: true, value: parsed.data }
  const errors: FormErrors = { summary: [], fields: {} }
  for (const issue of parsed.error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : 'form'
    if (errors.fields[field]) continue
    errors.fields[field] = { text: issue.message }
    errors.summary.push({ text: issue.message, href: options.dateInputs?.includes(field) ? `#${field}-day` : `#${field}` })
  }
  return { ok: false, errors }
}

export function ruleErrors(error: RuleError): FormErrors {
  return { summary: [{ text: error.message, href: `#${error.field}` }], fields: { [error.field]: { text: error.message } } }
}

/** Checkbox groups post one string for one box and an array for several. */
export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return []
  return Array.isArray(value) ? value : [value]
}
