import { Resvg } from '@resvg/resvg-js'
import { stringify } from 'csv-stringify/sync'
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  HeadingLevel,
  ImageRun,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx'
import type PDFDocument from 'pdfkit'
import { BOLD, MARGIN, REGULAR, TEXT_SIZE, taggedPdf } from '../../platform/documents/pdf.js'
import { ukDateOf } from '../../platform/dates.js'
import { slug } from '../../platform/words.js'
import SVGtoPDF from 'svg-to-pdfkit'
import writeXlsxFile, { type SheetData } from 'write-excel-file/node'
import type { Dashboard, ExportTable, FigureRow, HotspotMap, TopAreaRow, Trend } from './performance.types.js'
import { monthLabel } from './periods.js'
import { ALL_CRIME_LABEL, ASB_CASES_LABEL, ASB_POLICE_LABEL } from './performance.service.js'

// ---------------------------------------------------------------------------------------------------------------
// How a change is written: one function, so that the pages and every export say the same thing.

export const NO_DATA = 'No data'
export const NOTE_SMALL_BASE = 'Base under 10: % change not meaningful'
export const NOTE_NEW = 'New: none in comparison period'
export const NOTE_NONE = 'None in either period'
const DIRECTIONS = { up: 'Up', down: 'Down', same: 'No change' } as const

/** The figures formatChange reads: a dashboard row or a top-areas row. */
export type ChangeFigures = Pick<FigureRow, 'current' | 'previous' | 'change' | 'percentChange' | 'notMeaningful'> & {
  direction?: FigureRow['direction']
}

export interface ChangeText {
  /** "+12", "-3", "0" or "No data" */
  change: string
  /** "+35.7%", "-24.5%", "0.0%", "n/a" or "No data" */
  percent: string
  /** "Up", "Down", "No change", or "" with no comparison */
  direction: string
  note: string
}

// Intl rounds half away from zero on the decimal value, writes a plain hyphen-minus, and shows a rounded zero
// (including negative zero) without a sign.
const signedCount = new Intl.NumberFormat('en-GB', { signDisplay: 'exceptZero', maximumFractionDigits: 0 })
const signedPercent = new Intl.NumberFormat('en-GB', { signDisplay: 'exceptZero', minimumFractionDigits: 1, maximumFractionDigits: 1 })
const count = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 })

export function formatChange(row: ChangeFigures): ChangeText {
  if (row.previous === null) return { change: NO_DATA, percent: NO_DATA, direction: '', note: '' }
  const change = row.change ?? row.current - row.previous
  const direction = DIRECTIONS[row.direction ?? (change > 0 ? 'up' : change < 0 ? 'down' : 'same')]
  if (row.previous === 0) return { change: signedCount.format(change), percent: 'n/a', direction, note: row.current > 0 ? NOTE_NEW : NOTE_NONE }
  const percent = row.percentChange ?? (change / row.previous) * 100
  return {
    change: signedCount.format(change),
    percent: `${signedPercent.format(percent)}%`,
    direction,
    note: row.notMeaningful ? NOTE_SMALL_BASE : '',
  }
}

/**
 * A key point for the summary: "Shoplifting +35.7% (57 to 77)". On a base under 10 the count change stands in for
 * the percentage ("Robbery +2 (4 to 6)"), as a percentage on so small a base says little.
 */
export function summaryLine(label: string, row: ChangeFigures): string {
  const text = formatChange(row)
  if (row.previous === null) return `${label}: ${count.format(row.current)} (no data for the comparison period)`
  if (row.previous === 0) return row.current > 0 ? `${label}: ${count.format(row.current)} (none in the comparison period)` : `${label}: none in either period`
  const counts = `(${count.format(row.previous)} to ${count.format(row.current)})`
  if (text.direction === DIRECTIONS.same) return `${label}: no change ${counts}`
  return `${label} ${row.notMeaningful ? text.change : text.percent} ${counts}`
}

// ---------------------------------------------------------------------------------------------------------------
// Tables

/** Columns holding a signed count: "+12" on paper, a number formatted "+0" in a spreadsheet. */
const SIGNED_COLUMNS = new Set(['Change'])


/** "Quarter 3 2018/19" from "Quarter 3 2018/19 (October to December 2018)": short enough for a column heading. */
export const shortPeriodLabel = (label: string) => label.replace(/\s*\(.*\)\s*$/, '')

const COMPARISON_TEXT: Record<Dashboard['period']['kind'], string> = {
  month: 'the previous month',
  quarter: 'the previous quarter',
  year: 'the previous year',
  ytd: 'the previous period',
  custom: 'the previous period',
}

const dashboardTitle = (dashboard: Dashboard) =>
  `Crime and ASB in ${dashboard.area.name}${dashboard.force ? ` reported by ${dashboard.force}` : ''}, ${dashboard.period.label}, against ${
    dashboard.compare === 'last_year' ? 'the same period last year' : COMPARISON_TEXT[dashboard.period.kind]
  }`

/** The figures of a row; a row not compared says why in its note, so that a table read on its own still says. */
const changeCells = (row: ChangeFigures, notCompared: string | null = null) => {
  const text = formatChange(row)
  return [
    row.current,
    row.previous ?? NO_DATA,
    row.previous === null ? NO_DATA : (row.change ?? row.current - row.previous),
    text.percent,
    text.direction,
    row.previous === null && notCompared ? notCompared : text.note,
  ]
}

/** The dashboard as a table: each police.uk crime type, all crime, then the two ASB sources (never added together). */
export function dashboardTable(dashboard: Dashboard): ExportTable {
  return {
    title: dashboardTitle(dashboard),
    columns: ['Crime type', shortPeriodLabel(dashboard.period.label), shortPeriodLabel(dashboard.comparison.label), 'Change', 'Change (%)', 'Direction', 'Note'],
    rows: [
      ...dashboard.crimeTypes.map((row) => [row.label, ...changeCells(row, dashboard.notCompared)]),
      [ALL_CRIME_LABEL, ...changeCells(dashboard.allCrime, dashboard.notCompared)],
      [ASB_POLICE_LABEL, ...changeCells(dashboard.asb.police, dashboard.notCompared)],
      [ASB_CASES_LABEL, ...changeCells(dashboard.asb.cases)],
    ],
  }
}

/** A crime type month by month. ASB from case records is counted as incidents, not crimes. */
export function trendTable(trend: Trend): ExportTable {
  const what = trend.source === 'cases' ? ASB_CASES_LABEL : trend.crimeType
  return {
    title: `${what} in ${trend.area.name}, ${monthLabel(trend.from)} to ${monthLabel(trend.to)}, by month`,
    columns: ['Month', trend.source === 'cases' ? 'Incidents' : 'Crimes'],
    rows: trend.points.map((point) => [monthLabel(point.month), point.count]),
  }
}

/**
 * The areas in the order given (by count or by rise), ranked as the page ranks them. The count headings default to
 * "Current period" and "Comparison period"; pass the periods' short labels where they are known.
 */
export function topAreasTable(rows: TopAreaRow[], title: string, labels: { current?: string; previous?: string } = {}): ExportTable {
  return {
    title,
    columns: ['Rank', 'Area', 'Code', 'District', labels.current ?? 'Current period', labels.previous ?? 'Comparison period', 'Change', 'Change (%)', 'Note'],
    rows: rows.map((row, index) => {
      const [current, previous, change, percent, , note] = changeCells(row)
      return [index + 1, row.name, row.code, row.districtName, current!, previous!, change!, percent!, note!]
    }),
  }
}

/** The hotspot map's figures: crimes per LSOA, most first. */
export function mapTable(map: HotspotMap): ExportTable {
  const lsoas = [...map.lsoas].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
  return {
    title: `${map.crimeType ?? 'All crime'} in ${map.area.name}, ${map.period.label}, by LSOA`,
    columns: ['LSOA code', 'LSOA name', 'Crimes'],
    rows: lsoas.map((lsoa) => [lsoa.code, lsoa.name, lsoa.count]),
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Spreadsheets

/** A signed number or percentage ("+35.7%", "-3"): a spreadsheet reads it as a number, never as a formula. */
const SIGNED_NUMBER = /^[+-]?\d[\d,]*(\.\d+)?%?$/

/** CSV: a heading row then the data (no title row: a CSV is data). Text that could run as a formula is escaped. */
export function tableToCsv(table: ExportTable): string {
  return stringify(table.rows, {
    header: true,
    columns: table.columns,
    escape_formulas: true,
    cast: { string: (value) => (SIGNED_NUMBER.test(value) ? { value, escape_formulas: false } : value) },
  })
}

const FORBIDDEN_IN_SHEET_NAME = /[[\]:*?/\\]/g

/** Excel's sheet name: at most 31 characters, none of []:*?/\, not starting or ending with an apostrophe. */
export function sheetName(title: string): string {
  const clean = title.split(', ')[0]!.replace(FORBIDDEN_IN_SHEET_NAME, ' ').replace(/\s+/g, ' ').trim()
  let name = clean.slice(0, 31)
  if (clean.length > 31 && clean[31] !== ' ' && name.includes(' ')) name = name.slice(0, name.lastIndexOf(' '))
  name = name.replace(/^'+|'+$/g, '').trim()
  return name || 'Figures'
}

const cellLength = (value: string | number | null) => (value === null ? 0 : typeof value === 'number' ? count.format(value).length + 1 : value.length)

/** Excel: bold headings that stay in view, counts as number cells, text (including the % shown) as text cells. */
export async function tableToXlsx(table: ExportTable): Promise<Buffer> {
  const data: SheetData = [
    table.columns.map((value) => ({ value, fontWeight: 'bold' as const, wrap: true })),
    ...table.rows.map((row) =>
      row.map((value, index) => {
        if (value === null) return null
        if (typeof value === 'number') {
          const signed = SIGNED_COLUMNS.has(table.columns[index] ?? '')
          return { value, type: Number, format: Number.isInteger(value) ? (signed ? '+#,##0;-#,##0;0' : '#,##0') : undefined }
        }
        return { value, type: String }
      }),
    ),
  ]
  const columns = table.columns.map((heading, index) => ({
    width: Math.min(50, Math.max(8, heading.length, ...table.rows.map((row) => cellLength(row[index] ?? null))) + 2),
  }))
  return writeXlsxFile(data, { sheet: sheetName(table.title), stickyRowsCount: 1, columns }).toBuffer()
}

// ---------------------------------------------------------------------------------------------------------------
// The board-paper report

export interface DashboardReportSection {
  heading: string
  paragraphs?: string[]
  table?: ExportTable
  /** A chart as SVG. Text in it should use presentation attributes or a <style> element, and fonts by family name. */
  chartSvg?: string
  chartAlt?: string
}

export interface DashboardReport {
  /** "Agenda Item 7" */
  agendaItem: string | null
  title: string
  meetingName: string | null
  reportOf: string | null
  areaName: string
  periodLabel: string
  comparisonLabel: string
  sources: string[]
  /** "23 November 2026" */
  generatedOn: string
  /** Key points as sentences: "Shoplifting +35.7% (57 to 77)" */
  summary: string[]
  sections: DashboardReportSection[]
}

export const CLOSING_NOTE =
  'Figures are counts of crimes recorded by police.uk, the open data the police forces publish each month, by the month and ' +
  'area in which each crime was recorded; police.uk places each crime at an approximate location. ASB incidents from council ' +
  'and partner case records are counted separately and are never added to the police figures. ' +
  'Percentages are shown only with the numbers behind them.'


/** The key points: all crime, both ASB sources, then the three largest rises and falls on a base of 10 or more. */
export function dashboardSummary(dashboard: Dashboard): string[] {
  const compared = dashboard.crimeTypes.filter((row) => row.previous !== null && !row.notMeaningful && row.change !== null)
  const byChange = [...compared].sort((a, b) => b.change! - a.change! || a.label.localeCompare(b.label))
  const rises = byChange.filter((row) => row.change! > 0).slice(0, 3)
  const falls = byChange.filter((row) => row.change! < 0).reverse().slice(0, 3)
  return [
    summaryLine(ALL_CRIME_LABEL, dashboard.allCrime),
    summaryLine(ASB_POLICE_LABEL, dashboard.asb.police),
    summaryLine(ASB_CASES_LABEL, dashboard.asb.cases),
    ...[...rises, ...falls].map((row) => summaryLine(row.label, row)),
  ]
}

export interface DashboardReportOptions {
  agendaItem?: string | null
  meetingName?: string | null
  reportOf?: string | null
  generatedAt?: Date
  /** Charts to follow the table, each in its own section. */
  charts?: { heading: string; svg: string; alt: string; paragraphs?: string[] }[]
}

/** A dashboard as a board paper: the summary, the table with what the reader needs to know about it, then any charts. */
export function dashboardReport(dashboard: Dashboard, options: DashboardReportOptions = {}): DashboardReport {
  const notes = [
    ...dashboard.warnings,
    ...(dashboard.force ? [`Only crimes reported by ${dashboard.force} are counted.`] : []),
    ...(dashboard.noLocation > 0 ? [`${count.format(dashboard.noLocation)} crimes and ASB incidents in the period were recorded with no location and are not placed in any area.`] : []),
    'Anti-social behaviour recorded by the police and ASB incidents in council and partner case records are shown separately and never added together.',
  ]
  return {
    agendaItem: options.agendaItem ?? null,
    title: `Crime and anti-social behaviour in ${dashboard.area.name}: ${dashboard.period.label}`,
    meetingName: options.meetingName ?? null,
    reportOf: options.reportOf ?? null,
    areaName: dashboard.area.name,
    periodLabel: dashboard.period.label,
    comparisonLabel: dashboard.comparison.label,
    sources: dashboard.sources,
    generatedOn: ukDateOf(options.generatedAt ?? new Date()),
    summary: dashboardSummary(dashboard),
    sections: [
      { heading: 'Crime and ASB by type', paragraphs: notes, table: dashboardTable(dashboard) },
      ...(options.charts ?? []).map((chart) => ({ heading: chart.heading, paragraphs: chart.paragraphs, chartSvg: chart.svg, chartAlt: chart.alt })),
    ],
  }
}

/** The report's opening block, in the order a board paper gives it. */
const reportFields = (report: DashboardReport): [string, string][] => [
  ...(report.meetingName ? [['Meeting', report.meetingName] as [string, string]] : []),
  ...(report.reportOf ? [['Report of', report.reportOf] as [string, string]] : []),
  ['Area', report.areaName],
  ['Period', report.periodLabel],
  ['Compared with', report.comparisonLabel],
  ['Figures produced', report.generatedOn],
]

/** A cell as printed: counts with thousands separators, a change with its sign. */
function cellText(value: string | number | null, column: string): string {
  if (value === null) return ''
  if (typeof value === 'string') return value
  return SIGNED_COLUMNS.has(column) ? signedCount.format(value) : count.format(value)
}

/** Columns of counts and percentages, which line up on the right. */
function numericColumns(table: ExportTable): boolean[] {
  return table.columns.map((_, index) => {
    const cells = table.rows.map((row) => row[index] ?? null).filter((value) => value !== null && value !== '')
    const numeric = cells.filter((value) => typeof value === 'number' || SIGNED_NUMBER.test(value!))
    return numeric.length > 0 && cells.every((value) => typeof value === 'number' || SIGNED_NUMBER.test(value!) || value === NO_DATA || value === 'n/a')
  })
}

/**
 * Column widths, as a browser lays out a table: each column at least as wide as its longest word (a count is one
 * word), and the room left shared out by how much more each column would take to fit on one line. A table that fits
 * on one line a row is left at that width rather than stretched, so that counts stay close to their labels.
 */
function columnWidths(table: ExportTable, total: number, measure: (text: string, bold: boolean) => number, padding: number): number[] {
  const numeric = numericColumns(table)
  const words = (text: string) => text.split(/\s+/)
  const columns = table.columns.map((heading, index) => {
    const cells = table.rows.map((row) => cellText(row[index] ?? null, heading))
    const widest = (texts: string[], bold: boolean) => Math.max(0, ...texts.map((text) => measure(text, bold)))
    // Counts and short phrases ("No change") are kept on one line; longer text may wrap between words.
    const unbroken = cells.flatMap((cell) => (numeric[index] || cell.length <= 12 ? [cell] : words(cell)))
    const least = Math.max(widest(words(heading), true), widest(unbroken, false)) + 2 * padding
    return { least, most: Math.max(least, widest([heading], true) + 2 * padding, widest(cells, false) + 2 * padding) }
  })
  const least = columns.reduce((sum, column) => sum + column.least, 0)
  const extra = columns.reduce((sum, column) => sum + column.most - column.least, 0)
  if (least >= total) return columns.map((column) => (column.least * total) / least)
  if (extra <= total - least) return columns.map((column) => column.most)
  return columns.map((column) => column.least + ((column.most - column.least) * (total - least)) / extra)
}

/** An SVG's own size, read by resvg, so that a chart keeps its shape when scaled. */
function svgSize(svg: string): { width: number; height: number } {
  try {
    const { width, height } = new Resvg(svg, { font: { loadSystemFonts: false } })
    if (width > 0 && height > 0) return { width, height }
  } catch (error) {
    throw new Error(`The chart could not be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  throw new Error('The chart could not be read: it has no size')
}

const TABLE_SIZE = 9
const HEADING_SIZE = { 1: 16, 2: 13 } as const
const CELL_PADDING = 4
const KEEP_WITH_NEXT = 70
const LIGHT_RULE = '#b1b4b6'

/** A4 PDF, tagged for screen readers: headings, lists, tables and charts (with their alt text) are in its structure. */
export async function reportToPdf(report: DashboardReport): Promise<Buffer> {
  // A chart that cannot be read fails the export before a page is drawn.
  for (const section of report.sections) if (section.chartSvg) svgSize(section.chartSvg)
  const { doc, root, left, width, bottom, ensureRoom, tagged, text, rule, finish } = taggedPdf({
    size: 'A4',
    margin: MARGIN,
    info: { Title: report.title, Author: 'Safer Communities', Subject: `${report.areaName}, ${report.periodLabel}` },
  })
  /** keepWithNext: the room what follows needs, so that a heading is never left at the foot of a page. */
  const heading = (level: 1 | 2, value: string, keepWithNext = KEEP_WITH_NEXT) => {
    if (doc.y > doc.page.margins.top) doc.moveDown(0.6)
    ensureRoom(keepWithNext)
    tagged(`H${level}`, () => text(value, BOLD, HEADING_SIZE[level]))
    doc.moveDown(0.4)
  }
  const bullets = (items: string[]) => {
    const list = doc.struct('L')
    root.add(list)
    for (const item of items) {
      ensureRoom(doc.font(REGULAR).fontSize(TEXT_SIZE).heightOfString(item, { width: width - 14 }))
      const y = doc.y
      list.add(
        doc.struct('LI', {}, [
          doc.struct('Lbl', {}, () => doc.font(REGULAR).fontSize(TEXT_SIZE).text('•', left, y, { width: 14 })),
          doc.struct('LBody', {}, () => doc.text(item, left + 14, y, { width: width - 14 })),
        ]),
      )
      doc.moveDown(0.2)
    }
    list.end()
    doc.x = left
    doc.moveDown(0.3)
  }

  const drawTable = (table: ExportTable) => {
    const numeric = numericColumns(table)
    const widths = columnWidths(table, width, (value, bold) => doc.font(bold ? BOLD : REGULAR).fontSize(TABLE_SIZE).widthOfString(value), CELL_PADDING)
    const xs = widths.map((_, index) => left + widths.slice(0, index).reduce((a, b) => a + b, 0))
    const tableWidth = widths.reduce((a, b) => a + b, 0)
    const head = table.columns
    const body = table.rows.map((row) => table.columns.map((column, index) => cellText(row[index] ?? null, column)))
    const rowHeight = (cells: string[], font: string) =>
      Math.max(...cells.map((value, index) => doc.font(font).fontSize(TABLE_SIZE).heightOfString(value || ' ', { width: widths[index]! - 2 * CELL_PADDING }))) + 2 * CELL_PADDING
    const headHeight = rowHeight(head, BOLD)
    const drawCells = (cells: string[], font: string, y: number, cellType?: 'TH' | 'TD', row?: PDFKit.PDFStructureElement) => {
      cells.forEach((value, index) => {
        const draw = () =>
          doc.font(font).fontSize(TABLE_SIZE).text(value, xs[index]! + CELL_PADDING, y + CELL_PADDING, {
            width: widths[index]! - 2 * CELL_PADDING,
            align: numeric[index] ? 'right' : 'left',
          })
        if (row && cellType) row.add(doc.struct(cellType, {}, draw))
        else draw()
      })
    }
    const drawHead = (structure: PDFKit.PDFStructureElement | null) => {
      const y = doc.y
      if (structure) {
        const row = doc.struct('TR')
        structure.add(row)
        drawCells(head, BOLD, y, 'TH', row)
        row.end()
      } else {
        // A heading repeated on a later page is page furniture: screen readers have it once, in the structure.
        doc.markContent('Artifact', { type: 'Pagination' })
        drawCells(head, BOLD, y)
        doc.endMarkedContent()
      }
      rule(left, y + headHeight, tableWidth, '#000000', 1)
      doc.y = y + headHeight
    }

    doc.moveDown(0.3)
    const captionHeight = doc.font(BOLD).fontSize(10).heightOfString(table.title, { width }) + 4
    ensureRoom(captionHeight + headHeight + (body[0] ? rowHeight(body[0], REGULAR) : 0))
    const structure = doc.struct('Table')
    root.add(structure)
    tagged('Caption', () => text(table.title, BOLD, 10), structure)
    doc.y += 4
    drawHead(structure)
    for (const cells of body) {
      const height = rowHeight(cells, REGULAR)
      if (doc.y + height > bottom()) {
        doc.addPage()
        drawHead(null)
      }
      const y = doc.y
      const row = doc.struct('TR')
      structure.add(row)
      drawCells(cells, REGULAR, y, 'TD', row)
      row.end()
      rule(left, y + height, tableWidth, LIGHT_RULE)
      doc.y = y + height
    }
    structure.end()
    doc.x = left
    doc.moveDown(0.8)
  }

  /** A chart at the width of the text, or smaller so that it fits on a page under its heading. */
  const chartFit = (svg: string) => {
    const size = svgSize(svg)
    const scale = Math.min(width / size.width, (bottom() - doc.page.margins.top - KEEP_WITH_NEXT) / size.height)
    return { size, scale, height: size.height * scale }
  }
  const drawChart = (svg: string, alt: string | undefined) => {
    const { size, scale, height } = chartFit(svg)
    ensureRoom(height)
    const y = doc.y
    root.add(
      doc.struct('Figure', { alt: alt ?? 'Chart' }, () => {
        doc.save().translate(left, y).scale(scale)
        // @types/svg-to-pdfkit types the document as the PDFDocument class rather than an instance of it.
        SVGtoPDF(doc as unknown as typeof PDFDocument, svg, 0, 0, {
          width: size.width,
          height: size.height,
          assumePt: true,
          // Our charts draw no images; refusing links keeps a chart from reading a file from disk.
          imageCallback: (link) => (link.startsWith('data:image/') ? link : ''),
          warningCallback: () => undefined,
        })
        doc.restore()
      }),
    )
    doc.x = left
    doc.y = y + height
    doc.moveDown(0.8)
  }

  if (report.agendaItem) tagged('P', () => text(report.agendaItem!, BOLD, 12, { align: 'right' }))
  doc.moveDown(0.5)
  heading(1, report.title)
  for (const [label, value] of reportFields(report)) {
    tagged('P', () => doc.font(BOLD).fontSize(TEXT_SIZE).text(`${label}: `, left, doc.y, { width, continued: true }).font(REGULAR).text(value))
  }
  if (report.summary.length) {
    heading(2, 'Summary')
    bullets(report.summary)
  }
  for (const section of report.sections) {
    const chartFirst = section.chartSvg && !section.paragraphs?.length
    heading(2, section.heading, chartFirst ? chartFit(section.chartSvg!).height + 30 : KEEP_WITH_NEXT)
    for (const paragraph of section.paragraphs ?? []) {
      tagged('P', () => text(paragraph))
      doc.moveDown(0.5)
    }
    if (section.chartSvg) drawChart(section.chartSvg, section.chartAlt)
    if (section.table) drawTable(section.table)
  }
  heading(2, 'Data sources')
  if (report.sources.length) bullets(report.sources)
  tagged('P', () => text(CLOSING_NOTE))
  return finish()
}

const FONT = 'Arial'
const CM = 567
/** A4 less 2cm margins, in the pixels (at 96 per inch) docx sizes images in. */
const CONTENT_WIDTH_PX = Math.round((17 / 2.54) * 96)
const CONTENT_HEIGHT_PX = Math.round((25.7 / 2.54) * 96)

/** A chart as a PNG for Word, drawn at 1200 pixels wide so that it prints sharply. */
function chartImage(svg: string, alt: string | undefined, name: string): Paragraph {
  svgSize(svg)
  const rendered = new Resvg(svg, { fitTo: { mode: 'width', value: 1200 }, background: 'white' }).render()
  const scale = Math.min(CONTENT_WIDTH_PX / rendered.width, CONTENT_HEIGHT_PX / rendered.height)
  return new Paragraph({
    keepLines: true,
    children: [
      new ImageRun({
        type: 'png',
        data: rendered.asPng(),
        transformation: { width: Math.round(rendered.width * scale), height: Math.round(rendered.height * scale) },
        altText: { name, title: alt ?? name, description: alt ?? name },
      }),
    ],
  })
}

const NO_BORDER = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' }

function wordTable(table: ExportTable): (Paragraph | Table)[] {
  const numeric = numericColumns(table)
  // Widths in characters: about 100 characters of 9pt Arial fit across the page, so they read as percentages.
  const widths = columnWidths(table, 100, (value) => value.length, 1)
  const sum = widths.reduce((a, b) => a + b, 0)
  const cell = (value: string, index: number, header: boolean) =>
    new TableCell({
      width: { size: (widths[index]! * 100) / sum, type: WidthType.PERCENTAGE },
      margins: { top: 60, bottom: 60, left: 80, right: 80 },
      borders: header ? { bottom: { style: BorderStyle.SINGLE, size: 8, color: '000000' } } : undefined,
      children: [
        new Paragraph({
          spacing: { after: 0 },
          alignment: numeric[index] ? AlignmentType.RIGHT : AlignmentType.LEFT,
          children: [new TextRun({ text: value, bold: header, size: 18 })],
        }),
      ],
    })
  return [
    new Paragraph({ keepNext: true, spacing: { before: 120, after: 60 }, children: [new TextRun({ text: table.title, bold: true, size: 20 })] }),
    new Table({
      width: { size: Math.round(sum), type: WidthType.PERCENTAGE },
      borders: {
        top: NO_BORDER,
        left: NO_BORDER,
        right: NO_BORDER,
        insideVertical: NO_BORDER,
        bottom: { style: BorderStyle.SINGLE, size: 4, color: 'B1B4B6' },
        insideHorizontal: { style: BorderStyle.SINGLE, size: 4, color: 'B1B4B6' },
      },
      rows: [
        new TableRow({ tableHeader: true, cantSplit: true, children: table.columns.map((heading, index) => cell(heading, index, true)) }),
        ...table.rows.map(
          (row) => new TableRow({ cantSplit: true, children: table.columns.map((column, index) => cell(cellText(row[index] ?? null, column), index, false)) }),
        ),
      ],
    }),
    new Paragraph({ children: [] }),
  ]
}

const bulletList = (items: string[]) => items.map((item) => new Paragraph({ bullet: { level: 0 }, spacing: { after: 60 }, children: [new TextRun(item)] }))

/** Word: the same content as the PDF, with real heading styles, tables whose header row repeats, and charts with alt text. */
export async function reportToDocx(report: DashboardReport): Promise<Buffer> {
  const heading = (size: number) => ({ run: { font: FONT, size, bold: true, color: '000000' }, paragraph: { spacing: { before: 240, after: 120 }, keepNext: true } })
  const children: (Paragraph | Table)[] = [
    ...(report.agendaItem ? [new Paragraph({ alignment: AlignmentType.RIGHT, children: [new TextRun({ text: report.agendaItem, bold: true })] })] : []),
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(report.title)] }),
    ...reportFields(report).map(([label, value]) => new Paragraph({ spacing: { after: 0 }, children: [new TextRun({ text: `${label}: `, bold: true }), new TextRun(value)] })),
  ]
  if (report.summary.length) children.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun('Summary')] }), ...bulletList(report.summary))
  for (const section of report.sections) {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(section.heading)] }))
    children.push(...(section.paragraphs ?? []).map((paragraph) => new Paragraph({ children: [new TextRun(paragraph)] })))
    if (section.chartSvg) children.push(chartImage(section.chartSvg, section.chartAlt, section.heading))
    if (section.table) children.push(...wordTable(section.table))
  }
  children.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun('Data sources')] }), ...bulletList(report.sources))
  children.push(new Paragraph({ children: [new TextRun(CLOSING_NOTE)] }))

  const document = new Document({
    creator: 'Safer Communities',
    title: report.title,
    styles: {
      default: {
        document: { run: { font: FONT, size: 22, language: { value: 'en-GB' } }, paragraph: { spacing: { after: 120 } } },
        heading1: heading(32),
        heading2: heading(26),
      },
    },
    sections: [
      {
        properties: { page: { size: { width: 11906, height: 16838 }, margin: { top: 2 * CM, right: 2 * CM, bottom: 2 * CM, left: 2 * CM } } },
        footers: {
          default: new Footer({
            children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ size: 18, children: ['Page ', PageNumber.CURRENT, ' of ', PageNumber.TOTAL_PAGES] })] })],
          }),
        },
        children,
      },
    ],
  })
  return Packer.toBuffer(document)
}

// ---------------------------------------------------------------------------------------------------------------

export const PERFORMANCE_EXPORT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
} as const
export type PerformanceExportFormat = keyof typeof PERFORMANCE_EXPORT_TYPES

/** "crime-and-asb-in-charnwood-quarter-3-2018-19.csv": from a title, without its comparison. */
export function exportFileName(title: string, format: PerformanceExportFormat): string {
  const name = slug(title.replace(/\s*\([^)]*\)/g, '').split(', against')[0]!)
    .slice(0, 80)
    .replace(/-$/, '')
  return `${name || 'figures'}.${format}`
}
