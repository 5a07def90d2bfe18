import type { FastifyInstance } from 'fastify'
import type { Services } from '../../composition.js'

export async function minutesRoutes(_app: FastifyInstance, _options: { services: Services }) {}
