import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import { escapeLike } from '../../platform/db/like.js'
import type { NewUser, UserUpdate } from '../../platform/db/schema.js'

const userColumns = [
  'users.id',
  'users.name',
  'users.email',
  'users.organisation_id as organisationId',
  'organisations.name as organisationName',
  'users.roles',
  'users.active',
  'users.must_change_password as mustChangePassword',
  'users.locked_until as lockedUntil',
  'users.last_sign_in_at as lastSignInAt',
  'users.created_at as createdAt',
  'users.updated_at as updatedAt',
] as const

export interface UserFilter {
  organisationId?: string
  search?: string
  includeInactive?: boolean
}

export function usersRepository(db: Executor) {
  const withOrganisation = (executor: Executor) =>
    executor.selectFrom('users').innerJoin('organisations', 'organisations.id', 'users.organisation_id')

  return {
    findById(id: string, executor: Executor = db) {
      return withOrganisation(executor).select(userColumns).where('users.id', '=', id).executeTakeFirst()
    },

    /** Includes the password hash: only for sign-in. */
    findCredentialsByEmail(email: string) {
      return withOrganisation(db)
        .select([...userColumns, 'users.password_hash as passwordHash', 'users.failed_sign_in_count as failedSignInCount'])
        .where(sql<string>`lower(users.email)`, '=', email.toLowerCase())
        .executeTakeFirst()
    },

    findPasswordHash(id: string) {
      return db.selectFrom('users').select(['password_hash as passwordHash', 'locked_until as lockedUntil']).where('id', '=', id).executeTakeFirst()
    },

    emailTaken(email: string, exceptId?: string, executor: Executor = db) {
      let query = executor.selectFrom('users').select('id').where(sql<string>`lower(email)`, '=', email.toLowerCase())
      if (exceptId) query = query.where('id', '<>', exceptId)
      return query.executeTakeFirst().then(Boolean)
    },

    list(filter: UserFilter) {
      let query = withOrganisation(db).select(userColumns).orderBy('organisations.name').orderBy('users.name')
      if (filter.organisationId) query = query.where('users.organisation_id', '=', filter.organisationId)
      if (!filter.includeInactive) query = query.where('users.active', '=', true)
      if (filter.search) {
        const pattern = `%${escapeLike(filter.search)}%`
        query = query.where((eb) => eb.or([eb('users.name', 'ilike', pattern), eb('users.email', 'ilike', pattern)]))
      }
      return query.execute()
    },

    insert(user: NewUser, executor: Executor = db) {
      return executor.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow()
    },

    update(id: string, changes: UserUpdate, executor: Executor = db) {
      return executor.updateTable('users').set({ ...changes, updated_at: sql`now()` }).where('id', '=', id).executeTakeFirst()
    },

    /**
     * One statement, so concurrent failures cannot lose a count. A lock that has run out starts a fresh count,
     * so one more mistake after a lock-out does not lock the account again.
     */
    recordFailedSignIn(id: string, maxAttempts: number, lockoutMinutes: number) {
      const count = sql<number>`case when locked_until is not null and locked_until <= now() then 1 else failed_sign_in_count + 1 end`
      return db
        .updateTable('users')
        .set({
          failed_sign_in_count: count,
          locked_until: sql`case when ${count} >= ${maxAttempts} then now() + make_interval(mins => ${lockoutMinutes})
            when locked_until <= now() then null else locked_until end`,
        })
        .where('id', '=', id)
        .returning(['failed_sign_in_count as failedSignInCount', 'locked_until as lockedUntil'])
        .executeTakeFirstOrThrow()
    },

    recordSuccessfulSignIn(id: string) {
      return db
        .updateTable('users')
        .set({ failed_sign_in_count: 0, locked_until: null, last_sign_in_at: sql`now()` })
        .where('id', '=', id)
        .execute()
    },

    countByRole() {
      return db
        .selectFrom('users')
        .select([sql<string>`unnest(roles)`.as('role'), sql<number>`count(*)::int`.as('count')])
        .where('active', '=', true)
        .groupBy(sql`1`)
        .execute()
    },
  }
}

export type UsersRepository = ReturnType<typeof usersRepository>
export type UserRecord = NonNullable<Awaited<ReturnType<UsersRepository['findById']>>>
