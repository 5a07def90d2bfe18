import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'

const SECRET = 'a-session-secret-that-is-long-enough-0123456789'

/** Runs loadConfig and returns the ConfigError it throws, failing the test if it does not throw one. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('expected loadConfig to throw a ConfigError')
}

describe('loadConfig', () => {
  let dataDir: string
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'scp-config-'))
  })
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true })
  })

  it('has safe defaults for development', () => {
    const config = loadConfig({ SESSION_SECRET: SECRET })
    expect(config).toEqual({
      environment: 'development',
      port: 3000,
      host: '127.0.0.1',
      database: { kind: 'pglite', dataDir: path.resolve('data', 'pglite') },
      dataDir: path.resolve('data'),
      uploadDir: path.resolve('data', 'uploads'),
      sessionSecret: SECRET,
      logLevel: 'info',
      trustProxy: false,
      seedDemoData: true,
      session: { idleMinutes: 30, absoluteHours: 12 },
      signIn: { maxFailedAttempts: 5, lockoutMinutes: 15, attemptsPerMinutePerIp: 20 },
      publicUrl: 'http://localhost:3000',
      mail: { from: 'Safer Communities <noreply@safer-communities.invalid>', smtp: undefined },
    })
  })

  it('reads SMTP settings, and keeps mail in the outbox without them', () => {
    const config = loadConfig({ SESSION_SECRET: SECRET, SMTP_HOST: 'smtp.example.gov.uk', SMTP_USER: 'csp', SMTP_PASSWORD: 'pw', MAIL_FROM: 'CSP <csp@example.gov.uk>', PUBLIC_URL: 'https://safer.example.gov.uk/' })
    expect(config.mail).toEqual({ from: 'CSP <csp@example.gov.uk>', smtp: { host: 'smtp.example.gov.uk', port: 587, secure: false, user: 'csp', password: 'pw' } })
    expect(config.publicUrl).toBe('https://safer.example.gov.uk')
    expect(loadConfig({ SESSION_SECRET: SECRET, SMTP_HOST: 'smtp.example.gov.uk', SMTP_SECURE: 'true' }).mail.smtp?.port).toBe(465)
    expect(configError({ SESSION_SECRET: SECRET, MAIL_FROM: 'not an address', SMTP_PORT: 'x' }).problems.map((problem) => problem.split(' ')[0]).sort()).toEqual(['MAIL_FROM', 'SMTP_PORT'])
  })

  it('reads the values it is given', () => {
    const config = loadConfig({ NODE_ENV: 'test', PORT: '8080', HOST: '0.0.0.0', DATA_DIR: dataDir, SESSION_SECRET: SECRET, LOG_LEVEL: 'warn', TRUST_PROXY: 'yes' })
    expect(config).toMatchObject({ environment: 'test', port: 8080, host: '0.0.0.0', dataDir, uploadDir: path.join(dataDir, 'uploads'), logLevel: 'warn', trustProxy: true })
    expect(loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: SECRET, UPLOAD_DIR: path.join(dataDir, 'incoming') }).uploadDir).toBe(path.join(dataDir, 'incoming'))
  })

  it.each(['abc', '0', '65536', '-1', '80.5'])('rejects PORT=%s with a ConfigError naming PORT', (port) => {
    const error = configError({ PORT: port, SESSION_SECRET: SECRET })
    expect(error.problems).toHaveLength(1)
    expect(error.problems[0]).toMatch(/^PORT /)
    expect(error.message).toContain('PORT')
  })

  it('lists every problem at once', () => {
    const error = configError({ PORT: 'abc', LOG_LEVEL: 'loud', NODE_ENV: 'staging', TRUST_PROXY: 'maybe', SESSION_SECRET: SECRET })
    expect(error.problems.map((problem) => problem.split(' ')[0]).sort()).toEqual(['LOG_LEVEL', 'NODE_ENV', 'PORT', 'TRUST_PROXY'])
  })

  it.each(['mysql://user@localhost/db', 'localhost:5432/db', 'postgres://', 'http://postgres.example/db'])('rejects DATABASE_URL=%s', (url) => {
    const error = configError({ DATABASE_URL: url, SESSION_SECRET: SECRET })
    expect(error.problems).toEqual(['DATABASE_URL must be a postgres:// or postgresql:// connection URL'])
  })

  it('selects PostgreSQL when DATABASE_URL is set, for either scheme', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://app@db.internal:5432/scp', SESSION_SECRET: SECRET }).database).toEqual({ kind: 'postgres', url: 'postgres://app@db.internal:5432/scp' })
    expect(loadConfig({ DATABASE_URL: 'postgresql://app@db.internal/scp', SESSION_SECRET: SECRET }).database).toEqual({ kind: 'postgres', url: 'postgresql://app@db.internal/scp' })
  })

  it('otherwise keeps a PGlite database under DATA_DIR', () => {
    expect(loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: SECRET }).database).toEqual({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') })
    // An empty variable counts as unset, as it does in most deployment tools.
    expect(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: '', SESSION_SECRET: SECRET }).database).toEqual({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') })
  })

  it('refuses to start in production without SESSION_SECRET, saying what is needed', async () => {
    const error = configError({ NODE_ENV: 'production', DATA_DIR: dataDir })
    expect(error.problems).toHaveLength(1)
    expect(error.problems[0]).toMatch(/SESSION_SECRET is required when NODE_ENV is production/)
    expect(error.message).toContain('at least 32')
    // Nothing was generated to paper over the missing secret.
    await expect(stat(path.join(dataDir, 'session-secret'))).rejects.toThrow()
  })

  it('rejects a SESSION_SECRET shorter than 32 characters, in any environment', () => {
    for (const NODE_ENV of ['development', 'production']) {
      const error = configError({ NODE_ENV, SESSION_SECRET: 'x'.repeat(31), DATA_DIR: dataDir })
      expect(error.problems).toEqual(['SESSION_SECRET must be at least 32 characters'])
    }
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) }).sessionSecret).toBe('x'.repeat(32))
  })

  it('outside production generates a missing SESSION_SECRET once into DATA_DIR/session-secret and reads it back', async () => {
    const dir = path.join(dataDir, 'not', 'yet', 'created')
    const first = loadConfig({ DATA_DIR: dir })
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(32)
    const file = path.join(dir, 'session-secret')
    expect(await readFile(file, 'utf8')).toBe(first.sessionSecret)
    // Only the owner may read it.
    expect((await stat(file)).mode & 0o777).toBe(0o600)

    const second = loadConfig({ DATA_DIR: dir })
    expect(second.sessionSecret).toBe(first.sessionSecret)

    // Another data directory gets its own secret.
    const other = loadConfig({ DATA_DIR: path.join(dataDir, 'other') })
    expect(other.sessionSecret).not.toBe(first.sessionSecret)
  })

  it('prefers a SESSION_SECRET that is set over a generated one', async () => {
    loadConfig({ DATA_DIR: dataDir })
    expect(loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: SECRET }).sessionSecret).toBe(SECRET)
    expect(loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, SESSION_SECRET: SECRET }).sessionSecret).toBe(SECRET)
  })

  it('seeds demo data by default outside production only, unless told otherwise', () => {
    const base = { DATA_DIR: dataDir, SESSION_SECRET: SECRET }
    expect(loadConfig({ ...base, NODE_ENV: 'development' }).seedDemoData).toBe(true)
    expect(loadConfig({ ...base, NODE_ENV: 'test' }).seedDemoData).toBe(true)
    expect(loadConfig({ ...base, NODE_ENV: 'production' }).seedDemoData).toBe(false)
    expect(loadConfig({ ...base, NODE_ENV: 'development', SEED_DEMO_DATA: 'false' }).seedDemoData).toBe(false)
    expect(loadConfig({ ...base, NODE_ENV: 'production', SEED_DEMO_DATA: 'true' }).seedDemoData).toBe(true)
    expect(configError({ ...base, SEED_DEMO_DATA: 'perhaps' }).problems).toEqual(['SEED_DEMO_DATA must be true or false'])
  })
})
