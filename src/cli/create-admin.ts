import { parseArgs } from 'node:util'
import { services as createServices } from '../composition.js'
import { ConfigError, loadConfig } from '../config.js'
import { ORGANISATION_TYPES, type OrganisationType } from '../modules/auth/permissions.js'
import { openDatabase } from '../platform/db/database.js'
import { RuleError } from '../platform/http/errors.js'

/** Bootstraps the first administrator on a new installation (production does not load demonstration data). */
const usage = 'Usage: npm run create-admin -- --name "Full Name" --email name@example.org --organisation "Organisation name" [--organisation-type council]'

const { values } = parseArgs({
  options: { name: { type: 'string' }, email: { type: 'string' }, organisation: { type: 'string' }, 'organisation-type': { type: 'string', default: 'council' } },
})

if (!values.name || !values.email || !values.organisation) {
  console.error(usage)
  process.exit(1)
}
if (!(ORGANISATION_TYPES as readonly string[]).includes(values['organisation-type']!)) {
  console.error(`--organisation-type must be one of: ${ORGANISATION_TYPES.join(', ')}`)
  process.exit(1)
}

try {
  const config = loadConfig()
  const database = await openDatabase(config.database)
  try {
    const services = createServices(config, database)
    const actor = { userId: null, organisationId: null, ip: null }
    const existing = (await services.organisations.list({ includeInactive: true })).find((o) => o.name.toLowerCase() === values.organisation!.toLowerCase())
    const organisationId = existing?.id ?? (await services.organisations.create(actor, { name: values.organisation, type: values['organisation-type'] as OrganisationType }))
    const { temporaryPassword } = await services.users.create(actor, { name: values.name, email: values.email, organisationId, roles: ['admin'] })
    console.log(`Administrator ${values.email} created in ${values.organisation}.\nTemporary password (shown once; it must be changed at first sign-in): ${temporaryPassword}`)
  } finally {
    await database.close()
  }
} catch (error) {
  if (error instanceof ConfigError) console.error(error.message)
  else if (error instanceof RuleError) console.error(`Could not create the administrator: ${error.message}`)
  else console.error(error)
  process.exit(1)
}
