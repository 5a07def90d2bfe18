import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { isApiRequest } from './access.js'
import { HttpError } from './errors.js'

const PAGE_TEXT: Record<number, { title: string; paragraphs: string[] }> = {
  400: { title: 'There is a problem with your request', paragraphs: ['Go back and check what you entered.'] },
  403: { title: 'You do not have permission to see this page', paragraphs: ['If you think you need access, ask your system administrator.'] },
  404: { title: 'Page not found', paragraphs: ['If you typed the web address, check it is correct.', 'If you pasted the web address, check you copied the entire address.'] },
  429: { title: 'Too many attempts', paragraphs: ['Wait a minute, then try again.'] },
  500: { title: 'Sorry, there is a problem with the service', paragraphs: ['Try again later. Anything you had already saved has been kept.'] },
}

const STATUS_NAMES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 500: 'Internal Server Error' }

function sendError(request: FastifyRequest, reply: FastifyReply, statusCode: number, message: string) {
  reply.code(statusCode)
  if (isApiRequest(request)) {
    return reply.send({ statusCode, error: STATUS_NAMES[statusCode] ?? 'Error', message })
  }
  const text = PAGE_TEXT[statusCode] ?? PAGE_TEXT[statusCode >= 500 ? 500 : 400]!
  const paragraphs = statusCode >= 500 || statusCode === 404 ? text.paragraphs : [message, ...text.paragraphs.slice(statusCode === 403 ? 0 : 1)]
  return reply.render('error.njk', { title: text.title, paragraphs, statusCode })
}

export function setUpErrorHandling(app: FastifyInstance) {
  app.setNotFoundHandler((request, reply) => sendError(request, reply, 404, 'Not found'))

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      // A mistyped id in a page address is a page that does not exist.
      if (error.validationContext === 'params' && !isApiRequest(request)) return sendError(request, reply, 404, 'Not found')
      const message = error.validation.map((issue) => `${issue.instancePath.replace(/^\//, '').replace(/\//g, '.') || error.validationContext}: ${issue.message}`).join('; ')
      return sendError(request, reply, 400, message)
    }
    if (error instanceof HttpError) return sendError(request, reply, error.statusCode, error.message)
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
      return sendError(request, reply, 403, 'This form has expired or did not come from this service. Go back, refresh the page and try again.')
    }
    const statusCode = error.statusCode ?? 500
    if (statusCode >= 500) {
      request.log.error({ err: error }, 'request failed')
      return sendError(request, reply, 500, 'Internal server error')
    }
    return sendError(request, reply, statusCode, statusCode === 429 ? 'Too many attempts. Wait a minute, then try again.' : error.message)
  })
}
