import type { Kysely } from 'kysely'
import type { DB } from '../../platform/db/schema.js'
import type { AuditService } from '../audit/audit.service.js'

export function bodiesService(_deps: { db: Kysely<DB>; audit: Pick<AuditService, 'record'> }) {
  return {}
}

export type BodiesService = ReturnType<typeof bodiesService>
