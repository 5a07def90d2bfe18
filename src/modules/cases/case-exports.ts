import { stringify } from 'csv-stringify/sync'
import writeXlsxFile, { type SheetData } from 'write-excel-file/node'
import { CASE_PRIORITIES, CASE_STATUSES, CASE_TYPES } from './cases.schemas.js'

export interface CaseExportRow {
  reference: string
  title: string
  type: string
  status: string
  priority: string
  owningOrganisationName: string
  leadOfficerName: string | null
  riskLevel: string | null
  highRisk: boolean
  reviewDate: string | null
  openedAt: Date
  closedAt: Date | null
}

const HEADINGS = ['Reference', 'Title', 'Type', 'Status', 'Priority', 'Owning organisation', 'Lead officer', 'Risk level', 'High risk', 'Review date', 'Opened', 'Closed']

const cells = (row: CaseExportRow) =>
  [
    row.reference,
    row.title,
    CASE_TYPES[row.type as keyof typeof CASE_TYPES] ?? row.type,
    CASE_STATUSES[row.status as keyof typeof CASE_STATUSES] ?? row.status,
    CASE_PRIORITIES[row.priority as keyof typeof CASE_PRIORITIES] ?? row.priority,
    row.owningOrganisationName,
    row.leadOfficerName ?? '',
    row.riskLevel ?? '',
    row.highRisk ? 'Yes' : 'No',
    row.reviewDate ?? '',
  ] as const

/** CSV with formula escaping, so a title such as "=HYPERLINK(...)" cannot run in a spreadsheet. */
export async function toCsv(rows: CaseExportRow[]): Promise<string> {
  return stringify(
    rows.map((row) => [...cells(row), row.openedAt.toISOString(), row.closedAt?.toISOString() ?? '']),
    { header: true, columns: HEADINGS, escape_formulas: true },
  )
}

export async function toXlsx(rows: CaseExportRow[]): Promise<Buffer> {
  const data: SheetData = [
    HEADINGS.map((value) => ({ value, fontWeight: 'bold' as const })),
    ...rows.map((row) => [
      ...cells(row).map((value) => ({ value, type: String })),
      { value: row.openedAt, type: Date, format: 'dd/mm/yyyy hh:mm' },
      row.closedAt ? { value: row.closedAt, type: Date, format: 'dd/mm/yyyy hh:mm' } : null,
    ]),
  ]
  return writeXlsxFile(data, { sheet: 'Cases', stickyRowsCount: 1 }).toBuffer()
}
