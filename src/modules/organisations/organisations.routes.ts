import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { RuleError } from '../../platform/http/errors.js'
import { type FormErrors, parseForm, ruleErrors } from '../../platform/http/forms.js'
import { ORGANISATION_TYPE_LABELS, ORGANISATION_TYPES } from '../auth/permissions.js'
import { organisationChanges, organisationInput, organisationResponse } from './organisations.schemas.js'

const access = { access: 'organisations:manage' } as const
const idParams = z.object({ id: z.uuid({ error: 'Organisation id must be a UUID' }) })
const typeItems = (selected?: string) => ORGANISATION_TYPES.map((value) => ({ value, text: ORGANISATION_TYPE_LABELS[value], checked: value === selected }))

export async function organisationRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { organisations } = services
  const api = app.withTypeProvider<ZodTypeProvider>()

  // Pages
  app.get('/admin/organisations', { config: access }, async (_request, reply) => {
    const list = await organisations.list({ includeInactive: true })
    return reply.render('organisations/views/list.njk', { title: 'Organisations', organisations: list, typeLabels: ORGANISATION_TYPE_LABELS })
  })

  const renderForm = (reply: FastifyReply, context: { values: Record<string, unknown>; errors?: FormErrors; organisationId?: string }) =>
    reply.render('organisations/views/form.njk', {
      title: context.organisationId ? 'Change organisation' : 'Add an organisation',
      ...context,
      typeItems: typeItems(context.values.type as string | undefined),
    })

  app.get('/admin/organisations/new', { config: access }, async (_request, reply) => renderForm(reply, { values: {} }))

  app.post('/admin/organisations/new', { config: access }, async (request, reply) => {
    const values = (request.body ?? {}) as Record<string, unknown>
    const form = parseForm(organisationInput, values)
    if (!form.ok) return renderForm(reply.code(400), { values, errors: form.errors })
    try {
      const id = await organisations.create(actorOf(request), form.value)
      return reply.redirect(`/admin/organisations/${id}?created=1`)
    } catch (error) {
      if (error instanceof RuleError) return renderForm(reply.code(400), { values, errors: ruleErrors(error) })
      throw error
    }
  })

  app.get('/admin/organisations/:id', { config: access, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    const organisation = await organisations.get(id)
    const members = await services.users.search(actorOf(request), { organisationId: id, includeInactive: true })
    const created = Boolean((request.query as Record<string, unknown>).created)
    return reply.render('organisations/views/show.njk', { title: organisation.name, organisation, members, typeLabel: ORGANISATION_TYPE_LABELS[organisation.type as keyof typeof ORGANISATION_TYPE_LABELS], created })
  })

  app.get('/admin/organisations/:id/edit', { config: access, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    const organisation = await organisations.get(id)
    return renderForm(reply, { values: organisation, organisationId: id })
  })

  app.post('/admin/organisations/:id/edit', { config: access, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    await organisations.get(id)
    const body = (request.body ?? {}) as Record<string, unknown>
    const values = { ...body, active: body.active === 'true', requireTwoFactor: body.requireTwoFactor === 'true' }
    const form = parseForm(organisationInput, values)
    if (!form.ok) return renderForm(reply.code(400), { values, errors: form.errors, organisationId: id })
    try {
      await organisations.update(actorOf(request), id, { ...form.value, active: values.active, requireTwoFactor: values.requireTwoFactor })
      return reply.redirect(`/admin/organisations/${id}`)
    } catch (error) {
      if (error instanceof RuleError) return renderForm(reply.code(400), { values, errors: ruleErrors(error), organisationId: id })
      throw error
    }
  })

  // API
  api.get('/api/v1/organisations', { config: access, schema: { summary: 'List organisations', tags: ['Organisations'], response: { 200: z.array(organisationResponse) } } }, async () => {
    return (await organisations.list({ includeInactive: true })).map(({ activeUsers: _activeUsers, ...organisation }) => organisationResponse.parse(organisation))
  })

  api.post(
    '/api/v1/organisations',
    { config: access, schema: { summary: 'Create an organisation', tags: ['Organisations'], body: organisationInput, response: { 201: organisationResponse } } },
    async (request, reply) => {
      const id = await organisations.create(actorOf(request), request.body)
      return reply.code(201).send(organisationResponse.parse(await organisations.get(id)))
    },
  )

  api.get('/api/v1/organisations/:id', { config: access, schema: { summary: 'One organisation', tags: ['Organisations'], params: idParams, response: { 200: organisationResponse } } }, async (request) => {
    return organisationResponse.parse(await organisations.get(request.params.id))
  })

  api.patch(
    '/api/v1/organisations/:id',
    { config: access, schema: { summary: 'Change an organisation (name, type, active, whether two-factor authentication is required)', tags: ['Organisations'], params: idParams, body: organisationChanges, response: { 200: organisationResponse } } },
    async (request) => {
      await organisations.update(actorOf(request), request.params.id, request.body)
      return organisationResponse.parse(await organisations.get(request.params.id))
    },
  )
}
