import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { dateFromParts, partsFromDate } from '../../platform/http/date-input.js'
import { ConflictError, RuleError } from '../../platform/http/errors.js'
import { type FormErrors, asArray, parseForm } from '../../platform/http/forms.js'
import type { Actor } from '../audit/audit.events.js'
import { MAX_UPLOAD_TEXT, contentDisposition } from '../documents/documents.rules.js'
import { acceptUploads, receivedFile } from '../documents/documents.upload.js'
import {
  ITEM_KINDS,
  TEAMS,
  cancelForm,
  editMeetingForm,
  forwardProgrammeResponse,
  itemBody,
  itemChangesForm,
  itemForm,
  itemResponse,
  meetingResponse,
  meetingSummaryResponse,
  moveForm,
  paperFields,
  programmeForm,
  programmeItemForm,
  publishResponse,
  scheduleBody,
  scheduleForm,
} from './meetings.schemas.js'
import type { ItemView } from './meetings.service.js'

const read = { access: 'governance:read' } as const
const manage = { access: 'governance:manage' } as const
const bodyParams = z.object({ bodyId: z.uuid({ error: 'Body id must be a UUID' }) })
const meetingParams = z.object({ meetingId: z.uuid({ error: 'Meeting id must be a UUID' }) })
const itemParams = z.object({ itemId: z.uuid({ error: 'Agenda item id must be a UUID' }) })
const paperParams = z.object({ paperId: z.uuid({ error: 'Paper id must be a UUID' }) })
type BodyParams = z.output<typeof bodyParams>
type MeetingParams = z.output<typeof meetingParams>
type ItemParams = z.output<typeof itemParams>
type PaperParams = z.output<typeof paperParams>
const tags = ['Meetings']

type Values = Record<string, unknown>
const bodyOf = (request: FastifyRequest) => (request.body ?? {}) as Values
const queryOf = (request: FastifyRequest) => (request.query ?? {}) as Record<string, string | undefined>
const DATE_FIELDS = ['meetsOn']

/** A rule broken against a field; a date input's summary link goes to its day box, as the GOV.UK pattern asks. */
function ruleErrors(error: RuleError): FormErrors {
  const href = DATE_FIELDS.includes(error.field) ? `#${error.field}-day` : `#${error.field}`
  return { summary: [{ text: error.message, href }], fields: { [error.field]: { text: error.message } } }
}
const conflictErrors = (error: ConflictError): FormErrors => ({ summary: [{ text: error.message, href: '#main-content' }], fields: {} })

/**
 * Runs a form post: validate, call the service, redirect; a broken rule or a stale edit re-renders the form with the
 * GOV.UK error summary and what the clerk typed.
 */
async function handleForm<S extends z.ZodType>(reply: FastifyReply, schema: S, values: Values, render: (reply: FastifyReply, errors: FormErrors) => unknown, action: (value: z.output<S>) => Promise<string>) {
  const form = parseForm(schema, values, { dateInputs: DATE_FIELDS })
  if (!form.ok) return render(reply.code(400), form.errors)
  try {
    return reply.redirect(await action(form.value))
  } catch (error) {
    if (error instanceof RuleError) return render(reply.code(error.statusCode), ruleErrors(error))
    if (error instanceof ConflictError) return render(reply.code(409), conflictErrors(error))
    throw error
  }
}

/** Sends a stored paper so that no browser runs or renders it in the service's origin. */
function sendFile(reply: FastifyReply, file: { content: Buffer; mimeType: string; fileName: string }) {
  return reply
    .type(file.mimeType)
    .header('content-disposition', contentDisposition(file.fileName))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(file.content)
}

/** The date input's three boxes and the venue radios, from a stored meeting. */
const meetingValues = (meeting: { meetsOn?: string | null; startsAt?: string | null; venue?: string | null }) => {
  const date = partsFromDate(meeting.meetsOn)
  return {
    'meetsOn-day': date.day,
    'meetsOn-month': date.month,
    'meetsOn-year': date.year,
    startsAt: meeting.startsAt ?? '',
    venueType: meeting.venue === TEAMS ? 'teams' : meeting.venue ? 'in_person' : undefined,
    venue: meeting.venue === TEAMS ? '' : (meeting.venue ?? ''),
  }
}
const withDate = (values: Values) => ({ ...values, meetsOn: dateFromParts(values, 'meetsOn') })

/** What the API gives for an item: without the ids kept for the edit form. */
const itemJson = (item: ItemView) => itemResponse.parse(item)

export async function meetingRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { meetings } = services
  const api = app.withTypeProvider<ZodTypeProvider>()

  // ---- scheduling ----

  async function renderSchedule(reply: FastifyReply, actor: Actor, bodyId: string, values: Values, errors?: FormErrors) {
    const { body, programmeItems } = await meetings.scheduleForm(actor, bodyId)
    const chosen = asArray(values.programmeItemIds)
    return reply.render('meetings/views/schedule.njk', {
      title: `Schedule a meeting of ${body.name}`,
      body,
      values,
      errors,
      programmeItems: programmeItems.map((item) => ({
        value: item.id,
        text: item.title,
        hint: { text: [item.presenter ? `Presented by ${item.presenter.name}` : '', item.exempt ? 'Exempt' : ''].filter(Boolean).join('. ') || undefined },
        checked: chosen.includes(item.id),
      })),
    })
  }

  app.get('/bodies/:bodyId/meetings/new', { config: manage, schema: { params: bodyParams, hide: true } }, async (request, reply) => {
    const { bodyId } = request.params as BodyParams
    const actor = actorOf(request)
    const { defaults } = await meetings.scheduleForm(actor, bodyId)
    const item = queryOf(request).item
    return renderSchedule(reply, actor, bodyId, { ...meetingValues({ startsAt: defaults.defaultStartTime, venue: defaults.defaultVenue }), programmeItemIds: item ? [item] : [] })
  })

  app.post('/bodies/:bodyId/meetings/new', { config: manage, schema: { params: bodyParams, hide: true } }, async (request, reply) => {
    const { bodyId } = request.params as BodyParams
    const actor = actorOf(request)
    const values = bodyOf(request)
    return handleForm(reply, scheduleForm, withDate(values), (r, errors) => renderSchedule(r, actor, bodyId, values, errors), async (input) => {
      const { id, status } = await meetings.schedule(actor, bodyId, input)
      return status === 'held' ? `/meetings/${id}/minutes` : `/meetings/${id}?notice=scheduled`
    })
  })

  // ---- the forward programme ----

  async function renderProgramme(reply: FastifyReply, actor: Actor, bodyId: string, errors?: FormErrors, options: { notice?: string } = {}) {
    const programme = await meetings.forwardProgramme(actor, bodyId)
    return reply.render('meetings/views/forward-programme.njk', { title: `${programme.body.name}: forward programme`, ...programme, errors, notice: options.notice })
  }

  app.get('/bodies/:bodyId/forward-programme', { config: read, schema: { params: bodyParams, hide: true } }, async (request, reply) => {
    const query = queryOf(request)
    return renderProgramme(reply, actorOf(request), (request.params as BodyParams).bodyId, undefined, { notice: query.notice })
  })

  async function renderProgrammeItem(reply: FastifyReply, actor: Actor, bodyId: string, values: Values, errors?: FormErrors) {
    const { body, presenters, targets } = await meetings.newProgrammeItemForm(actor, bodyId)
    return reply.render('meetings/views/item-form.njk', {
      title: 'Add an item to the forward programme',
      body,
      values,
      errors,
      presenters,
      kinds: ITEM_KINDS,
      showKind: true,
      meetingItems: [
        { value: '', text: 'To be programmed', selected: !values.meetingId },
        ...targets.map((meeting) => ({ value: meeting.id, text: `${meeting.day} at ${meeting.startsAt}`, selected: values.meetingId === meeting.id })),
      ],
      back: { href: `/bodies/${bodyId}/forward-programme`, text: 'Back to the forward programme' },
      submitText: 'Add item',
    })
  }

  app.get('/bodies/:bodyId/forward-programme/items/new', { config: manage, schema: { params: bodyParams, hide: true } }, async (request, reply) =>
    renderProgrammeItem(reply, actorOf(request), (request.params as BodyParams).bodyId, { meetingId: queryOf(request).meeting }),
  )

  app.post('/bodies/:bodyId/forward-programme/items/new', { config: manage, schema: { params: bodyParams, hide: true } }, async (request, reply) => {
    const { bodyId } = request.params as BodyParams
    const actor = actorOf(request)
    const values = bodyOf(request)
    return handleForm(reply, programmeItemForm, values, (r, errors) => renderProgrammeItem(r, actor, bodyId, values, errors), async ({ item, meetingId }) => {
      const added = await meetings.addProgrammeItem(actor, bodyId, item, meetingId)
      return added.meetingId ? `/meetings/${added.meetingId}?notice=item-added#item-${added.id}` : `/bodies/${bodyId}/forward-programme?notice=item-added#to-be-programmed`
    })
  })

  app.post('/agenda-items/:itemId/programme', { config: manage, schema: { params: itemParams, hide: true } }, async (request, reply) => {
    const { itemId } = request.params as ItemParams
    const actor = actorOf(request)
    const values = bodyOf(request)
    const form = parseForm(programmeForm, values)
    // Errors show on the forward programme page, against this item's meeting list.
    const field = `meetingId-${itemId}`
    const renderWith = async (status: number, text: string) => {
      const body = await meetings.itemBody(actor, itemId)
      return renderProgramme(reply.code(status), actor, body.id, { summary: [{ text, href: `#${field}` }], fields: { [field]: { text } } })
    }
    if (!form.ok) return renderWith(400, form.errors.summary[0]!.text)
    try {
      const { bodyId } = await meetings.programmeItem(actor, itemId, form.value.meetingId)
      return reply.redirect(`/bodies/${bodyId}/forward-programme?notice=programmed`)
    } catch (error) {
      if (error instanceof RuleError || error instanceof ConflictError) return renderWith(error.statusCode, error.message)
      throw error
    }
  })

  // ---- meetings across bodies ----

  app.get('/meetings', { config: read }, async (request, reply) => {
    const { upcoming, past } = await meetings.overview(actorOf(request))
    return reply.render('meetings/views/list.njk', { title: 'Meetings', upcoming, past })
  })

  // ---- the meeting page ----

  app.get('/meetings/:meetingId', { config: read, schema: { params: meetingParams, hide: true } }, async (request, reply) => {
    const { meetingId } = request.params as MeetingParams
    const page = await meetings.meeting(actorOf(request), meetingId, 'meeting-page')
    const query = queryOf(request)
    return reply.render('meetings/views/show.njk', {
      title: `${page.body.name}: ${page.meeting.day}`,
      ...page,
      notice: query.notice,
      counts: { recipients: Number(query.recipients ?? 0), outbox: Number(query.outbox ?? 0), failed: Number(query.failed ?? 0) },
    })
  })

  // ---- changing and cancelling a meeting ----

  async function renderEdit(reply: FastifyReply, actor: Actor, meetingId: string, values?: Values, errors?: FormErrors) {
    const { body, meeting } = await meetings.changeForm(actor, meetingId)
    return reply.render('meetings/views/edit.njk', {
      title: `Change the meeting of ${meeting.date}`,
      body,
      meeting,
      values: values ?? { ...meetingValues(meeting), version: meeting.version },
      errors,
    })
  }

  app.get('/meetings/:meetingId/edit', { config: manage, schema: { params: meetingParams, hide: true } }, async (request, reply) => renderEdit(reply, actorOf(request), (request.params as MeetingParams).meetingId))

  app.post('/meetings/:meetingId/edit', { config: manage, schema: { params: meetingParams, hide: true } }, async (request, reply) => {
    const { meetingId } = request.params as MeetingParams
    const actor = actorOf(request)
    const values = bodyOf(request)
    return handleForm(
      reply,
      editMeetingForm,
      withDate(values),
      // After a stale edit, the form shows the meeting as it now is.
      (r, errors) => renderEdit(r, actor, meetingId, r.statusCode === 409 ? undefined : values, errors),
      async (changes) => {
        await meetings.update(actor, meetingId, changes)
        return `/meetings/${meetingId}?notice=updated`
      },
    )
  })

  async function renderCancel(reply: FastifyReply, actor: Actor, meetingId: string, values?: Values, errors?: FormErrors) {
    const { body, meeting } = await meetings.changeForm(actor, meetingId)
    return reply.render('meetings/views/cancel.njk', { title: `Cancel the meeting of ${meeting.date}`, body, meeting, values: values ?? { version: meeting.version }, errors })
  }

  app.get('/meetings/:meetingId/cancel', { config: manage, schema: { params: meetingParams, hide: true } }, async (request, reply) => renderCancel(reply, actorOf(request), (request.params as MeetingParams).meetingId))

  app.post('/meetings/:meetingId/cancel', { config: manage, schema: { params: meetingParams, hide: true } }, async (request, reply) => {
    const { meetingId } = request.params as MeetingParams
    const actor = actorOf(request)
    const values = bodyOf(request)
    return handleForm(reply, cancelForm, values, (r, errors) => renderCancel(r, actor, meetingId, values, errors), async ({ reason, version }) => {
      await meetings.cancel(actor, meetingId, reason, version)
      return `/meetings/${meetingId}?notice=cancelled`
    })
  })

  // ---- agenda items ----

  async function renderNewItem(reply: FastifyReply, actor: Actor, meetingId: string, values: Values, errors?: FormErrors) {
    const { body, meeting, presenters } = await meetings.newItemForm(actor, meetingId)
    return reply.render('meetings/views/item-form.njk', {
      title: `Add an item to the agenda of ${meeting.date}`,
      body,
      meeting,
      values,
      errors,
      presenters,
      kinds: ITEM_KINDS,
      showKind: true,
      back: { href: `/meetings/${meetingId}`, text: 'Back to the meeting' },
      submitText: 'Add item',
    })
  }

  app.get('/meetings/:meetingId/items/new', { config: manage, schema: { params: meetingParams, hide: true } }, async (request, reply) =>
    renderNewItem(reply, actorOf(request), (request.params as MeetingParams).meetingId, {}),
  )

  app.post('/meetings/:meetingId/items/new', { config: manage, schema: { params: meetingParams, hide: true } }, async (request, reply) => {
    const { meetingId } = request.params as MeetingParams
    const actor = actorOf(request)
    const values = bodyOf(request)
    return handleForm(reply, itemForm, values, (r, errors) => renderNewItem(r, actor, meetingId, values, errors), async (input) => {
      const { id } = await meetings.addItem(actor, meetingId, input)
      return `/meetings/${meetingId}?notice=item-added#item-${id}`
    })
  })

  const itemPlace = (where: { bodyId: string; meetingId: string | null }, itemId: string | null, notice: string) =>
    where.meetingId ? `/meetings/${where.meetingId}?notice=${notice}${itemId ? `#item-${itemId}` : ''}` : `/bodies/${where.bodyId}/forward-programme?notice=${notice}#to-be-programmed`

  async function renderEditItem(reply: FastifyReply, actor: Actor, itemId: string, values?: Values, errors?: FormErrors) {
    const { body, meeting, item, presenters } = await meetings.itemForm(actor, itemId)
    const presenter = item.presenterUserId ? `user:${item.presenterUserId}` : item.presenterContactId ? `contact:${item.presenterContactId}` : ''
    return reply.render('meetings/views/item-form.njk', {
      title: `Change item: ${item.title}`,
      body,
      meeting,
      item,
      values: values ?? {
        title: item.title,
        kind: item.kind,
        description: item.description ?? '',
        hotTopic: item.hotTopic ?? '',
        presenter,
        presenterName: item.presenterName ?? '',
        presenterRole: item.presenterRole ?? '',
        exempt: item.exempt ? 'yes' : '',
        exemptReason: item.exemptReason ?? '',
      },
      errors,
      presenters,
      // Someone who no longer sits on the body can stay as the presenter of an item already on the agenda.
      keepPresenter: item.presenter && presenter ? { value: presenter, text: item.presenter.name } : null,
      kinds: ITEM_KINDS,
      showKind: !item.standing,
      showHotTopic: item.kind === 'hot_topics',
      back: meeting ? { href: `/meetings/${meeting.id}#item-${item.id}`, text: 'Back to the meeting' } : { href: `/bodies/${body.id}/forward-programme#to-be-programmed`, text: 'Back to the forward programme' },
      submitText: 'Save changes',
    })
  }

  app.get('/agenda-items/:itemId/edit', { config: manage, schema: { params: itemParams, hide: true } }, async (request, reply) => renderEditItem(reply, actorOf(request), (request.params as ItemParams).itemId))

  app.post('/agenda-items/:itemId/edit', { config: manage, schema: { params: itemParams, hide: true } }, async (request, reply) => {
    const { itemId } = request.params as ItemParams
    const actor = actorOf(request)
    const values = bodyOf(request)
    return handleForm(reply, itemChangesForm, values, (r, errors) => renderEditItem(r, actor, itemId, values, errors), async (input) =>
      itemPlace(await meetings.updateItem(actor, itemId, input), itemId, 'item-updated'),
    )
  })

  app.post('/agenda-items/:itemId/move', { config: manage, schema: { params: itemParams, hide: true } }, async (request, reply) => {
    const { itemId } = request.params as ItemParams
    const form = parseForm(moveForm, bodyOf(request))
    if (!form.ok) throw new RuleError('direction', form.errors.summary[0]!.text)
    const { meetingId } = await meetings.moveItem(actorOf(request), itemId, form.value.direction)
    return reply.redirect(`/meetings/${meetingId}#item-${itemId}`)
  })

  async function renderRemoveItem(reply: FastifyReply, actor: Actor, itemId: string, errors?: FormErrors) {
    const { body, meeting, item, blocker } = await meetings.removeItemForm(actor, itemId)
    return reply.render('meetings/views/item-remove.njk', { title: `Remove item: ${item.title}`, body, meeting, item, blocker, errors })
  }

  app.get('/agenda-items/:itemId/remove', { config: manage, schema: { params: itemParams, hide: true } }, async (request, reply) => renderRemoveItem(reply, actorOf(request), (request.params as ItemParams).itemId))

  app.post('/agenda-items/:itemId/remove', { config: manage, schema: { params: itemParams, hide: true } }, async (request, reply) => {
    const { itemId } = request.params as ItemParams
    const actor = actorOf(request)
    try {
      return reply.redirect(itemPlace(await meetings.removeItem(actor, itemId), null, 'item-removed'))
    } catch (error) {
      if (error instanceof ConflictError) return renderRemoveItem(reply.code(409), actor, itemId, conflictErrors(error))
      throw error
    }
  })

  // ---- papers ----

  // Multipart only for the upload page: a plugin of its own keeps it away from every other form.
  await app.register(async (uploads) => {
    await acceptUploads(uploads)

    async function renderUpload(reply: FastifyReply, actor: Actor, itemId: string, values: Values, errors?: FormErrors, chooseAgain = false) {
      const { body, meeting, item } = await meetings.paperForm(actor, itemId)
      return reply.render('meetings/views/paper-upload.njk', { title: `Add a paper to item ${item.number}`, body, meeting, item, values, errors, chooseAgain, maxSize: MAX_UPLOAD_TEXT })
    }

    uploads.get('/agenda-items/:itemId/papers/new', { config: manage, schema: { params: itemParams, hide: true } }, async (request, reply) =>
      renderUpload(reply, actorOf(request), (request.params as ItemParams).itemId, {}),
    )

    uploads.post('/agenda-items/:itemId/papers/new', { config: manage, schema: { params: itemParams, hide: true } }, async (request, reply) => {
      const { itemId } = request.params as ItemParams
      const actor = actorOf(request)
      const { file: _file, ...values } = bodyOf(request)
      const file = receivedFile(request)
      const form = parseForm(paperFields, values)
      if (!form.ok) {
        // Every problem at once, the missing file first as it comes first on the page.
        const errors = file ? form.errors : { summary: [{ text: 'Select a file', href: '#file' }, ...form.errors.summary], fields: { file: { text: 'Select a file' }, ...form.errors.fields } }
        return renderUpload(reply.code(400), actor, itemId, values, errors, Boolean(file))
      }
      try {
        const { meetingId } = await meetings.uploadPaper(actor, itemId, form.value, file)
        return reply.redirect(`/meetings/${meetingId}?notice=paper-added#item-${itemId}`)
      } catch (error) {
        if (error instanceof RuleError) return renderUpload(reply.code(error.statusCode), actor, itemId, values, ruleErrors(error), error.field !== 'file')
        if (error instanceof ConflictError) return renderUpload(reply.code(409), actor, itemId, values, conflictErrors(error))
        throw error
      }
    })
  })

  app.get('/papers/:paperId/download', { config: read, schema: { params: paperParams, hide: true } }, async (request, reply) =>
    sendFile(reply, await meetings.downloadPaper(actorOf(request), (request.params as PaperParams).paperId)),
  )

  app.get('/papers/:paperId/remove', { config: manage, schema: { params: paperParams, hide: true } }, async (request, reply) => {
    const page = await meetings.paper(actorOf(request), (request.params as PaperParams).paperId)
    return reply.render('meetings/views/paper-remove.njk', { title: `Remove paper: ${page.paper.title}`, ...page })
  })

  app.post('/papers/:paperId/remove', { config: manage, schema: { params: paperParams, hide: true } }, async (request, reply) => {
    const { meetingId } = await meetings.removePaper(actorOf(request), (request.params as PaperParams).paperId)
    return reply.redirect(`/meetings/${meetingId}?notice=paper-removed`)
  })

  // ---- publishing the agenda ----

  app.get('/meetings/:meetingId/publish-agenda', { config: manage, schema: { params: meetingParams, hide: true } }, async (request, reply) => {
    const page = await meetings.publishForm(actorOf(request), (request.params as MeetingParams).meetingId)
    return reply.render('meetings/views/publish.njk', { title: page.meeting.agendaPublishedAt ? 'Send the updated agenda' : 'Publish the agenda', ...page })
  })

  app.post('/meetings/:meetingId/publish-agenda', { config: manage, schema: { params: meetingParams, hide: true } }, async (request, reply) => {
    const { meetingId } = request.params as MeetingParams
    const result = await meetings.publishAgenda(actorOf(request), meetingId)
    return reply.redirect(`/meetings/${meetingId}?notice=published&recipients=${result.recipients}&outbox=${result.outbox}&failed=${result.failed}`)
  })

  // ---- API ----

  api.get(
    '/api/v1/bodies/:bodyId/meetings',
    { config: read, schema: { summary: "A body's meetings, oldest first", tags, params: bodyParams, response: { 200: z.array(meetingSummaryResponse) } } },
    async (request) => (await meetings.listForBody(actorOf(request), request.params.bodyId)).map((meeting) => meetingSummaryResponse.parse(meeting)),
  )

  api.post(
    '/api/v1/bodies/:bodyId/meetings',
    {
      config: manage,
      schema: {
        summary:
          'Schedule a meeting: the standing items are added in order (Hot Topics when a hotTopic is given), then the chosen items to be programmed and any deferred items waiting for it. A date in the past only with alreadyHeld; two meetings of a body at the same date and time are refused.',
        tags,
        params: bodyParams,
        body: scheduleBody,
        response: { 201: meetingResponse },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const { id } = await meetings.schedule(actor, request.params.bodyId, request.body)
      const page = await meetings.meeting(actor, id)
      return reply.code(201).send(meetingResponse.parse({ ...page.meeting, bodyName: page.body.name, items: page.items.map(itemJson) }))
    },
  )

  api.get(
    '/api/v1/meetings/:meetingId',
    {
      config: read,
      schema: { summary:
          'A meeting with its agenda items and papers: before the agenda is published (agendaPublishedAt null), no items except for those who run the body; an exempt item’s description and papers only for members and those who run the body', tags, params: meetingParams, response: { 200: meetingResponse } },
    },
    async (request) => {
      const page = await meetings.meeting(actorOf(request), request.params.meetingId, 'meeting-api')
      return meetingResponse.parse({ ...page.meeting, bodyName: page.body.name, items: page.items.map(itemJson) })
    },
  )

  api.post(
    '/api/v1/meetings/:meetingId/items',
    { config: manage, schema: { summary: 'Add an item to the agenda, just before its closing items', tags, params: meetingParams, body: itemBody, response: { 201: itemResponse } } },
    async (request, reply) => {
      const actor = actorOf(request)
      const { id } = await meetings.addItem(actor, request.params.meetingId, request.body)
      const page = await meetings.meeting(actor, request.params.meetingId)
      return reply.code(201).send(itemJson(page.items.find((item) => item.id === id)!))
    },
  )

  api.post(
    '/api/v1/meetings/:meetingId/publish-agenda',
    {
      config: manage,
      schema: {
        summary: 'Publish the agenda and email it to every current member with an email address (kept in the outbox when email is not set up). Publishing again sends the updated agenda.',
        tags,
        params: meetingParams,
        response: { 200: publishResponse },
      },
    },
    async (request) => meetings.publishAgenda(actorOf(request), request.params.meetingId),
  )

  api.get(
    '/api/v1/bodies/:bodyId/forward-programme',
    { config: read, schema: { summary: 'Future meetings with their agendas, and the items to be programmed', tags, params: bodyParams, response: { 200: forwardProgrammeResponse } } },
    async (request) => {
      const programme = await meetings.forwardProgramme(actorOf(request), request.params.bodyId)
      return forwardProgrammeResponse.parse({
        meetings: programme.meetings.map((meeting) => ({ ...meeting, items: meeting.items.map(itemJson) })),
        toBeProgrammed: programme.toBeProgrammed,
      })
    },
  )
}
