import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'

const healthResponse = z.object({ status: z.enum(['ok', 'unavailable']), database: z.enum(['pglite', 'postgres']) })

export async function healthRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/health',
    {
      config: { access: 'public' },
      schema: { summary: 'Service health: answers 200 when the database answers', tags: ['System'], security: [], response: { 200: healthResponse, 503: healthResponse } },
    },
    async (_request, reply) => {
      const { database } = services
      try {
        await database.ping()
        return { status: 'ok' as const, database: database.kind }
      } catch {
        return reply.code(503).send({ status: 'unavailable' as const, database: database.kind })
      }
    },
  )
}
