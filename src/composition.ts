import type { Config } from './config.js'
import type { Database } from './platform/db/database.js'
import { auditRepository } from './modules/audit/audit.repository.js'
import { auditService } from './modules/audit/audit.service.js'
import { apiTokensService } from './modules/auth/api-tokens.service.js'
import { authRepository } from './modules/auth/auth.repository.js'
import { authService } from './modules/auth/auth.service.js'
import { twoFactorRepository } from './modules/auth/two-factor.repository.js'
import { twoFactorService } from './modules/auth/two-factor.service.js'
import { ssoRepository } from './modules/auth/sso.repository.js'
import { ssoService } from './modules/auth/sso.service.js'
import { organisationsRepository } from './modules/organisations/organisations.repository.js'
import { organisationsService } from './modules/organisations/organisations.service.js'
import { casesService } from './modules/cases/cases.service.js'
import { documentsService } from './modules/documents/documents.service.js'
import { incidentsService } from './modules/incidents/incidents.service.js'
import { interventionsService } from './modules/interventions/interventions.service.js'
import { peopleService } from './modules/people/people.service.js'
import { riskService } from './modules/risk/risk.service.js'
import { searchService } from './modules/search/search.service.js'
import { sharingService } from './modules/sharing/sharing.service.js'
import { tasksService } from './modules/tasks/tasks.service.js'
import { usersRepository } from './modules/users/users.repository.js'
import { usersService } from './modules/users/users.service.js'
import { actionsService } from './modules/actions/actions.service.js'
import { bodiesService } from './modules/bodies/bodies.service.js'
import { meetingsService } from './modules/meetings/meetings.service.js'
import { minutesDocumentsService } from './modules/minutes/minutes-documents.service.js'
import { minutesService } from './modules/minutes/minutes.service.js'
import { outboxService } from './modules/outbox/outbox.service.js'
import { performanceService } from './modules/performance/performance.service.js'
import { policeImportsRepository } from './modules/performance/police-imports.repository.js'
import { policeImportsService } from './modules/performance/police-imports.service.js'
import { mailer as createMailer } from './platform/mail/mailer.js'

export function repositories(database: Database) {
  const { db } = database
  return {
    audit: auditRepository(db),
    auth: authRepository(db),
    twoFactor: twoFactorRepository(db),
    sso: ssoRepository(db),
    organisations: organisationsRepository(db),
    users: usersRepository(db),
    policeImports: policeImportsRepository(db),
  }
}

export function services(config: Config, database: Database) {
  const { db } = database
  const repos = repositories(database)
  const audit = auditService(repos.audit)
  const people = peopleService({ db, audit })
  const mailer = createMailer({ db, config })
  const minutes = minutesService({ db, audit })
  return {
    config,
    database,
    audit,
    auth: authService({ db, config, users: repos.users, auth: repos.auth, audit, twoFactor: repos.twoFactor, sso: repos.sso }),
    twoFactor: twoFactorService({ db, users: repos.users, twoFactor: repos.twoFactor, audit }),
    sso: ssoService({ db, config, sso: repos.sso, users: repos.users, auth: repos.auth, audit }),
    apiTokens: apiTokensService({ db, auth: repos.auth, users: repos.users, twoFactor: repos.twoFactor, sso: repos.sso, audit }),
    organisations: organisationsService({ db, organisations: repos.organisations, audit }),
    users: usersService({ db, users: repos.users, organisations: repos.organisations, auth: repos.auth, audit }),
    cases: casesService({ db, audit }),
    tasks: tasksService({ db, audit }),
    sharing: sharingService({ db, audit }),
    incidents: incidentsService({ db, audit }),
    people,
    risk: riskService({ db, audit }),
    interventions: interventionsService({ db, audit }),
    documents: documentsService({ db, audit }),
    search: searchService({ db, audit, people }),
    mailer,
    outbox: outboxService({ mailer, audit }),
    bodies: bodiesService({ db, audit }),
    meetings: meetingsService({ db, audit, mailer, config }),
    minutes,
    minutesDocuments: minutesDocumentsService({ db, audit, minutes }),
    actions: actionsService({ db, audit, mailer, config }),
    performance: performanceService({ database, audit }),
    policeImports: policeImportsService({ database, audit, imports: repos.policeImports, uploadDir: config.uploadDir }),
  }
}

export type Services = ReturnType<typeof services>
