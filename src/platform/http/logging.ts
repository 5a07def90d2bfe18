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

/** An error as a log may record it: its name and code only, since a message can quote personal data or a secret. */
export function errorKind(error: unknown): { error: string; code: string | undefined } {
  return { error: (error as Error | null | undefined)?.name ?? typeof error, code: (error as { code?: string } | null | undefined)?.code }
}

/** The same, as words for a command's error output: "Error ENOENT". */
export function errorKindText(error: unknown): string {
  const { error: name, code } = errorKind(error)
  return code ? `${name} ${code}` : name
}
