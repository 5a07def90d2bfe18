import { randomBytes } from 'node:crypto'
import csrf from '@fastify/csrf-protection'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const CSRF_COOKIE = 'scp_csrf'

declare module 'fastify' {
  interface FastifyReply {
    /** Replaces the browser's CSRF secret, so that a token read before sign-in or sign-out stops working. */
    renewCsrfSecret(): void
  }
}

/**
 * Every state-changing request carries a CSRF token (form field `_csrf`, or header `x-csrf-token` for
 * scripts using the session), except API calls authenticated by a personal API token: no cookie, no CSRF.
 */
export const setUpCsrf = fp(async (app: FastifyInstance, { secure }: { secure: boolean }) => {
  const cookieOpts = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure, signed: true }
  await app.register(csrf, { sessionPlugin: '@fastify/cookie', cookieKey: CSRF_COOKIE, cookieOpts })
  // The same length as @fastify/csrf's own secrets (18 random bytes).
  app.decorateReply('renewCsrfSecret', function (this: FastifyReply) {
    this.setCookie(CSRF_COOKIE, randomBytes(18).toString('base64url'), cookieOpts)
  })
  app.addHook('preHandler', (request: FastifyRequest, reply: FastifyReply, done) => {
    if (!UNSAFE_METHODS.has(request.method) || request.auth?.via === 'token') return done()
    app.csrfProtection(request, reply, done)
  })
})
