import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { dateFromParts } from '../../platform/http/date-input.js'
import { parseForm } from '../../platform/http/forms.js'
import { CASE_STATUSES, CASE_TYPES } from '../cases/cases.schemas.js'
import { SECTION_SIZE, searchQuery, searchResponse } from './search.schemas.js'

const read = { access: 'cases:read' } as const
const DATE_PARTS = ['dateOfBirth-day', 'dateOfBirth-month', 'dateOfBirth-year'] as const

export async function searchRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { search } = services
  const api = app.withTypeProvider<ZodTypeProvider>()

  app.get('/search', { config: read }, async (request, reply) => {
    const values = (request.query ?? {}) as Record<string, unknown>
    const page = { title: 'Search', values, labels: { statuses: CASE_STATUSES, types: CASE_TYPES }, sectionSize: SECTION_SIZE }
    // Opening the page is not a search; sending the form, even empty, is.
    if (!('q' in values) && !DATE_PARTS.some((part) => part in values)) return reply.render('search/views/search.njk', page)

    const dateOfBirth = dateFromParts(values, 'dateOfBirth')
    const form = parseForm(searchQuery, { q: values.q, dateOfBirth: dateOfBirth || undefined }, { dateInputs: ['dateOfBirth'] })
    if (!form.ok) return reply.code(400).render('search/views/search.njk', { ...page, errors: form.errors })

    const results = await search.search(actorOf(request), form.value)
    // A reference typed in full opens that case or incident (the page audits the read).
    if (results.exactMatch) return reply.redirect(results.exactMatch.href)

    const q = form.value.q
    const peopleQuery = new URLSearchParams({ q, ...Object.fromEntries(DATE_PARTS.filter((part) => form.value.dateOfBirth && values[part]).map((part) => [part, String(values[part]).trim()])) })
    return reply.render('search/views/search.njk', {
      ...page,
      title: 'Search results',
      q,
      results,
      searched: true,
      links: {
        cases: `/cases?${new URLSearchParams({ view: 'all', q })}`,
        people: `/people?${peopleQuery}`,
        peopleByAddress: `/people?${new URLSearchParams({ address: q })}`,
      },
    })
  })

  api.get(
    '/api/v1/search',
    {
      config: read,
      schema: {
        summary: `Search cases, people, incidents and addresses your organisation may see: the first ${SECTION_SIZE} of each, with whether there are more`,
        description:
          'Cases by reference (in full or its start) and words of the title; people by name (typo-tolerant) and date of birth; incidents by reference, words of the description, and the address or postcode; addresses by words or postcode. Each search is audited with counts only.',
        tags: ['Search'],
        querystring: searchQuery,
        response: { 200: searchResponse },
      },
    },
    async (request) => searchResponse.parse(await search.search(actorOf(request), request.query)),
  )
}
