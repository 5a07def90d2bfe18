import swagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createJsonSchemaTransform } from 'fastify-type-provider-zod'
import type { OpenAPIV3 } from 'openapi-types'

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

/** The OpenAPI document is generated from the API routes' own zod schemas; pages are left out of it. */
export const setUpApiDocs = fp(async (app: FastifyInstance) => {
  const transform = createJsonSchemaTransform({})
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Safer Communities API',
        version: '1.0.0',
        description:
          'JSON API of the Safer Communities platform. Authenticate with a personal API token issued by an administrator (`Authorization: Bearer scp_...`), or with a signed-in session; a session-authenticated POST, PATCH or DELETE must also send the page CSRF token in the `x-csrf-token` header.',
      },
      components: { securitySchemes: { apiToken: { type: 'http', scheme: 'bearer', description: 'Personal API token' } } },
      security: [{ apiToken: [] }],
    },
    transform: (input) => {
      if (!input.url.startsWith('/api/')) return { schema: { ...input.schema, hide: true }, url: input.url }
      return transform(input)
    },
  })

  app.get('/api/v1/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger())

  app.get('/api-docs', { config: { access: 'public' } }, async (_request, reply) => {
    const document = app.swagger() as OpenAPIV3.Document
    const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      METHODS.filter((method) => item?.[method]).map((method) => {
        const operation = item![method]!
        const content = (operation.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content
        const body = content?.['application/json']?.schema ?? content?.['multipart/form-data']?.schema
        return {
          method: method.toUpperCase(),
          path,
          summary: operation.summary ?? '',
          tag: operation.tags?.[0] ?? 'Other',
          public: Array.isArray(operation.security) && operation.security.length === 0,
          parameters: ((operation.parameters ?? []) as OpenAPIV3.ParameterObject[]).map((parameter) => ({ name: parameter.name, in: parameter.in, required: parameter.required ?? false })),
          body: body ? JSON.stringify(body, null, 2) : null,
          responses: Object.keys(operation.responses ?? {}).join(', '),
        }
      }),
    )
    return reply.render('api-docs.njk', { title: 'API documentation', operations, info: document.info })
  })
})
