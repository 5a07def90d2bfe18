import type { Kysely } from 'kysely'
import type { DB } from '../../platform/db/schema.js'
import { NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import type { AuthUser } from './auth.context.js'
import { sha256, twoFactorRequired } from './auth.service.js'
import { acceptedStep, enrolment, newRecoveryCodes, newTotpSecret, normaliseRecoveryCode } from './totp.js'
import type { TwoFactorRepository } from './two-factor.repository.js'

interface Dependencies {
  db: Kysely<DB>
  users: { findById(id: string): Promise<{ id: string } | undefined> }
  twoFactor: TwoFactorRepository
  audit: Pick<AuditService, 'record'>
}

const WRONG_CODE = 'Enter the 6-digit code your authenticator app shows now'

/** Setting up, turning off and resetting two-factor authentication (the sign-in check itself is in the auth service). */
export function twoFactorService({ db, users, twoFactor, audit }: Dependencies) {
  return {
    async status(user: AuthUser) {
      const secret = await twoFactor.findSecret(user.id)
      const required = twoFactorRequired(user.roles, await twoFactor.organisationRequires(user.id))
      if (!secret?.enabledAt) return { enabled: false as const, required }
      return { enabled: true as const, required, enabledAt: secret.enabledAt, recoveryCodesLeft: await twoFactor.countUnusedRecoveryCodes(user.id) }
    },

    /** A secret to scan: the one already being set up (so a reload keeps what was scanned), or a new one. */
    async startSetUp(user: AuthUser) {
      const existing = await twoFactor.findSecret(user.id)
      if (existing?.enabledAt) return null
      const secret = existing?.secret ?? newTotpSecret()
      if (!existing) await twoFactor.savePendingSecret(user.id, secret)
      return { secret, ...(await enrolment(secret, user.email)) }
    },

    /** Confirms the set-up with a code from the app; returns the recovery codes, shown once. */
    async confirmSetUp(actor: Actor, user: AuthUser, code: string) {
      const pending = await twoFactor.findSecret(user.id)
      if (!pending || pending.enabledAt) throw new RuleError('code', 'Start setting up two-factor authentication again')
      const step = acceptedStep(pending.secret, code)
      if (step === null) throw new RuleError('code', WRONG_CODE)
      const codes = newRecoveryCodes()
      await db.transaction().execute(async (trx) => {
        await twoFactor.enable(user.id, step, trx)
        await twoFactor.replaceRecoveryCodes(user.id, codes.map((one) => sha256(normaliseRecoveryCode(one))), trx)
        await audit.record(actor, { action: 'two_factor.enabled', recordType: 'user', recordId: user.id, details: { recoveryCodes: codes.length } }, trx)
      })
      return codes
    },

    /** New recovery codes (the old ones stop working), after a current code from the app. */
    async replaceRecoveryCodes(actor: Actor, user: AuthUser, code: string) {
      const secret = await twoFactor.findSecret(user.id)
      if (!secret?.enabledAt) throw new RuleError('code', 'Set up two-factor authentication first')
      const step = acceptedStep(secret.secret, code)
      if (step === null || !(await twoFactor.useStep(user.id, step))) throw new RuleError('code', WRONG_CODE)
      const codes = newRecoveryCodes()
      await db.transaction().execute(async (trx) => {
        await twoFactor.replaceRecoveryCodes(user.id, codes.map((one) => sha256(normaliseRecoveryCode(one))), trx)
        await audit.record(actor, { action: 'two_factor.recovery_codes_replaced', recordType: 'user', recordId: user.id, details: { recoveryCodes: codes.length } }, trx)
      })
      return codes
    },

    /** Turning it off needs a current code, and is refused to those who must use it. */
    async disable(actor: Actor, user: AuthUser, code: string) {
      const secret = await twoFactor.findSecret(user.id)
      if (!secret?.enabledAt) return
      if (twoFactorRequired(user.roles, await twoFactor.organisationRequires(user.id))) {
        throw new RuleError('code', 'You cannot turn off two-factor authentication: your role or organisation requires it')
      }
      const step = acceptedStep(secret.secret, code)
      if (step === null || !(await twoFactor.useStep(user.id, step))) throw new RuleError('code', WRONG_CODE)
      await db.transaction().execute(async (trx) => {
        await twoFactor.remove(user.id, trx)
        await audit.record(actor, { action: 'two_factor.disabled', recordType: 'user', recordId: user.id }, trx)
      })
    },

    /** An administrator's reset, for a lost phone: the user sets it up again at their next sign-in. */
    async reset(actor: Actor, userId: string) {
      if (!(await users.findById(userId))) throw new NotFoundError('User not found')
      await db.transaction().execute(async (trx) => {
        const removed = await twoFactor.remove(userId, trx)
        const awaitingSessionsEnded = await twoFactor.deleteAwaitingSessions(userId, trx)
        await audit.record(actor, { action: 'two_factor.reset', recordType: 'user', recordId: userId, details: { hadTwoFactor: removed, awaitingSessionsEnded } }, trx)
      })
    },
  }
}

export type TwoFactorService = ReturnType<typeof twoFactorService>
