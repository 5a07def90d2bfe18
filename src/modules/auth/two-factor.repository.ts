import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'

/** Authenticator secrets and recovery codes (two-factor authentication). */
export function twoFactorRepository(db: Executor) {
  return {
    findSecret(userId: string, executor: Executor = db) {
      return executor
        .selectFrom('two_factor_secrets')
        .select(['secret', 'enabled_at as enabledAt', 'last_used_step as lastUsedStep'])
        .where('user_id', '=', userId)
        .executeTakeFirst()
    },

    /** Whether the user must use two-factor authentication because their organisation says so. */
    organisationRequires(userId: string) {
      return db
        .selectFrom('users')
        .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
        .select('organisations.require_two_factor as required')
        .where('users.id', '=', userId)
        .executeTakeFirst()
        .then((row) => row?.required ?? false)
    },

    /** A new secret being set up replaces one not yet confirmed; an enabled one is left alone. */
    savePendingSecret(userId: string, secret: string) {
      return db
        .insertInto('two_factor_secrets')
        .values({ user_id: userId, secret })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ secret, last_used_step: null }).where('two_factor_secrets.enabled_at', 'is', null))
        .execute()
    },

    enable(userId: string, step: number, executor: Executor = db) {
      return executor.updateTable('two_factor_secrets').set({ enabled_at: sql`now()`, last_used_step: step }).where('user_id', '=', userId).execute()
    },

    /** Records the step of an accepted code, only if it is later than the last one: a code works once. */
    useStep(userId: string, step: number) {
      return db
        .updateTable('two_factor_secrets')
        .set({ last_used_step: step })
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
        .executeTakeFirst()
        .then((result) => result.numUpdatedRows > 0n)
    },

    async replaceRecoveryCodes(userId: string, codeHashes: string[], executor: Executor = db) {
      await executor.deleteFrom('two_factor_recovery_codes').where('user_id', '=', userId).execute()
      await executor.insertInto('two_factor_recovery_codes').values(codeHashes.map((code_hash) => ({ user_id: userId, code_hash }))).execute()
    },

    /** Marks an unused recovery code used; false when there is none with that hash. */
    useRecoveryCode(userId: string, codeHash: string) {
      return db
        .updateTable('two_factor_recovery_codes')
        .set({ used_at: sql`now()` })
        .where('user_id', '=', userId)
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .executeTakeFirst()
        .then((result) => result.numUpdatedRows > 0n)
    },

    countUnusedRecoveryCodes(userId: string) {
      return db
        .selectFrom('two_factor_recovery_codes')
        .select(sql<number>`count(*)::int`.as('count'))
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirstOrThrow()
        .then((row) => row.count)
    },

    /** Ends the user's sessions still waiting for a code: they were started against the secret being removed. */
    async deleteAwaitingSessions(userId: string, executor: Executor = db) {
      const deleted = await executor.deleteFrom('sessions').where('user_id', '=', userId).where('awaiting_second_factor', '=', true).executeTakeFirst()
      return Number(deleted.numDeletedRows)
    },

    async remove(userId: string, executor: Executor = db) {
      await executor.deleteFrom('two_factor_recovery_codes').where('user_id', '=', userId).execute()
      const deleted = await executor.deleteFrom('two_factor_secrets').where('user_id', '=', userId).executeTakeFirst()
      return deleted.numDeletedRows > 0n
    },
  }
}

export type TwoFactorRepository = ReturnType<typeof twoFactorRepository>
