import { repositories } from '../composition.js'
import { ConfigError, loadConfig } from '../config.js'
import { SYSTEM_ACTOR } from '../modules/audit/audit.events.js'
import { auditService } from '../modules/audit/audit.service.js'
import { errorKindText } from '../platform/http/logging.js'
import { openForCommand } from './command-database.js'

/**
 * Checks the audit log's hash chain from its first entry to its last (npm run audit:verify), for a scheduled job or
 * by hand. Exit code 0 when intact, 1 when altered (with where and why), 2 when the check could not run.
 */
try {
  const config = loadConfig()
  const database = await openForCommand(config)
  let altered = false
  try {
    const result = await auditService(repositories(database).audit).checkChain(SYSTEM_ACTOR)
    if (result.ok) {
      console.log(`The audit log is intact: ${result.rows.toLocaleString('en-GB')} entries checked.\nHash of the last entry: ${result.lastHash}`)
    } else {
      const { id, occurredAt, reason, explanation } = result.at
      const where = id === null ? 'No entries are left' : `Entry ${id}, written ${occurredAt!.toISOString()}`
      console.log(`The audit log has been altered (${reason}).\n${where}: ${explanation}\n${result.rows.toLocaleString('en-GB')} entries before it are intact.`)
      altered = true
    }
  } finally {
    await database.close()
  }
  // Not process.exitCode: closing PGlite resets it.
  if (altered) process.exit(1)
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `The check could not run: ${errorKindText(error)}`)
  process.exit(2)
}
