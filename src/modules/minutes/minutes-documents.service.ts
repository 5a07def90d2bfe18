import type { Kysely } from 'kysely'
import type { DB } from '../../platform/db/schema.js'
import type { AuditService } from '../audit/audit.service.js'
import type { MinutesService } from './minutes.service.js'

export function minutesDocumentsService(_deps: { db: Kysely<DB>; audit: Pick<AuditService, 'record'>; minutes: Pick<MinutesService, 'record'> }) {
  return {}
}

export type MinutesDocumentsService = ReturnType<typeof minutesDocumentsService>
