import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { RuleError } from '../../platform/http/errors.js'
import { type FormErrors, asArray, parseForm, ruleErrors } from '../../platform/http/forms.js'
import { ROLE_LABELS, ROLES } from '../auth/permissions.js'
import { userChanges, userInput, userResponse } from './users.schemas.js'

const access = { access: 'users:manage' } as const
const idParams = z.object({ id: z.uuid({ error: 'User id must be a UUID' }) })
const listQuery = z.object({
  organisationId: z.uuid().optional().or(z.literal('').transform(() => undefined)),
  search: z.string().trim().max(200).optional(),
  includeInactive: z.enum(['true', 'false']).optional().transform((value) => value === 'true'),
})
const createdResponse = userResponse.extend({ temporaryPassword: z.string().describe('Shown once: give it to the user, who must change it at first sign-in') })

export async function userRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { users, organisations } = services
  const api = app.withTypeProvider<ZodTypeProvider>()

  async function renderForm(reply: FastifyReply, context: { values: Record<string, unknown>; errors?: FormErrors; userId?: string }) {
    const selectedRoles = asArray(context.values.roles)
    const organisationList = await organisations.list()
    return reply.render('users/views/form.njk', {
      title: context.userId ? 'Change user' : 'Add a user',
      ...context,
      organisationItems: [
        { value: '', text: 'Select an organisation' },
        ...organisationList.map((organisation) => ({ value: organisation.id, text: organisation.name, selected: organisation.id === context.values.organisationId })),
      ],
      roleItems: ROLES.map((role) => ({ value: role, text: ROLE_LABELS[role].label, hint: { text: ROLE_LABELS[role].description }, checked: selectedRoles.includes(role) })),
    })
  }

  // Pages
  app.get('/admin/users', { config: access }, async (request, reply) => {
    const query = listQuery.safeParse(request.query)
    const filter = query.success ? query.data : { includeInactive: false }
    const [list, organisationList] = await Promise.all([users.search(actorOf(request), filter), organisations.list({ includeInactive: true })])
    return reply.render('users/views/list.njk', {
      title: 'Users',
      users: list,
      filter,
      organisationItems: [{ value: '', text: 'All organisations' }, ...organisationList.map((o) => ({ value: o.id, text: o.name, selected: o.id === filter.organisationId }))],
      roleLabels: Object.fromEntries(ROLES.map((role) => [role, ROLE_LABELS[role].label])),
    })
  })

  app.get('/admin/users/new', { config: access }, async (request, reply) => {
    const { organisationId } = request.query as Record<string, string | undefined>
    return renderForm(reply, { values: { organisationId } })
  })

  app.post('/admin/users/new', { config: access }, async (request, reply) => {
    const values = (request.body ?? {}) as Record<string, unknown>
    const form = parseForm(userInput, values)
    if (!form.ok) return renderForm(reply.code(400), { values, errors: form.errors })
    try {
      const { id, temporaryPassword } = await users.create(actorOf(request), form.value)
      const user = await users.get(id)
      return reply.render('users/views/temporary-password.njk', { title: 'User added', user, temporaryPassword, heading: 'User added' })
    } catch (error) {
      if (error instanceof RuleError) return renderForm(reply.code(400), { values, errors: ruleErrors(error) })
      throw error
    }
  })

  app.get('/admin/users/:id', { config: access, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    const user = await users.view(actorOf(request), id)
    const notice = (request.query as Record<string, string | undefined>).notice
    return reply.render('users/views/show.njk', {
      title: user.name,
      user,
      roles: user.roles.map((role) => ROLE_LABELS[role as keyof typeof ROLE_LABELS]?.label ?? role),
      isSelf: id === request.auth!.user.id,
      locked: user.lockedUntil !== null && user.lockedUntil > new Date(),
      notice,
    })
  })

  app.get('/admin/users/:id/edit', { config: access, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    const user = await users.view(actorOf(request), id, { page: 'edit' })
    return renderForm(reply, { values: user, userId: id })
  })

  app.post('/admin/users/:id/edit', { config: access, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    await users.get(id)
    const values = (request.body ?? {}) as Record<string, unknown>
    const form = parseForm(userInput, values)
    if (!form.ok) return renderForm(reply.code(400), { values, errors: form.errors, userId: id })
    try {
      await users.update(actorOf(request), id, form.value)
      return reply.redirect(`/admin/users/${id}?notice=updated`)
    } catch (error) {
      if (error instanceof RuleError) return renderForm(reply.code(400), { values, errors: ruleErrors(error), userId: id })
      throw error
    }
  })

  for (const [action, run] of [
    ['deactivate', users.deactivate],
    ['reactivate', users.reactivate],
  ] as const) {
    app.post(`/admin/users/:id/${action}`, { config: access, schema: { params: idParams, hide: true } }, async (request, reply) => {
      const { id } = request.params as z.output<typeof idParams>
      try {
        await run(actorOf(request), id)
      } catch (error) {
        if (error instanceof RuleError) return reply.redirect(`/admin/users/${id}?notice=cannot-deactivate-self`)
        throw error
      }
      return reply.redirect(`/admin/users/${id}?notice=${action}d`)
    })
  }

  app.post('/admin/users/:id/reset-password', { config: access, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    const { temporaryPassword } = await users.resetPassword(actorOf(request), id)
    const user = await users.get(id)
    return reply.render('users/views/temporary-password.njk', { title: 'Password reset', user, temporaryPassword, heading: 'Password reset' })
  })

  // API
  api.get(
    '/api/v1/users',
    { config: access, schema: { summary: 'List users', tags: ['Users'], querystring: listQuery, response: { 200: z.array(userResponse) } } },
    async (request) => (await users.search(actorOf(request), request.query)).map((user) => userResponse.parse(user)),
  )

  api.post(
    '/api/v1/users',
    { config: access, schema: { summary: 'Create a user with a temporary password', tags: ['Users'], body: userInput, response: { 201: createdResponse } } },
    async (request, reply) => {
      const { id, temporaryPassword } = await users.create(actorOf(request), request.body)
      return reply.code(201).send(createdResponse.parse({ ...(await users.get(id)), temporaryPassword }))
    },
  )

  api.get('/api/v1/users/:id', { config: access, schema: { summary: 'One user', tags: ['Users'], params: idParams, response: { 200: userResponse } } }, async (request) =>
    userResponse.parse(await users.view(actorOf(request), request.params.id)),
  )

  api.patch(
    '/api/v1/users/:id',
    { config: access, schema: { summary: 'Change a user (name, email, organisation, roles)', tags: ['Users'], params: idParams, body: userChanges, response: { 200: userResponse } } },
    async (request) => {
      await users.update(actorOf(request), request.params.id, request.body)
      return userResponse.parse(await users.get(request.params.id))
    },
  )

  api.post(
    '/api/v1/users/:id/deactivate',
    { config: access, schema: { summary: 'Deactivate a user: their sessions end at once', tags: ['Users'], params: idParams, response: { 200: userResponse } } },
    async (request) => {
      await users.deactivate(actorOf(request), request.params.id)
      return userResponse.parse(await users.get(request.params.id))
    },
  )

  api.post(
    '/api/v1/users/:id/reactivate',
    { config: access, schema: { summary: 'Reactivate a user', tags: ['Users'], params: idParams, response: { 200: userResponse } } },
    async (request) => {
      await users.reactivate(actorOf(request), request.params.id)
      return userResponse.parse(await users.get(request.params.id))
    },
  )
}
