import { services as createServices } from '../composition.js'
import { ConfigError, loadConfig } from '../config.js'
import { openDatabase } from '../platform/db/database.js'
import { errorKindText } from '../platform/http/logging.js'

/**
 * Sends the action reminders due today once (the server also runs them every hour): for a cron job on an installation
 * that runs the server elsewhere, or to catch up by hand. Usage: npm run send-reminders
 */
try {
  const config = loadConfig()
  const database = await openDatabase(config.database)
  const services = createServices(config, database)
  try {
    const counts = await services.actions.sendReminders()
    console.log(
      `Reminders: ${counts.dueSoon} due soon and ${counts.overdue} overdue (${counts.emails} emails: ${counts.sent} sent, ${counts.outbox} in the outbox${config.mail.smtp ? '' : ' (SMTP is not configured)'}, ${counts.failed} failed).`,
    )
  } finally {
    services.mailer.close()
    await database.close()
  }
} catch (error) {
  // A configuration problem is explained in full; anything else by its kind and code only (a row can hold names).
  console.error(error instanceof ConfigError ? error.message : `Reminders failed: ${errorKindText(error)}`)
  process.exit(1)
}
