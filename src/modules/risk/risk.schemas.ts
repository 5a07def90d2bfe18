import { z } from 'zod'

export const riskAssessmentInput = z.object({
  personId: z.uuid({ error: 'personId must be the id of a victim on the case' }),
  answers: z.record(z.string(), z.boolean({ error: 'Each answer must be true (yes) or false (no)' })).describe('{ question code: true for yes, false for no } for every question of the active questionnaire'),
  notes: z.string().trim().max(5000, 'Notes must be 5,000 characters or fewer').optional().nullable(),
})
export type RiskAssessmentInput = z.output<typeof riskAssessmentInput>

export const notesField = z.string().trim().max(5000, 'Notes must be 5,000 characters or fewer').optional().transform((value) => value || null)

const level = z.enum(['standard', 'medium', 'high'])

export const questionnaireResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  mediumThreshold: z.number().int(),
  highThreshold: z.number().int(),
  reviewDays: z.object({ standard: z.number().int().nullable(), medium: z.number().int().nullable(), high: z.number().int().nullable() }),
  questions: z.array(z.object({ code: z.string(), section: z.string(), text: z.string(), weight: z.number().int(), highOnYes: z.boolean() })),
})

export const caseRiskResponse = z.object({
  riskLevel: level.nullable(),
  highRisk: z.boolean(),
  reviewDate: z.string().nullable().describe('YYYY-MM-DD'),
  victims: z.array(
    z.object({
      personId: z.uuid(),
      name: z.string(),
      assessments: z.array(z.object({ id: z.uuid(), assessedAt: z.date(), level, score: z.number().int(), assessorName: z.string() })).describe('Newest first'),
    }),
  ),
})

export const recordedResponse = z.object({
  id: z.uuid(),
  level,
  score: z.number().int(),
  previousLevel: level.nullable(),
  reviewDate: z.string().nullable(),
  leadOfficerTaskId: z.uuid().nullable().describe('The task created for the lead officer when the result is high risk'),
})
