import type { FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'

/**
 * Structured JSON logs without personal data or secrets: no query strings (searches carry names),
 * no bodies, no cookies or authorization headers.
 */
export function loggerOptions(config: Pick<Config, 'logLevel'>) {
  return {
    level: config.logLevel,
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'], censor: '[redacted]' },
    serializers: {
      req: (request: FastifyRequest) => ({ method: request.method, path: request.url.split('?')[0], remoteAddress: request.ip }),
    },
  }
}
