/** The incremental approach as data the pages and rules share; intervention types themselves are rows. */

export const STAGES = [
  { code: 'early', label: 'Early intervention', order: 1 },
  { code: 'second', label: 'Second stage', order: 2 },
  { code: 'formal', label: 'Formal action', order: 3 },
  { code: 'enforcement', label: 'Enforcement', order: 4 },
] as const
export type StageCode = (typeof STAGES)[number]['code']

export const STAGE_LABELS: Record<string, string> = Object.fromEntries(STAGES.map((stage) => [stage.code, stage.label]))

/** Types aimed at premises: the person is optional and the premises address is given instead. */
export const LOCATION_TYPES: readonly string[] = ['closure_notice', 'closure_order']
/** Types that carry written prohibitions and requirements. */
export const TERMS_TYPES: readonly string[] = ['abc', 'cpw', 'cpn', 'civil_injunction', 'cbo']
/** Types a court makes or hears. */
export const COURT_TYPES: readonly string[] = ['civil_injunction', 'cbo', 'closure_order', 'possession_proceedings']
/** Only a civil injunction may carry a power of arrest (2014 Act s.4). */
export const ARREST_TYPES: readonly string[] = ['civil_injunction']

export const STATUS_LABELS: Record<string, string> = {
  proposed: 'Proposed',
  active: 'Active',
  complied: 'Complied',
  breached: 'Breached',
  expired: 'Expired',
  withdrawn: 'Withdrawn',
  refused: 'Refused to sign',
}

/** Statuses an officer sets by hand; 'breached' comes from recording a breach. */
export const SETTABLE_STATUSES = ['complied', 'expired', 'withdrawn', 'refused'] as const
/** Refusal is an outcome of an Acceptable Behaviour Contract the person would not sign (domain §8: record ABC outcomes). */
export const REFUSABLE_TYPES: readonly string[] = ['abc']

export const BREACH_ACTIONS = {
  fixed_penalty: 'Fixed penalty notice',
  prosecution: 'Prosecution',
  committal: 'Committal application',
  warning: 'Warning',
  no_further_action: 'No further action',
} as const
export type BreachAction = keyof typeof BREACH_ACTIONS

/** Whole years of age on a date, from a date of birth ('YYYY-MM-DD'). */
export function ageOn(dateOfBirth: string, on: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number]
  const [y, m, d] = on.split('-').map(Number) as [number, number, number]
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0)
}

export function formatPence(pence: number): string {
  return `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
}

/** "100", "100.00", "£100" -> 10000; anything else -> null. */
export function parsePounds(text: string): number | null {
  const match = /^£?\s*(\d{1,7})(?:\.(\d{2}))?$/.exec(text.trim().replace(/,/g, ''))
  if (!match) return null
  return Number(match[1]) * 100 + Number(match[2] ?? 0)
}

const longDate = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' })
export function formatDate(isoDate: string): string {
  return longDate.format(new Date(`${isoDate}T00:00:00Z`))
}

export type LadderState = 'reached' | 'current' | 'not_reached'

/**
 * Where a person is on the ladder: the highest stage of their interventions (a withdrawn one does not count) is
 * current; a lower stage is reached when they had an intervention at it (a case may skip a stage), else not reached.
 */
export function ladder(interventions: readonly { stageOrder: number; status: string }[]) {
  const counted = interventions.filter((intervention) => intervention.status !== 'withdrawn')
  const highest = counted.length ? Math.max(...counted.map((intervention) => intervention.stageOrder)) : 0
  return {
    highestStage: STAGES.find((stage) => stage.order === highest)?.code ?? null,
    stages: STAGES.map((stage) => ({
      code: stage.code,
      label: stage.label,
      state: (stage.order === highest ? 'current' : stage.order < highest && counted.some((one) => one.stageOrder === stage.order) ? 'reached' : 'not_reached') as LadderState,
    })),
  }
}
