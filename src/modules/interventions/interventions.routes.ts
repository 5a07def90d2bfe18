import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import type { Actor } from '../audit/audit.events.js'
import { actorOf } from '../../platform/http/actor.js'
import { RuleError } from '../../platform/http/errors.js'
import { type FormErrors, parseForm, ruleErrors } from '../../platform/http/forms.js'
import { addDays, todayInLondon } from '../../platform/dates.js'
import { ARREST_TYPES, BREACH_ACTIONS, COURT_TYPES, LOCATION_TYPES, STAGES, TERMS_TYPES, parsePounds } from './interventions.rules.js'
import { dateFromParts, partsFromDate } from '../../platform/http/date-input.js'
import {
  breachForm,
  breachInput,
  caseInterventionsResponse,
  interventionForm,
  interventionInput,
  interventionTypeResponse,
  recordedBreachResponse,
  recordedInterventionResponse,
  statusInput,
} from './interventions.schemas.js'

const read = { access: 'cases:read' } as const
const manage = { access: 'cases:manage' } as const
const caseParams = z.object({ caseId: z.uuid() })
const interventionParams = z.object({ caseId: z.uuid(), id: z.uuid() })
const newQuery = z.object({ type: z.string().optional() })
const tags = ['Interventions']
const DATE_FIELDS = ['issuedOn', 'expiresOn', 'reviewOn'] as const

export async function interventionRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { interventions } = services
  const api = app.withTypeProvider<ZodTypeProvider>()
  const casePage = (caseId: string) => `/cases/${caseId}#interventions`

  async function renderChooseType(reply: FastifyReply, actor: Actor, caseId: string, errors?: FormErrors) {
    const { caseRecord, types } = await interventions.newInterventionForm(actor, caseId)
    return reply.render('interventions/views/choose-type.njk', {
      title: 'Record an intervention',
      caseRecord,
      stages: STAGES.map((stage, index) => ({
        label: stage.label,
        // The first radio of the first group carries id="type", so the error summary link lands on it.
        idPrefix: index === 0 ? 'type' : `type-${stage.code}`,
        items: types.filter((type) => type.stage === stage.code).map((type) => ({ value: type.code, text: type.label, hint: type.legalBasis ? { text: type.legalBasis } : undefined })),
      })),
      errors,
    })
  }

  async function renderForm(reply: FastifyReply, actor: Actor, caseId: string, typeCode: string, values: Record<string, unknown>, errors?: FormErrors) {
    const { caseRecord, types, people } = await interventions.newInterventionForm(actor, caseId)
    const type = types.find((one) => one.code === typeCode)
    if (!type) return renderChooseType(reply.code(400), actor, caseId, ruleErrors(new RuleError('type', 'Select the type of intervention')))
    const forPremises = LOCATION_TYPES.includes(type.code)
    if (errors) errors = linkDatesToDay(errors)
    return reply.render('interventions/views/form.njk', {
      title: `Record a ${type.label}`,
      caseRecord,
      type,
      forPremises,
      showTerms: TERMS_TYPES.includes(type.code),
      showCourt: COURT_TYPES.includes(type.code),
      showArrest: ARREST_TYPES.includes(type.code),
      personItems: [
        { value: '', text: forPremises ? 'No person: premises only' : 'Select a person' },
        ...people.map((person) => ({ value: person.id, text: `${person.name} (${person.roles.join(', ')})`, selected: values.personId === person.id })),
      ],
      values,
      errors,
    })
  }

  /** The error summary links a date to its day box, as the GOV.UK date input pattern asks. */
  function linkDatesToDay(errors: FormErrors): FormErrors {
    const dates: readonly string[] = [...DATE_FIELDS, 'breachedOn']
    return { ...errors, summary: errors.summary.map((item) => (dates.includes(item.href.slice(1)) ? { ...item, href: `${item.href}-day` } : item)) }
  }

  /** The form's dates as 'YYYY-MM-DD' ('' when empty, 'invalid' when not a real date). */
  function withDates(body: Record<string, unknown>, fields: readonly string[]) {
    return { ...body, ...Object.fromEntries(fields.map((field) => [field, dateFromParts(body, field)])) }
  }

  app.get('/cases/:caseId/interventions/new', { config: manage, schema: { params: caseParams, querystring: newQuery, hide: true } }, async (request, reply) => {
    const { caseId } = request.params as z.output<typeof caseParams>
    const { type } = request.query as z.output<typeof newQuery>
    const actor = actorOf(request)
    if (type === undefined) return renderChooseType(reply, actor, caseId)
    const types = await interventions.types()
    const chosen = types.find((one) => one.code === type)
    const issuedOn = todayInLondon()
    const expiresOn = chosen?.defaultDurationDays ? addDays(issuedOn, chosen.defaultDurationDays) : null
    const values: Record<string, unknown> = {}
    for (const [field, iso] of [['issuedOn', issuedOn], ['expiresOn', expiresOn]] as const) {
      const parts = partsFromDate(iso)
      for (const [part, value] of Object.entries(parts)) values[`${field}-${part}`] = value
    }
    return renderForm(reply, actor, caseId, type, values)
  })

  app.post('/cases/:caseId/interventions/new', { config: manage, schema: { params: caseParams, querystring: newQuery, hide: true } }, async (request, reply) => {
    const { caseId } = request.params as z.output<typeof caseParams>
    const typeCode = (request.query as z.output<typeof newQuery>).type ?? ''
    const actor = actorOf(request)
    const values = (request.body ?? {}) as Record<string, unknown>
    const form = parseForm(interventionForm, withDates(values, DATE_FIELDS))
    if (!form.ok) return renderForm(reply.code(400), actor, caseId, typeCode, values, form.errors)
    try {
      await interventions.record(actor, caseId, { ...form.value, typeCode })
      return reply.redirect(casePage(caseId))
    } catch (error) {
      if (error instanceof RuleError) return renderForm(reply.code(400), actor, caseId, typeCode, values, ruleErrors(error))
      throw error
    }
  })

  async function renderBreach(reply: FastifyReply, actor: Actor, caseId: string, id: string, values: Record<string, unknown>, errors?: FormErrors) {
    const { caseRecord, intervention, defaultPenalty } = await interventions.breachForm(actor, caseId, id)
    if (errors) errors = linkDatesToDay(errors)
    return reply.render('interventions/views/breach.njk', {
      title: `Record a breach of a ${intervention.typeLabel}`,
      caseRecord,
      intervention,
      defaultPenalty,
      values: { fixedPenalty: defaultPenalty ? defaultPenalty.replace('£', '') : '', ...values },
      actionItems: Object.entries(BREACH_ACTIONS).map(([value, text]) => ({ value, text, checked: values.action === value })),
      errors,
    })
  }

  app.get('/cases/:caseId/interventions/:id/breach', { config: manage, schema: { params: interventionParams, hide: true } }, async (request, reply) => {
    const { caseId, id } = request.params as z.output<typeof interventionParams>
    return renderBreach(reply, actorOf(request), caseId, id, {})
  })

  app.post('/cases/:caseId/interventions/:id/breach', { config: manage, schema: { params: interventionParams, hide: true } }, async (request, reply) => {
    const { caseId, id } = request.params as z.output<typeof interventionParams>
    const actor = actorOf(request)
    const values = (request.body ?? {}) as Record<string, unknown>
    const form = parseForm(breachForm, withDates(values, ['breachedOn']))
    if (!form.ok) return renderBreach(reply.code(400), actor, caseId, id, values, form.errors)
    let fixedPenaltyPence: number | null = null
    if (form.value.action === 'fixed_penalty' && form.value.fixedPenalty?.trim()) {
      fixedPenaltyPence = parsePounds(form.value.fixedPenalty)
      if (!fixedPenaltyPence) return renderBreach(reply.code(400), actor, caseId, id, values, ruleErrors(new RuleError('fixedPenalty', 'Enter the fixed penalty in pounds, like 100 or 100.00')))
    }
    try {
      await interventions.recordBreach(actor, caseId, id, { breachedOn: form.value.breachedOn, description: form.value.description, action: form.value.action, fixedPenaltyPence })
      return reply.redirect(casePage(caseId))
    } catch (error) {
      if (error instanceof RuleError) return renderBreach(reply.code(400), actor, caseId, id, values, ruleErrors(error))
      throw error
    }
  })

  app.post('/cases/:caseId/interventions/:id/status', { config: manage, schema: { params: interventionParams, hide: true } }, async (request, reply) => {
    const { caseId, id } = request.params as z.output<typeof interventionParams>
    const parsed = statusInput.safeParse(request.body ?? {})
    if (!parsed.success) throw new RuleError('status', 'Select a new status')
    await interventions.setStatus(actorOf(request), caseId, id, parsed.data.status)
    return reply.redirect(casePage(caseId))
  })

  // API
  api.get('/api/v1/intervention-types', { config: read, schema: { summary: 'Intervention types: stages, minimum ages, durations, fixed penalties', tags, response: { 200: z.array(interventionTypeResponse) } } }, async () =>
    (await interventions.types()).map((type) => interventionTypeResponse.parse(type)),
  )

  api.get(
    '/api/v1/cases/:caseId/interventions',
    { config: read, schema: { summary: "A case's interventions per person, with breaches and where each person is on the ladder", tags, params: caseParams, response: { 200: caseInterventionsResponse } } },
    async (request) => caseInterventionsResponse.parse(await interventions.forCase(actorOf(request), request.params.caseId)),
  )

  api.post(
    '/api/v1/cases/:caseId/interventions',
    { config: manage, schema: { summary: 'Record an intervention', tags, params: caseParams, body: interventionInput, response: { 201: recordedInterventionResponse } } },
    async (request, reply) => {
      const actor = actorOf(request)
      const { id } = await interventions.record(actor, request.params.caseId, request.body)
      // The answer is the intervention just recorded (audited as recorded), not a read of the list.
      const { people, premises } = await interventions.forCase(actor, request.params.caseId, { audit: false })
      const recorded = [...people.flatMap((person) => person.interventions), ...premises].find((intervention) => intervention.id === id)
      return reply.code(201).send(recordedInterventionResponse.parse(recorded))
    },
  )

  api.post(
    '/api/v1/cases/:caseId/interventions/:id/breaches',
    { config: manage, schema: { summary: 'Record a breach of an intervention', tags, params: interventionParams, body: breachInput, response: { 201: recordedBreachResponse } } },
    async (request, reply) => {
      const breach = await interventions.recordBreach(actorOf(request), request.params.caseId, request.params.id, request.body)
      return reply.code(201).send(recordedBreachResponse.parse(breach))
    },
  )

  api.post(
    '/api/v1/cases/:caseId/interventions/:id/status',
    { config: manage, schema: { summary: 'Record an outcome: complied, expired, withdrawn, or refused (an ABC not signed)', tags, params: interventionParams, body: statusInput, response: { 204: z.null() } } },
    async (request, reply) => {
      await interventions.setStatus(actorOf(request), request.params.caseId, request.params.id, request.body.status)
      return reply.code(204).send(null)
    },
  )
}
