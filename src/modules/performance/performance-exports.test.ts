import JSZip from 'jszip'
import { describe, expect, it } from 'vitest'
import { expectInOrder } from '../../../test/helpers/text.js'
import { docxHtml, pdfPages } from '../minutes/meeting-record.fixtures.js'
import {
  CLOSING_NOTE,
  type DashboardReport,
  dashboardReport,
  dashboardSummary,
  dashboardTable,
  exportFileName,
  formatChange,
  mapTable,
  reportToDocx,
  reportToPdf,
  sheetName,
  summaryLine,
  tableToCsv,
  tableToXlsx,
  topAreasTable,
  trendTable,
} from './performance-exports.js'
import type { Area, Dashboard, FigureRow, HotspotMap, Period, TopAreaRow, Trend } from './performance.types.js'

/** A row as the service makes it: the change, the rounded percentage and whether its base is under 10. */
function figure(label: string, current: number, previous: number | null, source: FigureRow['source'] = 'police'): FigureRow {
  const change = previous === null ? null : current - previous
  return {
    crimeType: label,
    source,
    label,
    current,
    previous,
    change,
    percentChange: previous === null || previous === 0 ? null : Math.round(((current - previous) / previous) * 1000) / 10,
    notMeaningful: previous !== null && previous < 10,
    direction: change === null ? null : change > 0 ? 'up' : change < 0 ? 'down' : 'same',
  }
}

const CHARNWOOD: Area = { code: 'E07000130', name: 'Charnwood', kind: 'district', districtCodes: ['E07000130'] }
const Q3: Period = { kind: 'quarter', from: '2018-10', to: '2018-12', label: 'Quarter 3 2018/19 (October to December 2018)', months: 3 }
const Q3_LAST_YEAR: Period = { kind: 'quarter', from: '2017-10', to: '2017-12', label: 'Quarter 3 2017/18 (October to December 2017)', months: 3 }

function dashboardFixture(overrides: Partial<Dashboard> = {}): Dashboard {
  return {
    area: CHARNWOOD,
    period: Q3,
    comparison: Q3_LAST_YEAR,
    compare: 'last_year',
    force: null,
    crimeTypes: [
      figure('Shoplifting', 77, 57),
      figure('Burglary', 37, 49),
      figure('Robbery', 6, 4),
      figure('Drugs', 3, 0),
      figure('Bicycle theft', 25, null),
      figure('Vehicle crime', 40, 40),
    ],
    allCrime: figure('All crime', 1234, 1200),
    asb: { police: figure('Anti-social behaviour', 300, 350), cases: figure('Anti-social behaviour', 41, 38, 'cases') },
    noLocation: 0,
    missingMonths: [],
    missingComparisonMonths: [],
    notCompared: null,
    warnings: [],
    forces: ['Leicestershire Police'],
    sources: ['police.uk street-level crime data, Leicestershire Police, October to December 2018', 'Council and partner ASB case records'],
    ...overrides,
  }
}

const CHART_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="300" viewBox="0 0 600 300">' +
  '<rect x="10" y="50" width="80" height="200" fill="#1d70b8"/>' +
  '<text x="10" y="30" font-family="Arial, sans-serif" font-size="16">Shoplifting by month</text></svg>'
const CHART_ALT = 'Bar chart of shoplifting in Charnwood by month, highest in December 2018 (31 crimes).'

function reportFixture(overrides: Partial<DashboardReport> = {}): DashboardReport {
  return {
    ...dashboardReport(dashboardFixture(), {
      agendaItem: 'Agenda Item 7',
      meetingName: 'Charnwood Community Safety Partnership, 3 December 2026',
      reportOf: 'Community Safety Manager',
      generatedAt: new Date('2026-11-23T10:00:00Z'),
      charts: [{ heading: 'Shoplifting by month', svg: CHART_SVG, alt: CHART_ALT }],
    }),
    ...overrides,
  }
}

/** pdf-parse breaks lines where the page wraps them: compare text with single spaces. */
const flat = (pages: string[]) => pages.join('\n').replace(/\s+/g, ' ')

describe('formatChange', () => {
  it('writes a rise and a fall with their signs, the percentage to one decimal place and the direction', () => {
    expect(formatChange(figure('Shoplifting', 77, 57))).toEqual({ change: '+20', percent: '+35.1%', direction: 'Up', note: '' })
    expect(formatChange(figure('Burglary', 37, 49))).toEqual({ change: '-12', percent: '-24.5%', direction: 'Down', note: '' })
  })

  it('uses a plain hyphen-minus for falls, never the typographic minus sign', () => {
    const { change, percent } = formatChange(figure('Burglary', 37, 49))
    expect(change.charCodeAt(0)).toBe(0x2d)
    expect(percent.charCodeAt(0)).toBe(0x2d)
    expect(change + percent).not.toContain('\u2212')
  })

  it('writes no change as 0 and 0.0% without a sign', () => {
    expect(formatChange(figure('Vehicle crime', 40, 40))).toEqual({ change: '0', percent: '0.0%', direction: 'No change', note: '' })
  })

  it('never writes a negative zero', () => {
    const row = { ...figure('Vehicle crime', 40, 40), change: -0, percentChange: -0 }
    expect(formatChange(row)).toMatchObject({ change: '0', percent: '0.0%' })
    // A fall so small it rounds to nothing is shown as no change in the percentage, not "-0.0%".
    expect(formatChange({ ...figure('Other theft', 2499, 2500), percentChange: -0.04 }).percent).toBe('0.0%')
  })

  it('rounds an unrounded percentage to one decimal place, halves away from zero', () => {
    expect(formatChange({ ...figure('Shoplifting', 77, 57), percentChange: 35.0877 }).percent).toBe('+35.1%')
    expect(formatChange({ ...figure('Shoplifting', 77, 57), percentChange: 35.75 }).percent).toBe('+35.8%')
    expect(formatChange({ ...figure('Burglary', 37, 49), percentChange: -24.25 }).percent).toBe('-24.3%')
    expect(formatChange({ ...figure('Burglary', 37, 49), percentChange: 12 }).percent).toBe('+12.0%')
  })

  it('works the percentage out from the counts when the row has none', () => {
    expect(formatChange({ ...figure('Shoplifting', 77, 57), percentChange: null }).percent).toBe('+35.1%')
  })

  it('writes thousands with a comma', () => {
    expect(formatChange(figure('All crime', 3500, 1200))).toMatchObject({ change: '+2,300', percent: '+191.7%' })
    expect(formatChange(figure('All crime', 100, 1300)).change).toBe('-1,200')
  })

  it('says "No data" when the comparison period has none loaded', () => {
    expect(formatChange(figure('Bicycle theft', 25, null))).toEqual({ change: 'No data', percent: 'No data', direction: '', note: '' })
  })

  it('notes that a percentage on a base under 10 is not meaningful, but still gives it', () => {
    expect(formatChange(figure('Robbery', 6, 4))).toEqual({ change: '+2', percent: '+50.0%', direction: 'Up', note: 'Base under 10: % change not meaningful' })
    expect(formatChange(figure('Robbery', 10, 10)).note).toBe('')
  })

  it('gives no percentage for something new since the comparison period, and says so', () => {
    expect(formatChange(figure('Drugs', 3, 0))).toEqual({ change: '+3', percent: 'n/a', direction: 'Up', note: 'New: none in comparison period' })
    expect(formatChange(figure('Drugs', 0, 0))).toEqual({ change: '0', percent: 'n/a', direction: 'No change', note: 'None in either period' })
  })
})

describe('summaryLine and dashboardSummary', () => {
  it('gives the percentage with the numbers behind it', () => {
    expect(summaryLine('Shoplifting', figure('Shoplifting', 77, 57))).toBe('Shoplifting +35.1% (57 to 77)')
    expect(summaryLine('Burglary', figure('Burglary', 37, 49))).toBe('Burglary -24.5% (49 to 37)')
    expect(summaryLine('Vehicle crime', figure('Vehicle crime', 40, 40))).toBe('Vehicle crime: no change (40 to 40)')
  })

  it('gives the count change instead of a percentage on a small base, and says when there is nothing to compare', () => {
    expect(summaryLine('Robbery', figure('Robbery', 6, 4))).toBe('Robbery +2 (4 to 6)')
    expect(summaryLine('Drugs', figure('Drugs', 3, 0))).toBe('Drugs: 3 (none in the comparison period)')
    expect(summaryLine('Bicycle theft', figure('Bicycle theft', 25, null))).toBe('Bicycle theft: 25 (no data for the comparison period)')
  })

  it('leads with all crime and both ASB sources, then the largest rises and falls on a base of 10 or more', () => {
    expect(dashboardSummary(dashboardFixture())).toEqual([
      'All crime (excluding ASB) +2.8% (1,200 to 1,234)',
      'Anti-social behaviour (police.uk) -14.3% (350 to 300)',
      'ASB incidents (council and partner case records) +7.9% (38 to 41)',
      'Shoplifting +35.1% (57 to 77)',
      'Burglary -24.5% (49 to 37)',
    ])
  })
})

describe('dashboardReport', () => {
  it('makes a board paper of the dashboard: its summary, the table and what the reader needs to know about the figures', () => {
    const report = dashboardReport(
      dashboardFixture({ warnings: ['No police.uk data is loaded for December 2018: the figures cover only the months loaded.'], force: 'Leicestershire Police', noLocation: 1234 }),
      { generatedAt: new Date('2026-06-30T23:30:00Z') },
    )
    expect(report).toMatchObject({
      agendaItem: null,
      meetingName: null,
      reportOf: null,
      areaName: 'Charnwood',
      periodLabel: 'Quarter 3 2018/19 (October to December 2018)',
      comparisonLabel: 'Quarter 3 2017/18 (October to December 2017)',
      // Late evening in summer is the next day in London.
      generatedOn: '1 July 2026',
      sources: dashboardFixture().sources,
    })
    expect(report.summary[0]).toBe('All crime (excluding ASB) +2.8% (1,200 to 1,234)')
    expect(report.sections).toHaveLength(1)
    expect(report.sections[0]!.table!.title).toMatch(/^Crime and ASB in Charnwood reported by Leicestershire Police/)
    expect(report.sections[0]!.paragraphs).toEqual([
      'No police.uk data is loaded for December 2018: the figures cover only the months loaded.',
      'Only crimes reported by Leicestershire Police are counted.',
      '1,234 crimes and ASB incidents in the period were recorded with no location and are not placed in any area.',
      'Anti-social behaviour recorded by the police and ASB incidents in council and partner case records are shown separately and never added together.',
    ])
  })
})

describe('dashboardTable', () => {
  const table = dashboardTable(dashboardFixture())

  it('titles the table with the area, the period and the comparison, and heads the counts with the periods', () => {
    expect(table.title).toBe('Crime and ASB in Charnwood, Quarter 3 2018/19 (October to December 2018), against the same period last year')
    expect(table.columns).toEqual(['Crime type', 'Quarter 3 2018/19', 'Quarter 3 2017/18', 'Change', 'Change (%)', 'Direction', 'Note'])
  })

  it('gives each crime type in the order given, then all crime and the two ASB sources apart', () => {
    expect(table.rows.map((row) => row[0])).toEqual([
      'Shoplifting',
      'Burglary',
      'Robbery',
      'Drugs',
      'Bicycle theft',
      'Vehicle crime',
      'All crime (excluding ASB)',
      'Anti-social behaviour (police.uk)',
      'ASB incidents (council and partner case records)',
    ])
  })

  it('keeps counts and changes as numbers and the percentage as the text the page shows', () => {
    expect(table.rows[0]).toEqual(['Shoplifting', 77, 57, 20, '+35.1%', 'Up', ''])
    expect(table.rows[1]).toEqual(['Burglary', 37, 49, -12, '-24.5%', 'Down', ''])
    expect(table.rows[5]).toEqual(['Vehicle crime', 40, 40, 0, '0.0%', 'No change', ''])
    expect(table.rows[8]).toEqual(['ASB incidents (council and partner case records)', 41, 38, 3, '+7.9%', 'Up', ''])
  })

  it('writes "No data", small bases and new crime types as the page does', () => {
    expect(table.rows[4]).toEqual(['Bicycle theft', 25, 'No data', 'No data', 'No data', '', ''])
    expect(table.rows[2]).toEqual(['Robbery', 6, 4, 2, '+50.0%', 'Up', 'Base under 10: % change not meaningful'])
    expect(table.rows[3]).toEqual(['Drugs', 3, 0, 3, 'n/a', 'Up', 'New: none in comparison period'])
  })

  it('names the force when the figures are filtered to one, and the previous period when compared with it', () => {
    const previous: Period = { kind: 'quarter', from: '2018-07', to: '2018-09', label: 'Quarter 2 2018/19 (July to September 2018)', months: 3 }
    const filtered = dashboardTable(dashboardFixture({ force: 'Leicestershire Police', compare: 'previous', comparison: previous }))
    expect(filtered.title).toBe('Crime and ASB in Charnwood reported by Leicestershire Police, Quarter 3 2018/19 (October to December 2018), against the previous quarter')
    expect(filtered.columns[2]).toBe('Quarter 2 2018/19')
  })
})

describe('trendTable, topAreasTable and mapTable', () => {
  it('lists a trend month by month', () => {
    const trend: Trend = {
      area: CHARNWOOD,
      crimeType: 'Shoplifting',
      source: 'police',
      from: '2018-10',
      to: '2019-01',
      points: [
        { month: '2018-10', count: 22 },
        { month: '2018-11', count: 24 },
        { month: '2018-12', count: 31 },
        { month: '2019-01', count: 19 },
      ],
      highest: { month: '2018-12', count: 31 },
      highestText: '',
    }
    expect(trendTable(trend)).toEqual({
      title: 'Shoplifting in Charnwood, October 2018 to January 2019, by month',
      columns: ['Month', 'Crimes'],
      rows: [
        ['October 2018', 22],
        ['November 2018', 24],
        ['December 2018', 31],
        ['January 2019', 19],
      ],
    })
    const cases = trendTable({ ...trend, source: 'cases', crimeType: 'Anti-social behaviour' })
    expect(cases.title).toBe('ASB incidents (council and partner case records) in Charnwood, October 2018 to January 2019, by month')
    expect(cases.columns).toEqual(['Month', 'Incidents'])
  })

  it('ranks the top areas in the order given, as the page does (by count or by rise)', () => {
    const area = (code: string, name: string, current: number, previous: number | null): TopAreaRow => ({
      ...figure(name, current, previous),
      code,
      name,
      kind: 'lsoa',
      districtName: 'Charnwood',
    })
    const table = topAreasTable(
      [area('E01025633', 'Charnwood 012A', 40, 30), area('E01025634', 'Charnwood 012B', 25, 5), area('E01025635', 'Charnwood 013A', 25, null), area('E01025640', 'Charnwood 020C', 12, 12)],
      'Areas with the most crimes in Charnwood',
      { current: 'Quarter 3 2018/19', previous: 'Quarter 3 2017/18' },
    )
    expect(table.columns).toEqual(['Rank', 'Area', 'Code', 'District', 'Quarter 3 2018/19', 'Quarter 3 2017/18', 'Change', 'Change (%)', 'Note'])
    expect(table.rows).toEqual([
      [1, 'Charnwood 012A', 'E01025633', 'Charnwood', 40, 30, 10, '+33.3%', ''],
      [2, 'Charnwood 012B', 'E01025634', 'Charnwood', 25, 5, 20, '+400.0%', 'Base under 10: % change not meaningful'],
      [3, 'Charnwood 013A', 'E01025635', 'Charnwood', 25, 'No data', 'No data', 'No data', ''],
      [4, 'Charnwood 020C', 'E01025640', 'Charnwood', 12, 12, 0, '0.0%', ''],
    ])
  })

  it('lists the map LSOAs by crimes, most first, then by code', () => {
    const square = { type: 'Polygon' as const, coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] }
    const map: HotspotMap = {
      area: CHARNWOOD,
      crimeType: 'Burglary',
      period: Q3,
      lsoas: [
        { code: 'E01025636', name: 'Charnwood 014A', count: 3, geometry: square },
        { code: 'E01025634', name: 'Charnwood 012B', count: 9, geometry: square },
        { code: 'E01025633', name: 'Charnwood 012A', count: 3, geometry: square },
      ],
      points: [],
      notDrawn: 0,
    }
    expect(mapTable(map)).toEqual({
      title: 'Burglary in Charnwood, Quarter 3 2018/19 (October to December 2018), by LSOA',
      columns: ['LSOA code', 'LSOA name', 'Crimes'],
      rows: [
        ['E01025634', 'Charnwood 012B', 9],
        ['E01025633', 'Charnwood 012A', 3],
        ['E01025636', 'Charnwood 014A', 3],
      ],
    })
    expect(mapTable({ ...map, crimeType: null }).title).toMatch(/^All crime in Charnwood/)
  })
})

describe('tableToCsv', () => {
  it('writes the headings then the data, with no title row, counts as plain numbers', () => {
    const lines = tableToCsv(dashboardTable(dashboardFixture())).trim().split('\n')
    expect(lines[0]).toBe('Crime type,Quarter 3 2018/19,Quarter 3 2017/18,Change,Change (%),Direction,Note')
    expect(lines[1]).toBe('Shoplifting,77,57,20,+35.1%,Up,')
    expect(lines[2]).toBe('Burglary,37,49,-12,-24.5%,Down,')
    expect(lines[5]).toBe('Bicycle theft,25,No data,No data,No data,,')
    expect(lines[7]).toBe('All crime (excluding ASB),1234,1200,34,+2.8%,Up,')
  })

  it('escapes text that a spreadsheet would run as a formula, but not a signed number or percentage', () => {
    const csv = tableToCsv({
      title: 'Areas',
      columns: ['Area', 'Note', 'Change (%)', 'Change'],
      rows: [
        ['=HYPERLINK("http://example.com","Click")', '+cmd|calc', '+35.7%', -3],
        ['@SUM(A1)', '-2+3', '-24.5%', 12],
      ],
    })
    expect(csv.split('\n')).toEqual(['Area,Note,Change (%),Change', `"'=HYPERLINK(""http://example.com"",""Click"")",'+cmd|calc,+35.7%,-3`, `'@SUM(A1),'-2+3,-24.5%,12`, ''])
  })
})

async function sheetXml(content: Buffer) {
  const zip = await JSZip.loadAsync(content)
  const read = (path: string) => zip.file(path)!.async('string')
  return { sheet: await read('xl/worksheets/sheet1.xml'), workbook: await read('xl/workbook.xml'), strings: (await zip.file('xl/sharedStrings.xml')?.async('string')) ?? '' }
}

describe('tableToXlsx', () => {
  it('is a workbook with bold headings kept in view, counts as number cells and the percentage as text', async () => {
    const { sheet, workbook, strings } = await sheetXml(await tableToXlsx(dashboardTable(dashboardFixture())))
    expect(workbook).toContain('name="Crime and ASB in Charnwood"')
    expect(sheet).toMatch(/<pane [^>]*state="frozen"/)
    // Shoplifting: 77 and 57 are numbers (no t="s" or t="inlineStr"), +35.1% is text.
    expect(sheet).toMatch(/<c r="B2"(?![^>]*t=)[^>]*><v>77<\/v><\/c>/)
    expect(sheet).toMatch(/<c r="C2"(?![^>]*t=)[^>]*><v>57<\/v><\/c>/)
    expect(sheet).toMatch(/<c r="D3"(?![^>]*t=)[^>]*><v>-12<\/v><\/c>/)
    expect(sheet).toMatch(/<c r="E2"[^>]*t="(s|inlineStr|str)"/)
    for (const text of ['Crime type', 'Quarter 3 2018/19', 'Change (%)', 'Direction', '+35.1%', 'No data']) expect(sheet + strings).toContain(text)
    expect(sheet).toMatch(/<cols>(<col [^>]*width="[\d.]+"[^>]*\/>){7}<\/cols>/)
    // The change keeps its sign on screen while staying a number.
    expect(await (await JSZip.loadAsync(await tableToXlsx(dashboardTable(dashboardFixture())))).file('xl/styles.xml')!.async('string')).toContain('formatCode="+#,##0;-#,##0;0"')
  })

  it('names the sheet from the title within Excel’s 31 characters and without the characters it forbids', () => {
    expect(sheetName('Crime and ASB in Charnwood, Quarter 3 2018/19')).toBe('Crime and ASB in Charnwood')
    expect(sheetName('Violence and sexual offences in Oadby and Wigston, 2018/19')).toBe('Violence and sexual offences in')
    expect(sheetName('Calls [A/B]: what? *now*\\')).toBe('Calls A B what now')
    expect(sheetName("'")).toBe('Figures')
    for (const title of ['x'.repeat(40), 'Theft/robbery: [top]*?', "'quoted'"]) {
      const name = sheetName(title)
      expect(name.length).toBeLessThanOrEqual(31)
      expect(name).not.toMatch(/[[\]:*?/\\]|^'|'$/)
    }
  })
})

describe('reportToPdf', () => {
  it('holds the agenda item, title, opening block, summary, the table, the chart and the data sources, in that order', async () => {
    const pages = await pdfPages(await reportToPdf(reportFixture()))
    const text = flat(pages)
    const inOrder = [
      'Agenda Item 7',
      'Crime and anti-social behaviour in Charnwood: Quarter 3 2018/19 (October to December 2018)',
      'Meeting: Charnwood Community Safety Partnership, 3 December 2026',
      'Report of: Community Safety Manager',
      'Area: Charnwood',
      'Period: Quarter 3 2018/19 (October to December 2018)',
      'Compared with: Quarter 3 2017/18 (October to December 2017)',
      'Figures produced: 23 November 2026',
      'Summary',
      'Shoplifting +35.1% (57 to 77)',
      'Crime and ASB by type',
      'Shoplifting 77 57 +20 +35.1% Up',
      'Bicycle theft 25 No data No data No data',
      'All crime (excluding ASB) 1,234 1,200 +34 +2.8% Up',
      'Shoplifting by month',
      // The chart's own text is drawn as text, so the chart made it into the PDF.
      'Shoplifting by month',
      'Data sources',
      'police.uk street-level crime data, Leicestershire Police, October to December 2018',
      'Percentages are shown only with the numbers behind them.',
    ]
    expectInOrder(text, inOrder)
    expect(text).toContain(CLOSING_NOTE)
    pages.forEach((page, index) => expect(page).toContain(`Page ${index + 1} of ${pages.length}`))
  })

  it('is an A4 PDF in English with its title, and the chart as a figure with its alt text', async () => {
    const content = await reportToPdf(reportFixture())
    const { PDFParse } = await import('pdf-parse')
    const parser = new PDFParse({ data: new Uint8Array(content) })
    const { info } = await parser.getInfo()
    await parser.destroy()
    expect(info.Title).toBe('Crime and anti-social behaviour in Charnwood: Quarter 3 2018/19 (October to December 2018)')
    expect(info.Language).toBe('en-GB')
    const raw = content.toString('latin1')
    expect(raw).toContain('/MediaBox [0 0 595.28 841.89]')
    expect(raw).toContain('/DisplayDocTitle true')
    expect(raw).toContain('/S /Figure')
    expect(raw).toContain(`/Alt (${CHART_ALT.replace(/[()]/g, '\\$&')})`)
    expect(raw).toContain('/S /Table')
  })

  it('repeats the table heading on each page a long table runs onto', async () => {
    const table = {
      title: 'Areas with the most crimes',
      columns: ['Rank', 'LSOA name', 'Crimes'],
      rows: Array.from({ length: 120 }, (_, index) => [index + 1, `Charnwood ${String(index).padStart(3, '0')}A`, 200 - index]),
    }
    const pages = await pdfPages(await reportToPdf(reportFixture({ summary: [], sections: [{ heading: 'Top areas', table }] })))
    expect(pages.length).toBeGreaterThan(2)
    const withRows = pages.filter((page) => /Charnwood \d{3}A/.test(page))
    expect(withRows.length).toBeGreaterThan(1)
    for (const page of withRows) expect(page).toMatch(/Rank\s+LSOA name\s+Crimes/)
    expect(flat(pages)).toContain('120 Charnwood 119A 81')
  })

  it('leaves out what the report does not have, and scales a tall chart to fit one page', async () => {
    const tall = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="2000"><rect width="200" height="2000" fill="#000"/><text x="5" y="1990">Bottom</text></svg>'
    const pages = await pdfPages(
      await reportToPdf(reportFixture({ agendaItem: null, meetingName: null, reportOf: null, sections: [{ heading: 'A tall chart', chartSvg: tall, chartAlt: 'Tall' }] })),
    )
    const text = flat(pages)
    expect(text).not.toContain('Agenda Item')
    expect(text).not.toContain('Report of')
    // The chart starts a page with its heading, and the whole of it (down to its last line) is on that page.
    expect(pages).toHaveLength(3)
    expect(pages[1]).toMatch(/^A tall chart\s+Bottom\s+Page 2 of 3$/)
  })

  it('refuses a chart with no size rather than drawing nothing', async () => {
    await expect(reportToPdf(reportFixture({ sections: [{ heading: 'Broken', chartSvg: '<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0"></svg>' }] }))).rejects.toThrow(
      /The chart could not be read/,
    )
  })
})

describe('reportToDocx', () => {
  it('holds the same content, with Word headings and a real table whose header row repeats', async () => {
    const content = await reportToDocx(reportFixture())
    const html = await docxHtml(content)
    expect(html).toContain('<p><strong>Agenda Item 7</strong></p>')
    expect(html).toContain('<h1>Crime and anti-social behaviour in Charnwood: Quarter 3 2018/19 (October to December 2018)</h1>')
    expect(html).toContain('<strong>Period: </strong>Quarter 3 2018/19 (October to December 2018)')
    expect(html).toContain('<strong>Compared with: </strong>Quarter 3 2017/18 (October to December 2017)')
    expect([...html.matchAll(/<h2>(.*?)<\/h2>/g)].map((match) => match[1])).toEqual(['Summary', 'Crime and ASB by type', 'Shoplifting by month', 'Data sources'])
    expect(html).toContain('<li>Shoplifting +35.1% (57 to 77)</li>')
    expect(html).toMatch(/<td><p>Shoplifting<\/p><\/td><td><p>77<\/p><\/td><td><p>57<\/p><\/td><td><p>\+20<\/p><\/td><td><p>\+35\.1%<\/p><\/td>/)
    expect(html).toContain('<li>police.uk street-level crime data, Leicestershire Police, October to December 2018</li>')
    expect(html).toContain(CLOSING_NOTE)

    const document = await (await JSZip.loadAsync(content)).file('word/document.xml')!.async('string')
    expect(document).toContain('<w:tblHeader/>')
    expect(document).toContain('w:jc w:val="right"')
    expect(await (await JSZip.loadAsync(content)).file('word/styles.xml')!.async('string')).toMatch(/<w:lang w:val="en-GB"\/>[\s\S]*<w:rFonts w:ascii="Arial"|<w:rFonts w:ascii="Arial"[\s\S]*<w:lang w:val="en-GB"\/>/)
  })

  it('draws the chart as a PNG with its alt text', async () => {
    const zip = await JSZip.loadAsync(await reportToDocx(reportFixture()))
    const images = zip.file(/^word\/media\/.*\.png$/)
    expect(images).toHaveLength(1)
    const png = await images[0]!.async('nodebuffer')
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG')
    expect(png.readUInt32BE(16)).toBe(1200)
    const document = await zip.file('word/document.xml')!.async('string')
    expect(document).toContain(`descr="${CHART_ALT}"`)
  })
})

describe('exportFileName', () => {
  it('names the file from the title without the months in brackets or the comparison', () => {
    expect(exportFileName(dashboardTable(dashboardFixture()).title, 'csv')).toBe('crime-and-asb-in-charnwood-quarter-3-2018-19.csv')
    expect(exportFileName('???', 'pdf')).toBe('figures.pdf')
  })
})
