import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { RuleError } from '../../platform/http/errors.js'
import { type FormErrors, parseForm, ruleErrors } from '../../platform/http/forms.js'
import { SESSION_COOKIE, sessionCookie } from './authenticate.js'
import { safeReturnTo } from './auth.schemas.js'

const codeForm = z.object({
  code: z.string({ error: 'Enter the code from your authenticator app' }).trim().min(1, 'Enter the code from your authenticator app').max(40, 'Enter the 6-digit code or a recovery code'),
})
const challengeQuery = z.object({ returnTo: z.string().max(2000).optional() })
const SIGN_IN_AGAIN = 'Your sign-in has expired. Sign in again with your email address and password.'
const idParams = z.object({ id: z.uuid({ error: 'User id must be a UUID' }) })

/** Reads the code form and makes the change it confirms; a wrong code (a RuleError) becomes the form's errors. */
async function withCode<T>(body: unknown, change: (code: string) => Promise<T>): Promise<{ done: T } | { errors: FormErrors }> {
  const form = parseForm(codeForm, body)
  if (!form.ok) return { errors: form.errors }
  try {
    return { done: await change(form.value.code) }
  } catch (error) {
    if (!(error instanceof RuleError)) throw error
    return { errors: ruleErrors(error) }
  }
}

export async function twoFactorRoutes(app: FastifyInstance, { services, secure }: { services: Services; secure: boolean }) {
  const { auth, twoFactor } = services
  const rateLimit = { max: services.config.signIn.attemptsPerMinutePerIp, timeWindow: '1 minute' }
  const lockedMessage = `This account is locked after too many failed attempts. Try again in ${services.config.signIn.lockoutMinutes} minutes, or ask your system administrator to reset your password.`

  // Without a session waiting for its code (never started, timed out, or locked): start again from the password.
  const signInAgain = async (reply: FastifyReply, code: number) =>
    reply.code(code).render('auth/views/sign-in.njk', { title: 'Sign in', returnTo: '/', notice: SIGN_IN_AGAIN, providers: await services.sso.listForSignIn() })

  // The second step of signing in, for a session that has passed the password.
  app.get('/sign-in/two-factor', { config: { access: 'public' }, schema: { querystring: challengeQuery, hide: true } }, async (request, reply) => {
    if (request.auth) return reply.redirect('/')
    if (!request.awaitingSecondFactor) return signInAgain(reply, 200)
    const query = request.query as z.output<typeof challengeQuery>
    return reply.render('auth/views/two-factor-challenge.njk', { title: 'Enter your security code', returnTo: safeReturnTo(query.returnTo) })
  })

  app.post('/sign-in/two-factor', { config: { access: 'public', rateLimit } }, async (request, reply) => {
    const pending = request.awaitingSecondFactor
    if (request.auth) return reply.redirect('/')
    if (!pending) return signInAgain(reply, 400)
    const body = (request.body ?? {}) as Record<string, unknown>
    const returnTo = safeReturnTo(body.returnTo)
    const render = (code: number, errors: ReturnType<typeof ruleErrors>) => reply.code(code).render('auth/views/two-factor-challenge.njk', { title: 'Enter your security code', returnTo, errors })
    const form = parseForm(codeForm, body)
    if (!form.ok) return render(400, form.errors)
    const result = await auth.completeSecondFactor(pending, form.value.code, request.ip)
    if (result.ok) {
      reply.setCookie(SESSION_COOKIE, result.sessionToken, sessionCookie({ secure }))
      reply.renewCsrfSecret()
      return reply.redirect(result.user.mustChangePassword ? '/account/password' : returnTo)
    }
    if (result.reason === 'invalid') return render(401, ruleErrors(new RuleError('code', 'The code is not right. Enter the 6-digit code your app shows now, or one of your recovery codes')))
    reply.clearCookie(SESSION_COOKIE, sessionCookie({ secure }))
    if (result.reason === 'expired') return signInAgain(reply, 400)
    return reply.code(401).render('auth/views/sign-in.njk', { title: 'Sign in', errors: ruleErrors(new RuleError('email', lockedMessage)), values: {}, returnTo })
  })

  const account = { access: 'signed-in', allowBeforeTwoFactor: true } as const

  app.get('/account/two-factor', { config: account }, async (request, reply) => {
    const user = request.auth!.user
    const status = await twoFactor.status(user)
    if (status.enabled) return reply.render('auth/views/two-factor.njk', { title: 'Two-factor authentication', status })
    const setUp = await twoFactor.startSetUp(user)
    reply.header('cache-control', 'no-store')
    return reply.render('auth/views/two-factor-set-up.njk', { title: 'Set up two-factor authentication', setUp, required: status.required })
  })

  app.post('/account/two-factor', { config: { ...account, rateLimit } }, async (request, reply) => {
    const user = request.auth!.user
    const result = await withCode(request.body, (code) => twoFactor.confirmSetUp(actorOf(request), user, code))
    if ('done' in result) {
      // Shown once: only their hashes are kept.
      reply.header('cache-control', 'no-store')
      return reply.render('auth/views/two-factor-recovery-codes.njk', { title: 'Your recovery codes', recoveryCodes: result.done })
    }
    const { errors } = result
    const setUp = await twoFactor.startSetUp(user)
    if (!setUp) return reply.redirect('/account/two-factor')
    const status = await twoFactor.status(user)
    reply.header('cache-control', 'no-store')
    return reply.code(400).render('auth/views/two-factor-set-up.njk', { title: 'Set up two-factor authentication', setUp, required: status.required, errors })
  })

  app.post('/account/two-factor/recovery-codes', { config: { access: 'signed-in', rateLimit } }, async (request, reply) => {
    const user = request.auth!.user
    const result = await withCode(request.body, (code) => twoFactor.replaceRecoveryCodes(actorOf(request), user, code))
    if ('done' in result) {
      reply.header('cache-control', 'no-store')
      return reply.render('auth/views/two-factor-recovery-codes.njk', { title: 'Your new recovery codes', recoveryCodes: result.done, replaced: true })
    }
    const { errors } = result
    const status = await twoFactor.status(user)
    if (!status.enabled) return reply.redirect('/account/two-factor')
    // The summary links to this form's field (the page has two code fields).
    const summary = errors && { summary: errors.summary.map((item) => ({ ...item, href: '#newCodesCode' })), fields: {} }
    return reply.code(400).render('auth/views/two-factor.njk', { title: 'Two-factor authentication', status, errors: summary, newCodesErrors: errors })
  })

  app.post('/account/two-factor/turn-off', { config: { access: 'signed-in', rateLimit } }, async (request, reply) => {
    const user = request.auth!.user
    const result = await withCode(request.body, (code) => twoFactor.disable(actorOf(request), user, code))
    if ('done' in result) return reply.redirect('/account/two-factor')
    const { errors } = result
    const status = await twoFactor.status(user)
    if (!status.enabled) return reply.redirect('/account/two-factor')
    return reply.code(400).render('auth/views/two-factor.njk', { title: 'Two-factor authentication', status, errors })
  })

  app.post('/admin/users/:id/two-factor/reset', { config: { access: 'users:manage' }, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    await twoFactor.reset(actorOf(request), id)
    return reply.redirect(`/admin/users/${id}?notice=two-factor-reset`)
  })
}
