import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import rateLimit from '@fastify/rate-limit'
import Fastify, { type FastifyInstance } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import type { Services } from './composition.js'
import { auditRoutes } from './modules/audit/audit.routes.js'
import { apiTokenRoutes } from './modules/auth/api-tokens.routes.js'
import { authRoutes } from './modules/auth/auth.routes.js'
import { twoFactorRoutes } from './modules/auth/two-factor.routes.js'
import { ssoRoutes } from './modules/auth/sso.routes.js'
import { setUpAuthentication } from './modules/auth/authenticate.js'
import { meRoutes } from './modules/auth/me.routes.js'
import { homeRoutes } from './modules/home/home.routes.js'
import { organisationRoutes } from './modules/organisations/organisations.routes.js'
import { caseRoutes } from './modules/cases/cases.routes.js'
import { documentRoutes } from './modules/documents/documents.routes.js'
import { incidentRoutes } from './modules/incidents/incidents.routes.js'
import { interventionRoutes } from './modules/interventions/interventions.routes.js'
import { peopleRoutes } from './modules/people/people.routes.js'
import { riskRoutes } from './modules/risk/risk.routes.js'
import { searchRoutes } from './modules/search/search.routes.js'
import { sharingRoutes } from './modules/sharing/sharing.routes.js'
import { taskRoutes } from './modules/tasks/tasks.routes.js'
import { userRoutes } from './modules/users/users.routes.js'
import { actionRoutes } from './modules/actions/actions.routes.js'
import { bodyRoutes } from './modules/bodies/bodies.routes.js'
import { meetingRoutes } from './modules/meetings/meetings.routes.js'
import { minutesDocumentRoutes } from './modules/minutes/minutes-documents.routes.js'
import { minutesRoutes } from './modules/minutes/minutes.routes.js'
import { outboxRoutes } from './modules/outbox/outbox.routes.js'
import { performanceRoutes } from './modules/performance/performance.routes.js'
import { policeImportRoutes } from './modules/performance/police-imports.routes.js'
import { setUpAccessGate } from './platform/http/access.js'
import { setUpApiDocs } from './platform/http/api-docs.js'
import { assetRoutes } from './platform/http/assets.js'
import { setUpCsrf } from './platform/http/csrf.js'
import { setUpErrorHandling } from './platform/http/error-handler.js'
import { healthRoutes } from './platform/http/health.js'
import { setUpInputGuard } from './platform/http/input-guard.js'
import { loggerOptions } from './platform/http/logging.js'
import { setUpSecurityHeaders } from './platform/http/security.js'
import { setUpViews } from './platform/views/views.js'

/** Builds the whole app from its services; the server and the tests both call this. */
export async function createApp(services: Services): Promise<FastifyInstance> {
  const { config } = services
  const secure = config.environment !== 'development'
  const app = Fastify({ logger: loggerOptions(config), trustProxy: config.trustProxy, bodyLimit: 1024 * 1024 })

  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)

  await app.register(setUpSecurityHeaders, { config })
  await app.register(cookie, { secret: config.sessionSecret })
  await app.register(formbody)
  await app.register(rateLimit, { global: false })
  await app.register(setUpAuthentication, { authService: services.auth, secure })
  // The gate before any plugin that adds routes, so that its onRoute check sees every route.
  await app.register(setUpAccessGate)
  await app.register(setUpApiDocs)
  await app.register(setUpCsrf, { secure })
  await app.register(setUpInputGuard)
  await app.register(setUpViews)
  setUpErrorHandling(app)

  await app.register(assetRoutes)
  await app.register(healthRoutes, { services })
  await app.register(authRoutes, { services, secure })
  await app.register(twoFactorRoutes, { services, secure })
  await app.register(ssoRoutes, { services, secure })
  await app.register(homeRoutes, { services })
  await app.register(meRoutes, { services })
  await app.register(organisationRoutes, { services })
  await app.register(userRoutes, { services })
  await app.register(apiTokenRoutes, { services })
  await app.register(auditRoutes, { services })
  await app.register(caseRoutes, { services })
  await app.register(taskRoutes, { services })
  await app.register(sharingRoutes, { services })
  await app.register(incidentRoutes, { services })
  await app.register(peopleRoutes, { services })
  await app.register(riskRoutes, { services })
  await app.register(interventionRoutes, { services })
  await app.register(documentRoutes, { services })
  await app.register(searchRoutes, { services })
  await app.register(bodyRoutes, { services })
  await app.register(meetingRoutes, { services })
  await app.register(minutesRoutes, { services })
  await app.register(minutesDocumentRoutes, { services })
  await app.register(actionRoutes, { services })
  await app.register(outboxRoutes, { services })
  await app.register(performanceRoutes, { services })
  await app.register(policeImportRoutes, { services })

  return app
}
