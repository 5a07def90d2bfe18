import type { FastifyInstance } from 'fastify'
import { parseForm, ruleErrors } from '../../platform/http/forms.js'
import { RuleError } from '../../platform/http/errors.js'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { SESSION_COOKIE, sessionCookie } from './authenticate.js'
import { changePasswordForm, safeReturnTo, signInForm } from './auth.schemas.js'

const ENDED_MESSAGES: Record<string, string> = {
  idle: 'You were signed out because you had not done anything for 30 minutes.',
  absolute: 'You were signed out because you had been signed in for 12 hours.',
}

export async function authRoutes(app: FastifyInstance, { services, secure }: { services: Services; secure: boolean }) {
  const { auth } = services
  const rateLimit = { max: services.config.signIn.attemptsPerMinutePerIp, timeWindow: '1 minute' }

  app.get('/sign-in', { config: { access: 'public' } }, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>
    if (request.auth) return reply.redirect(safeReturnTo(query.returnTo))
    return reply.render('auth/views/sign-in.njk', {
      title: 'Sign in',
      returnTo: safeReturnTo(query.returnTo),
      providers: await services.sso.listForSignIn(),
      notice: ENDED_MESSAGES[query.expired ?? ''] ?? (query.signedOut ? 'You have signed out.' : undefined),
    })
  })

  app.post('/sign-in', { config: { access: 'public', rateLimit } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const returnTo = safeReturnTo(body.returnTo)
    const form = parseForm(signInForm, body)
    const values = { email: typeof body.email === 'string' ? body.email : '' }
    if (!form.ok) return reply.code(400).render('auth/views/sign-in.njk', { title: 'Sign in', errors: form.errors, values, returnTo })
    const result = await auth.signIn(form.value.email, form.value.password, request.ip)
    if (!result.ok && result.reason === 'use_sso') {
      const message = 'Your organisation signs in with single sign-on: use “Sign in with your organisation’s account” below'
      return reply.code(401).render('auth/views/sign-in.njk', { title: 'Sign in', errors: ruleErrors(new RuleError('email', message)), values, returnTo, providers: await services.sso.listForSignIn() })
    }
    if (!result.ok) {
      // One answer whether the account is locked, the password wrong or the address unknown: a different answer for a
      // locked account would tell anyone trying addresses which of them have accounts.
      const { maxFailedAttempts, lockoutMinutes } = services.config.signIn
      const message = `Enter a correct email address and password. After ${maxFailedAttempts} failed attempts an account is locked for ${lockoutMinutes} minutes: try again later, or ask your system administrator to reset your password.`
      return reply.code(401).render('auth/views/sign-in.njk', { title: 'Sign in', errors: ruleErrors(new RuleError('email', message)), values, returnTo })
    }
    reply.setCookie(SESSION_COOKIE, result.sessionToken, sessionCookie({ secure }))
    reply.renewCsrfSecret()
    if (result.awaitingSecondFactor) return reply.redirect(`/sign-in/two-factor?returnTo=${encodeURIComponent(returnTo)}`)
    return reply.redirect(result.user.mustChangePassword ? '/account/password' : returnTo)
  })

  app.post('/sign-out', { config: { access: 'signed-in', allowTemporaryPassword: true } }, async (request, reply) => {
    await auth.signOut(request.auth!, request.ip)
    reply.clearCookie(SESSION_COOKIE, sessionCookie({ secure }))
    reply.renewCsrfSecret()
    return reply.redirect('/sign-in?signedOut=1')
  })

  app.get('/account/password', { config: { access: 'signed-in', allowTemporaryPassword: true } }, async (request, reply) => {
    return reply.render('auth/views/change-password.njk', { title: 'Change your password', temporary: request.auth!.user.mustChangePassword })
  })

  app.post('/account/password', { config: { access: 'signed-in', allowTemporaryPassword: true, rateLimit } }, async (request, reply) => {
    const temporary = request.auth!.user.mustChangePassword
    const form = parseForm(changePasswordForm, request.body)
    const render = (errors: ReturnType<typeof ruleErrors>) => reply.code(400).render('auth/views/change-password.njk', { title: 'Change your password', temporary, errors })
    if (!form.ok) return render(form.errors)
    try {
      await auth.changeOwnPassword(request.auth!, form.value.currentPassword, form.value.newPassword, actorOf(request).ip)
    } catch (error) {
      if (error instanceof RuleError) return render(ruleErrors(error))
      throw error
    }
    return reply.redirect('/?passwordChanged=1')
  })
}
