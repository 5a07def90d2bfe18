import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Permission } from '../../modules/auth/permissions.js'
import { ForbiddenError } from './errors.js'

/**
 * Every route declares who may reach it in `config.access`:
 * 'public', 'signed-in' (any active user) or one permission from the role table.
 */
export type Access = 'public' | 'signed-in' | Permission

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
    /** Reachable by a user who must still replace a temporary password (the change-password page, sign-out). */
    allowTemporaryPassword?: boolean
    /** Reachable by an administrator or auditor who must still set up two-factor authentication (its set-up pages). */
    allowBeforeTwoFactor?: boolean
  }
  interface FastifyInstance {
    /** Every route's method, address and access, as registered: for tests and audits of the gate. */
    accessTable: readonly AccessEntry[]
  }
}

export interface AccessEntry {
  method: string
  url: string
  access: Access
}

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/')
}

/** The one permission gate: runs before any handler, after authentication has set request.auth. */
export const setUpAccessGate = fp(async (app: FastifyInstance) => {
  const accessTable: AccessEntry[] = []
  app.decorate('accessTable', accessTable)
  app.addHook('onRoute', (route) => {
    const access = route.config?.access
    if (access === undefined) {
      throw new Error(`Route ${route.method} ${route.url} has no config.access: every route must say who may reach it`)
    }
    for (const method of [route.method].flat()) accessTable.push({ method, url: route.url, access })
  })

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const access = request.routeOptions.config.access
    if (access === undefined && request.is404) return
    if (access === 'public') return
    if (!request.auth) return refuseAnonymous(request, reply)
    const { config } = request.routeOptions
    if (request.auth.user.mustChangePassword && request.auth.via === 'session' && !config.allowTemporaryPassword) {
      if (isApiRequest(request)) throw new ForbiddenError('Change your temporary password before using the service')
      return reply.redirect('/account/password')
    }
    if (request.auth.user.mustSetUpTwoFactor && request.auth.via === 'session' && !config.allowTemporaryPassword && !config.allowBeforeTwoFactor) {
      if (isApiRequest(request)) throw new ForbiddenError('Set up two-factor authentication before using the service')
      return reply.redirect('/account/two-factor')
    }
    if (access !== 'signed-in' && !request.auth.permissions.has(access!)) {
      throw new ForbiddenError()
    }
  })
})

function refuseAnonymous(request: FastifyRequest, reply: FastifyReply) {
  if (isApiRequest(request)) {
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send({ statusCode: 401, error: 'Unauthorized', message: 'Sign in, or send a personal API token as a Bearer token' })
  }
  const returnTo = request.method === 'GET' ? `?returnTo=${encodeURIComponent(request.url)}` : ''
  const expired = request.sessionEnded ? `${returnTo ? '&' : '?'}expired=${request.sessionEnded}` : ''
  return reply.redirect(`/sign-in${returnTo}${expired}`)
}
