import type { FastifyInstance } from 'fastify'
import type { Services } from '../../composition.js'

export async function bodyRoutes(_app: FastifyInstance, _options: { services: Services }) {}
