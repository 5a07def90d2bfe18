import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'
import type { DB } from '../../platform/db/schema.js'
import { NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import type { AuthRepository } from '../auth/auth.repository.js'
import { hashPassword } from '../auth/passwords.js'
import type { OrganisationsRepository } from '../organisations/organisations.repository.js'
import type { UserChanges, UserInput } from './users.schemas.js'
import type { UserFilter, UsersRepository } from './users.repository.js'

/** 18 random bytes: 24 characters, far past the length rule and never on a common-password list. */
export function temporaryPassword(): string {
  return randomBytes(18).toString('base64url')
}

interface Dependencies {
  db: Kysely<DB>
  users: UsersRepository
  organisations: OrganisationsRepository
  auth: AuthRepository
  audit: Pick<AuditService, 'record'>
}

export function usersService({ db, users, organisations, auth, audit }: Dependencies) {
  async function requireActiveOrganisation(id: string, executor: Parameters<OrganisationsRepository['findById']>[1]) {
    const organisation = await organisations.findById(id, executor)
    if (!organisation || !organisation.active) throw new RuleError('organisationId', 'Select an organisation from the list')
  }

  /**
   * A token acts as its user as they are now: after a move to another organisation, a password reset or a
   * deactivation, tokens issued before would carry on unseen, so they are revoked (each revocation audited).
   */
  async function revokeTokens(actor: Actor, userId: string, reason: 'organisation_changed' | 'password_reset' | 'deactivated' | 'reactivated', trx: Executor) {
    for (const id of await auth.revokeTokensOfUser(userId, trx)) {
      await audit.record(actor, { action: 'api_token.revoked', recordType: 'api_token', recordId: id, details: { userId, reason } }, trx)
    }
  }

  async function setActive(actor: Actor, id: string, active: boolean) {
    if (!active && id === actor.userId) throw new RuleError('user', 'You cannot deactivate your own account')
    await db.transaction().execute(async (trx) => {
      const user = await users.findById(id, trx)
      if (!user) throw new NotFoundError('User not found')
      if (user.active === active) return
      await users.update(id, { active }, trx)
      // A deactivated user's sessions end at once, not at their next idle timeout.
      if (!active) await auth.deleteSessionsOfUser(id, trx)
      await revokeTokens(actor, id, active ? 'reactivated' : 'deactivated', trx)
      await audit.record(actor, { action: active ? 'user.reactivated' : 'user.deactivated', recordType: 'user', recordId: id }, trx)
    })
  }

  return {
    /** Names for a form's choices (who to issue a token to, whose events to find). Reading accounts themselves: `search`. */
    list: (filter: UserFilter) => users.list(filter),

    /** Accounts for the users page, an organisation's page or the API; audited with the count. */
    async search(actor: Actor, filter: UserFilter) {
      const rows = await users.list(filter)
      await audit.record(actor, { action: 'users.listed', recordType: 'user', details: { ...(filter.organisationId ? { organisationId: filter.organisationId } : {}), count: rows.length } })
      return rows
    },

    /** One account as the answer to a change (audited as the change). Reading an account itself: `view`. */
    async get(id: string) {
      const user = await users.findById(id)
      if (!user) throw new NotFoundError('User not found')
      return user
    },

    /** One account, read for its own sake: audited. */
    async view(actor: Actor, id: string, options: { page?: 'edit' } = {}) {
      const user = await users.findById(id)
      if (!user) throw new NotFoundError('User not found')
      await audit.record(actor, { action: 'user.viewed', recordType: 'user', recordId: id, ...(options.page ? { details: { page: options.page } } : {}) })
      return user
    },

    /** Creates the account with a temporary password, returned once so the admin can pass it on. */
    async create(actor: Actor, input: UserInput) {
      const password = temporaryPassword()
      const passwordHash = await hashPassword(password)
      const id = await db.transaction().execute(async (trx) => {
        await requireActiveOrganisation(input.organisationId, trx)
        if (await users.emailTaken(input.email, undefined, trx)) throw new RuleError('email', 'A user with this email address already exists')
        const { id } = await users.insert(
          { name: input.name, email: input.email, organisation_id: input.organisationId, roles: input.roles, password_hash: passwordHash, must_change_password: true },
          trx,
        )
        await audit.record(actor, { action: 'user.created', recordType: 'user', recordId: id, details: { organisationId: input.organisationId, roles: input.roles } }, trx)
        return id
      })
      return { id, temporaryPassword: password }
    },

    update(actor: Actor, id: string, changes: UserChanges) {
      return db.transaction().execute(async (trx) => {
        const current = await users.findById(id, trx)
        if (!current) throw new NotFoundError('User not found')
        if (changes.organisationId !== undefined && changes.organisationId !== current.organisationId) await requireActiveOrganisation(changes.organisationId, trx)
        if (changes.email !== undefined && (await users.emailTaken(changes.email, id, trx))) throw new RuleError('email', 'A user with this email address already exists')
        if (id === actor.userId && changes.roles && current.roles.includes('admin') && !changes.roles.includes('admin')) {
          throw new RuleError('roles', 'You cannot remove the administrator role from your own account')
        }
        const fields: string[] = []
        if (changes.name !== undefined && changes.name !== current.name) fields.push('name')
        if (changes.email !== undefined && changes.email !== current.email) fields.push('email')
        if (changes.organisationId !== undefined && changes.organisationId !== current.organisationId) fields.push('organisation')
        const rolesChanged = changes.roles !== undefined && [...changes.roles].sort().join() !== [...current.roles].sort().join()
        if (rolesChanged) fields.push('roles')
        if (fields.length === 0) return
        await users.update(id, { name: changes.name, email: changes.email, organisation_id: changes.organisationId, roles: changes.roles }, trx)
        // New roles or a new organisation change what the user may see: make them sign in again.
        if (rolesChanged || fields.includes('organisation')) await auth.deleteSessionsOfUser(id, trx)
        if (fields.includes('organisation')) await revokeTokens(actor, id, 'organisation_changed', trx)
        const details: Record<string, unknown> = { fields }
        if (rolesChanged) details.roles = { from: current.roles, to: changes.roles }
        if (fields.includes('organisation')) details.organisationId = { from: current.organisationId, to: changes.organisationId }
        await audit.record(actor, { action: 'user.updated', recordType: 'user', recordId: id, details }, trx)
      })
    },

    deactivate: (actor: Actor, id: string) => setActive(actor, id, false),
    reactivate: (actor: Actor, id: string) => setActive(actor, id, true),

    /** Sets a new temporary password (returned once), clears any lock-out and ends the user's sessions. */
    async resetPassword(actor: Actor, id: string) {
      const password = temporaryPassword()
      const passwordHash = await hashPassword(password)
      await db.transaction().execute(async (trx) => {
        const user = await users.findById(id, trx)
        if (!user) throw new NotFoundError('User not found')
        await users.update(id, { password_hash: passwordHash, must_change_password: true, failed_sign_in_count: 0, locked_until: null }, trx)
        await auth.deleteSessionsOfUser(id, trx)
        await revokeTokens(actor, id, 'password_reset', trx)
        await audit.record(actor, { action: 'user.password_reset', recordType: 'user', recordId: id }, trx)
      })
      return { temporaryPassword: password }
    },
  }
}

export type UsersService = ReturnType<typeof usersService>
