import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { OrganisationType, Role } from '../../src/modules/auth/permissions.js'
import { hashPassword } from '../../src/modules/auth/passwords.js'
import type { DB, ImportJobFileState, ImportJobState } from '../../src/platform/db/schema.js'

let counter = 0
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`

// One hash for every factory user: argon2 is deliberately slow, and tests make many users.
export const FACTORY_PASSWORD = 'lantern quarry meadow puffin'
let factoryHash: Promise<string> | undefined
/** Administrators and auditors must use two-factor authentication: factory ones have it on with this secret. */
export const FACTORY_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'

/** Small factories that write straight to the database, for arranging tests. */
export function factories(db: Kysely<DB>) {
  return {
    async organisation(overrides: { name?: string; type?: OrganisationType; active?: boolean } = {}) {
      return db
        .insertInto('organisations')
        .values({ name: overrides.name ?? `Test organisation ${unique()}`, type: overrides.type ?? 'council', active: overrides.active ?? true })
        .returning(['id', 'name', 'type'])
        .executeTakeFirstOrThrow()
    },

    /** `twoFactor` defaults to on for administrators and auditors (who must have it), off for others. */
    async user(overrides: { roles?: Role[]; organisationId?: string; email?: string; name?: string; active?: boolean; mustChangePassword?: boolean; twoFactor?: boolean } = {}) {
      factoryHash ??= hashPassword(FACTORY_PASSWORD)
      const organisationId = overrides.organisationId ?? (await this.organisation()).id
      const email = overrides.email ?? `user-${unique()}@test.example.org`
      const row = await db
        .insertInto('users')
        .values({
          name: overrides.name ?? `Test User ${unique()}`,
          email,
          organisation_id: organisationId,
          roles: overrides.roles ?? ['case_viewer'],
          password_hash: await factoryHash,
          active: overrides.active ?? true,
          must_change_password: overrides.mustChangePassword ?? false,
        })
        .returning(['id'])
        .executeTakeFirstOrThrow()
      const roles = overrides.roles ?? []
      if (overrides.twoFactor ?? (roles.includes('admin') || roles.includes('auditor'))) {
        await db.insertInto('two_factor_secrets').values({ user_id: row.id, secret: FACTORY_TOTP_SECRET, enabled_at: new Date() }).execute()
      }
      return { id: row.id, email, organisationId, password: FACTORY_PASSWORD }
    },

    /** An import job as a process left it, with its files' uploaded copies at the paths given. */
    async importJob(job: { startedBy: string; state: ImportJobState; finishedAt?: Date; files: { fileName: string; path: string | null; size: number; state: ImportJobFileState }[] }) {
      const { id } = await db.insertInto('import_jobs').values({ kind: 'police_uk', state: job.state, started_by: job.startedBy, finished_at: job.finishedAt ?? null }).returning('id').executeTakeFirstOrThrow()
      if (!job.files.length) return id
      await db
        .insertInto('import_job_files')
        .values(job.files.map((file, position) => ({ job_id: id, position, original_name: file.fileName, file_path: file.path, size_bytes: file.size, state: file.state })))
        .execute()
      return id
    },

    /** A single sign-on provider for an organisation (the client secret is stored as given). */
    async ssoProvider(values: { organisationId: string; issuer: string; clientId: string; clientSecret: string; emailDomains: string[]; name?: string }) {
      return db
        .insertInto('sso_providers')
        .values({ organisation_id: values.organisationId, name: values.name ?? `Provider ${unique()}`, issuer: values.issuer, client_id: values.clientId, client_secret: values.clientSecret, email_domains: values.emailDomains })
        .returning(['id', 'name'])
        .executeTakeFirstOrThrow()
    },
  }
}

export type Factories = ReturnType<typeof factories>
