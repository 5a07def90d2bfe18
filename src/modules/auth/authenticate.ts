import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { isApiRequest } from '../../platform/http/access.js'
import type { AuthContext, AwaitingSecondFactor, SessionEnd } from './auth.context.js'
import type { AuthService } from './auth.service.js'

export const SESSION_COOKIE = 'scp_session'

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null
    sessionEnded?: SessionEnd
    /** Set instead of auth while the session waits for the second factor. */
    awaitingSecondFactor?: AwaitingSecondFactor
  }
}

export interface SessionCookieOptions {
  secure: boolean
}

export function sessionCookie(options: SessionCookieOptions) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: options.secure }
}

/** Sets request.auth from a personal API token (API only) or the session cookie. */
export const setUpAuthentication = fp(async (app: FastifyInstance, { authService, secure }: { authService: AuthService; secure: boolean }) => {
  app.decorateRequest('auth', null)

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.routeOptions.config.assets) return
    const authorization = request.headers.authorization
    if (authorization && isApiRequest(request)) {
      const [scheme, token] = authorization.split(' ')
      const context = scheme?.toLowerCase() === 'bearer' && token ? await authService.resolveApiToken(token) : null
      if (!context) {
        return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send({ statusCode: 401, error: 'Unauthorized', message: 'The API token is not valid: it may have been revoked or have expired' })
      }
      request.auth = context
      return
    }
    const token = request.cookies[SESSION_COOKIE]
    if (!token) return
    const result = await authService.resolveSession(token)
    if ('context' in result) {
      request.auth = result.context
      return
    }
    if ('awaitingSecondFactor' in result) {
      request.awaitingSecondFactor = result.awaitingSecondFactor
      return
    }
    reply.clearCookie(SESSION_COOKIE, sessionCookie({ secure }))
    if (result.ended !== 'invalid') request.sessionEnded = result.ended
  })
})
