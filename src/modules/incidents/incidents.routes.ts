import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { RuleError } from '../../platform/http/errors.js'
import { type FormErrors, parseForm, ruleErrors } from '../../platform/http/forms.js'
import type { Actor } from '../audit/audit.events.js'
import { requireCase } from '../cases/case-access.js'
import { locationRoutes } from '../locations/locations.routes.js'
import {
  CATEGORIES,
  CHANNELS,
  HATE_STRANDS,
  incidentApiInput,
  incidentFilters,
  incidentForm,
  incidentFormBody,
  incidentPageResponse,
  incidentResponse,
  incidentSummaryResponse,
  incidentTypeResponse,
  linkInput,
  ukParts,
} from './incidents.schemas.js'

const read = { access: 'cases:read' } as const
const manage = { access: 'cases:manage' } as const
const idParams = z.object({ id: z.uuid({ error: 'Incident id must be a UUID' }) })
const newQuery = z.object({ caseId: z.uuid().optional().catch(undefined), reportingPersonId: z.uuid().optional().catch(undefined) })

/** GOV.UK error summary links go to the first box of a date input. */
function linkDateErrors(errors: FormErrors): FormErrors {
  const summary = errors.summary.map((item) => (item.href === '#occurred' || item.href === '#reported' ? { ...item, href: `${item.href}-day` } : item))
  return { ...errors, summary }
}

const labelled = (labels: Record<string, string>, selected?: unknown) =>
  Object.entries(labels).map(([value, text]) => ({ value, text, checked: Array.isArray(selected) ? selected.includes(value) : value === selected }))

export async function incidentRoutes(app: FastifyInstance, options: { services: Services }) {
  const { services } = options
  const { incidents } = services
  const api = app.withTypeProvider<ZodTypeProvider>()

  await locationRoutes(app, options)

  /** The case, when recording straight onto one: it must be open and the user able to add to it. */
  const caseFor = async (actor: Actor, caseId: string | undefined) => (caseId ? requireCase(services.database.db, actor, caseId, 'addIncident') : undefined)

  const renderForm = async (reply: FastifyReply, context: { values: Record<string, unknown>; errors?: FormErrors; caseRecord?: { id: string; reference: string } }) => {
    const types = await incidents.types()
    return reply.render('incidents/views/form.njk', {
      title: 'Record an incident',
      ...context,
      typeItems: [{ value: '', text: 'Select a type' }, ...types.map((type) => ({ value: type.code, text: `${type.label} (${CATEGORIES[type.category as keyof typeof CATEGORIES] ?? type.category})`, selected: type.code === context.values.typeCode }))],
      channelItems: labelled(CHANNELS, context.values.channel),
      strandItems: labelled(HATE_STRANDS, [context.values.hateStrands].flat()),
    })
  }

  // ---- pages ----

  app.get('/incidents', { config: read }, async (request, reply) => {
    const parsed = incidentFilters.safeParse(request.query ?? {})
    const filters = parsed.success ? parsed.data : incidentFilters.parse({})
    const [result, types] = await Promise.all([incidents.list(actorOf(request), filters), incidents.types()])
    const query = new URLSearchParams(Object.entries(filters).filter(([key, value]) => key !== 'page' && value !== undefined) as [string, string][]).toString()
    return reply.render('incidents/views/list.njk', {
      title: 'Incidents',
      ...result,
      filters,
      query,
      invalidFilters: !parsed.success,
      typeItems: [{ value: '', text: 'Any type' }, ...types.map((type) => ({ value: type.code, text: type.label, selected: type.code === filters.type }))],
      categoryItems: [{ value: '', text: 'Any category' }, ...Object.entries(CATEGORIES).map(([value, text]) => ({ value, text, selected: value === filters.category }))],
      hateItems: [
        { value: '', text: 'Any' },
        { value: 'yes', text: 'Hate-motivated', selected: filters.hateMotivated === 'yes' },
        { value: 'no', text: 'Not hate-motivated', selected: filters.hateMotivated === 'no' },
      ],
      categories: CATEGORIES,
    })
  })

  app.get('/incidents/new', { config: manage }, async (request, reply) => {
    const query = newQuery.parse(request.query ?? {})
    const caseRecord = await caseFor(actorOf(request), query.caseId)
    const now = ukParts(new Date())
    return renderForm(reply, {
      caseRecord,
      values: {
        'reported-day': now.day,
        'reported-month': now.month,
        'reported-year': now.year,
        reportedTime: now.time,
        caseId: caseRecord?.id,
        reportingPersonId: query.reportingPersonId,
      },
    })
  })

  app.post('/incidents/new', { config: manage }, async (request, reply) => {
    const values = (request.body ?? {}) as Record<string, unknown>
    const actor = actorOf(request)
    const caseId = z.uuid().safeParse(values.caseId)
    // Only for the page heading; recording checks the case again, in its transaction.
    const caseRecord = caseId.success ? await caseFor(actor, caseId.data).catch(() => undefined) : undefined
    const form = parseForm(incidentForm, incidentFormBody(values))
    if (!form.ok) return renderForm(reply.code(400), { values, errors: linkDateErrors(form.errors), caseRecord })
    try {
      const { id } = await incidents.record(actor, form.value)
      return reply.redirect(form.value.caseId ? `/cases/${form.value.caseId}?incident=recorded` : `/incidents/${id}?recorded=1`)
    } catch (error) {
      if (error instanceof RuleError) return renderForm(reply.code(400), { values, errors: ruleErrors(error), caseRecord })
      throw error
    }
  })

  const renderIncident = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FormErrors; values?: Record<string, unknown> } = {}) => {
    const incident = await incidents.get(actorOf(request), id)
    const query = request.query as Record<string, unknown>
    return reply.render('incidents/views/show.njk', {
      title: `Incident ${incident.reference}`,
      ...extra,
      values: extra.values ?? {},
      incident,
      channelLabel: CHANNELS[incident.channel as keyof typeof CHANNELS] ?? incident.channel,
      categoryLabel: CATEGORIES[incident.category as keyof typeof CATEGORIES] ?? incident.category,
      strandLabels: incident.hateStrands.map((strand) => HATE_STRANDS[strand as keyof typeof HATE_STRANDS] ?? strand),
      recorded: Boolean(query.recorded),
      linked: Boolean(query.linked),
      canLink: request.auth?.permissions.has('cases:manage') && !incident.onCase,
    })
  }

  app.get('/incidents/:id', { config: read, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    return renderIncident(request, reply, id)
  })

  app.post('/incidents/:id/link', { config: manage, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    const body = (request.body ?? {}) as Record<string, unknown>
    const actor = actorOf(request)
    // The page asks for the case reference officers know; a case page can post the case's id.
    const parsed = linkInput.safeParse(body)
    const caseId = parsed.success ? parsed.data.caseId : await incidents.caseIdForReference(actor, String(body.caseReference ?? ''))
    if (!caseId) {
      const message = 'Enter the reference of a case you can see, like ASB-2026-000123'
      return renderIncident(request, reply.code(400), id, { values: body, errors: ruleErrors(new RuleError('caseReference', message)) })
    }
    const target = await incidents.link(actor, id, caseId)
    return reply.redirect(`/cases/${target.id}?incident=linked`)
  })

  // ---- API ----

  api.get(
    '/api/v1/incident-types',
    { config: read, schema: { summary: 'Active incident types, with the category each belongs to', tags: ['Incidents'], response: { 200: z.array(incidentTypeResponse) } } },
    async () => incidents.types(),
  )

  api.get(
    '/api/v1/incidents',
    {
      config: read,
      schema: {
        summary: "Incidents your organisation may see, newest first (50 a page). Dates filter on when it happened (YYYY-MM-DD, UK time).",
        tags: ['Incidents'],
        querystring: incidentFilters,
        response: { 200: incidentPageResponse },
      },
    },
    async (request) => {
      const result = await incidents.list(actorOf(request), request.query)
      return { items: result.rows.map((row) => incidentSummaryResponse.parse(row)), total: result.total, page: result.page, pages: result.pages }
    },
  )

  api.get(
    '/api/v1/incidents/:id',
    { config: read, schema: { summary: 'One incident (the read is audited)', tags: ['Incidents'], params: idParams, response: { 200: incidentResponse } } },
    async (request) => incidentResponse.parse(await incidents.get(actorOf(request), request.params.id)),
  )

  api.post(
    '/api/v1/incidents',
    {
      config: manage,
      schema: {
        summary: 'Record an incident (with caseId, straight onto a case you can add to). reportedAt defaults to now.',
        tags: ['Incidents'],
        body: incidentApiInput,
        response: { 201: incidentResponse },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const { id } = await incidents.record(actor, request.body)
      return reply.code(201).send(incidentResponse.parse(await incidents.get(actor, id)))
    },
  )

  api.post(
    '/api/v1/incidents/:id/link',
    { config: manage, schema: { summary: 'Put an incident on a case', tags: ['Incidents'], params: idParams, body: linkInput, response: { 200: incidentResponse } } },
    async (request) => {
      const actor = actorOf(request)
      await incidents.link(actor, request.params.id, request.body.caseId)
      return incidentResponse.parse(await incidents.get(actor, request.params.id))
    },
  )
}
