import type { FastifyInstance } from 'fastify'
import type { Services } from '../../composition.js'

export async function outboxRoutes(_app: FastifyInstance, _options: { services: Services }) {}
