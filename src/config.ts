import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'

export type Environment = 'development' | 'test' | 'production'

export type DatabaseTarget =
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'pglite-memory' }
  /** appUrl: the app's own role (DATABASE_APP_URL), which owns nothing; url is the owner's, for migrations. */
  | { kind: 'postgres'; url: string; appUrl?: string }

export interface Config {
  environment: Environment
  port: number
  host: string
  database: DatabaseTarget
  dataDir: string
  /** Uploaded files waiting for their import job (police.uk CSVs); kept across restarts so an interrupted job can be retried. */
  uploadDir: string
  sessionSecret: string
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  trustProxy: boolean
  seedDemoData: boolean
  session: { idleMinutes: number; absoluteHours: number }
  signIn: { maxFailedAttempts: number; lockoutMinutes: number; attemptsPerMinutePerIp: number }
  /** The address people reach the service at, for links in emails. */
  publicUrl: string
  /** SMTP for outgoing email; without it messages stay in the outbox page. */
  mail: { from: string; smtp?: { host: string; port: number; secure: boolean; user?: string; password?: string } }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((value) => ['true', '1', 'yes'].includes(value))

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production'], { error: 'must be development, test or production' }).default('development'),
  PORT: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 to 65535').max(65535, 'must be 1 to 65535').default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// connection URL')
    .optional(),
  DATABASE_APP_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/[^@/]+@.+/, 'must be a postgres:// connection URL with the app role’s name, as in postgres://safercommunities_app:password@dbhost/db')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  UPLOAD_DIR: z.string().min(1).optional(),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  TRUST_PROXY: booleanFlag.default(false),
  SEED_DEMO_DATA: booleanFlag.optional(),
  PUBLIC_URL: z.url({ error: 'must be a URL such as https://safer.example.gov.uk' }).optional(),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 to 65535').max(65535, 'must be 1 to 65535').optional(),
  SMTP_SECURE: booleanFlag.optional(),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  MAIL_FROM: z.string().regex(/^(.+<)?[^@\s<>]+@[^@\s<>]+>?$/, 'must be an email address, optionally with a name: Safer Communities <noreply@example.gov.uk>').optional(),
})

/** Reads the environment, failing at boot with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''))
  const parsed = envSchema.safeParse(present)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`))
  }
  const values = parsed.data
  const dataDir = path.resolve(values.DATA_DIR)
  const production = values.NODE_ENV === 'production'
  if (values.DATABASE_APP_URL && !values.DATABASE_URL) {
    throw new ConfigError(['DATABASE_APP_URL needs DATABASE_URL too: the owner role that runs migrations'])
  }
  if (production && !values.SESSION_SECRET) {
    throw new ConfigError(['SESSION_SECRET is required when NODE_ENV is production (at least 32 random characters)'])
  }
  return {
    environment: values.NODE_ENV,
    port: values.PORT,
    host: values.HOST,
    database: values.DATABASE_URL ? { kind: 'postgres', url: values.DATABASE_URL, ...(values.DATABASE_APP_URL ? { appUrl: values.DATABASE_APP_URL } : {}) } : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
    dataDir,
    uploadDir: path.resolve(values.UPLOAD_DIR ?? path.join(dataDir, 'uploads')),
    sessionSecret: values.SESSION_SECRET ?? persistedSessionSecret(dataDir),
    logLevel: values.LOG_LEVEL,
    trustProxy: values.TRUST_PROXY,
    seedDemoData: values.SEED_DEMO_DATA ?? !production,
    session: { idleMinutes: 30, absoluteHours: 12 },
    signIn: { maxFailedAttempts: 5, lockoutMinutes: 15, attemptsPerMinutePerIp: 20 },
    publicUrl: (values.PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/$/, ''),
    mail: {
      from: values.MAIL_FROM ?? 'Safer Communities <noreply@safer-communities.invalid>',
      smtp: values.SMTP_HOST
        ? { host: values.SMTP_HOST, port: values.SMTP_PORT ?? (values.SMTP_SECURE ? 465 : 587), secure: values.SMTP_SECURE ?? false, user: values.SMTP_USER, password: values.SMTP_PASSWORD }
        : undefined,
    },
  }
}

/** Outside production a missing secret is generated once and kept, so restarts keep users signed in. */
function persistedSessionSecret(dataDir: string): string {
  const file = path.join(dataDir, 'session-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  writeFileSync(file, secret, { mode: 0o600 })
  return secret
}
