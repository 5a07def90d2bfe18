import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { todayInLondon } from '../../platform/dates.js'
import { actorOf } from '../../platform/http/actor.js'
import { dateFromParts } from '../../platform/http/date-input.js'
import { RuleError } from '../../platform/http/errors.js'
import { type FormErrors, parseForm, ruleErrors } from '../../platform/http/forms.js'
import { agreementInput } from './sharing.service.js'

const access = { access: 'sharing_agreements:manage' } as const
const idParams = z.object({ id: z.uuid({ error: 'Agreement id must be a UUID' }) })

const agreementResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  purpose: z.string(),
  sharingOrganisationId: z.uuid(),
  sharingOrganisationName: z.string(),
  receivingOrganisationId: z.uuid(),
  receivingOrganisationName: z.string(),
  startsOn: z.string(),
  endsOn: z.string().nullable(),
})

export async function sharingRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { sharing, organisations } = services
  const api = app.withTypeProvider<ZodTypeProvider>()

  app.get('/admin/sharing-agreements', { config: access }, async (request, reply) => {
    const today = todayInLondon()
    const agreements = (await sharing.list()).map((agreement) => ({ ...agreement, inForce: agreement.startsOn <= today && (!agreement.endsOn || agreement.endsOn >= today) }))
    return reply.render('sharing/views/list.njk', { title: 'Information sharing agreements', agreements, notice: (request.query as Record<string, string | undefined>).notice })
  })

  const renderForm = async (reply: FastifyReply, values: Record<string, unknown>, errors?: FormErrors) => {
    const list = await organisations.list({ includeInactive: false })
    const options = (selected: unknown) => [{ value: '', text: 'Choose an organisation' }, ...list.map((organisation) => ({ value: organisation.id, text: organisation.name, selected: organisation.id === selected }))]
    return reply.render('sharing/views/form.njk', { title: 'Record an information sharing agreement', values, errors, sharingItems: options(values.sharingOrganisationId), receivingItems: options(values.receivingOrganisationId) })
  }

  app.get('/admin/sharing-agreements/new', { config: access }, async (_request, reply) => renderForm(reply, {}))

  app.post('/admin/sharing-agreements/new', { config: access }, async (request, reply) => {
    const values = (request.body ?? {}) as Record<string, unknown>
    const form = parseForm(agreementInput, { ...values, startsOn: dateFromParts(values, 'startsOn'), endsOn: dateFromParts(values, 'endsOn') })
    if (!form.ok) return renderForm(reply.code(400), values, form.errors)
    try {
      await sharing.create(actorOf(request), form.value)
      return reply.redirect('/admin/sharing-agreements?notice=created')
    } catch (error) {
      if (error instanceof RuleError) return renderForm(reply.code(400), values, ruleErrors(error))
      throw error
    }
  })

  app.post('/admin/sharing-agreements/:id/end', { config: access, schema: { params: idParams, hide: true } }, async (request, reply) => {
    await sharing.end(actorOf(request), (request.params as { id: string }).id)
    return reply.redirect('/admin/sharing-agreements?notice=ended')
  })

  const tags = ['Information sharing agreements']
  api.get('/api/v1/sharing-agreements', { config: access, schema: { summary: 'Information sharing agreements', tags, response: { 200: z.array(agreementResponse) } } }, async () => (await sharing.list()).map((row) => agreementResponse.parse(row)))

  api.post('/api/v1/sharing-agreements', { config: access, schema: { summary: 'Record an agreement: the receiving organisation sees the sharing organisation’s cases while it is in force', tags, body: agreementInput, response: { 201: z.object({ id: z.uuid() }) } } }, async (request, reply) => {
    return reply.code(201).send({ id: await sharing.create(actorOf(request), request.body) })
  })
}
