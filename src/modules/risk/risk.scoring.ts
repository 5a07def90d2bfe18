/** Victim risk scoring: pure, so a partnership's questionnaire (its rows) is the only thing that decides a level. */

export type RiskLevel = 'standard' | 'medium' | 'high'

export const RISK_LEVELS: readonly RiskLevel[] = ['standard', 'medium', 'high']

export const RISK_LEVEL_LABELS: Record<RiskLevel, string> = { standard: 'Standard risk', medium: 'Medium risk', high: 'High risk' }

/** GOV.UK tag colours: red for high, orange for medium. */
export const RISK_LEVEL_TAG_CLASSES: Record<RiskLevel, string> = { standard: 'govuk-tag--green', medium: 'govuk-tag--orange', high: 'govuk-tag--red' }

export interface ScoredQuestion {
  code: string
  weight: number
  highOnYes: boolean
}

export interface Thresholds {
  mediumThreshold: number
  highThreshold: number
}

/**
 * Sum of the weights of the questions answered yes. High when the score reaches the high threshold or any
 * high_on_yes question is answered yes (a victim thinking of self-harm is high risk whatever the total);
 * medium at or above the medium threshold; otherwise standard.
 */
export function scoreAnswers(questions: readonly ScoredQuestion[], thresholds: Thresholds, answers: Record<string, boolean>): { score: number; level: RiskLevel } {
  let score = 0
  let override = false
  for (const question of questions) {
    if (answers[question.code] !== true) continue
    score += question.weight
    if (question.highOnYes) override = true
  }
  const level: RiskLevel = override || score >= thresholds.highThreshold ? 'high' : score >= thresholds.mediumThreshold ? 'medium' : 'standard'
  return { score, level }
}

/** The codes a set of answers leaves out, and the codes it gives that the questionnaire does not have. */
export function checkAnswerCodes(questions: readonly { code: string }[], answers: Record<string, unknown>): { missing: string[]; unknown: string[] } {
  const known = new Set(questions.map((question) => question.code))
  return {
    missing: questions.filter((question) => typeof answers[question.code] !== 'boolean').map((question) => question.code),
    unknown: Object.keys(answers).filter((code) => !known.has(code)),
  }
}

/** "was medium, now high", for the change between a person's previous assessment and this one. */
export function describeChange(previous: RiskLevel | null, current: RiskLevel): string {
  if (!previous) return 'First assessment of this person on this case'
  if (previous === current) return `No change: still ${current}`
  return `was ${previous}, now ${current}`
}
