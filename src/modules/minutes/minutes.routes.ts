import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { ConflictError, RuleError } from '../../platform/http/errors.js'
import { type FormErrors, asArray, parseForm, ruleErrors } from '../../platform/http/forms.js'
import { minutesOrder } from './meeting-record.js'
import type { PersonKey } from './minutes.repository.js'
import {
  RESOLUTION_KINDS,
  attendanceApiInput,
  attendanceForm,
  changeInput,
  closedInput,
  confirmPreviousInput,
  declarationInput,
  deferInput,
  itemMinutesApiInput,
  itemMinutesInput,
  meetingRecordResponse,
  meetingVersionResponse,
  moveResolutionInput,
  publishInput,
  resolutionInput,
  varianceInput,
} from './minutes.schemas.js'
import type { AttendeeChange } from './minutes.service.js'

const read = { access: 'governance:read' } as const
const manage = { access: 'governance:manage' } as const
const meetingParams = z.object({ meetingId: z.uuid({ error: 'Meeting id must be a UUID' }) })
const itemParams = meetingParams.extend({ itemId: z.uuid({ error: 'Item id must be a UUID' }) })
const resolutionParams = itemParams.extend({ resolutionId: z.uuid({ error: 'Resolution id must be a UUID' }) })
const declarationParams = meetingParams.extend({ declarationId: z.uuid({ error: 'Declaration id must be a UUID' }) })
const versionParams = meetingParams.extend({ version: z.coerce.number().int().positive() })
type MeetingParams = z.output<typeof meetingParams>
type ItemParams = z.output<typeof itemParams>
type ResolutionParams = z.output<typeof resolutionParams>

const labels = { resolutionKinds: RESOLUTION_KINDS }
const bodyOf = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>
const noticeOf = (request: FastifyRequest) => (request.query as Record<string, string | undefined>).notice

/** Pages with several forms give each its own "reason for changing confirmed minutes" field: `<form>-changeReason`. */
function forForm(form: string | undefined, errors: FormErrors): FormErrors {
  if (!form || !errors.fields.changeReason) return errors
  const id = `${form}-changeReason`
  const { changeReason, ...fields } = errors.fields
  return { summary: errors.summary.map((entry) => (entry.href === '#changeReason' ? { ...entry, href: `#${id}` } : entry)), fields: { ...fields, [id]: changeReason! } }
}

/**
 * Runs a form post: validate, call the service, redirect. A rule broken or a stale edit re-renders the page with the
 * GOV.UK error summary and what was typed; nothing is saved.
 */
async function handleForm<S extends z.ZodType>(
  reply: FastifyReply,
  schema: S,
  values: Record<string, unknown>,
  render: (reply: FastifyReply, errors: FormErrors) => unknown,
  action: (value: z.output<S>) => Promise<string>,
) {
  const form = typeof values.form === 'string' ? values.form : undefined
  const parsed = parseForm(schema, values)
  if (!parsed.ok) return render(reply.code(400), forForm(form, parsed.errors))
  try {
    return reply.redirect(await action(parsed.value))
  } catch (error) {
    if (error instanceof RuleError) return render(reply.code(400), forForm(form, ruleErrors(error)))
    if (error instanceof ConflictError) return render(reply.code(409), { summary: [{ text: error.message, href: '#main-content' }], fields: {} })
    throw error
  }
}

/** The attendance form posts each listed person as `person` (user:<id> or contact:<id>) and their radios as `status-user-<id>`. */
function attendanceValues(body: Record<string, unknown>) {
  const listed = asArray(body.person).map((person) => ({ person, status: body[`status-${String(person).replace(':', '-')}`] || 'not_recorded' }))
  return { ...body, listed }
}

export async function minutesRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { minutes } = services
  const api = app.withTypeProvider<ZodTypeProvider>()
  const minutesPath = (meetingId: string) => `/meetings/${meetingId}/minutes`
  const itemPath = (meetingId: string, itemId: string) => `/meetings/${meetingId}/minutes/items/${itemId}`

  // ---- the clerk's minutes page ----

  const renderMinutes = async (request: FastifyRequest, reply: FastifyReply, meetingId: string, context: { form?: string; values?: Record<string, unknown>; errors?: FormErrors } = {}) => {
    const page = await minutes.page(actorOf(request), meetingId)
    const entries = minutesOrder(page.record.items)
    const minuteOf = Object.fromEntries(entries.flatMap((entry) => (entry.type === 'item' ? [[entry.item.id, entry.minuteNumber]] : [])))
    const moved = Object.fromEntries(entries.flatMap((entry) => (entry.type === 'moved' ? [[entry.item.id, { when: entry.when, minuteNumber: entry.minuteNumber }]] : [])))
    return reply.render('minutes/views/minutes.njk', { title: `Minutes of ${page.record.body.name}`, ...page, minuteOf, moved, labels, values: {}, ...context, notice: noticeOf(request) })
  }

  app.get('/meetings/:meetingId/minutes', { config: manage, schema: { params: meetingParams, hide: true } }, async (request, reply) => renderMinutes(request, reply, (request.params as MeetingParams).meetingId))

  const minutesPageForm =
    <S extends z.ZodType>(schema: S, form: string, action: (request: FastifyRequest, meetingId: string, value: z.output<S>) => Promise<string>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const { meetingId } = request.params as MeetingParams
      const values = { ...bodyOf(request), form }
      return handleForm(reply, schema, values, (errorReply, errors) => renderMinutes(request, errorReply, meetingId, { form, values, errors }), (value) => action(request, meetingId, value))
    }

  app.post(
    '/meetings/:meetingId/closed',
    { config: manage, schema: { params: meetingParams, hide: true } },
    minutesPageForm(closedInput, 'closed', async (request, meetingId, value) => {
      await minutes.recordClosed(actorOf(request), meetingId, value)
      return `${minutesPath(meetingId)}?notice=closed#closed`
    }),
  )

  app.post(
    '/meetings/:meetingId/minutes/publish',
    { config: manage, schema: { params: meetingParams, hide: true } },
    minutesPageForm(publishInput, 'publish', async (request, meetingId, value) => {
      await minutes.publish(actorOf(request), meetingId, value)
      return `${minutesPath(meetingId)}?notice=published`
    }),
  )

  app.post(
    '/meetings/:meetingId/minutes/confirm-previous',
    { config: manage, schema: { params: meetingParams, hide: true } },
    minutesPageForm(confirmPreviousInput, 'confirm', async (request, meetingId, value) => {
      await minutes.confirmPrevious(actorOf(request), meetingId, value)
      return `${minutesPath(meetingId)}?notice=confirmed#confirm`
    }),
  )

  // ---- attendance ----

  const renderAttendance = async (request: FastifyRequest, reply: FastifyReply, meetingId: string, context: { values?: Record<string, unknown>; errors?: FormErrors } = {}) => {
    const form = await minutes.attendanceForm(actorOf(request), meetingId)
    return reply.render('minutes/views/attendance.njk', { title: 'Record attendance', ...form, labels, values: {}, ...context })
  }

  app.get('/meetings/:meetingId/attendance', { config: manage, schema: { params: meetingParams, hide: true } }, async (request, reply) => renderAttendance(request, reply, (request.params as MeetingParams).meetingId))

  app.post('/meetings/:meetingId/attendance', { config: manage, schema: { params: meetingParams, hide: true } }, async (request, reply) => {
    const { meetingId } = request.params as MeetingParams
    const values = bodyOf(request)
    return handleForm(
      reply,
      attendanceForm,
      attendanceValues(values),
      (errorReply, errors) => renderAttendance(request, errorReply, meetingId, { values, errors }),
      async (form) => {
        const attendees: AttendeeChange[] = form.listed.map((entry) => ({ person: entry.person, status: entry.status, field: `status-${entry.person.replace(':', '-')}` }))
        if (form.otherPerson && form.otherStatus) {
          attendees.push({ person: form.otherPerson, status: form.otherStatus, roleLabel: form.otherRoleLabel, organisationName: form.otherOrganisationName, note: form.otherNote, field: 'otherPerson' })
        }
        await minutes.recordAttendance(actorOf(request), meetingId, { version: form.version, changeReason: form.changeReason, attendees })
        return `${minutesPath(meetingId)}?notice=attendance#attendance`
      },
    )
  })

  // ---- declarations of interest ----

  const renderDeclarations = async (request: FastifyRequest, reply: FastifyReply, meetingId: string, context: { form?: string; values?: Record<string, unknown>; errors?: FormErrors } = {}) => {
    const form = await minutes.declarationsForm(actorOf(request), meetingId)
    return reply.render('minutes/views/declarations.njk', { title: 'Declarations of interest', ...form, values: {}, ...context, notice: noticeOf(request) })
  }

  app.get('/meetings/:meetingId/declarations', { config: manage, schema: { params: meetingParams, hide: true } }, async (request, reply) => renderDeclarations(request, reply, (request.params as MeetingParams).meetingId))

  app.post('/meetings/:meetingId/declarations', { config: manage, schema: { params: meetingParams, hide: true } }, async (request, reply) => {
    const { meetingId } = request.params as MeetingParams
    const values = bodyOf(request)
    return handleForm(
      reply,
      declarationInput,
      values,
      (errorReply, errors) => renderDeclarations(request, errorReply, meetingId, { form: 'add', values, errors }),
      async (value) => {
        await minutes.addDeclaration(actorOf(request), meetingId, value)
        return `/meetings/${meetingId}/declarations?notice=added`
      },
    )
  })

  app.post('/meetings/:meetingId/declarations/:declarationId/remove', { config: manage, schema: { params: declarationParams, hide: true } }, async (request, reply) => {
    const { meetingId, declarationId } = request.params as z.output<typeof declarationParams>
    const form = `remove-${declarationId}`
    const values = { ...bodyOf(request), form }
    return handleForm(
      reply,
      changeInput,
      values,
      (errorReply, errors) => renderDeclarations(request, errorReply, meetingId, { form, values, errors }),
      async (value) => {
        await minutes.removeDeclaration(actorOf(request), meetingId, declarationId, value)
        return `/meetings/${meetingId}/declarations?notice=removed`
      },
    )
  })

  // ---- an item's minutes, resolutions, variance and deferral ----

  const renderItem = async (request: FastifyRequest, reply: FastifyReply, params: ItemParams, context: { form?: string; values?: Record<string, unknown>; errors?: FormErrors } = {}) => {
    const form = await minutes.itemForm(actorOf(request), params.meetingId, params.itemId)
    return reply.render('minutes/views/item.njk', { title: `Minutes of item ${form.item.number}: ${form.item.title}`, ...form, labels, values: {}, ...context, notice: noticeOf(request) })
  }

  app.get('/meetings/:meetingId/minutes/items/:itemId', { config: manage, schema: { params: itemParams, hide: true } }, async (request, reply) => renderItem(request, reply, request.params as ItemParams))

  /** The forms of the item page: each posts a hidden `form` naming itself, so its errors show against its own fields. */
  const itemPageForm =
    <S extends z.ZodType>(schema: S, action: (request: FastifyRequest, params: ItemParams, value: z.output<S>) => Promise<string>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const params = request.params as ItemParams
      const values = bodyOf(request)
      const form = typeof values.form === 'string' ? values.form : undefined
      return handleForm(reply, schema, values, (errorReply, errors) => renderItem(request, errorReply, params, { form, values, errors }), (value) => action(request, params, value))
    }

  app.post(
    '/meetings/:meetingId/minutes/items/:itemId',
    { config: manage, schema: { params: itemParams, hide: true } },
    itemPageForm(itemMinutesInput, async (request, { meetingId, itemId }, value) => {
      await minutes.recordItemMinutes(actorOf(request), meetingId, itemId, value)
      return `${itemPath(meetingId, itemId)}?notice=minutes`
    }),
  )

  app.post(
    '/meetings/:meetingId/minutes/items/:itemId/resolutions',
    { config: manage, schema: { params: itemParams, hide: true } },
    itemPageForm(resolutionInput, async (request, { meetingId, itemId }, value) => {
      await minutes.addResolution(actorOf(request), meetingId, itemId, value)
      return `${itemPath(meetingId, itemId)}?notice=resolution-added#resolutions`
    }),
  )

  app.post(
    '/meetings/:meetingId/minutes/items/:itemId/variance',
    { config: manage, schema: { params: itemParams, hide: true } },
    itemPageForm(varianceInput, async (request, { meetingId, itemId }, value) => {
      await minutes.setVariance(actorOf(request), meetingId, itemId, value)
      return `${itemPath(meetingId, itemId)}?notice=variance#variance`
    }),
  )

  app.post(
    '/meetings/:meetingId/minutes/items/:itemId/defer',
    { config: manage, schema: { params: itemParams, hide: true } },
    itemPageForm(deferInput, async (request, { meetingId, itemId }, value) => {
      await minutes.defer(actorOf(request), meetingId, itemId, value)
      return `${itemPath(meetingId, itemId)}?notice=deferred#deferral`
    }),
  )

  app.post(
    '/meetings/:meetingId/minutes/items/:itemId/defer/undo',
    { config: manage, schema: { params: itemParams, hide: true } },
    itemPageForm(changeInput, async (request, { meetingId, itemId }, value) => {
      await minutes.undoDeferral(actorOf(request), meetingId, itemId, value)
      return `${itemPath(meetingId, itemId)}?notice=undeferred#deferral`
    }),
  )

  // ---- one resolution: change its wording or kind, move it, remove it ----

  const renderResolution = async (request: FastifyRequest, reply: FastifyReply, params: ResolutionParams, context: { form?: string; values?: Record<string, unknown>; errors?: FormErrors } = {}) => {
    const form = await minutes.resolutionForm(actorOf(request), params.meetingId, params.itemId, params.resolutionId)
    return reply.render('minutes/views/resolution.njk', { title: `Change resolution ${form.resolution.label}`, ...form, labels, values: {}, ...context, notice: noticeOf(request) })
  }

  const resolutionPageForm =
    <S extends z.ZodType>(schema: S, action: (request: FastifyRequest, params: ResolutionParams, value: z.output<S>) => Promise<string>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const params = request.params as ResolutionParams
      const values = bodyOf(request)
      const form = typeof values.form === 'string' ? values.form : undefined
      return handleForm(reply, schema, values, (errorReply, errors) => renderResolution(request, errorReply, params, { form, values, errors }), (value) => action(request, params, value))
    }

  app.get('/meetings/:meetingId/minutes/items/:itemId/resolutions/:resolutionId/edit', { config: manage, schema: { params: resolutionParams, hide: true } }, async (request, reply) =>
    renderResolution(request, reply, request.params as ResolutionParams),
  )

  app.post(
    '/meetings/:meetingId/minutes/items/:itemId/resolutions/:resolutionId/edit',
    { config: manage, schema: { params: resolutionParams, hide: true } },
    resolutionPageForm(resolutionInput, async (request, { meetingId, itemId, resolutionId }, value) => {
      await minutes.editResolution(actorOf(request), meetingId, itemId, resolutionId, value)
      return `${itemPath(meetingId, itemId)}?notice=resolution-changed#resolutions`
    }),
  )

  app.post(
    '/meetings/:meetingId/minutes/items/:itemId/resolutions/:resolutionId/move',
    { config: manage, schema: { params: resolutionParams, hide: true } },
    resolutionPageForm(moveResolutionInput, async (request, { meetingId, itemId, resolutionId }, value) => {
      await minutes.moveResolution(actorOf(request), meetingId, itemId, resolutionId, value)
      return `${itemPath(meetingId, itemId)}/resolutions/${resolutionId}/edit?notice=moved`
    }),
  )

  app.post(
    '/meetings/:meetingId/minutes/items/:itemId/resolutions/:resolutionId/remove',
    { config: manage, schema: { params: resolutionParams, hide: true } },
    resolutionPageForm(changeInput, async (request, { meetingId, itemId, resolutionId }, value) => {
      await minutes.removeResolution(actorOf(request), meetingId, itemId, resolutionId, value)
      return `${itemPath(meetingId, itemId)}?notice=resolution-removed#resolutions`
    }),
  )

  // ---- versions of confirmed minutes ----

  app.get('/meetings/:meetingId/minutes/versions', { config: read, schema: { params: meetingParams, hide: true } }, async (request, reply) => {
    const { meeting, versions } = await minutes.versions(actorOf(request), (request.params as MeetingParams).meetingId)
    return reply.render('minutes/views/versions.njk', { title: 'Versions of the confirmed minutes', meeting, versions })
  })

  app.get('/meetings/:meetingId/minutes/versions/:version', { config: read, schema: { params: versionParams, hide: true } }, async (request, reply) => {
    const { meetingId, version } = request.params as z.output<typeof versionParams>
    const found = await minutes.version(actorOf(request), meetingId, version)
    return reply.render('minutes/views/version.njk', { title: `Version ${version} of the minutes`, ...found, entries: minutesOrder(found.version.record.items), labels })
  })

  // ---- API ----

  const tags = ['Minutes']

  api.get(
    '/api/v1/meetings/:meetingId/minutes',
    { config: read, schema: { summary: 'The minutes of a meeting as recorded: attendance, declarations, items with minutes, resolutions and actions', tags, params: meetingParams, response: { 200: meetingRecordResponse } } },
    async (request) => minutes.view(actorOf(request), request.params.meetingId),
  )

  api.post(
    '/api/v1/meetings/:meetingId/attendance',
    {
      config: manage,
      schema: { summary: 'Record who was present, in attendance or sent apologies; replaces the entries of the people listed', tags, params: meetingParams, body: attendanceApiInput, response: { 200: meetingVersionResponse } },
    },
    async (request) => {
      const { version, changeReason, attendees } = request.body
      await minutes.recordAttendance(actorOf(request), request.params.meetingId, {
        version,
        changeReason,
        attendees: attendees.map((attendee, index) => ({
          person: (attendee.userId ? `user:${attendee.userId}` : `contact:${attendee.contactId}`) as PersonKey,
          status: attendee.status,
          roleLabel: attendee.roleLabel,
          organisationName: attendee.organisationName,
          note: attendee.note,
          field: `attendees.${index}`,
        })),
      })
      return { version: version + 1 }
    },
  )

  api.post(
    '/api/v1/meetings/:meetingId/items/:itemId/minutes',
    { config: manage, schema: { summary: "Record an agenda item's minutes and resolutions (replacing those recorded)", tags, params: itemParams, body: itemMinutesApiInput, response: { 200: meetingVersionResponse } } },
    async (request) => {
      await minutes.replaceItemMinutes(actorOf(request), request.params.meetingId, request.params.itemId, request.body)
      return { version: request.body.version + 1 }
    },
  )

  api.post(
    '/api/v1/meetings/:meetingId/minutes/publish',
    { config: manage, schema: { summary: 'Publish (circulate) the draft minutes of a meeting that has taken place', tags, params: meetingParams, body: publishInput, response: { 200: meetingVersionResponse } } },
    async (request) => {
      await minutes.publish(actorOf(request), request.params.meetingId, request.body)
      return { version: request.body.version + 1 }
    },
  )

  api.post(
    '/api/v1/meetings/:meetingId/minutes/confirm-previous',
    {
      config: manage,
      schema: {
        summary: "At this meeting, confirm the minutes of the body's previous meeting as a correct record (locks them)",
        tags,
        params: meetingParams,
        body: confirmPreviousInput,
        response: { 200: meetingVersionResponse.extend({ confirmedMeetingId: z.uuid() }) },
      },
    },
    async (request) => {
      const { meetingId } = await minutes.confirmPrevious(actorOf(request), request.params.meetingId, request.body)
      return { version: request.body.version + 1, confirmedMeetingId: meetingId }
    },
  )
}
