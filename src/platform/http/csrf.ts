import csrf from '@fastify/csrf-protection'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Every state-changing request carries a CSRF token (form field `_csrf`, or header `x-csrf-token` for
 * scripts using the session), except API calls authenticated by a personal API token: no cookie, no CSRF.
 */
export const setUpCsrf = fp(async (app: FastifyInstance, { secure }: { secure: boolean }) => {
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'scp_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true },
  })
  app.addHook('preHandler', (request: FastifyRequest, reply: FastifyReply, done) => {
    if (!UNSAFE_METHODS.has(request.method) || request.auth?.via === 'token') return done()
    app.csrfProtection(request, reply, done)
  })
})
