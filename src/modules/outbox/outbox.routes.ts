import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'

const access = { access: 'outbox:read' } as const
const messageParams = z.object({ messageId: z.uuid({ error: 'Message id must be a UUID' }) })
const pageQuery = z.object({ page: z.coerce.number({ error: 'Page must be a number' }).int().min(1, 'Page must be 1 or more').default(1) })
const tags = ['Outbox']

const messageSummary = z.object({
  id: z.uuid(),
  kind: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  status: z.enum(['outbox', 'sent', 'failed']),
  error: z.string().nullable(),
  createdAt: z.date(),
  sentAt: z.date().nullable(),
})
const message = messageSummary.omit({}).extend({ text: z.string() })

const STATUS_TAGS = {
  outbox: { text: 'Not sent: no SMTP', classes: 'govuk-tag--grey' },
  sent: { text: 'Sent', classes: 'govuk-tag--green' },
  failed: { text: 'Failed', classes: 'govuk-tag--red' },
} as const

export async function outboxRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { outbox } = services
  const api = app.withTypeProvider<ZodTypeProvider>()

  api.get('/admin/outbox', { config: access, schema: { querystring: pageQuery, hide: true } }, async (request, reply) => {
    const { page } = request.query
    const { messages, hasMore } = await outbox.list(actorOf(request), page)
    return reply.render('outbox/views/list.njk', { title: 'Outbox', messages, page, hasMore, configured: outbox.configured, statusTags: STATUS_TAGS })
  })

  api.get('/admin/outbox/:messageId', { config: access, schema: { params: messageParams, hide: true } }, async (request, reply) => {
    const found = await outbox.read(actorOf(request), request.params.messageId)
    return reply.render('outbox/views/message.njk', { title: found.subject, message: found, statusTags: STATUS_TAGS })
  })

  api.get('/api/v1/outbox', { config: access, schema: { summary: 'Emails the service sent or keeps unsent, newest first (50 a page)', tags, querystring: pageQuery, response: { 200: z.object({ messages: z.array(messageSummary), hasMore: z.boolean() }) } } }, async (request) => {
    const { messages, hasMore } = await outbox.list(actorOf(request), request.query.page)
    return { messages: messages.map((row) => messageSummary.parse(row)), hasMore }
  })

  api.get('/api/v1/outbox/:messageId', { config: access, schema: { summary: 'One email with its text (each reading is audited)', tags, params: messageParams, response: { 200: message } } }, async (request) => {
    return message.parse(await outbox.read(actorOf(request), request.params.messageId))
  })
}
