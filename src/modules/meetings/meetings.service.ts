import type { Kysely } from 'kysely'
import type { Config } from '../../config.js'
import type { DB } from '../../platform/db/schema.js'
import type { Mailer } from '../../platform/mail/mailer.js'
import type { AuditService } from '../audit/audit.service.js'

export function meetingsService(_deps: { db: Kysely<DB>; audit: Pick<AuditService, 'record'>; mailer: Mailer; config: Pick<Config, 'publicUrl'> }) {
  return {}
}

export type MeetingsService = ReturnType<typeof meetingsService>
