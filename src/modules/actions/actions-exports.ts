import { stringify } from 'csv-stringify/sync'
import { Document, HeadingLevel, Packer, PageOrientation, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx'
import writeXlsxFile, { type SheetData } from 'write-excel-file/node'
import { slug } from '../../platform/words.js'
import { meetingDate } from '../meetings/meetings.format.js'
import type { LogEntry } from './actions.service.js'

/** A meeting's action log as the exports print it. */
export interface ActionLogDocument {
  bodyName: string
  meetingOn: string
  entries: LogEntry[]
}

export const LOG_HEADINGS = ['Meeting and item', 'Action', 'Owner', 'Status and comment'] as const

/** "Incomplete (carried forward): awaiting the quote", then each earlier update on its own line, newest first. */
export function statusLines(entry: LogEntry): string[] {
  const latest = `${entry.action.statusLabel}${entry.latest?.comment ? `: ${entry.latest.comment}` : ''}`
  return [latest, ...entry.earlier.map((update) => `${meetingDate(update.reportedOn)}: ${update.statusLabel}${update.comment ? `: ${update.comment}` : ''}`)]
}

const dueText = (entry: LogEntry) => entry.action.dueText
const lastUpdated = (entry: LogEntry) => (entry.latest ? meetingDate(entry.latest.reportedOn) : '')
const row = (entry: LogEntry) => [entry.action.reference, entry.action.text, entry.action.ownersText, statusLines(entry).join('\n')]

const title = (log: ActionLogDocument) => `${log.bodyName}: action log`
const subtitle = (log: ActionLogDocument) => `For the meeting on ${meetingDate(log.meetingOn)}`

const CM = 567
const WIDTHS = [14, 36, 20, 30]

const cell = (lines: string[], width: number, bold = false) =>
  new TableCell({
    width: { size: width, type: WidthType.PERCENTAGE },
    margins: { top: 60, bottom: 60, left: 100, right: 100 },
    children: lines.map((line) => new Paragraph({ spacing: { after: 0 }, children: [new TextRun({ text: line, bold })] })),
  })

/** Word: a heading with the body and the meeting date, and the log as a real table whose header row repeats on each page. */
export async function toDocx(log: ActionLogDocument): Promise<Buffer> {
  const table = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, cantSplit: true, children: LOG_HEADINGS.map((heading, index) => cell([heading], WIDTHS[index]!, true)) }),
      ...log.entries.map((entry) => new TableRow({ cantSplit: true, children: row(entry).map((text, index) => cell(text.split('\n'), WIDTHS[index]!)) })),
    ],
  })
  const document = new Document({
    creator: 'Safer Communities',
    title: title(log),
    styles: { default: { document: { run: { font: 'Arial', size: 22, language: { value: 'en-GB' } } } } },
    sections: [
      {
        properties: { page: { size: { orientation: PageOrientation.LANDSCAPE, width: 11906, height: 16838 }, margin: { top: 2 * CM, right: 2 * CM, bottom: 2 * CM, left: 2 * CM } } },
        children: [
          new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(title(log))] }),
          new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(subtitle(log))] }),
          log.entries.length ? table : new Paragraph({ children: [new TextRun('No actions to report.')] }),
        ],
      },
    ],
  })
  return Packer.toBuffer(document)
}

const SPREADSHEET_HEADINGS = [...LOG_HEADINGS, 'Due', 'Last updated']

/** Excel: the log's columns plus the due date and the day of the last update; text cells, so nothing is read as a formula. */
export async function toXlsx(log: ActionLogDocument): Promise<Buffer> {
  const data: SheetData = [
    SPREADSHEET_HEADINGS.map((value) => ({ value, fontWeight: 'bold' as const })),
    ...log.entries.map((entry) => [...row(entry), dueText(entry), lastUpdated(entry)].map((value) => ({ value, type: String, wrap: true }))),
  ]
  return writeXlsxFile(data, { sheet: 'Action log', stickyRowsCount: 1, columns: [{ width: 16 }, { width: 50 }, { width: 30 }, { width: 50 }, { width: 22 }, { width: 18 }] }).toBuffer()
}

/** CSV with formula escaping (as the case export does), so text such as "=HYPERLINK(...)" cannot run in a spreadsheet. */
export function toCsv(log: ActionLogDocument): string {
  return stringify(
    log.entries.map((entry) => [...row(entry), dueText(entry), lastUpdated(entry)]),
    { header: true, columns: SPREADSHEET_HEADINGS, escape_formulas: true },
  )
}

export const EXPORT_TYPES = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
} as const
export type ExportFormat = keyof typeof EXPORT_TYPES

/** "action-log-community-safety-partnership-2026-12-04.docx" */
export function exportFileName(log: ActionLogDocument, format: ExportFormat): string {
  return `action-log-${slug(log.bodyName).slice(0, 60)}-${log.meetingOn}.${format}`
}

export async function exportLog(log: ActionLogDocument, format: ExportFormat): Promise<Buffer> {
  if (format === 'docx') return toDocx(log)
  if (format === 'xlsx') return toXlsx(log)
  return Buffer.from(toCsv(log), 'utf8')
}
