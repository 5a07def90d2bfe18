import type { FastifyRequest } from 'fastify'
import type { Actor } from '../../modules/audit/audit.events.js'
import { ForbiddenError } from './errors.js'

/** Who is acting, for services and the audit log. */
export function actorOf(request: FastifyRequest): Actor {
  return { userId: request.auth?.user.id ?? null, organisationId: request.auth?.user.organisationId ?? null, ip: request.ip }
}

/** The acting user and their organisation, for work that only a signed-in user can do. */
export function signedIn(actor: Actor): { userId: string; organisationId: string } {
  if (!actor.userId || !actor.organisationId) throw new ForbiddenError()
  return { userId: actor.userId, organisationId: actor.organisationId }
}
