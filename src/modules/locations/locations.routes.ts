import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { CATEGORIES } from '../incidents/incidents.schemas.js'

const idParams = z.object({ id: z.uuid({ error: 'Address id must be a UUID' }) })

/** The address page; registered from incidentRoutes. */
export async function locationRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get('/locations/:id', { config: { access: 'cases:read' }, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    const { location, incidents } = await services.incidents.locations.show(actorOf(request), id)
    return reply.render('locations/views/show.njk', { title: location.address, location, incidents, categories: CATEGORIES })
  })
}
