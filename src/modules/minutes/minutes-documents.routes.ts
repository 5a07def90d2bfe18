import type { FastifyInstance } from 'fastify'
import type { Services } from '../../composition.js'

export async function minutesDocumentRoutes(_app: FastifyInstance, _options: { services: Services }) {}
