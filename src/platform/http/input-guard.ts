import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { HttpError } from './errors.js'

/**
 * Characters no one types: NUL (which PostgreSQL refuses in text), the other C0 controls, DEL, and half of a broken
 * surrogate pair (not Unicode). Tab, line feed and carriage return stay allowed, as a text area posts them.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|\p{Cs}/u

export const CONTROL_CHARACTER_MESSAGE = 'contains a character that cannot be stored, such as a null byte or another control character. Remove it and try again.'
export const NOT_AN_OBJECT_MESSAGE = 'The request body must be a JSON object, like {"name": "value"}.'

const WHERE: Record<'body' | 'query' | 'params', string> = { body: 'Your answer', query: 'The web address', params: 'The web address' }

/** The path of the first string (or key) in a value that breaks the rule, or undefined when all are fine. */
function firstBadString(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return CONTROL_CHARACTER.test(value) ? path : undefined
  if (depth > 32 || value === null || typeof value !== 'object') return undefined
  for (const [key, item] of Object.entries(value)) {
    const itemPath = path ? `${path}.${key}` : key
    if (CONTROL_CHARACTER.test(key)) return itemPath
    const bad = firstBadString(item, itemPath, depth + 1)
    if (bad !== undefined) return bad
  }
  return undefined
}

/** A form or JSON body is a set of named answers: null, an array or a bare value is not one. */
function isObjectBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
}

const isMultipart = (request: FastifyRequest) => request.headers['content-type']?.startsWith('multipart/') ?? false

function checkInput(request: FastifyRequest) {
  const api = request.url.startsWith('/api/')
  if (request.body !== undefined && !isMultipart(request) && !isObjectBody(request.body)) {
    throw new HttpError(400, api ? NOT_AN_OBJECT_MESSAGE : 'The form was not sent as a form. Go back, refresh the page and try again.')
  }
  for (const part of ['params', 'query', 'body'] as const) {
    const bad = firstBadString(request[part], '')
    if (bad === undefined) continue
    throw new HttpError(400, api ? `${part}${bad ? `.${bad}` : ''} ${CONTROL_CHARACTER_MESSAGE}` : `${WHERE[part]} ${CONTROL_CHARACTER_MESSAGE}`)
  }
}

/**
 * The one rule for every string that reaches a route (body, query and address parameters), and for bodies that are not
 * objects, checked before any route's own validation: refused with a 400 and a message, not a database error.
 */
export const setUpInputGuard = fp(async (app: FastifyInstance) => {
  app.addHook('preValidation', async (request) => checkInput(request))
  // Upload routes read their form fields in their own preValidation hook, after this one: checked again before the handler.
  app.addHook('preHandler', async (request) => {
    if (isMultipart(request)) checkInput(request)
  })
})
