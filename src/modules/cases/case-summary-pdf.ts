import PDFDocument from 'pdfkit'
import { ukDateOf } from '../../platform/dates.js'
import { CASE_PRIORITIES, CASE_STATUSES, CASE_TYPES, CLOSURE_OUTCOMES, SATISFACTION } from './cases.schemas.js'

const ukDateTime = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' })
const day = (value: Date | string | null | undefined) => (value ? ukDateOf(value) : '')
const when = (value: Date | string | null | undefined) => (value ? ukDateTime.format(new Date(value)) : '')

export interface CaseSummary {
  record: {
    reference: string
    title: string
    type: string
    status: string
    priority: string
    owningOrganisationName: string
    leadOfficerName: string | null
    riskLevel: string | null
    reviewDate: string | null
    openedAt: Date
    closedAt: Date | null
    summary: string | null
    closureOutcome: string | null
    closureReason: string | null
    victimSatisfaction: string | null
  }
  people: { role: string; givenNames: string; familyName: string; dateOfBirth: string | null }[]
  incidents: { reference: string; occurredAt: Date; typeLabel: string; hateMotivated: boolean; description: string; address: string | null; locationText: string | null }[]
  interventions: { typeLabel: string; status: string; issuedOn: string; expiresOn: string | null; givenNames: string | null; familyName: string | null }[]
  tasks: { title: string; assigneeName: string; assigneeOrganisationName: string; dueOn: string; status: string }[]
  notes: { body: string; authorName: string; organisationName: string; createdAt: Date; restricted: boolean }[]
  timeline: { occurredAt: Date; summary: string; userName: string | null }[]
  preparedBy: string
  preparedFor: string
}

/** A case summary for court bundles and case conferences, marked OFFICIAL-SENSITIVE on every page. */
export function caseSummaryPdf(summary: CaseSummary): Promise<Buffer> {
  const { record } = summary
  const doc = new PDFDocument({ size: 'A4', margin: 50, bufferPages: true, info: { Title: `${record.reference} case summary`, Author: 'Safer Communities' } })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })

  const heading = (text: string) => doc.moveDown(0.8).font('Helvetica-Bold').fontSize(14).text(text).moveDown(0.3).font('Helvetica').fontSize(10)
  const field = (label: string, value: string) => doc.font('Helvetica-Bold').text(`${label}: `, { continued: true }).font('Helvetica').text(value || '-')
  const none = (items: unknown[], text: string) => items.length === 0 && doc.text(text)

  doc.font('Helvetica-Bold').fontSize(18).text(`${record.reference}: ${record.title}`)
  doc.font('Helvetica').fontSize(10).text(`Case summary prepared ${when(new Date())} by ${summary.preparedBy} for ${summary.preparedFor}`).moveDown()
  field('Type', CASE_TYPES[record.type as keyof typeof CASE_TYPES] ?? record.type)
  field('Status', CASE_STATUSES[record.status as keyof typeof CASE_STATUSES] ?? record.status)
  field('Priority', CASE_PRIORITIES[record.priority as keyof typeof CASE_PRIORITIES] ?? record.priority)
  field('Owned by', record.owningOrganisationName)
  field('Lead officer', record.leadOfficerName ?? 'Not assigned')
  field('Victim risk', record.riskLevel ?? 'Not assessed')
  field('Opened', day(record.openedAt))
  field('Review date', day(record.reviewDate))
  if (record.summary) field('Summary', record.summary)
  if (record.closedAt) {
    field('Closed', day(record.closedAt))
    field('Outcome', CLOSURE_OUTCOMES[record.closureOutcome as keyof typeof CLOSURE_OUTCOMES] ?? '')
    field('Reason', record.closureReason ?? '')
    field('Victim satisfaction', SATISFACTION[record.victimSatisfaction as keyof typeof SATISFACTION] ?? '')
  }

  heading('People')
  none(summary.people, 'No people recorded.')
  for (const person of summary.people) doc.text(`${person.role[0]!.toUpperCase()}${person.role.slice(1)}: ${person.givenNames} ${person.familyName}${person.dateOfBirth ? `, born ${day(person.dateOfBirth)}` : ''}`)

  heading('Incidents')
  none(summary.incidents, 'No incidents linked.')
  for (const incident of summary.incidents) {
    doc.font('Helvetica-Bold').text(`${incident.reference}, ${when(incident.occurredAt)}: ${incident.typeLabel}${incident.hateMotivated ? ' (hate-motivated)' : ''}`)
    doc.font('Helvetica').text(`${incident.address ?? incident.locationText ?? 'No location'}. ${incident.description}`).moveDown(0.3)
  }

  heading('Interventions')
  none(summary.interventions, 'No interventions recorded.')
  for (const item of summary.interventions) {
    doc.text(`${day(item.issuedOn)}: ${item.typeLabel}${item.givenNames ? ` (${item.givenNames} ${item.familyName})` : ''}, ${item.status}${item.expiresOn ? `, until ${day(item.expiresOn)}` : ''}`)
  }

  heading('Tasks')
  none(summary.tasks, 'No tasks.')
  for (const task of summary.tasks) doc.text(`${task.title}: ${task.assigneeName} (${task.assigneeOrganisationName}), due ${day(task.dueOn)}, ${task.status}`)

  heading('Notes')
  none(summary.notes, 'No notes.')
  for (const note of [...summary.notes].reverse()) {
    doc.font('Helvetica-Bold').text(`${when(note.createdAt)}, ${note.authorName} (${note.organisationName})${note.restricted ? ' - restricted' : ''}`)
    doc.font('Helvetica').text(note.body).moveDown(0.3)
  }

  heading('Timeline')
  for (const event of [...summary.timeline].reverse()) doc.text(`${when(event.occurredAt)}${event.userName ? `, ${event.userName}` : ''}: ${event.summary}`)

  const range = doc.bufferedPageRange()
  for (let index = range.start; index < range.start + range.count; index++) {
    doc.switchToPage(index)
    const bottom = doc.page.margins.bottom
    doc.page.margins.bottom = 0
    doc.fontSize(8).font('Helvetica-Bold').text('OFFICIAL-SENSITIVE', 50, 20, { align: 'center', width: doc.page.width - 100 })
    doc.font('Helvetica').text(`${record.reference} - page ${index + 1} of ${range.count}`, 50, doc.page.height - 30, { align: 'center', width: doc.page.width - 100 })
    doc.page.margins.bottom = bottom
  }
  doc.end()
  return done
}
