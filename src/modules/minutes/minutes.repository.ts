import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'

/** The only SQL for attendance, declarations, item minutes, resolutions and minutes versions. */
export function minutesRepository(db: Executor) {
  return {
    /** Adds a resolution at the end of an item's "RESOLVED:" (or "AGREED:") list. */
    async insertResolution(values: { agendaItemId: string; kind: 'resolved' | 'agreed'; text: string; createdBy: string }, executor: Executor = db) {
      const next = await executor
        .selectFrom('resolutions')
        .select(sql<number>`coalesce(max(position), 0) + 1`.as('position'))
        .where('agenda_item_id', '=', values.agendaItemId)
        .where('kind', '=', values.kind)
        .executeTakeFirstOrThrow()
      return executor
        .insertInto('resolutions')
        .values({ agenda_item_id: values.agendaItemId, kind: values.kind, position: next.position, text: values.text, created_by: values.createdBy })
        .returning(['id', 'position'])
        .executeTakeFirstOrThrow()
    },
  }
}

export type MinutesRepository = ReturnType<typeof minutesRepository>
