import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Config } from '../../config.js'
import type { DB } from '../../platform/db/schema.js'
import { NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import type { UserRecord, UsersRepository } from '../users/users.repository.js'
import type { AuthContext, AuthUser, AwaitingSecondFactor, SessionEnd } from './auth.context.js'
import type { AuthRepository } from './auth.repository.js'
import { acceptedStep, looksLikeRecoveryCode, normaliseRecoveryCode } from './totp.js'
import type { TwoFactorRepository } from './two-factor.repository.js'
import { hashPassword, passwordProblem, verifyAgainstDecoy, verifyPassword } from './passwords.js'
import { isRole, permissionsFor } from './permissions.js'

export const API_TOKEN_PREFIX = 'scp_'

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

export function toAuthUser(user: UserRecord): AuthUser {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    organisationId: user.organisationId,
    organisationName: user.organisationName,
    roles: user.roles.filter(isRole),
    mustChangePassword: user.mustChangePassword,
  }
}

const LOCKED_MESSAGE = (minutes: number, signedOut: boolean) =>
  `This account is locked after too many wrong passwords${signedOut ? ', and you have been signed out' : ''}. Try again in ${minutes} minutes, or ask your system administrator to reset your password.`

export type SignInResult =
  | { ok: true; sessionToken: string; user: AuthUser; awaitingSecondFactor?: boolean }
  | { ok: false; reason: 'invalid' | 'locked' | 'use_sso' }

export type SecondFactorResult = { ok: true; sessionToken: string; user: AuthUser } | { ok: false; reason: 'invalid' | 'locked' | 'expired' }

/** Administrators and auditors always; everyone else when their organisation says so. */
export function twoFactorRequired(roles: readonly string[], organisationRequires: boolean): boolean {
  return organisationRequires || roles.includes('admin') || roles.includes('auditor')
}

/** How long after the password the second factor may be given. */
const SECOND_FACTOR_MINUTES = 10

interface Dependencies {
  db: Kysely<DB>
  config: Pick<Config, 'session' | 'signIn'>
  users: UsersRepository
  auth: AuthRepository
  audit: Pick<AuditService, 'record'>
  twoFactor: TwoFactorRepository
  /** Whether a user's organisation signs in through single sign-on (then its passwords are not accepted). */
  sso?: { organisationHasProvider(organisationId: string): Promise<boolean> }
}

export function authService({ db, config, users, auth, audit, twoFactor, sso }: Dependencies) {
  const SESSION_TOUCH_SECONDS = 60

  return {
    async signIn(email: string, password: string, ip: string | null): Promise<SignInResult> {
      const user = await users.findCredentialsByEmail(email.trim())
      if (!user || !user.active) {
        await verifyAgainstDecoy(password)
        await audit.record({ userId: user?.id ?? null, organisationId: user?.organisationId ?? null, ip }, { action: 'sign_in_failed', details: { reason: user ? 'inactive' : 'unknown_email' } })
        return { ok: false, reason: 'invalid' }
      }
      const actor: Actor = { userId: user.id, organisationId: user.organisationId, ip }
      if (user.lockedUntil && user.lockedUntil > new Date()) {
        // The same work as any other refusal, so that the time taken does not tell a locked account from no account.
        await verifyPassword(user.passwordHash, password)
        await audit.record(actor, { action: 'sign_in_failed', recordType: 'user', recordId: user.id, details: { reason: 'locked' } })
        return { ok: false, reason: 'locked' }
      }
      if (!(await verifyPassword(user.passwordHash, password))) {
        const { lockedUntil } = await users.recordFailedSignIn(user.id, config.signIn.maxFailedAttempts, config.signIn.lockoutMinutes)
        const lockedNow = lockedUntil !== null && lockedUntil > new Date()
        await audit.record(actor, { action: lockedNow ? 'sign_in_locked' : 'sign_in_failed', recordType: 'user', recordId: user.id, details: { reason: 'wrong_password' } })
        return { ok: false, reason: lockedNow ? 'locked' : 'invalid' }
      }
      // Only said after a right password, so it tells nobody else which emails have accounts.
      if (await sso?.organisationHasProvider(user.organisationId)) {
        await audit.record(actor, { action: 'sign_in_failed', recordType: 'user', recordId: user.id, details: { reason: 'use_sso' } })
        return { ok: false, reason: 'use_sso' }
      }
      const sessionToken = randomBytes(32).toString('base64url')
      if ((await twoFactor.findSecret(user.id))?.enabledAt) {
        // The failed-attempt count is kept until the code is right, so a known password cannot reset it between guesses.
        await auth.createSession(sha256(sessionToken), user.id, true)
        return { ok: true, sessionToken, user: toAuthUser(user), awaitingSecondFactor: true }
      }
      await users.recordSuccessfulSignIn(user.id)
      await auth.createSession(sha256(sessionToken), user.id)
      await audit.record(actor, { action: 'sign_in', recordType: 'user', recordId: user.id })
      return { ok: true, sessionToken, user: toAuthUser(user) }
    },

    /** Checks the authenticator code (or a recovery code) of a session that has passed the password; on success the session is replaced. */
    async completeSecondFactor(pending: AwaitingSecondFactor, code: string, ip: string | null): Promise<SecondFactorResult> {
      const user = await users.findById(pending.userId)
      const secret = await twoFactor.findSecret(pending.userId)
      if (!user || !user.active || !secret?.enabledAt) {
        await auth.deleteSession(pending.sessionIdHash)
        return { ok: false, reason: 'expired' }
      }
      const actor: Actor = { userId: user.id, organisationId: user.organisationId, ip }
      if (user.lockedUntil && user.lockedUntil > new Date()) {
        await auth.deleteSession(pending.sessionIdHash)
        await audit.record(actor, { action: 'sign_in_failed', recordType: 'user', recordId: user.id, details: { reason: 'locked' } })
        return { ok: false, reason: 'locked' }
      }
      let method: 'authenticator' | 'recovery_code' | null = null
      const step = acceptedStep(secret.secret, code)
      if (step !== null && (await twoFactor.useStep(user.id, step))) method = 'authenticator'
      else if (looksLikeRecoveryCode(code) && (await twoFactor.useRecoveryCode(user.id, sha256(normaliseRecoveryCode(code))))) method = 'recovery_code'
      if (!method) {
        // Wrong codes count towards the same lock-out as wrong passwords.
        const { lockedUntil } = await users.recordFailedSignIn(user.id, config.signIn.maxFailedAttempts, config.signIn.lockoutMinutes)
        const lockedNow = lockedUntil !== null && lockedUntil > new Date()
        if (lockedNow) await auth.deleteSession(pending.sessionIdHash)
        await audit.record(actor, { action: lockedNow ? 'sign_in_locked' : 'sign_in_failed', recordType: 'user', recordId: user.id, details: { reason: 'wrong_code' } })
        return { ok: false, reason: lockedNow ? 'locked' : 'invalid' }
      }
      const sessionToken = randomBytes(32).toString('base64url')
      await auth.deleteSession(pending.sessionIdHash)
      await users.recordSuccessfulSignIn(user.id)
      await auth.createSession(sha256(sessionToken), user.id)
      await audit.record(actor, { action: 'sign_in', recordType: 'user', recordId: user.id, details: { secondFactor: method } })
      if (method === 'recovery_code') {
        await audit.record(actor, { action: 'two_factor.recovery_code_used', recordType: 'user', recordId: user.id, details: { recoveryCodesLeft: await twoFactor.countUnusedRecoveryCodes(user.id) } })
      }
      return { ok: true, sessionToken, user: toAuthUser(user) }
    },

    async signOut(context: AuthContext, ip: string | null) {
      if (context.sessionIdHash) await auth.deleteSession(context.sessionIdHash)
      await audit.record({ userId: context.user.id, organisationId: context.user.organisationId, ip }, { action: 'sign_out', recordType: 'user', recordId: context.user.id })
    },

    /** Resolves a session cookie; ends the session when it is idle too long, past its absolute limit, or its user is gone. */
    async resolveSession(sessionToken: string): Promise<{ context: AuthContext } | { awaitingSecondFactor: AwaitingSecondFactor } | { ended: SessionEnd | 'invalid' }> {
      const idHash = sha256(sessionToken)
      const session = await auth.findSession(idHash)
      if (!session || !session.active) return { ended: 'invalid' }
      const now = session.now.getTime()
      if (session.awaitingSecondFactor) {
        if (now - session.createdAt.getTime() <= SECOND_FACTOR_MINUTES * 60_000) return { awaitingSecondFactor: { userId: session.userId, sessionIdHash: idHash } }
        await auth.deleteSession(idHash)
        return { ended: 'invalid' }
      }
      const idle = now - session.lastSeenAt.getTime() > config.session.idleMinutes * 60_000
      const tooOld = now - session.createdAt.getTime() > config.session.absoluteHours * 3_600_000
      if (idle || tooOld) {
        await auth.deleteSession(idHash)
        return { ended: idle ? 'idle' : 'absolute' }
      }
      const user = await users.findById(session.userId)
      if (!user) return { ended: 'invalid' }
      if (now - session.lastSeenAt.getTime() > SESSION_TOUCH_SECONDS * 1000) await auth.touchSession(idHash)
      const mustSetUpTwoFactor = session.method === 'password' && !session.twoFactorEnabled && twoFactorRequired(user.roles, session.organisationRequiresTwoFactor)
      return { context: { user: { ...toAuthUser(user), mustSetUpTwoFactor }, permissions: permissionsFor(user.roles), via: 'session', sessionIdHash: idHash } }
    },

    async resolveApiToken(token: string): Promise<AuthContext | null> {
      if (!token.startsWith(API_TOKEN_PREFIX)) return null
      const found = await auth.findLiveToken(sha256(token))
      if (!found) return null
      const user = await users.findById(found.userId)
      if (!user) return null
      if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > SESSION_TOUCH_SECONDS * 1000) await auth.touchToken(found.id)
      return { user: toAuthUser(user), permissions: permissionsFor(user.roles), via: 'token' }
    },

    async changeOwnPassword(context: AuthContext, current: string, next: string, ip: string | null) {
      const stored = await users.findPasswordHash(context.user.id)
      if (!stored) throw new NotFoundError()
      // Guesses at the current password count with failed sign-ins, and lock the account as they do.
      const actor: Actor = { userId: context.user.id, organisationId: context.user.organisationId, ip }
      const event = { recordType: 'user', recordId: context.user.id } as const
      if (stored.lockedUntil && stored.lockedUntil > new Date()) {
        await audit.record(actor, { action: 'password_change_failed', ...event, details: { reason: 'locked' } })
        throw new RuleError('currentPassword', LOCKED_MESSAGE(config.signIn.lockoutMinutes, false))
      }
      if (!(await verifyPassword(stored.passwordHash, current))) {
        const { lockedUntil } = await users.recordFailedSignIn(context.user.id, config.signIn.maxFailedAttempts, config.signIn.lockoutMinutes)
        if (lockedUntil === null || lockedUntil <= new Date()) {
          await audit.record(actor, { action: 'password_change_failed', ...event, details: { reason: 'wrong_password' } })
          throw new RuleError('currentPassword', 'Your current password is incorrect')
        }
        // Whoever is guessing may hold a stolen session: every session of the account ends with the lock.
        await auth.deleteSessionsOfUser(context.user.id)
        await audit.record(actor, { action: 'password_change_locked', ...event, details: { reason: 'wrong_password' } })
        throw new RuleError('currentPassword', LOCKED_MESSAGE(config.signIn.lockoutMinutes, true))
      }
      const problem = passwordProblem(next, context.user)
      if (problem) throw new RuleError('newPassword', problem)
      if (await verifyPassword(stored.passwordHash, next)) throw new RuleError('newPassword', 'Your new password must be different from your current password')
      const passwordHash = await hashPassword(next)
      await db.transaction().execute(async (trx) => {
        await users.update(context.user.id, { password_hash: passwordHash, must_change_password: false, failed_sign_in_count: 0 }, trx)
        // Other sessions end: a password change is how a user shuts out someone who knew the old one.
        await auth.deleteSessionsOfUser(context.user.id, trx, context.sessionIdHash)
        await audit.record({ userId: context.user.id, organisationId: context.user.organisationId, ip }, { action: 'password_changed', recordType: 'user', recordId: context.user.id }, trx)
      })
    },

    pruneExpiredSessions() {
      return auth.deleteExpiredSessions(config.session.idleMinutes, config.session.absoluteHours)
    },
  }
}

export type AuthService = ReturnType<typeof authService>
