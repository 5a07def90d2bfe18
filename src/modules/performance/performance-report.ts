import { listJoin } from '../../platform/words.js'
import { barChart, lineChart } from './charts.js'
import { choroplethMap, pointDensityMap } from './maps.js'
import { type DashboardReport, dashboardReport, exportFileName, mapTable, reportToDocx, reportToPdf, shortPeriodLabel, topAreasTable } from './performance-exports.js'
import { monthLabel } from './periods.js'
import { ALL_CRIME, choiceName, type PerformanceService, type PeriodQuery } from './performance.service.js'
import type { Dashboard, HotspotMap, Trend } from './performance.types.js'

/** The figures drawn as charts for the pages and the board report, and the report itself. */

export function dashboardChart(dashboard: Dashboard) {
  return barChart({
    id: 'crime-by-type',
    title: `Crimes by type in ${dashboard.area.name}: ${dashboard.period.label} and ${dashboard.comparison.label}`,
    description: `Bar chart of the count of each police.uk crime type in ${dashboard.period.label}${dashboard.allCrime.previous === null ? '' : `, beside ${dashboard.comparison.label}`}. The same figures are in the table.`,
    bars: dashboard.crimeTypes.map((figure) => ({ label: figure.label, current: figure.current, previous: figure.previous })),
    currentLabel: dashboard.period.label,
    previousLabel: dashboard.comparison.label,
  })
}

export function trendChart(trend: Trend) {
  const name = choiceName(trend.crimeType)
  return lineChart({
    id: 'trend',
    title: `${name} in ${trend.area.name} by month, ${monthLabel(trend.from)} to ${monthLabel(trend.to)}`,
    description: `${trend.highestText} The monthly figures are in the table.`,
    series: [{ name, points: trend.points }],
    highlight: trend.highest ? { ...trend.highest, label: `Highest: ${monthLabel(trend.highest.month)}` } : null,
  })
}

export function mapSvg(map: HotspotMap, view: 'areas' | 'points') {
  const name = choiceName(map.crimeType ?? ALL_CRIME)
  const title = `${name} in ${map.area.name}, ${map.period.label}`
  return view === 'points'
    ? pointDensityMap({ id: 'hotspots', title: `${title}: where crimes were recorded`, description: 'Circles at the police.uk map points, sized by the number of crimes at each. police.uk moves each crime to the nearest of a set of anonymous points.', areas: map.lsoas, points: map.points })
    : choroplethMap({ id: 'hotspots', title: `${title}: crimes by LSOA`, description: 'Each LSOA shaded by its number of crimes; the legend gives the ranges. The counts are in the table.', areas: map.lsoas })
}

/** The dashboard with its chart, then the trend, the top wards and the map: the board paper a CSP report carries. */
export async function buildReport(performance: PerformanceService, query: PeriodQuery, options: { agendaItem: string | null; meetingName: string | null }) {
  const dashboard = await performance.dashboard(query)
  const month = dashboard.period.to
  const [trend, top, map] = await Promise.all([
    performance.trend({ area: query.area, crimeType: ALL_CRIME, to: month, force: query.force }),
    performance.topAreas({ ...query, month, crimeType: ALL_CRIME, level: 'ward', sort: 'count' }),
    performance.map({ ...query, month, crimeType: ALL_CRIME }, { points: false }),
  ])
  const content = dashboardReport(dashboard, {
    agendaItem: options.agendaItem ? (/^\d/.test(options.agendaItem) ? `Agenda Item ${options.agendaItem}` : options.agendaItem) : null,
    meetingName: options.meetingName,
    reportOf: 'Community Safety Partnership performance analyst',
    charts: [{ heading: 'Crimes by type', svg: dashboardChart(dashboard), alt: `Bar chart of crimes by type in ${dashboard.area.name}, ${dashboard.period.label} against ${dashboard.comparison.label}; the figures are in the table.` }],
  })
  const wards = top.rows.slice(0, 3).map((row) => row.name)
  if (wards.length) content.summary.push(`The wards with the highest levels of crime were ${listJoin(wards)}.`)
  content.summary.push(trend.highestText)
  content.sections.push(
    { heading: 'Five-year trend: all crime', paragraphs: [trend.highestText], chartSvg: trendChart(trend), chartAlt: `Line chart of all crime (excluding ASB) in ${dashboard.area.name} by month. ${trend.highestText}` },
    {
      heading: 'Areas with the highest levels of crime',
      paragraphs: [`The ten wards of ${dashboard.area.name} with the most crime (excluding ASB) in the period.`],
      table: topAreasTable(top.rows.slice(0, 10), `Wards with the most crime, ${dashboard.period.label}`, { current: shortPeriodLabel(dashboard.period.label), previous: shortPeriodLabel(dashboard.comparison.label) }),
    },
    {
      heading: 'Hotspot map',
      paragraphs: ['Crime (excluding ASB) by LSOA. The ten LSOAs with the most crime are listed below the map.'],
      chartSvg: mapSvg(map, 'areas'),
      chartAlt: `Map of ${dashboard.area.name} shading each LSOA by its number of crimes in ${dashboard.period.label}.`,
      table: (({ rows, ...table }) => ({ ...table, rows: rows.slice(0, 10) }))(mapTable(map)),
    },
  )
  return { content, pdf: () => reportToPdf(content), docx: () => reportToDocx(content) }
}

export function reportFileName(report: { content: DashboardReport }, format: 'pdf' | 'docx') {
  return exportFileName(`Crime report ${report.content.areaName} ${report.content.periodLabel}`, format)
}
