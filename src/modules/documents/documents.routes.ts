import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import type { Actor } from '../audit/audit.events.js'
import { actorOf } from '../../platform/http/actor.js'
import { RuleError } from '../../platform/http/errors.js'
import { type FormErrors, parseForm, ruleErrors } from '../../platform/http/forms.js'
import { ALLOWED_TYPES_TEXT, DOCUMENT_CATEGORIES, MAX_UPLOAD_TEXT, contentDisposition } from './documents.rules.js'
import { documentFields, documentResponse, documentUploadBody, removeInput } from './documents.schemas.js'
import { acceptUploads, receivedFile } from './documents.upload.js'

const read = { access: 'cases:read' } as const
const manage = { access: 'cases:manage' } as const
const caseParams = z.object({ caseId: z.uuid({ error: 'Case id must be a UUID' }) })
const documentParams = caseParams.extend({ documentId: z.uuid({ error: 'Document id must be a UUID' }) })
type CaseParams = z.output<typeof caseParams>
type DocumentParams = z.output<typeof documentParams>
const tags = ['Case documents']

/** Sends a stored file so that no browser runs or renders it in the service's origin. */
function sendFile(reply: FastifyReply, file: { content: Buffer; mimeType: string; fileName: string }) {
  return reply
    .type(file.mimeType.startsWith('text/') ? `${file.mimeType}; charset=utf-8` : file.mimeType)
    .header('content-disposition', contentDisposition(file.fileName))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(file.content)
}

export async function documentRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { documents } = services
  const api = app.withTypeProvider<ZodTypeProvider>()
  await acceptUploads(app)
  const casePage = (caseId: string, notice: string) => `/cases/${caseId}?notice=${notice}#documents`

  // ---- upload ----

  async function renderUpload(reply: FastifyReply, actor: Actor, caseId: string, values: Record<string, unknown>, errors?: FormErrors, options: { chooseAgain?: boolean } = {}) {
    const caseRecord = await documents.uploadForm(actor, caseId)
    return reply.render('documents/views/upload.njk', {
      title: `Add a document to ${caseRecord.reference}`,
      caseRecord,
      values,
      errors,
      chooseAgain: options.chooseAgain ?? false,
      allowedTypes: ALLOWED_TYPES_TEXT,
      maxSize: MAX_UPLOAD_TEXT,
      categoryItems: Object.entries(DOCUMENT_CATEGORIES).map(([value, text]) => ({ value, text, checked: values.category === value })),
    })
  }

  app.get('/cases/:caseId/documents/new', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) =>
    renderUpload(reply, actorOf(request), (request.params as CaseParams).caseId, {}),
  )

  app.post('/cases/:caseId/documents/new', { config: manage, schema: { params: caseParams, hide: true } }, async (request, reply) => {
    const { caseId } = request.params as CaseParams
    const actor = actorOf(request)
    const { file: _file, ...values } = (request.body ?? {}) as Record<string, unknown>
    const file = receivedFile(request)
    const form = parseForm(documentFields, values)
    if (!form.ok) {
      // Every problem at once, as the GOV.UK error summary asks, the missing file first as it comes first on the page.
      const errors = file ? form.errors : { summary: [{ text: 'Select a file', href: '#file' }, ...form.errors.summary], fields: { file: { text: 'Select a file' }, ...form.errors.fields } }
      return renderUpload(reply.code(400), actor, caseId, values, errors, { chooseAgain: Boolean(file) })
    }
    try {
      await documents.upload(actor, caseId, form.value, file)
      return reply.redirect(casePage(caseId, 'document-added'))
    } catch (error) {
      if (error instanceof RuleError) return renderUpload(reply.code(error.statusCode), actor, caseId, values, ruleErrors(error), { chooseAgain: error.field !== 'file' })
      throw error
    }
  })

  // ---- download ----

  app.get('/cases/:caseId/documents/:documentId/download', { config: read, schema: { params: documentParams, hide: true } }, async (request, reply) => {
    const { caseId, documentId } = request.params as DocumentParams
    return sendFile(reply, await documents.download(actorOf(request), caseId, documentId))
  })

  // ---- removal, by the owning organisation ----

  async function renderRemove(request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown>, errors?: FormErrors) {
    const { caseId, documentId } = request.params as DocumentParams
    const { caseRecord, document } = await documents.removeForm(actorOf(request), caseId, documentId)
    return reply.render('documents/views/remove.njk', { title: `Remove ${document.title}`, caseRecord, document, values, errors })
  }

  app.get('/cases/:caseId/documents/:documentId/remove', { config: manage, schema: { params: documentParams, hide: true } }, async (request, reply) => renderRemove(request, reply, {}))

  app.post('/cases/:caseId/documents/:documentId/remove', { config: manage, schema: { params: documentParams, hide: true } }, async (request, reply) => {
    const { caseId, documentId } = request.params as DocumentParams
    const values = (request.body ?? {}) as Record<string, unknown>
    const form = parseForm(removeInput, values)
    if (!form.ok) return renderRemove(request, reply.code(400), values, form.errors)
    await documents.remove(actorOf(request), caseId, documentId, form.value.reason)
    return reply.redirect(casePage(caseId, 'document-removed'))
  })

  // ---- API ----

  api.get(
    '/api/v1/cases/:caseId/documents',
    { config: read, schema: { summary: "A case's documents (restricted ones only for the owning organisation), newest first", tags, params: caseParams, response: { 200: z.array(documentResponse) } } },
    async (request) => (await documents.forCase(actorOf(request), request.params.caseId)).map((document) => documentResponse.parse(document)),
  )

  api.post(
    '/api/v1/cases/:caseId/documents',
    {
      config: manage,
      schema: {
        summary: `Upload a document (multipart/form-data): ${ALLOWED_TYPES_TEXT}, smaller than ${MAX_UPLOAD_TEXT}. A file too large is refused with 413, a type not accepted with 400.`,
        tags,
        params: caseParams,
        consumes: ['multipart/form-data'],
        body: documentUploadBody,
        response: { 201: documentResponse },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const { file: _file, ...fields } = request.body
      const id = await documents.upload(actor, request.params.caseId, fields, receivedFile(request))
      const { document } = await documents.get(actor, request.params.caseId, id, { audit: false })
      return reply.code(201).send(documentResponse.parse(document))
    },
  )

  api.get(
    '/api/v1/cases/:caseId/documents/:documentId',
    { config: read, schema: { summary: "One document's details", tags, params: documentParams, response: { 200: documentResponse } } },
    async (request) => documentResponse.parse((await documents.get(actorOf(request), request.params.caseId, request.params.documentId)).document),
  )

  api.get(
    '/api/v1/cases/:caseId/documents/:documentId/content',
    {
      config: read,
      schema: {
        summary: 'Download the file, with the type detected when it was uploaded',
        tags,
        params: documentParams,
        response: { 200: { description: 'The file, as an attachment', content: { 'application/octet-stream': { schema: z.file() } } } },
      },
    },
    async (request, reply) => sendFile(reply, await documents.download(actorOf(request), request.params.caseId, request.params.documentId)),
  )

  api.post(
    '/api/v1/cases/:caseId/documents/:documentId/remove',
    { config: manage, schema: { summary: 'Remove a document (the owning organisation only): its content is deleted and the reason kept', tags, params: documentParams, body: removeInput, response: { 204: z.null() } } },
    async (request, reply) => {
      await documents.remove(actorOf(request), request.params.caseId, request.params.documentId, request.body.reason)
      return reply.code(204).send(null)
    },
  )
}
