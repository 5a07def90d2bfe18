import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'

/** Sessions and API tokens: the two ways a request is tied to a user. */
export function authRepository(db: Executor) {
  return {
    createSession(idHash: string, userId: string, awaitingSecondFactor = false, method: 'password' | 'sso' = 'password') {
      return db.insertInto('sessions').values({ id_hash: idHash, user_id: userId, awaiting_second_factor: awaitingSecondFactor, method }).execute()
    },

    findSession(idHash: string) {
      return db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
        .leftJoin('two_factor_secrets', 'two_factor_secrets.user_id', 'sessions.user_id')
        .select([
          'sessions.user_id as userId',
          'sessions.created_at as createdAt',
          'sessions.last_seen_at as lastSeenAt',
          sql<Date>`now()`.as('now'),
          'users.active',
          'sessions.awaiting_second_factor as awaitingSecondFactor',
          'sessions.method',
          'organisations.require_two_factor as organisationRequiresTwoFactor',
          sql<boolean>`two_factor_secrets.enabled_at is not null`.as('twoFactorEnabled'),
        ])
        .where('sessions.id_hash', '=', idHash)
        .executeTakeFirst()
    },

    touchSession(idHash: string) {
      return db.updateTable('sessions').set({ last_seen_at: sql`now()` }).where('id_hash', '=', idHash).execute()
    },

    deleteSession(idHash: string) {
      return db.deleteFrom('sessions').where('id_hash', '=', idHash).execute()
    },

    deleteSessionsOfUser(userId: string, executor: Executor = db, exceptIdHash?: string) {
      let query = executor.deleteFrom('sessions').where('user_id', '=', userId)
      if (exceptIdHash) query = query.where('id_hash', '<>', exceptIdHash)
      return query.execute()
    },

    deleteExpiredSessions(idleMinutes: number, absoluteHours: number) {
      return db
        .deleteFrom('sessions')
        .where((eb) =>
          eb.or([
            eb('last_seen_at', '<', sql<Date>`now() - make_interval(mins => ${idleMinutes})`),
            eb('created_at', '<', sql<Date>`now() - make_interval(hours => ${absoluteHours})`),
          ]),
        )
        .executeTakeFirst()
    },

    insertToken(
      token: { userId: string; name: string; tokenHash: string; prefix: string; createdBy: string; expiresAt: Date | null },
      executor: Executor = db,
    ) {
      return executor
        .insertInto('api_tokens')
        .values({
          user_id: token.userId,
          name: token.name,
          token_hash: token.tokenHash,
          prefix: token.prefix,
          created_by: token.createdBy,
          expires_at: token.expiresAt,
        })
        .returning(['id', 'created_at as createdAt'])
        .executeTakeFirstOrThrow()
    },

    /** A token that is live: not revoked, not expired, its user active. */
    findLiveToken(tokenHash: string) {
      return db
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .select(['api_tokens.id', 'api_tokens.user_id as userId', 'api_tokens.last_used_at as lastUsedAt'])
        .where('api_tokens.token_hash', '=', tokenHash)
        .where('api_tokens.revoked_at', 'is', null)
        .where((eb) => eb.or([eb('api_tokens.expires_at', 'is', null), eb('api_tokens.expires_at', '>', sql<Date>`now()`)]))
        .where('users.active', '=', true)
        .executeTakeFirst()
    },

    touchToken(id: string) {
      return db.updateTable('api_tokens').set({ last_used_at: sql`now()` }).where('id', '=', id).execute()
    },

    listTokens() {
      return db
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
        .select([
          'api_tokens.id',
          'api_tokens.name',
          'api_tokens.prefix',
          'api_tokens.user_id as userId',
          'users.name as userName',
          'organisations.name as organisationName',
          'api_tokens.created_at as createdAt',
          'api_tokens.expires_at as expiresAt',
          'api_tokens.last_used_at as lastUsedAt',
          'api_tokens.revoked_at as revokedAt',
        ])
        .orderBy('api_tokens.revoked_at', (ob) => ob.desc().nullsFirst())
        .orderBy('api_tokens.created_at', 'desc')
        .execute()
    },

    findToken(id: string, executor: Executor = db) {
      return executor.selectFrom('api_tokens').select(['id', 'user_id as userId', 'revoked_at as revokedAt']).where('id', '=', id).executeTakeFirst()
    },

    /** Revokes every live token of a user; returns the ids revoked. */
    async revokeTokensOfUser(userId: string, executor: Executor = db) {
      const rows = await executor.updateTable('api_tokens').set({ revoked_at: sql`now()` }).where('user_id', '=', userId).where('revoked_at', 'is', null).returning('id').execute()
      return rows.map((row) => row.id)
    },

    revokeToken(id: string, executor: Executor = db) {
      return executor.updateTable('api_tokens').set({ revoked_at: sql`now()` }).where('id', '=', id).where('revoked_at', 'is', null).execute()
    },
  }
}

export type AuthRepository = ReturnType<typeof authRepository>
