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

    async user(overrides: { roles?: Role[]; organisationId?: string; email?: string; name?: string; active?: boolean; mustChangePassword?: boolean } = {}) {
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
  }
}

export type Factories = ReturnType<typeof factories>
