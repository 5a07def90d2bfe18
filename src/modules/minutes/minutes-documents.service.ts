import type { Kysely } from 'kysely'
import type { DB } from '../../platform/db/schema.js'
import { NotFoundError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import { requireMeetingBody } from '../bodies/body-access.js'
import { safeFileName } from '../documents/documents.rules.js'
import { type MeetingRecord, requireMinutes } from './meeting-record.js'
import { agendaDocx, minutesDocx } from './minutes-docx.js'
import { type LayoutOptions, minutesLayout } from './minutes-layout.js'
import { agendaPdf, minutesPdf } from './minutes-pdf.js'
import type { MinutesService } from './minutes.service.js'

export const DOCUMENT_FORMATS = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
} as const
export type DocumentFormat = keyof typeof DOCUMENT_FORMATS

export const AGENDA_NOT_PUBLISHED = 'The agenda of this meeting has not been published yet'

const RENDERERS = {
  minutes: { docx: minutesDocx, pdf: minutesPdf },
  agenda: { docx: agendaDocx, pdf: agendaPdf },
} as const

export interface MeetingDocument {
  fileName: string
  mimeType: string
  content: Buffer
}

/** "Charnwood CSP minutes 2026-12-03.docx": no character a file system or a browser refuses. */
export function documentFileName(record: MeetingRecord, what: 'minutes' | 'agenda', format: DocumentFormat): string {
  return safeFileName(`${record.body.name.replace(/[\\/]/g, '-')} ${what} ${record.meeting.meetsOn}.${format}`)
}

export function minutesDocumentsService({ db, audit, minutes }: { db: Kysely<DB>; audit: Pick<AuditService, 'record'>; minutes: Pick<MinutesService, 'record' | 'exemptVisibleTo'> }) {

  /**
   * The meeting as this actor may read it. Exempt items only for the body's managers and current members; for anyone
   * else they are left out, and their agenda numbers kept so that item and minute numbers match the full record.
   */
  async function readable(actor: Actor, meetingId: string) {
    const body = await requireMeetingBody(db, actor, meetingId, 'read')
    const record = await minutes.record(actor, meetingId, { includeExempt: await minutes.exemptVisibleTo(actor, meetingId) })
    const layoutOptions: LayoutOptions = { withheldNumbers: record.withheldItemNumbers }
    return { canManage: body.canManage, record, layoutOptions, exemptItems: record.items.filter((item) => item.exempt).length }
  }

  return {
    /** The minutes as DOCX or PDF, in the councils' usual layout; every download is audited. */
    async minutesDocument(actor: Actor, meetingId: string, format: DocumentFormat): Promise<MeetingDocument> {
      const { canManage, record, layoutOptions, exemptItems } = await readable(actor, meetingId)
      requireMinutes(record, canManage)
      const content = await RENDERERS.minutes[format](record, layoutOptions)
      await audit.record(actor, { action: 'minutes.exported', recordType: 'meeting', recordId: meetingId, details: { format, exemptItems } })
      return { fileName: documentFileName(record, 'minutes', format), mimeType: DOCUMENT_FORMATS[format], content }
    },

    /** The agenda as DOCX or PDF. Before it is published only the body's managers can download it, marked DRAFT. */
    async agendaDocument(actor: Actor, meetingId: string, format: DocumentFormat): Promise<MeetingDocument> {
      const { canManage, record, layoutOptions, exemptItems } = await readable(actor, meetingId)
      if (record.meeting.agendaPublishedAt === null && !canManage) throw new NotFoundError(AGENDA_NOT_PUBLISHED)
      const content = await RENDERERS.agenda[format](record, layoutOptions)
      await audit.record(actor, { action: 'agenda.exported', recordType: 'meeting', recordId: meetingId, details: { format, exemptItems } })
      return { fileName: documentFileName(record, 'agenda', format), mimeType: DOCUMENT_FORMATS[format], content }
    },

    /** The published (or confirmed) minutes for the HTML page; a draft for the body's managers only. The read is audited. */
    async publishedMinutes(actor: Actor, meetingId: string) {
      const { canManage, record, layoutOptions, exemptItems } = await readable(actor, meetingId)
      requireMinutes(record, canManage)
      await audit.record(actor, { action: 'minutes.viewed', recordType: 'meeting', recordId: meetingId, details: { via: 'page', exemptItems } })
      return { record, layout: minutesLayout(record, layoutOptions), draft: record.meeting.minutesStatus === 'draft' }
    },
  }
}

export type MinutesDocumentsService = ReturnType<typeof minutesDocumentsService>
