import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { DB } from '../../platform/db/schema.js'
import { NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import type { AuthRepository } from './auth.repository.js'
import { API_TOKEN_PREFIX, sha256, twoFactorRequired } from './auth.service.js'
import type { TwoFactorRepository } from './two-factor.repository.js'

/** Personal API tokens: issued by an admin for one user, shown once, stored only as a hash. */
export function apiTokensService({
  db,
  auth,
  users,
  twoFactor,
  sso,
  audit,
}: {
  db: Kysely<DB>
  auth: AuthRepository
  users: { findById(id: string): Promise<{ id: string; name: string; active: boolean; roles: readonly string[]; organisationId: string } | undefined> }
  twoFactor: Pick<TwoFactorRepository, 'findSecret' | 'organisationRequires'>
  sso: { organisationHasProvider(organisationId: string): Promise<boolean> }
  audit: Pick<AuditService, 'record'>
}) {
  /** A token skips the sign-in page, so it may not skip a second factor the user's role or organisation requires. */
  async function lacksRequiredSecondFactor(user: { id: string; roles: readonly string[]; organisationId: string }) {
    if (!twoFactorRequired(user.roles, await twoFactor.organisationRequires(user.id))) return false
    // Those who sign in through their organisation's provider give its second factor there.
    if (await sso.organisationHasProvider(user.organisationId)) return false
    return !(await twoFactor.findSecret(user.id))?.enabledAt
  }

  return {
    list: () => auth.listTokens(),

    async issue(actor: Actor, input: { userId: string; name: string; expiresInDays: number | null }) {
      const user = await users.findById(input.userId)
      if (!user || !user.active) throw new RuleError('userId', 'Select an active user')
      if (await lacksRequiredSecondFactor(user)) throw new RuleError('userId', `${user.name} must turn on two-factor authentication before a token is issued for them: their role or organisation requires it`)
      const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url')
      const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null
      const issued = await db.transaction().execute(async (trx) => {
        const row = await auth.insertToken({ userId: user.id, name: input.name, tokenHash: sha256(token), prefix: token.slice(0, 10), createdBy: actor.userId!, expiresAt }, trx)
        await audit.record(actor, { action: 'api_token.issued', recordType: 'api_token', recordId: row.id, details: { userId: user.id, expiresAt } }, trx)
        return row
      })
      return { id: issued.id, token, user, expiresAt }
    },

    revoke(actor: Actor, id: string) {
      return db.transaction().execute(async (trx) => {
        const token = await auth.findToken(id, trx)
        if (!token) throw new NotFoundError('API token not found')
        if (token.revokedAt) return
        await auth.revokeToken(id, trx)
        await audit.record(actor, { action: 'api_token.revoked', recordType: 'api_token', recordId: id, details: { userId: token.userId } }, trx)
      })
    },
  }
}

export type ApiTokensService = ReturnType<typeof apiTokensService>
