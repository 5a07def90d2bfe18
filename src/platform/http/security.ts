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
})
