import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { RuleError } from '../../platform/http/errors.js'
import { type FormErrors, parseForm, ruleErrors } from '../../platform/http/forms.js'
import { caseRiskResponse, notesField, questionnaireResponse, recordedResponse, riskAssessmentInput } from './risk.schemas.js'
import { RISK_LEVEL_LABELS, RISK_LEVEL_TAG_CLASSES } from './risk.scoring.js'

const read = { access: 'cases:read' } as const
const manage = { access: 'cases:manage' } as const
const caseParams = z.object({ caseId: z.uuid() })
const assessmentParams = z.object({ caseId: z.uuid(), id: z.uuid() })
const newQuery = z.object({ personId: z.string().optional() })
const tags = ['Risk assessments']

/** Each question is a yes/no radio named after its code. */
const answerField = (code: string) => `answer-${code}`

export async function riskRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { risk } = services
  const api = app.withTypeProvider<ZodTypeProvider>()

  async function renderForm(reply: FastifyReply, request: { caseId: string; personId: string | undefined; actor: ReturnType<typeof actorOf> }, values: Record<string, unknown>, errors?: FormErrors) {
    const form = await risk.newAssessmentForm(request.actor, request.caseId, request.personId)
    return reply.render('risk/views/form.njk', {
      title: `Victim risk assessment: ${form.victim.name}`,
      caseRecord: form.caseRecord,
      victim: form.victim,
      questionnaireName: form.questionnaire.name,
      sections: form.sections.map((section) => ({
        section: section.section,
        questions: section.questions.map((question) => ({
          code: question.code,
          field: answerField(question.code),
          text: question.text,
          items: [
            { value: 'yes', text: 'Yes', checked: values[answerField(question.code)] === 'yes' },
            { value: 'no', text: 'No', checked: values[answerField(question.code)] === 'no' },
          ],
        })),
      })),
      values,
      errors,
    })
  }

  app.get('/cases/:caseId/risk-assessments/new', { config: manage, schema: { params: caseParams, querystring: newQuery, hide: true } }, async (request, reply) => {
    const { caseId } = request.params as z.output<typeof caseParams>
    const { personId } = request.query as z.output<typeof newQuery>
    return renderForm(reply, { caseId, personId, actor: actorOf(request) }, {})
  })

  app.post('/cases/:caseId/risk-assessments/new', { config: manage, schema: { params: caseParams, querystring: newQuery, hide: true } }, async (request, reply) => {
    const { caseId } = request.params as z.output<typeof caseParams>
    const { personId } = request.query as z.output<typeof newQuery>
    const actor = actorOf(request)
    const values = (request.body ?? {}) as Record<string, unknown>
    const { questions } = await risk.questionnaire()
    const schema = z.object({
      ...Object.fromEntries(questions.map((question) => [answerField(question.code), z.enum(['yes', 'no'], { error: 'Select yes or no' })])),
      notes: notesField,
    })
    const form = parseForm(schema, values)
    if (!form.ok) return renderForm(reply.code(400), { caseId, personId, actor }, values, form.errors)
    const answered = form.value as Record<string, unknown>
    const answers = Object.fromEntries(questions.map((question) => [question.code, answered[answerField(question.code)] === 'yes']))
    try {
      const { id } = await risk.record(actor, caseId, { personId: personId ?? '', answers, notes: form.value.notes })
      return reply.redirect(`/cases/${caseId}/risk-assessments/${id}`)
    } catch (error) {
      if (error instanceof RuleError && error.field !== 'personId') return renderForm(reply.code(400), { caseId, personId, actor }, values, ruleErrors(error))
      throw error
    }
  })

  app.get('/cases/:caseId/risk-assessments/:id', { config: read, schema: { params: assessmentParams, hide: true } }, async (request, reply) => {
    const { caseId, id } = request.params as z.output<typeof assessmentParams>
    const view = await risk.get(actorOf(request), caseId, id)
    return reply.render('risk/views/show.njk', {
      title: `Victim risk assessment: ${view.assessment.personName}`,
      ...view,
      levelLabel: RISK_LEVEL_LABELS[view.assessment.level],
      levelClass: RISK_LEVEL_TAG_CLASSES[view.assessment.level],
    })
  })

  // API
  api.get(
    '/api/v1/risk-questionnaire',
    { config: read, schema: { summary: 'The active victim risk questionnaire: questions, weights, thresholds and review cadences', tags, response: { 200: questionnaireResponse } } },
    async () => questionnaireResponse.parse(await risk.questionnaire()),
  )

  api.get(
    '/api/v1/cases/:caseId/risk-assessments',
    { config: read, schema: { summary: "A case's victim risk assessments, per victim, newest first", tags, params: caseParams, response: { 200: caseRiskResponse } } },
    async (request) => caseRiskResponse.parse(await risk.forCase(actorOf(request), request.params.caseId)),
  )

  api.post(
    '/api/v1/cases/:caseId/risk-assessments',
    {
      config: manage,
      schema: {
        summary: 'Record a victim risk assessment: sets the case risk level, high-risk flag and review date; a high result gives the lead officer a task',
        tags,
        params: caseParams,
        body: riskAssessmentInput,
        response: { 201: recordedResponse },
      },
    },
    async (request, reply) => {
      const recorded = await risk.record(actorOf(request), request.params.caseId, request.body)
      return reply.code(201).send(recordedResponse.parse(recorded))
    },
  )
}
