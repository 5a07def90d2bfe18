import { createApp } from './app.js'
import { services as createServices } from './composition.js'
import { ConfigError, loadConfig } from './config.js'
import { seedPerformanceDemonstration } from './demo/performance-demo.js'
import { seedDemonstrationData } from './demo/seed.js'
import { SYSTEM_ACTOR } from './modules/audit/audit.events.js'
import { openServingDatabase } from './platform/db/roles.js'
import { errorKind } from './platform/http/logging.js'

const SESSION_PRUNE_MS = 15 * 60_000
// Reminders are sent once per action, kind and due date, so an hourly run only ever sends what became due.
const REMINDERS_MS = 60 * 60_000

async function main() {
  const startedAt = performance.now()
  let config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(1)
    }
    throw error
  }

  const database = await openServingDatabase(config.database, config.environment)

  const services = createServices(config, database)
  const app = await createApp(services)

  // The partnership's boundaries load at first start, so crimes can be placed in districts from the first import.
  await services.policeImports.boundariesReady(SYSTEM_ACTOR)
  if (config.seedDemoData) {
    const credentials = await seedDemonstrationData(database.db)
    if (credentials) printCredentials(credentials)
    await seedPerformanceDemonstration(database, services.policeImports)
  }

  const pruning = setInterval(() => void services.auth.pruneExpiredSessions().catch((error) => app.log.error({ err: error }, 'session pruning failed')), SESSION_PRUNE_MS)
  pruning.unref()
  // Only the error's kind and code: a database error's detail can quote the row, with names in it.
  const sendReminders = () =>
    void services.actions.sendReminders().catch((error: unknown) => app.log.error(errorKind(error), 'action reminders failed'))
  const reminders = setInterval(sendReminders, REMINDERS_MS)
  reminders.unref()

  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down: finishing requests in progress')
    clearInterval(pruning)
    clearInterval(reminders)
    await app.close()
    // An import still running would be rolled back by closing the database: let it finish.
    await services.policeImports.idle()
    services.mailer.close()
    await database.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))

  await app.listen({ port: config.port, host: config.host })
  app.log.info({ database: database.kind, startupMs: Math.round(performance.now() - startedAt) }, 'ready')
  sendReminders()
  console.log(`\nSafer Communities is running at http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}\n`)
}

function printCredentials(credentials: { role: string; email: string; password: string }[]) {
  const width = Math.max(...credentials.map((c) => c.email.length))
  console.log('\nDemonstration data loaded. Sign-in details (shown only this once; keep them):\n')
  for (const credential of credentials) {
    console.log(`  ${credential.role.padEnd(24)} ${credential.email.padEnd(width)}  ${credential.password}`)
  }
  console.log('\nThe administrator and the auditor set up two-factor authentication (an authenticator app) at first sign-in.')
  console.log('')
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
