import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { ROLES } from './permissions.js'

const meResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  organisation: z.object({ id: z.uuid(), name: z.string() }),
  roles: z.array(z.enum(ROLES)),
  permissions: z.array(z.string()),
  authenticatedBy: z.enum(['session', 'token']),
})

export async function meRoutes(app: FastifyInstance, _options: { services: Services }) {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/me',
    { config: { access: 'signed-in' }, schema: { summary: 'The signed-in user, their organisation, roles and permissions', tags: ['Account'], response: { 200: meResponse } } },
    async (request) => {
      const { user, permissions, via } = request.auth!
      return {
        id: user.id,
        name: user.name,
        email: user.email,
        organisation: { id: user.organisationId, name: user.organisationName },
        roles: user.roles,
        permissions: [...permissions].sort(),
        authenticatedBy: via,
      }
    },
  )
}
