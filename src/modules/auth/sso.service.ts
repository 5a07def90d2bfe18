import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import * as client from 'openid-client'
import type { Config } from '../../config.js'
import type { DB } from '../../platform/db/schema.js'
import { NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import type { AuthRepository } from './auth.repository.js'
import { sha256 } from './auth.service.js'
import type { SsoProviderInput } from './sso.schemas.js'
import type { SsoRepository } from './sso.repository.js'

/** How long a person has at their provider before the sign-in must start again. */
export const SSO_ATTEMPT_MINUTES = 10
export const SSO_CALLBACK_PATH = '/sign-in/sso/callback'

interface Dependencies {
  db: Kysely<DB>
  config: Pick<Config, 'publicUrl'>
  sso: SsoRepository
  /** The accounts it signs in: found by email, and their last sign-in recorded. */
  users: {
    findCredentialsByEmail(email: string): Promise<{ id: string; organisationId: string; active: boolean } | undefined>
    recordSuccessfulSignIn(userId: string): Promise<unknown>
  }
  auth: Pick<AuthRepository, 'createSession'>
  audit: Pick<AuditService, 'record'>
}

export type SsoRefusal = 'expired' | 'provider_error' | 'invalid_token' | 'email_not_verified' | 'no_account'
export type SsoResult = { ok: true; sessionToken: string; returnTo: string } | { ok: false; reason: SsoRefusal }

/** The claim a token check failed on (aud, nonce...), from the library's error or the one it wraps. */
function failedClaim(error: unknown): { claim?: string } {
  for (let current = error, depth = 0; current && depth < 3; current = (current as { cause?: unknown }).cause, depth++) {
    const claim = (current as { claim?: unknown; cause?: { claim?: unknown } }).cause?.claim
    if (typeof claim === 'string') return { claim }
  }
  return {}
}

type ProviderWithSecret = NonNullable<Awaited<ReturnType<SsoRepository['findWithSecret']>>>

/** Single sign-on with OpenID Connect: authorization code with PKCE, state and nonce, matched by verified email to an existing account. */
export function ssoService({ db, config, sso, users, auth, audit }: Dependencies) {
  const redirectUri = new URL(SSO_CALLBACK_PATH, config.publicUrl).href
  // Discovery is fetched once per provider and kept until the provider's settings change.
  const configurations = new Map<string, { key: string; configuration: Promise<client.Configuration> }>()

  function configurationFor(provider: ProviderWithSecret) {
    const key = `${provider.issuer} ${provider.clientId} ${provider.updatedAt.getTime()}`
    const cached = configurations.get(provider.id)
    if (cached?.key === key) return cached.configuration
    const issuer = new URL(provider.issuer)
    const local = issuer.protocol === 'http:'
    const configuration = client.discovery(issuer, provider.clientId, undefined, client.ClientSecretBasic(provider.clientSecret), local ? { execute: [client.allowInsecureRequests] } : undefined)
    configuration.catch(() => configurations.delete(provider.id))
    configurations.set(provider.id, { key, configuration })
    return configuration
  }

  const refuse = async (actor: Actor, reason: SsoRefusal, details: Record<string, unknown>): Promise<SsoResult> => {
    await audit.record(actor, { action: 'sign_in_refused', recordType: actor.userId ? 'user' : undefined, recordId: actor.userId ?? undefined, details: { reason, ...details } })
    return { ok: false, reason }
  }

  return {
    /** The provider covering an email address's domain, if any. */
    providerForEmail(email: string) {
      const domain = email.trim().toLowerCase().split('@')[1]
      return domain ? sso.findByEmailDomain(domain) : Promise.resolve(undefined)
    },

    listForSignIn: sso.listAll,
    organisationHasProvider: sso.organisationHasProvider,

    /** Where to send the browser, and the state to keep in its cookie (so only this browser can finish the sign-in). */
    async start(providerId: string, returnTo: string, loginHint?: string) {
      const provider = await sso.findWithSecret(providerId)
      if (!provider) throw new NotFoundError('Sign-in service not found')
      const configuration = await configurationFor(provider)
      const codeVerifier = client.randomPKCECodeVerifier()
      const state = client.randomState()
      const nonce = client.randomNonce()
      await sso.deleteStaleAttempts(SSO_ATTEMPT_MINUTES)
      await sso.saveAttempt({ stateHash: sha256(state), providerId, codeVerifier, nonce, returnTo })
      const url = client.buildAuthorizationUrl(configuration, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...(loginHint ? { login_hint: loginHint } : {}),
      })
      return { url: url.href, state }
    },

    /** The provider's answer: checks state (once, this browser), the code with PKCE, the ID token (issuer, audience, expiry, nonce) and the verified email. */
    async callback(query: Record<string, unknown>, browserState: string | undefined, ip: string | null): Promise<SsoResult> {
      const nobody: Actor = { userId: null, organisationId: null, ip }
      const state = typeof query.state === 'string' ? query.state : undefined
      if (!state || !browserState || state !== browserState) return refuse(nobody, 'expired', { check: 'state' })
      const attempt = await sso.takeAttempt(sha256(state), SSO_ATTEMPT_MINUTES)
      if (!attempt || !attempt.fresh) return refuse(nobody, 'expired', { check: 'state' })
      const provider = await sso.findWithSecret(attempt.providerId)
      if (!provider) return refuse(nobody, 'expired', { check: 'provider' })
      const details = { providerId: provider.id }
      if (query.error) return refuse(nobody, 'provider_error', { ...details, error: String(query.error).slice(0, 60) })

      let claims: client.IDToken | undefined
      try {
        const configuration = await configurationFor(provider)
        const currentUrl = new URL(redirectUri)
        for (const [name, value] of Object.entries(query)) if (typeof value === 'string') currentUrl.searchParams.set(name, value)
        const tokens = await client.authorizationCodeGrant(configuration, currentUrl, { pkceCodeVerifier: attempt.codeVerifier, expectedState: state, expectedNonce: attempt.nonce, idTokenExpected: true })
        claims = tokens.claims()
      } catch (error) {
        // The library's error code says which check failed (audience, expiry, nonce...); never the token or the secret.
        const code = error instanceof Error && 'code' in error ? String(error.code) : error instanceof Error ? error.name : 'unknown'
        return refuse(nobody, 'invalid_token', { ...details, error: code, ...failedClaim(error) })
      }
      const email = typeof claims?.email === 'string' ? claims.email.trim() : ''
      if (!email || claims?.email_verified !== true) return refuse(nobody, 'email_not_verified', details)
      const domain = email.toLowerCase().split('@')[1] ?? ''
      const user = await users.findCredentialsByEmail(email)
      // No self-registration: the account must exist, be active and belong to the provider's organisation.
      if (!provider.emailDomains.includes(domain) || !user || !user.active || user.organisationId !== provider.organisationId) {
        return refuse(user ? { userId: user.id, organisationId: user.organisationId, ip } : nobody, 'no_account', details)
      }
      const sessionToken = randomBytes(32).toString('base64url')
      await users.recordSuccessfulSignIn(user.id)
      await auth.createSession(sha256(sessionToken), user.id, false, 'sso')
      await audit.record({ userId: user.id, organisationId: user.organisationId, ip }, { action: 'sign_in', recordType: 'user', recordId: user.id, details: { method: 'sso', ...details } })
      return { ok: true, sessionToken, returnTo: attempt.returnTo }
    },

    // ---- Administration --------------------------------------------------------------------

    listForOrganisation: sso.listForOrganisation,

    async get(id: string) {
      const provider = await sso.findById(id)
      if (!provider) throw new NotFoundError('Sign-in service not found')
      return provider
    },

    async create(actor: Actor, organisationId: string, input: SsoProviderInput) {
      if (!input.clientSecret) throw new RuleError('clientSecret', 'Enter the client secret')
      return db.transaction().execute(async (trx) => {
        const taken = await sso.domainsTaken(input.emailDomains, undefined, trx)
        if (taken.length) throw new RuleError('emailDomains', `Another sign-in service already covers ${taken.join(', ')}`)
        const { id } = await sso.insert({ organisationId, ...input }, trx)
        await audit.record(actor, { action: 'sso_provider.created', recordType: 'sso_provider', recordId: id, details: { organisationId, emailDomains: input.emailDomains } }, trx)
        return id
      })
    },

    /** A blank client secret keeps the one stored (it is never shown back). */
    async update(actor: Actor, id: string, input: SsoProviderInput) {
      const current = await this.get(id)
      await db.transaction().execute(async (trx) => {
        const taken = await sso.domainsTaken(input.emailDomains, id, trx)
        if (taken.length) throw new RuleError('emailDomains', `Another sign-in service already covers ${taken.join(', ')}`)
        await sso.update(id, { ...input, clientSecret: input.clientSecret || undefined }, trx)
        const fields: string[] = (['name', 'issuer', 'clientId', 'emailDomains'] as const).filter((field) => String(current[field]) !== String(input[field]))
        if (input.clientSecret) fields.push('clientSecret')
        await audit.record(actor, { action: 'sso_provider.updated', recordType: 'sso_provider', recordId: id, details: { organisationId: current.organisationId, fields } }, trx)
      })
      configurations.delete(id)
      return current.organisationId
    },

    async remove(actor: Actor, id: string) {
      const current = await this.get(id)
      await db.transaction().execute(async (trx) => {
        await sso.remove(id, trx)
        await audit.record(actor, { action: 'sso_provider.removed', recordType: 'sso_provider', recordId: id, details: { organisationId: current.organisationId } }, trx)
      })
      configurations.delete(id)
      return current.organisationId
    },
  }
}

export type SsoService = ReturnType<typeof ssoService>
