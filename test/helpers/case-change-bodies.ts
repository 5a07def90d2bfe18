/** What a valid change needs: the records it names. */
export interface CaseChangeContext {
  caseId: string
  personId: string
  /** A person the sender may see, to merge into. */
  duplicateId: string
  shareWithOrganisationId: string
  assignToUserId: string
  /** The risk questionnaire's answers, all "no". */
  answers: Record<string, boolean>
}

/**
 * A valid body for each kind of ASB change, so that a refusal comes from the access rule and not from validation.
 * `other` answers for routes outside the ASB records before the catch-all body.
 */
export function caseChangeBody(url: string, c: CaseChangeContext, other?: (url: string) => Record<string, unknown> | undefined): Record<string, unknown> {
  if (url.endsWith('/merge')) return { duplicateId: c.duplicateId }
  if (/interventions\/[^/]+\/status$/.test(url)) return { status: 'complied' }
  if (/interventions\/[^/]+\/breach(es)?$/.test(url)) return { breachedOn: '2026-02-01', description: 'Music again', action: 'warning', 'breachedOn-day': '1', 'breachedOn-month': '2', 'breachedOn-year': '2026' }
  if (url.endsWith('/interventions') || url.includes('/interventions/new')) return { typeCode: 'warning_letter', personId: c.personId, issuedOn: '2026-01-05', 'issuedOn-day': '5', 'issuedOn-month': '1', 'issuedOn-year': '2026' }
  if (url.includes('/risk-assessments')) return { personId: c.personId, answers: c.answers, ...Object.fromEntries(Object.keys(c.answers).map((code) => [code, 'no'])) }
  if (url.endsWith('/status')) return { status: 'review', version: 1 }
  if (url.endsWith('/close')) return { outcome: 'resolved', reason: 'x', satisfaction: 'satisfied', version: 1 }
  if (url.endsWith('/reopen')) return { reason: 'x', version: 1 }
  if (url.endsWith('/shares') || url.endsWith('/share')) return { organisationId: c.shareWithOrganisationId, access: 'full', reason: 'x' }
  if (url.endsWith('/tasks') || url.endsWith('/tasks/new')) return { title: 'x', assignedTo: c.assignToUserId, dueOn: '2030-01-01', 'dueOn-day': '1', 'dueOn-month': '1', 'dueOn-year': '2030' }
  if (url.endsWith('/edit') || /\/api\/v1\/(cases|people)\/[^/]+$/.test(url)) return { title: 'x', type: 'location', priority: 'normal', givenNames: 'A', familyName: 'B', version: 1 }
  return other?.(url) ?? { caseId: c.caseId, personId: c.personId, role: 'victim', body: 'x', reason: 'x', reached: 'yes', satisfaction: 'satisfied' }
}

/** The same body as a form sends it: strings only. */
export const asForm = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([, value]) => typeof value !== 'object').map(([key, value]) => [key, String(value)]))
