import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../../config.js'

/** Security headers, with a Content Security Policy that GOV.UK Frontend runs under: its one inline script carries a nonce. */
export const setUpSecurityHeaders = fp(async (app: FastifyInstance, { config }: { config: Pick<Config, 'environment'> }) => {
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        ...(config.environment === 'production' ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // HSTS only where the service is served over HTTPS.
    strictTransportSecurity: config.environment === 'production',
  })
  // Whatever a signed-in user is sent (pages and API answers) may carry personal data: no browser or proxy keeps it.
  // Static files are served without a session, so they keep their caching.
  app.addHook('onSend', async (request, reply) => {
    if (request.auth) reply.header('cache-control', 'no-store')
  })
})
