import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { RuleError } from '../../platform/http/errors.js'
import { type FormErrors, parseForm, ruleErrors } from '../../platform/http/forms.js'

const access = { access: 'api_tokens:manage' } as const
const idParams = z.object({ id: z.uuid() })
const issueForm = z.object({
  userId: z.uuid({ error: 'Select the user the token acts as' }),
  name: z.string({ error: 'Enter what the token is for' }).trim().min(1, 'Enter what the token is for').max(100, 'Name must be 100 characters or fewer'),
  expiresInDays: z.enum(['30', '90', '365', 'never'], { error: 'Select when the token expires' }).transform((value) => (value === 'never' ? null : Number(value))),
})

export async function apiTokenRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { apiTokens, users } = services

  async function renderForm(reply: FastifyReply, values: Record<string, unknown>, errors?: FormErrors) {
    const list = await users.list({})
    return reply.render('auth/views/api-token-form.njk', {
      title: 'Issue an API token',
      values,
      errors,
      userItems: [{ value: '', text: 'Select a user' }, ...list.map((user) => ({ value: user.id, text: `${user.name} (${user.organisationName})`, selected: user.id === values.userId }))],
      expiryItems: [
        { value: '30', text: 'In 30 days' },
        { value: '90', text: 'In 90 days' },
        { value: '365', text: 'In a year' },
        { value: 'never', text: 'Never (revoke it when no longer needed)' },
      ].map((item) => ({ ...item, checked: item.value === (values.expiresInDays ?? '90') })),
    })
  }

  app.get('/admin/api-tokens', { config: access }, async (_request, reply) => {
    return reply.render('auth/views/api-tokens.njk', { title: 'API tokens', tokens: await apiTokens.list(), now: new Date() })
  })

  app.get('/admin/api-tokens/new', { config: access }, async (_request, reply) => renderForm(reply, {}))

  app.post('/admin/api-tokens/new', { config: access }, async (request, reply) => {
    const values = (request.body ?? {}) as Record<string, unknown>
    const form = parseForm(issueForm, values)
    if (!form.ok) return renderForm(reply.code(400), values, form.errors)
    try {
      const issued = await apiTokens.issue(actorOf(request), form.value)
      return reply.render('auth/views/api-token-issued.njk', { title: 'API token issued', issued })
    } catch (error) {
      if (error instanceof RuleError) return renderForm(reply.code(400), values, ruleErrors(error))
      throw error
    }
  })

  app.post('/admin/api-tokens/:id/revoke', { config: access, schema: { params: idParams, hide: true } }, async (request, reply) => {
    await apiTokens.revoke(actorOf(request), (request.params as z.output<typeof idParams>).id)
    return reply.redirect('/admin/api-tokens')
  })
}
