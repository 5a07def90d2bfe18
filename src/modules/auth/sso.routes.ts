import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { HttpError, RuleError } from '../../platform/http/errors.js'
import { type FormErrors, parseForm, ruleErrors } from '../../platform/http/forms.js'
import { errorKind } from '../../platform/http/logging.js'
import { SESSION_COOKIE, sessionCookie } from './authenticate.js'
import { safeReturnTo } from './auth.schemas.js'
import { ssoCallbackQuery, ssoProviderForm, ssoStartForm } from './sso.schemas.js'
import { SSO_ATTEMPT_MINUTES, SSO_CALLBACK_PATH, type SsoRefusal } from './sso.service.js'

/** Ties a sign-in at a provider to the browser that started it. */
const SSO_STATE_COOKIE = 'scp_sso_state'
const idParams = z.object({ id: z.uuid({ error: 'Id must be a UUID' }) })

const REFUSALS: Record<SsoRefusal, string> = {
  expired: 'This sign-in has expired or has already been used. Start again.',
  provider_error: 'Your organisation’s sign-in service did not sign you in. Start again, or ask your system administrator.',
  invalid_token: 'Your organisation’s sign-in service sent an answer that could not be trusted, so you have not been signed in. Start again, or ask your system administrator.',
  email_not_verified: 'Your organisation’s sign-in service did not confirm your email address, so you have not been signed in. Ask your system administrator.',
  no_account: 'There is no Safer Communities account for this email address in your organisation. Ask your organisation’s system administrator to add you.',
}

export async function ssoRoutes(app: FastifyInstance, { services, secure }: { services: Services; secure: boolean }) {
  const { sso } = services
  const rateLimit = { max: services.config.signIn.attemptsPerMinutePerIp, timeWindow: '1 minute' }
  const stateCookie = { ...sessionCookie({ secure }), path: '/sign-in/sso', maxAge: SSO_ATTEMPT_MINUTES * 60 }

  const renderSignIn = async (reply: FastifyReply, code: number, options: { errors?: FormErrors; ssoErrors?: FormErrors; values?: Record<string, unknown>; returnTo: string }) =>
    reply.code(code).render('auth/views/sign-in.njk', { title: 'Sign in', providers: await sso.listForSignIn(), values: {}, ...options })

  app.post('/sign-in/sso', { config: { access: 'public', rateLimit } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const returnTo = safeReturnTo(body.returnTo)
    const form = parseForm(ssoStartForm, body)
    const values = { ssoEmail: typeof body.email === 'string' ? body.email : '' }
    if (!form.ok) return renderSignIn(reply, 400, { ssoErrors: form.errors, values, returnTo })
    const provider = form.value.providerId ? { id: form.value.providerId } : await sso.providerForEmail(form.value.email)
    if (!provider) {
      const message = form.value.email ? 'Your organisation does not use single sign-on here: sign in with your email address and password' : 'Enter your work email address'
      return renderSignIn(reply, 400, { ssoErrors: ruleErrors(new RuleError('ssoEmail', message)), values, returnTo })
    }
    let started: { url: string; state: string }
    try {
      started = await sso.start(provider.id, returnTo, form.value.email || undefined)
    } catch (error) {
      if (error instanceof HttpError) throw error
      // Its name and code only: never the message, which could quote the provider's answer.
      request.log.warn({ provider: provider.id, ...errorKind(error) }, 'single sign-on provider could not be reached')
      return renderSignIn(reply, 502, { ssoErrors: ruleErrors(new RuleError('ssoEmail', 'Your organisation’s sign-in service could not be reached. Try again later.')), values, returnTo })
    }
    reply.setCookie(SSO_STATE_COOKIE, started.state, stateCookie)
    return reply.redirect(started.url)
  })

  app.get(SSO_CALLBACK_PATH, { config: { access: 'public', rateLimit }, schema: { querystring: ssoCallbackQuery, hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const result = await sso.callback(query, request.cookies[SSO_STATE_COOKIE], request.ip)
    reply.clearCookie(SSO_STATE_COOKIE, stateCookie)
    if (!result.ok) {
      const code = result.reason === 'no_account' ? 403 : result.reason === 'expired' ? 400 : 401
      return renderSignIn(reply, code, { ssoErrors: ruleErrors(new RuleError('ssoEmail', REFUSALS[result.reason])), returnTo: '/' })
    }
    reply.setCookie(SESSION_COOKIE, result.sessionToken, sessionCookie({ secure }))
    reply.renewCsrfSecret()
    return reply.redirect(safeReturnTo(result.returnTo))
  })

  // ---- Administration: providers per organisation ----
  const access = { access: 'organisations:manage' } as const
  const renderProviders = async (reply: FastifyReply, organisationId: string, extra: { errors?: FormErrors; values?: Record<string, unknown>; notice?: string } = {}) => {
    const organisation = await services.organisations.get(organisationId)
    return reply.render('auth/views/sso-providers.njk', {
      title: `Single sign-on for ${organisation.name}`,
      organisation,
      providers: await sso.listForOrganisation(organisationId),
      callbackUrl: new URL(SSO_CALLBACK_PATH, services.config.publicUrl).href,
      values: {},
      ...extra,
    })
  }

  app.get('/admin/organisations/:id/single-sign-on', { config: access, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    return renderProviders(reply, id, { notice: (request.query as Record<string, string | undefined>).notice })
  })

  app.post('/admin/organisations/:id/single-sign-on', { config: access, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    await services.organisations.get(id)
    const body = (request.body ?? {}) as Record<string, unknown>
    const values = { ...body, clientSecret: '' }
    const form = parseForm(ssoProviderForm, body)
    if (!form.ok) return renderProviders(reply.code(400), id, { errors: form.errors, values })
    try {
      await sso.create(actorOf(request), id, form.value)
    } catch (error) {
      if (error instanceof RuleError) return renderProviders(reply.code(400), id, { errors: ruleErrors(error), values })
      throw error
    }
    return reply.redirect(`/admin/organisations/${id}/single-sign-on?notice=added`)
  })

  app.get('/admin/single-sign-on/:id/edit', { config: access, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    const provider = await sso.get(id)
    return reply.render('auth/views/sso-provider-form.njk', { title: 'Change single sign-on provider', provider, values: { ...provider, emailDomains: provider.emailDomains.join(', ') } })
  })

  app.post('/admin/single-sign-on/:id/edit', { config: access, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    const provider = await sso.get(id)
    const body = (request.body ?? {}) as Record<string, unknown>
    const values = { ...body, clientSecret: '' }
    const render = (errors: FormErrors) => reply.code(400).render('auth/views/sso-provider-form.njk', { title: 'Change single sign-on provider', provider, values, errors })
    const form = parseForm(ssoProviderForm, body)
    if (!form.ok) return render(form.errors)
    try {
      await sso.update(actorOf(request), id, form.value)
    } catch (error) {
      if (error instanceof RuleError) return render(ruleErrors(error))
      throw error
    }
    return reply.redirect(`/admin/organisations/${provider.organisationId}/single-sign-on?notice=changed`)
  })

  app.post('/admin/single-sign-on/:id/remove', { config: access, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as z.output<typeof idParams>
    const organisationId = await sso.remove(actorOf(request), id)
    return reply.redirect(`/admin/organisations/${organisationId}/single-sign-on?notice=removed`)
  })
}
