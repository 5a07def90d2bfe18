import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'

const providerColumns = [
  'sso_providers.id',
  'sso_providers.organisation_id as organisationId',
  'sso_providers.name',
  'sso_providers.issuer',
  'sso_providers.client_id as clientId',
  'sso_providers.email_domains as emailDomains',
  'sso_providers.updated_at as updatedAt',
] as const

/** Single sign-on providers and the sign-ins in flight to them. */
export function ssoRepository(db: Executor) {
  return {
    listForOrganisation(organisationId: string) {
      return db.selectFrom('sso_providers').select(providerColumns).where('organisation_id', '=', organisationId).orderBy('name').execute()
    },

    /** The providers shown as buttons on the sign-in page: those of active organisations. */
    listAll() {
      return db
        .selectFrom('sso_providers')
        .innerJoin('organisations', 'organisations.id', 'sso_providers.organisation_id')
        .select([...providerColumns, 'organisations.name as organisationName'])
        .where('organisations.active', '=', true)
        .orderBy('organisations.name')
        .orderBy('sso_providers.name')
        .execute()
    },

    /** With the client secret: only for talking to the provider. */
    findWithSecret(id: string) {
      return db.selectFrom('sso_providers').select([...providerColumns, 'client_secret as clientSecret']).where('id', '=', id).executeTakeFirst()
    },

    findById(id: string) {
      return db.selectFrom('sso_providers').select(providerColumns).where('id', '=', id).executeTakeFirst()
    },

    findByEmailDomain(domain: string) {
      return db
        .selectFrom('sso_providers')
        .innerJoin('organisations', 'organisations.id', 'sso_providers.organisation_id')
        .select(providerColumns)
        .where(sql<boolean>`${domain.toLowerCase()} = any(sso_providers.email_domains)`)
        .where('organisations.active', '=', true)
        .orderBy('sso_providers.created_at')
        .executeTakeFirst()
    },

    organisationHasProvider(organisationId: string) {
      return db.selectFrom('sso_providers').select('id').where('organisation_id', '=', organisationId).executeTakeFirst().then(Boolean)
    },

    /** A domain already covered by another provider: a domain must lead to exactly one. */
    domainsTaken(domains: string[], exceptId?: string, executor: Executor = db) {
      let query = executor.selectFrom('sso_providers').select(sql<string>`unnest(email_domains)`.as('domain'))
      if (exceptId) query = query.where('id', '<>', exceptId)
      return query.execute().then((rows) => rows.map((row) => row.domain).filter((domain) => domains.includes(domain)))
    },

    insert(provider: { organisationId: string; name: string; issuer: string; clientId: string; clientSecret: string; emailDomains: string[] }, executor: Executor = db) {
      return executor
        .insertInto('sso_providers')
        .values({ organisation_id: provider.organisationId, name: provider.name, issuer: provider.issuer, client_id: provider.clientId, client_secret: provider.clientSecret, email_domains: provider.emailDomains })
        .returning('id')
        .executeTakeFirstOrThrow()
    },

    update(id: string, changes: { name: string; issuer: string; clientId: string; clientSecret?: string; emailDomains: string[] }, executor: Executor = db) {
      return executor
        .updateTable('sso_providers')
        .set({
          name: changes.name,
          issuer: changes.issuer,
          client_id: changes.clientId,
          ...(changes.clientSecret ? { client_secret: changes.clientSecret } : {}),
          email_domains: changes.emailDomains,
          updated_at: sql`now()`,
        })
        .where('id', '=', id)
        .execute()
    },

    remove(id: string, executor: Executor = db) {
      return executor.deleteFrom('sso_providers').where('id', '=', id).executeTakeFirst()
    },

    saveAttempt(attempt: { stateHash: string; providerId: string; codeVerifier: string; nonce: string; returnTo: string }) {
      return db
        .insertInto('sso_sign_in_attempts')
        .values({ state_hash: attempt.stateHash, provider_id: attempt.providerId, code_verifier: attempt.codeVerifier, nonce: attempt.nonce, return_to: attempt.returnTo })
        .execute()
    },

    /** Takes the attempt out as it is read, so a state works once; null when unknown or older than the limit. */
    takeAttempt(stateHash: string, maxMinutes: number) {
      return db
        .deleteFrom('sso_sign_in_attempts')
        .where('state_hash', '=', stateHash)
        .returning(['provider_id as providerId', 'code_verifier as codeVerifier', 'nonce', 'return_to as returnTo', sql<boolean>`created_at > now() - make_interval(mins => ${maxMinutes})`.as('fresh')])
        .executeTakeFirst()
    },

    deleteStaleAttempts(maxMinutes: number) {
      return db.deleteFrom('sso_sign_in_attempts').where('created_at', '<', sql<Date>`now() - make_interval(mins => ${maxMinutes})`).execute()
    },
  }
}

export type SsoRepository = ReturnType<typeof ssoRepository>
