import type { Kysely } from 'kysely'
import type { DB } from '../../platform/db/schema.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import type { MeetingRecord } from './meeting-record.js'

export function minutesService(_deps: { db: Kysely<DB>; audit: Pick<AuditService, 'record'> }) {
  return {
    /** The meeting as its agenda and minutes show it, if the actor may see its body. Exempt items are left out unless includeExempt. */
    async record(_actor: Actor, _meetingId: string, _options: { includeExempt?: boolean } = {}): Promise<MeetingRecord> {
      throw new Error('not yet built')
    },
  }
}

export type MinutesService = ReturnType<typeof minutesService>
