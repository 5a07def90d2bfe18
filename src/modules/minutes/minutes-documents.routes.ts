import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { contentDisposition } from '../documents/documents.rules.js'
import { DOCUMENT_FORMATS, type DocumentFormat, type MeetingDocument } from './minutes-documents.service.js'

const read = { access: 'governance:read' } as const
const meetingParams = z.object({ meetingId: z.uuid({ error: 'Meeting id must be a UUID' }) })
type MeetingParams = z.output<typeof meetingParams>
const formatQuery = z.object({ format: z.enum(['docx', 'pdf'], { error: 'Choose a format: docx or pdf' }) })
const tags = ['Minutes']
const fileResponse = {
  200: {
    description: 'The document, as an attachment',
    content: Object.fromEntries(Object.values(DOCUMENT_FORMATS).map((mimeType) => [mimeType, { schema: z.file() }])),
  },
}

/** Sends a generated document as a download that is never cached: minutes can include exempt items. */
function sendDocument(reply: FastifyReply, document: MeetingDocument) {
  return reply
    .type(document.mimeType)
    .header('content-disposition', contentDisposition(document.fileName))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(document.content)
}

export async function minutesDocumentRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { minutesDocuments } = services
  const api = app.withTypeProvider<ZodTypeProvider>()

  for (const format of Object.keys(DOCUMENT_FORMATS) as DocumentFormat[]) {
    app.get(`/meetings/:meetingId/minutes.${format}`, { config: read, schema: { params: meetingParams, hide: true } }, async (request, reply) =>
      sendDocument(reply, await minutesDocuments.minutesDocument(actorOf(request), (request.params as MeetingParams).meetingId, format)),
    )
    app.get(`/meetings/:meetingId/agenda.${format}`, { config: read, schema: { params: meetingParams, hide: true } }, async (request, reply) =>
      sendDocument(reply, await minutesDocuments.agendaDocument(actorOf(request), (request.params as MeetingParams).meetingId, format)),
    )
  }

  app.get('/meetings/:meetingId/published-minutes', { config: read, schema: { params: meetingParams, hide: true } }, async (request, reply) => {
    const { meetingId } = request.params as MeetingParams
    const minutes = await minutesDocuments.publishedMinutes(actorOf(request), meetingId)
    return reply.header('cache-control', 'no-store').render('minutes/views/published.njk', { title: minutes.layout.title, ...minutes })
  })

  // ---- API ----

  api.get(
    '/api/v1/meetings/:meetingId/minutes/document',
    {
      config: read,
      schema: {
        summary: "The meeting's minutes as DOCX or PDF in the councils' layout. Exempt items only for the body's managers and members; a draft only for its managers.",
        tags,
        params: meetingParams,
        querystring: formatQuery,
        response: fileResponse,
      },
    },
    async (request, reply) => sendDocument(reply, await minutesDocuments.minutesDocument(actorOf(request), request.params.meetingId, request.query.format)),
  )

  api.get(
    '/api/v1/meetings/:meetingId/agenda/document',
    {
      config: read,
      schema: {
        summary: "The meeting's agenda as DOCX or PDF. Exempt items only for the body's managers and members; before it is published only for its managers.",
        tags,
        params: meetingParams,
        querystring: formatQuery,
        response: fileResponse,
      },
    },
    async (request, reply) => sendDocument(reply, await minutesDocuments.agendaDocument(actorOf(request), request.params.meetingId, request.query.format)),
  )
}
