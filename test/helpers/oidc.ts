import { createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'

export interface OidcAccount {
  sub: string
  email: string
  email_verified: boolean
}

export interface TestOidcProvider {
  issuer: string
  clientId: string
  clientSecret: string
  /** The person who "signs in" at the provider on the next login. */
  account: OidcAccount
  /** Changes the next ID token's claims (re-signed with the provider's key), to test the checks on them. */
  tamperIdToken: ((claims: Record<string, unknown>) => Record<string, unknown>) | null
  /** Follows the provider's redirects from the authorization URL until it sends the browser back to `callbackUrl`; returns that URL. */
  authorize(authorizationUrl: string, callbackUrl: string): Promise<URL>
  close(): Promise<void>
}

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url')

function resign(idToken: string, key: KeyObject, change: (claims: Record<string, unknown>) => Record<string, unknown>) {
  const [header, payload] = idToken.split('.')
  const claims = change(JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>)
  const signingInput = `${header}.${base64url(JSON.stringify(claims))}`
  return `${signingInput}.${base64url(sign('sha256', Buffer.from(signingInput), key))}`
}

/** A real OpenID Connect provider (the oidc-provider package) on a local port, with one confidential client. */
export async function startOidcProvider(options: { redirectUri: string; clientId?: string; clientSecret?: string }): Promise<TestOidcProvider> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end()
  const server = createServer((req, res) => handler(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' }
  const signingKey = createPrivateKey({ key: jwk, format: 'jwk' })
  const clientId = options.clientId ?? 'safer-communities'
  const clientSecret = options.clientSecret ?? 'a-client-secret-that-is-long-enough-for-hs256-0123456789'

  const state: Pick<TestOidcProvider, 'account' | 'tamperIdToken'> = {
    account: { sub: 'user-1', email: 'nobody@example.org', email_verified: true },
    tamperIdToken: null,
  }

  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [options.redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    jwks: { keys: [jwk] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    // The email in the ID token itself, as Entra ID sends it.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['test-cookie-key'] },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ ...state.account, sub }) }),
    // Consent is taken as given: a first-party client.
    loadExistingGrant: async (ctx: { oidc: { client: { clientId: string }; session: { accountId: string } } }) => {
      const grant = new provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId })
      grant.addOIDCScope('openid email profile')
      await grant.save()
      return grant
    },
  })

  provider.use(async (ctx, next) => {
    // The login page: whoever `account` names signs in at once.
    if (ctx.path.startsWith('/interaction/')) {
      await provider.interactionDetails(ctx.req, ctx.res)
      ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: state.account.sub } }, { mergeWithLastSubmission: false }))
      return
    }
    await next()
    const body = ctx.body as { id_token?: string } | undefined
    if (ctx.path === '/token' && state.tamperIdToken && body?.id_token) {
      ctx.body = { ...body, id_token: resign(body.id_token, signingKey, state.tamperIdToken) }
    }
  })
  handler = provider.callback()

  return Object.assign(state, {
    issuer,
    clientId,
    clientSecret,
    async authorize(authorizationUrl: string, callbackUrl: string) {
      const cookies = new Map<string, string>()
      let url = new URL(authorizationUrl)
      for (let hop = 0; hop < 10; hop++) {
        if (url.href.startsWith(callbackUrl)) return url
        const response = await fetch(url, { redirect: 'manual', headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') } })
        for (const cookie of response.headers.getSetCookie()) {
          const [pair] = cookie.split(';')
          const [name, ...value] = pair!.split('=')
          cookies.set(name!.trim(), value.join('='))
        }
        const location = response.headers.get('location')
        if (!location) throw new Error(`the provider answered ${response.status} without a redirect: ${(await response.text()).slice(0, 300)}`)
        url = new URL(location, url)
      }
      throw new Error('too many redirects at the provider')
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  })
}
