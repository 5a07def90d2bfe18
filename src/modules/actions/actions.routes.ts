import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { todayInLondon } from '../../platform/dates.js'
import { actorOf } from '../../platform/http/actor.js'
import { dateFromParts, partsFromDate } from '../../platform/http/date-input.js'
import { ConflictError, RuleError } from '../../platform/http/errors.js'
import { type FormErrors, asArray, parseForm, ruleErrors } from '../../platform/http/forms.js'
import type { Actor } from '../audit/audit.events.js'
import { meetingDate } from '../meetings/meetings.format.js'
import type { ExportFormat } from './actions-exports.js'
import { BODY_LOG_LIMIT, type LogEntry, RECENTLY_CLOSED } from './actions.service.js'
import {
  ACTION_STATUSES,
  type ActionInput,
  actionEditForm,
  actionForm,
  actionLogFilter,
  actionResponse,
  actionWithHistoryResponse,
  apiActionInput,
  apiStatusUpdateInput,
  logEntryResponse,
  statusUpdateForm,
} from './actions.schemas.js'

const read = { access: 'governance:read' } as const
const manage = { access: 'governance:manage' } as const
const anyUser = { access: 'signed-in' } as const
const meetingParams = z.object({ meetingId: z.uuid({ error: 'Meeting id must be a UUID' }) })
const itemParams = meetingParams.extend({ itemId: z.uuid({ error: 'Agenda item id must be a UUID' }) })
const bodyParams = z.object({ bodyId: z.uuid({ error: 'Body id must be a UUID' }) })
const actionParams = z.object({ actionId: z.uuid({ error: 'Action id must be a UUID' }) })
type ActionParams = z.output<typeof actionParams>
const tags = ['Actions']

/** Where the update page goes back to: my actions, a body's log, a meeting's log, or (by default) the action. */
const returnTo = z.string().regex(/^(mine|body|meeting:[0-9a-f-]{36})$/i).optional().catch(undefined)

const bodyOf = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>
const queryOf = (request: FastifyRequest) => (request.query ?? {}) as Record<string, string | undefined>

/** The owner checkboxes and the three selects become one list; the date boxes one date. */
function actionFormInput(values: Record<string, unknown>) {
  const owners = [...asArray(values.owners), values.ownerUser, values.ownerContact, values.ownerOrganisation].filter((value) => typeof value === 'string' && value !== '')
  return { ...values, owners, dueOn: dateFromParts(values, 'dueOn') }
}

/** GOV.UK error links go to the first box of a date, and to the first owner field on the page. */
function linkedToFields(errors: FormErrors, hasMemberBoxes: boolean): FormErrors {
  const href = (field: string, fallback: string) => (field === 'dueOn' ? '#dueOn-day' : field === 'owners' && !hasMemberBoxes ? '#ownerUser' : fallback)
  return { ...errors, summary: errors.summary.map((item) => ({ ...item, href: href(item.href.slice(1), item.href) })) }
}

const conflictErrors = (error: ConflictError): FormErrors => ({ summary: [{ text: error.message, href: '#main-content' }], fields: {} })

/** The API's view of a log row: the action and its history, oldest first. */
const apiLogEntry = (entry: LogEntry) => logEntryResponse.parse({ ...entry.action, history: [...entry.earlier].reverse().concat(entry.latest ? [entry.latest] : []) })

export async function actionRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { actions } = services
  const api = app.withTypeProvider<ZodTypeProvider>()

  // ---- add and change ----

  type FormData = Awaited<ReturnType<typeof actions.createForm>> | Awaited<ReturnType<typeof actions.editForm>>

  function renderForm(reply: FastifyReply, context: { heading: string; caption: string; cancelHref: string; data: FormData; values: Record<string, unknown>; errors?: FormErrors; keepLinkChoice?: boolean; submitText: string }) {
    const { data, values } = context
    const checked = asArray(values.owners).map(String)
    const hasMemberBoxes = data.memberChoices.length > 0
    const choose = (prefix: string, text: string, rows: { id: string; name: string; organisationName?: string | null }[], selected: unknown) => [
      { value: '', text },
      ...rows.map((row) => ({ value: `${prefix}:${row.id}`, text: row.organisationName ? `${row.name} (${row.organisationName})` : row.name, selected: selected === `${prefix}:${row.id}` })),
    ]
    return reply.render('actions/views/form.njk', {
      title: context.heading,
      ...context,
      errors: context.errors ? linkedToFields(context.errors, hasMemberBoxes) : undefined,
      memberItems: data.memberChoices.map((choice) => ({ value: choice.value, text: choice.text, hint: { text: choice.hint }, checked: checked.includes(choice.value) })),
      userItems: choose('user', 'Choose a user', data.users, values.ownerUser),
      contactItems: choose('contact', 'Choose a contact', data.contacts, values.ownerContact),
      organisationItems: choose('organisation', 'Choose an organisation', data.organisations, values.ownerOrganisation),
    })
  }

  async function submitForm(request: FastifyRequest, reply: FastifyReply, render: (reply: FastifyReply, errors: FormErrors) => Promise<unknown>, save: (input: ActionInput, values: Record<string, unknown>) => Promise<string>, schema: typeof actionForm | typeof actionEditForm = actionForm) {
    const form = parseForm(schema, actionFormInput(bodyOf(request)), { dateInputs: ['dueOn'] })
    if (!form.ok) return render(reply.code(400), form.errors)
    try {
      return reply.redirect(await save(form.value, bodyOf(request)))
    } catch (error) {
      if (error instanceof RuleError) return render(reply.code(400), ruleErrors(error))
      if (error instanceof ConflictError) return render(reply.code(409), conflictErrors(error))
      throw error
    }
  }

  async function renderItemForm(request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown>, errors?: FormErrors) {
    const { meetingId, itemId } = request.params as z.output<typeof itemParams>
    const data = await actions.createForm(actorOf(request), { meetingId, agendaItemId: itemId })
    return renderForm(reply, {
      heading: 'Add an action',
      caption: `${data.body.name}: item ${data.item!.number}, ${data.item!.title}`,
      cancelHref: `/meetings/${meetingId}/minutes`,
      data,
      values,
      errors,
      submitText: 'Add action',
    })
  }

  app.get('/meetings/:meetingId/items/:itemId/actions/new', { config: manage, schema: { params: itemParams, hide: true } }, (request, reply) => renderItemForm(request, reply, {}))

  app.post('/meetings/:meetingId/items/:itemId/actions/new', { config: manage, schema: { params: itemParams, hide: true } }, async (request, reply) => {
    const { meetingId, itemId } = request.params as z.output<typeof itemParams>
    return submitForm(
      request,
      reply,
      (replyWithCode, errors) => renderItemForm(request, replyWithCode, bodyOf(request), errors),
      async (input) => {
        await actions.create(actorOf(request), { meetingId, agendaItemId: itemId }, input)
        return `/meetings/${meetingId}/minutes?notice=action-added`
      },
    )
  })

  async function renderBodyForm(request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown>, errors?: FormErrors) {
    const { bodyId } = request.params as z.output<typeof bodyParams>
    const data = await actions.createForm(actorOf(request), { bodyId })
    return renderForm(reply, { heading: 'Add an action raised between meetings', caption: data.body.name, cancelHref: `/bodies/${bodyId}/action-log`, data, values, errors, submitText: 'Add action' })
  }

  app.get('/bodies/:bodyId/actions/new', { config: manage, schema: { params: bodyParams, hide: true } }, (request, reply) => renderBodyForm(request, reply, {}))

  app.post('/bodies/:bodyId/actions/new', { config: manage, schema: { params: bodyParams, hide: true } }, async (request, reply) => {
    const { bodyId } = request.params as z.output<typeof bodyParams>
    return submitForm(
      request,
      reply,
      (replyWithCode, errors) => renderBodyForm(request, replyWithCode, bodyOf(request), errors),
      async (input) => {
        await actions.create(actorOf(request), { bodyId }, input)
        return `/bodies/${bodyId}/action-log?notice=action-added`
      },
    )
  })

  async function renderEdit(request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown> | undefined, errors?: FormErrors) {
    const { actionId } = request.params as ActionParams
    const data = await actions.editForm(actorOf(request), actionId)
    const { action, linkedCase } = data
    const due = partsFromDate(action.dueOn)
    const current = {
      text: action.text,
      owners: action.owners.map((owner) => `${owner.type}:${owner.id}`),
      due: action.dueNextMeeting ? 'next_meeting' : 'date',
      'dueOn-day': due.day,
      'dueOn-month': due.month,
      'dueOn-year': due.year,
      link: linkedCase ? 'case' : action.linkedRecord ? 'keep' : 'none',
      caseReference: linkedCase?.reference,
      version: action.version,
    }
    return renderForm(reply, {
      heading: 'Change the action',
      caption: `${action.bodyName}: ${action.reference}`,
      cancelHref: `/actions/${actionId}`,
      data,
      values: { ...(values ?? current), version: values?.version ?? action.version },
      errors,
      keepLinkChoice: Boolean(action.linkedRecord && !linkedCase),
      submitText: 'Save changes',
    })
  }

  app.get('/actions/:actionId/edit', { config: manage, schema: { params: actionParams, hide: true } }, (request, reply) => renderEdit(request, reply, undefined))

  app.post('/actions/:actionId/edit', { config: manage, schema: { params: actionParams, hide: true } }, async (request, reply) => {
    const { actionId } = request.params as ActionParams
    return submitForm(
      request,
      reply,
      (replyWithCode, errors) => renderEdit(request, replyWithCode, bodyOf(request), errors),
      async (input, values) => {
        await actions.edit(actorOf(request), actionId, { ...input, version: Number(values.version) })
        return `/actions/${actionId}?notice=changed`
      },
      actionEditForm,
    )
  })

  // ---- one action, and progress ----

  app.get('/actions/:actionId', { config: anyUser, schema: { params: actionParams, hide: true } }, async (request, reply) => {
    const { actionId } = request.params as ActionParams
    const { action, history, linkedCase, access } = await actions.view(actorOf(request), actionId)
    return reply.render('actions/views/show.njk', { title: `Action ${action.reference}`, action, history, linkedCase, access, notice: queryOf(request).notice })
  })

  async function renderUpdate(request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown>, errors?: FormErrors) {
    const { actionId } = request.params as ActionParams
    const query = queryOf(request)
    const from = returnTo.parse(values.returnTo ?? query.from)
    const data = await actions.updateForm(actorOf(request), actionId, String(values.meetingId ?? query.meetingId ?? '') || undefined)
    const chosenMeeting = values.meetingId ?? data.reportedAt?.id ?? ''
    return reply.render('actions/views/update.njk', {
      title: 'Update the action',
      ...data,
      values: { status: values.status, comment: values.comment, version: values.version ?? data.action.version },
      errors,
      returnTo: from,
      statusItems: data.statuses.map((status) => ({ value: status, text: ACTION_STATUSES[status], checked: values.status === status })),
      meetingItems: [{ value: '', text: 'Not at a meeting' }, ...data.meetings.map((meeting) => ({ value: meeting.id, text: `Meeting on ${meetingDate(meeting.meetsOn)}`, selected: meeting.id === chosenMeeting }))],
    })
  }

  app.get('/actions/:actionId/update', { config: anyUser, schema: { params: actionParams, hide: true } }, (request, reply) => renderUpdate(request, reply, {}))

  app.post('/actions/:actionId/update', { config: anyUser, schema: { params: actionParams, hide: true } }, async (request, reply) => {
    const { actionId } = request.params as ActionParams
    const values = bodyOf(request)
    const form = parseForm(statusUpdateForm, values)
    if (!form.ok) return renderUpdate(request, reply.code(400), values, form.errors)
    try {
      const { bodyId } = await actions.updateStatus(actorOf(request), actionId, form.value)
      const from = returnTo.parse(values.returnTo)
      if (from === 'mine') return reply.redirect('/actions?notice=updated')
      if (from === 'body') return reply.redirect(`/bodies/${bodyId}/action-log?notice=updated`)
      if (from?.startsWith('meeting:')) return reply.redirect(`/meetings/${from.slice('meeting:'.length)}/action-log?notice=updated`)
      return reply.redirect(`/actions/${actionId}?notice=updated`)
    } catch (error) {
      if (error instanceof RuleError) return renderUpdate(request, reply.code(400), values, ruleErrors(error))
      if (error instanceof ConflictError) return renderUpdate(request, reply.code(409), values, conflictErrors(error))
      throw error
    }
  })

  // ---- my actions, and overdue actions for coordinators ----

  app.get('/actions', { config: anyUser }, async (request, reply) => {
    const { mine, organisation } = await actions.mine(actorOf(request))
    return reply.render('actions/views/mine.njk', { title: 'My actions', mine, organisation, organisationName: request.auth!.user.organisationName, notice: queryOf(request).notice })
  })

  app.get('/actions/overdue', { config: manage }, async (request, reply) => {
    const groups = await actions.overdueByBody(actorOf(request))
    return reply.render('actions/views/overdue.njk', { title: 'Overdue actions', groups })
  })

  // ---- action logs ----

  app.get('/meetings/:meetingId/action-log', { config: read, schema: { params: meetingParams, hide: true } }, async (request, reply) => {
    const { meetingId } = request.params as z.output<typeof meetingParams>
    const { body, meeting, entries } = await actions.meetingLog(actorOf(request), meetingId)
    return reply.render('actions/views/log.njk', {
      title: `Action log for the meeting on ${meetingDate(meeting.meetsOn)}`,
      body,
      meeting,
      entries,
      // The clerk reporting updates at (or after) the meeting records them as reported at it.
      updateQuery: body.canManage && meeting.meetsOn <= todayInLondon() ? `?from=meeting:${meetingId}&meetingId=${meetingId}` : `?from=meeting:${meetingId}`,
      notice: queryOf(request).notice,
    })
  })

  for (const format of ['docx', 'xlsx', 'csv'] as const satisfies readonly ExportFormat[]) {
    app.get(`/meetings/:meetingId/action-log.${format}`, { config: read, schema: { params: meetingParams, hide: true } }, async (request, reply) => {
      const { meetingId } = request.params as z.output<typeof meetingParams>
      const file = await actions.exportMeetingLog(actorOf(request), meetingId, format)
      return reply.type(file.mimeType).header('content-disposition', `attachment; filename="${file.fileName}"`).header('cache-control', 'no-store').send(file.content)
    })
  }

  app.get('/bodies/:bodyId/action-log', { config: read, schema: { params: bodyParams, hide: true } }, async (request, reply) => {
    const { bodyId } = request.params as z.output<typeof bodyParams>
    const query = queryOf(request)
    const parsed = actionLogFilter.safeParse(query)
    const filter = parsed.success ? parsed.data : { overdue: false }
    const { body, entries, total, owners } = await actions.bodyLog(actorOf(request), bodyId, filter)
    return reply.render('actions/views/log.njk', {
      title: `Action log: ${body.name}`,
      body,
      entries,
      total,
      limit: BODY_LOG_LIMIT,
      filter,
      statusItems: [{ value: '', text: 'Not complete or withdrawn' }, ...Object.entries(ACTION_STATUSES).map(([value, text]) => ({ value, text, selected: filter.status === value }))],
      ownerItems: [{ value: '', text: 'Anyone' }, ...owners.map((owner) => ({ ...owner, selected: filter.owner === owner.value }))],
      updateQuery: '?from=body',
      notice: query.notice,
    })
  })

  // ---- API ----

  /** The action as the API returns it; `read` is actions.view when the request is a read (audited). */
  const actionWithHistory = async (actor: Actor, actionId: string, read: typeof actions.get = actions.get) => {
    const { action, history } = await read(actor, actionId)
    return actionWithHistoryResponse.parse({ ...action, history })
  }

  api.get(
    '/api/v1/actions/mine',
    { config: anyUser, schema: { summary: `Actions you own, and those your organisation owns: every open one, overdue first, then the ${RECENTLY_CLOSED} most recently completed or withdrawn`, tags, response: { 200: z.object({ mine: z.array(actionResponse), organisation: z.array(actionResponse) }) } } },
    async (request) => {
      const { mine, organisation } = await actions.mine(actorOf(request))
      return { mine: mine.map((action) => actionResponse.parse(action)), organisation: organisation.map((action) => actionResponse.parse(action)) }
    },
  )

  api.get(
    '/api/v1/actions/:actionId',
    { config: anyUser, schema: { summary: 'One action and its updates (newest first): for its owners, and for those who may read its body', tags, params: actionParams, response: { 200: actionWithHistoryResponse } } },
    async (request) => actionWithHistory(actorOf(request), request.params.actionId, actions.view),
  )

  api.post(
    '/api/v1/actions',
    {
      config: manage,
      schema: {
        summary: 'Record an action raised at a meeting (under one of its items) or between meetings: text, one or more owners, a due date or the next meeting, and optionally an ASB case it relates to',
        tags,
        body: apiActionInput,
        response: { 201: actionWithHistoryResponse },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const { meetingId, agendaItemId, bodyId, text, owners, dueOn, caseReference } = request.body
      const origin = meetingId ? { meetingId, agendaItemId } : { bodyId: bodyId! }
      const { id } = await actions.create(actor, origin, { text, owners, due: dueOn ? { kind: 'date', on: dueOn } : { kind: 'next_meeting' }, link: caseReference ? { type: 'case', reference: caseReference } : null })
      return reply.code(201).send(await actionWithHistory(actor, id))
    },
  )

  api.post(
    '/api/v1/actions/:actionId/updates',
    {
      config: anyUser,
      schema: {
        summary: "Report progress on an action: owners may say ongoing, complete or incomplete; the body's chair, clerk and officers any status. A comment is required for incomplete, no_update and withdrawn.",
        tags,
        params: actionParams,
        body: apiStatusUpdateInput,
        response: { 201: actionWithHistoryResponse },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      await actions.updateStatus(actor, request.params.actionId, request.body)
      return reply.code(201).send(await actionWithHistory(actor, request.params.actionId))
    },
  )

  api.get(
    '/api/v1/meetings/:meetingId/action-log',
    {
      config: read,
      schema: {
        summary: "The action log for a meeting: every action raised before it that was not complete or withdrawn at the meeting, and those closed since the previous meeting, with the status and updates as they stood at the meeting; oldest first",
        tags,
        params: meetingParams,
        response: { 200: z.object({ body: z.object({ id: z.uuid(), name: z.string() }), meeting: z.object({ id: z.uuid(), meetsOn: z.string(), previousMeetingOn: z.string().nullable() }), actions: z.array(logEntryResponse) }) },
      },
    },
    async (request) => {
      const { body, meeting, entries } = await actions.meetingLog(actorOf(request), request.params.meetingId)
      return { body: { id: body.id, name: body.name }, meeting: { id: meeting.id, meetsOn: meeting.meetsOn, previousMeetingOn: meeting.previous?.meetsOn ?? null }, actions: entries.map(apiLogEntry) }
    },
  )

  api.get(
    '/api/v1/bodies/:bodyId/actions',
    {
      config: read,
      schema: {
        summary: `A body's action log now: every action not complete or withdrawn, or those of one status; by owner; overdue only. Oldest first, at most ${BODY_LOG_LIMIT}.`,
        tags,
        params: bodyParams,
        querystring: actionLogFilter,
        response: { 200: z.object({ total: z.number().int(), actions: z.array(logEntryResponse) }) },
      },
    },
    async (request) => {
      const { entries, total } = await actions.bodyLog(actorOf(request), request.params.bodyId, request.query)
      return { total, actions: entries.map(apiLogEntry) }
    },
  )
}
