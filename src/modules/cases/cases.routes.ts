import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { ConflictError, RuleError } from '../../platform/http/errors.js'
import { type FormErrors, parseForm, ruleErrors } from '../../platform/http/forms.js'
import { SHARE_ACCESS, mayDo } from './case-access.js'
import { toCsv, toXlsx } from './case-exports.js'
import { caseSummaryPdf } from './case-summary-pdf.js'
import {
  CASE_PRIORITIES,
  CASE_STATUSES,
  CASE_TYPES,
  CLOSURE_OUTCOMES,
  SATISFACTION,
  STATUS_TRANSITIONS,
  callbackInput,
  caseChanges,
  caseInput,
  caseListFilter,
  caseResponse,
  caseSummaryResponse,
  closeInput,
  noteInput,
  reopenInput,
  shareInput,
  statusInput,
} from './cases.schemas.js'
import { CASE_PAGE_SIZE } from './cases.repository.js'

const read = { access: 'cases:read' } as const
const manage = { access: 'cases:manage' } as const
const caseParams = z.object({ id: z.uuid({ error: 'Case id must be a UUID' }) })
const shareParams = caseParams.extend({ shareId: z.uuid({ error: 'Share id must be a UUID' }) })
type CaseParams = z.output<typeof caseParams>

const labels = { types: CASE_TYPES, statuses: CASE_STATUSES, priorities: CASE_PRIORITIES, outcomes: CLOSURE_OUTCOMES, satisfaction: SATISFACTION }
const items = (options: Record<string, string>, selected?: unknown) => Object.entries(options).map(([value, text]) => ({ value, text, checked: value === selected, selected: value === selected }))
/** Other modules redirect back to the case with their own flag (?incident=recorded). */
const noticeOf = (query: Record<string, string | undefined>) => query.notice ?? (query.incident ? `incident-${query.incident}` : undefined)
const bodyOf = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>

/**
 * Runs a form post: validate, call the service, redirect; a rule broken or a stale edit re-renders the form with the
 * GOV.UK error summary and what the officer typed.
 */
async function handleForm<S extends z.ZodType>(
  reply: FastifyReply,
  schema: S,
  values: Record<string, unknown>,
  render: (reply: FastifyReply, errors: FormErrors) => unknown,
  action: (value: z.output<S>) => Promise<string>,
) {
  const form = parseForm(schema, values)
  if (!form.ok) return render(reply.code(400), form.errors)
  try {
    return reply.redirect(await action(form.value))
  } catch (error) {
    if (error instanceof RuleError) return render(reply.code(400), ruleErrors(error))
    if (error instanceof ConflictError) return render(reply.code(409), { summary: [{ text: error.message, href: '#main-content' }], fields: {} })
    throw error
  }
}

export async function caseRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { cases, tasks } = services
  const api = app.withTypeProvider<ZodTypeProvider>()

  // ---- lists ----

  app.get('/cases', { config: read }, async (request, reply) => {
    const parsed = caseListFilter.safeParse(request.query ?? {})
    const filter = parsed.success ? parsed.data : caseListFilter.parse({})
    const { rows, total } = await cases.list(actorOf(request), filter)
    const pages = Math.max(1, Math.ceil(total / CASE_PAGE_SIZE))
    const query = new URLSearchParams(Object.entries({ view: filter.view, status: filter.status ?? '', type: filter.type ?? '', q: filter.q ?? '' }).filter(([, value]) => value))
    return reply.render('cases/views/list.njk', {
      title: { mine: 'My cases', all: 'Cases', review: 'Cases due for review', high_risk: 'High-risk victims' }[filter.view],
      rows,
      total,
      filter,
      page: filter.page,
      pages,
      query: query.toString(),
      labels,
      statusItems: [{ value: '', text: 'Any status' }, { value: 'live', text: 'Not closed', selected: filter.status === 'live' }, ...items(CASE_STATUSES, filter.status)],
      typeItems: [{ value: '', text: 'Any type' }, ...items(CASE_TYPES, filter.type)],
      canManage: request.auth!.permissions.has('cases:manage'),
    })
  })

  app.get('/cases/export.:format', { config: read, schema: { params: z.object({ format: z.enum(['csv', 'xlsx']) }), hide: true } }, async (request, reply) => {
    const { format } = request.params as { format: 'csv' | 'xlsx' }
    const parsed = caseListFilter.safeParse(request.query ?? {})
    const rows = await cases.exportRows(actorOf(request), parsed.success ? parsed.data : caseListFilter.parse({}), format)
    const stamp = new Date().toISOString().slice(0, 10)
    reply.header('content-disposition', `attachment; filename="cases-${stamp}.${format}"`).header('cache-control', 'no-store')
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(await toCsv(rows))
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await toXlsx(rows))
  })

  app.get('/cases/caseload', { config: read }, async (request, reply) => {
    const officers = await cases.caseload(actorOf(request))
    return reply.render('cases/views/caseload.njk', { title: 'Team caseload', officers })
  })

  // ---- open a case ----

  const renderCaseForm = async (request: FastifyRequest, reply: FastifyReply, context: { values: Record<string, unknown>; errors?: FormErrors; caseId?: string }) => {
    const officers = await cases.caseManagers(actorOf(request))
    return reply.render('cases/views/form.njk', {
      title: context.caseId ? 'Change case details' : 'Open a case',
      ...context,
      typeItems: items(CASE_TYPES, context.values.type),
      priorityItems: items(CASE_PRIORITIES, context.values.priority ?? 'normal'),
      officerItems: [{ value: '', text: 'Not yet assigned' }, ...officers.map((officer) => ({ value: officer.id, text: officer.name, selected: officer.id === context.values.leadOfficerId }))],
    })
  }

  app.get('/cases/new', { config: manage }, async (request, reply) => renderCaseForm(request, reply, { values: { leadOfficerId: request.auth!.user.id } }))

  app.post('/cases/new', { config: manage }, async (request, reply) => {
    const values = bodyOf(request)
    return handleForm(reply, caseInput, values, (r, errors) => renderCaseForm(request, r, { values, errors }), async (input) => {
      const created = await cases.create(actorOf(request), input)
      return `/cases/${created.id}?notice=created`
    })
  })

  // ---- the case page ----

  app.get('/cases/:id', { config: read, schema: { params: caseParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as CaseParams
    const actor = actorOf(request)
    const record = await cases.get(actor, id)
    // The page's one audit row is the case read above; its panels do not add their own.
    const panel = { audit: false }
    const [details, caseTasks, people, incidents, risk, interventions, documents] = await Promise.all([
      cases.details(actor, id),
      tasks.forCase(actor, id, panel),
      services.people.forCase(actor, id),
      services.incidents.forCase(actor, id),
      services.risk.forCase(actor, id, panel),
      services.interventions.forCase(actor, id, panel),
      services.documents.forCase(actor, id, panel),
    ])
    const canManage = request.auth!.permissions.has('cases:manage')
    const open = record.status !== 'closed'
    return reply.render('cases/views/show.njk', {
      title: `${record.reference}: ${record.title}`,
      caseRecord: record,
      ...details,
      tasks: caseTasks,
      panels: { people, incidents, risk, interventions, documents },
      // What the buttons offer follows the one access rule (requireCase), which refuses the rest anyway.
      canWork: canManage && open,
      canContribute: canManage && open && mayDo(details.right, 'addNote'),
      canChange: canManage && open && mayDo(details.right, 'addPerson'),
      canOwn: canManage && record.isOwner,
      shareAccess: SHARE_ACCESS,
      transitions: STATUS_TRANSITIONS[record.status as keyof typeof STATUS_TRANSITIONS].map((status) => ({ value: status, text: CASE_STATUSES[status] })),
      labels,
      notice: noticeOf(request.query as Record<string, string | undefined>),
      userId: request.auth!.user.id,
    })
  })

  app.get('/cases/:id/summary.pdf', { config: read, schema: { params: caseParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as CaseParams
    const summary = await cases.summary(actorOf(request), id)
    const user = request.auth!.user
    const pdf = await caseSummaryPdf({ ...summary, preparedBy: user.name, preparedFor: user.organisationName })
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${summary.record.reference}-summary.pdf"`)
      .header('cache-control', 'no-store')
      .send(pdf)
  })

  app.get('/cases/:id/edit', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as CaseParams
    const record = await cases.getFor(actorOf(request), id, 'editCase', { page: 'edit' })
    return renderCaseForm(request, reply, { values: { ...record, summary: record.summary ?? '' }, caseId: id })
  })

  app.post('/cases/:id/edit', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as CaseParams
    const values = bodyOf(request)
    return handleForm(reply, caseChanges, values, (r, errors) => renderCaseForm(request, r, { values, errors, caseId: id }), async ({ version, ...input }) => {
      await cases.update(actorOf(request), id, version, input)
      return `/cases/${id}?notice=updated`
    })
  })

  app.post('/cases/:id/status', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as CaseParams
    const values = bodyOf(request)
    const renderProblem = async (r: FastifyReply, errors: FormErrors) => {
      const record = await cases.get(actorOf(request), id, { page: 'status' })
      return r.render('cases/views/problem.njk', { title: 'The case status was not changed', errors, caseRecord: record })
    }
    return handleForm(reply, statusInput, values, renderProblem, async (input) => {
      await cases.changeStatus(actorOf(request), id, input.version, input.status)
      return `/cases/${id}?notice=status`
    })
  })

  // ---- closure ----

  const renderClose = async (request: FastifyRequest, reply: FastifyReply, id: string, values: Record<string, unknown>, errors?: FormErrors) => {
    const record = await cases.getFor(actorOf(request), id, 'closeCase', { page: 'close' })
    return reply.render('cases/views/close.njk', {
      title: `Close ${record.reference}`,
      caseRecord: record,
      values: { version: record.version, ...values },
      errors,
      outcomeItems: items(CLOSURE_OUTCOMES, values.outcome),
      satisfactionItems: items(SATISFACTION, values.satisfaction),
    })
  }

  app.get('/cases/:id/close', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => renderClose(request, reply, (request.params as CaseParams).id, {}))

  app.post('/cases/:id/close', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as CaseParams
    const values = bodyOf(request)
    return handleForm(reply, closeInput, values, (r, errors) => renderClose(request, r, id, values, errors), async (input) => {
      await cases.close(actorOf(request), id, input)
      return `/cases/${id}?notice=closed`
    })
  })

  const renderReopen = async (request: FastifyRequest, reply: FastifyReply, id: string, values: Record<string, unknown>, errors?: FormErrors) => {
    const record = await cases.getFor(actorOf(request), id, 'reopenCase', { allowClosed: true, page: 'reopen' })
    return reply.render('cases/views/reopen.njk', { title: `Reopen ${record.reference}`, caseRecord: record, values: { version: record.version, ...values }, errors })
  }

  app.get('/cases/:id/reopen', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => renderReopen(request, reply, (request.params as CaseParams).id, {}))

  app.post('/cases/:id/reopen', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as CaseParams
    const values = bodyOf(request)
    return handleForm(reply, reopenInput, values, (r, errors) => renderReopen(request, r, id, values, errors), async (input) => {
      await cases.reopen(actorOf(request), id, input.version, input.reason)
      return `/cases/${id}?notice=reopened`
    })
  })

  // ---- notes, sharing, call-backs ----

  const renderNote = async (request: FastifyRequest, reply: FastifyReply, id: string, values: Record<string, unknown>, errors?: FormErrors) => {
    const record = await cases.getFor(actorOf(request), id, 'addNote', { page: 'note' })
    return reply.render('cases/views/note.njk', { title: `Add a note to ${record.reference}`, caseRecord: record, values, errors })
  }

  app.get('/cases/:id/notes/new', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => renderNote(request, reply, (request.params as CaseParams).id, {}))

  app.post('/cases/:id/notes/new', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as CaseParams
    const values = bodyOf(request)
    return handleForm(reply, noteInput, values, (r, errors) => renderNote(request, r, id, values, errors), async (input) => {
      await cases.addNote(actorOf(request), id, input)
      return `/cases/${id}?notice=note#notes`
    })
  })

  const renderShare = async (request: FastifyRequest, reply: FastifyReply, id: string, values: Record<string, unknown>, errors?: FormErrors) => {
    const record = await cases.getFor(actorOf(request), id, 'shareCase', { page: 'share' })
    const organisations = await cases.shareableOrganisations(record.owningOrganisationId)
    return reply.render('cases/views/share.njk', {
      title: `Share ${record.reference} with another organisation`,
      caseRecord: record,
      values,
      errors,
      organisationItems: [{ value: '', text: 'Choose an organisation' }, ...organisations.map((organisation) => ({ value: organisation.id, text: organisation.name, selected: organisation.id === values.organisationId }))],
      accessItems: Object.entries(SHARE_ACCESS).map(([value, { label, hint }]) => ({ value, text: label, hint: { text: hint }, checked: value === values.access })),
    })
  }

  app.get('/cases/:id/share', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => renderShare(request, reply, (request.params as CaseParams).id, {}))

  app.post('/cases/:id/share', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as CaseParams
    const values = bodyOf(request)
    return handleForm(reply, shareInput, values, (r, errors) => renderShare(request, r, id, values, errors), async (input) => {
      await cases.share(actorOf(request), id, input)
      return `/cases/${id}?notice=shared#sharing`
    })
  })

  app.post('/cases/:id/shares/:shareId/revoke', { config: manage, schema: { params: shareParams, hide: true } }, async (request, reply) => {
    const { id, shareId } = request.params as z.output<typeof shareParams>
    await cases.revokeShare(actorOf(request), id, shareId)
    return reply.redirect(`/cases/${id}?notice=unshared#sharing`)
  })

  const renderCallback = async (request: FastifyRequest, reply: FastifyReply, id: string, values: Record<string, unknown>, errors?: FormErrors) => {
    const record = await cases.getFor(actorOf(request), id, 'recordCallback', { allowClosed: true, page: 'callback' })
    const { not_asked: _notAsked, ...choices } = SATISFACTION
    return reply.render('cases/views/callback.njk', { title: `Record a call-back on ${record.reference}`, caseRecord: record, values, errors, satisfactionItems: items(choices, values.satisfaction) })
  }

  app.get('/cases/:id/callbacks/new', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => renderCallback(request, reply, (request.params as CaseParams).id, {}))

  app.post('/cases/:id/callbacks/new', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as CaseParams
    const values = bodyOf(request)
    return handleForm(reply, callbackInput, values, (r, errors) => renderCallback(request, r, id, values, errors), async (input) => {
      await cases.recordCallback(actorOf(request), id, input)
      return `/cases/${id}?notice=callback#callbacks`
    })
  })

  // ---- API ----

  const tags = ['Cases']
  api.get('/api/v1/cases', { config: read, schema: { summary: 'Cases your organisation may see', tags, querystring: caseListFilter, response: { 200: z.object({ total: z.number(), page: z.number(), cases: z.array(caseSummaryResponse) }) } } }, async (request) => {
    const { rows, total } = await cases.list(actorOf(request), request.query)
    return { total, page: request.query.page, cases: rows.map((row) => caseSummaryResponse.parse(row)) }
  })

  api.post('/api/v1/cases', { config: manage, schema: { summary: 'Open a case owned by your organisation', tags, body: caseInput, response: { 201: caseResponse } } }, async (request, reply) => {
    const created = await cases.create(actorOf(request), request.body)
    return reply.code(201).send(caseResponse.parse(await cases.get(actorOf(request), created.id, { audit: false })))
  })

  api.get('/api/v1/cases/:id', { config: read, schema: { summary: 'One case', tags, params: caseParams, response: { 200: caseResponse } } }, async (request) => {
    return caseResponse.parse(await cases.get(actorOf(request), request.params.id))
  })

  api.patch(
    '/api/v1/cases/:id',
    { config: manage, schema: { summary: 'Change a case (send the version you read: a stale version is refused with 409)', tags, params: caseParams, body: caseChanges, response: { 200: caseResponse } } },
    async (request) => {
      const { version, ...input } = request.body
      await cases.update(actorOf(request), request.params.id, version, input)
      return caseResponse.parse(await cases.get(actorOf(request), request.params.id, { audit: false }))
    },
  )

  api.post('/api/v1/cases/:id/status', { config: manage, schema: { summary: 'Move a case to another status', tags, params: caseParams, body: statusInput, response: { 200: caseResponse } } }, async (request) => {
    await cases.changeStatus(actorOf(request), request.params.id, request.body.version, request.body.status)
    return caseResponse.parse(await cases.get(actorOf(request), request.params.id, { audit: false }))
  })

  api.post('/api/v1/cases/:id/close', { config: manage, schema: { summary: 'Close a case with its outcome and victim satisfaction', tags, params: caseParams, body: closeInput, response: { 200: caseResponse } } }, async (request) => {
    await cases.close(actorOf(request), request.params.id, request.body)
    return caseResponse.parse(await cases.get(actorOf(request), request.params.id, { audit: false }))
  })

  api.post('/api/v1/cases/:id/reopen', { config: manage, schema: { summary: 'Reopen a closed case', tags, params: caseParams, body: reopenInput, response: { 200: caseResponse } } }, async (request) => {
    await cases.reopen(actorOf(request), request.params.id, request.body.version, request.body.reason)
    return caseResponse.parse(await cases.get(actorOf(request), request.params.id, { audit: false }))
  })

  api.post('/api/v1/cases/:id/notes', { config: manage, schema: { summary: 'Add a note (restricted notes are seen only by the owning organisation)', tags, params: caseParams, body: noteInput, response: { 201: z.object({ id: z.uuid() }) } } }, async (request, reply) => {
    const id = await cases.addNote(actorOf(request), request.params.id, request.body)
    return reply.code(201).send({ id })
  })

  api.post('/api/v1/cases/:id/shares', { config: manage, schema: { summary: 'Share a case with another organisation', tags, params: caseParams, body: shareInput, response: { 204: z.null() } } }, async (request, reply) => {
    await cases.share(actorOf(request), request.params.id, request.body)
    return reply.code(204).send(null)
  })
}
