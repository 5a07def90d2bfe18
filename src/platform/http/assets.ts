import path from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { govukFrontendDist, publicDir } from '../views/views.js'

/** GOV.UK Frontend's fonts, images, CSS and JS, served from node_modules: no CDN. */
export async function assetRoutes(app: FastifyInstance) {
  await app.register(fastifyStatic, { root: publicDir, serve: false })
  const govuk = path.join(govukFrontendDist, 'govuk')
  const mounts: [string, string][] = [
    ['/assets/', path.join(govuk, 'assets')],
    ['/stylesheets/', govuk],
    ['/javascripts/', govuk],
    ['/public/', publicDir],
  ]
  for (const [prefix, root] of mounts) {
    app.get(`${prefix}*`, { config: { access: 'public', assets: true } }, (request, reply) => {
      const file = (request.params as { '*': string })['*']
      return reply.sendFile(file, root, { maxAge: '1h' })
    })
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Static files: no session lookup needed. */
    assets?: boolean
  }
}
