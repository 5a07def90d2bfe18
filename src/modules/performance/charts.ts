import { max } from 'd3-array'
import { scaleLinear } from 'd3-scale'
import { line } from 'd3-shape'
import { monthIndex, monthOfIndex, shortMonthLabel } from '../../platform/dates.js'

/**
 * Charts for the performance pages and exports, drawn on the server as standalone SVG strings: the pages work without
 * JavaScript, and the same markup goes into PDFs (svg-to-pdfkit) and DOCX (rasterised by resvg). So only plain
 * elements and presentation attributes: the Content Security Policy blocks style attributes and <style>, and neither
 * converter understands CSS, markers or clip paths. Output is deterministic: exports and tests compare it.
 */

export const COLOURS = {
  text: '#0b0c0c',
  blue: '#1d70b8',
  darkBlue: '#003078',
  red: '#d4351c',
  green: '#00703c',
  darkGrey: '#505a5f',
  midGrey: '#b1b4b6',
  lightGrey: '#f3f2f1',
  white: '#ffffff',
} as const

export const FONT_FAMILY = '"GDS Transport", arial, sans-serif'
export const FONT_SIZE = 16
/** A generous average glyph width for GDS Transport and Arial, to lay labels out without measuring fonts. */
const CHAR_WIDTH = 0.6

/** Text and attribute values for XML; drops the control characters XML 1.0 does not allow at all. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '') // eslint-disable-line no-control-regex
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/** One decimal place keeps the markup small; never "-0". */
export function round(value: number): string {
  const rounded = Math.round(value * 10) / 10
  return String(rounded === 0 ? 0 : rounded)
}

const numberFormat = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 })
export const formatCount = (count: number) => numberFormat.format(count)

export const textWidth = (text: string, size = FONT_SIZE) => text.length * size * CHAR_WIDTH

/** An id that is a valid XML name, so that aria-labelledby always finds the title. */
export function safeId(id: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9_-]/g, '-')
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `chart-${cleaned}`
}

type Attributes = Record<string, string | number | null | undefined>

/** An element's attributes, escaped; null and undefined ones are left out. */
export function attributes(values: Attributes): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== null && entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(typeof value === 'number' ? round(value) : value)}"`)
    .join('')
}

export interface TextOptions {
  anchor?: 'start' | 'middle' | 'end'
  size?: number
  weight?: 'bold'
  fill?: string
  transform?: string
}

export function text(x: number, y: number, content: string, options: TextOptions = {}): string {
  return `<text${attributes({
    x,
    y,
    'text-anchor': options.anchor && options.anchor !== 'start' ? options.anchor : null,
    'font-size': options.size && options.size !== FONT_SIZE ? options.size : null,
    'font-weight': options.weight ?? null,
    fill: options.fill ?? COLOURS.text,
    transform: options.transform ?? null,
  })}>${escapeXml(content)}</text>`
}

/** The complete document: role="img", labelled by its title and description, on a white background. */
export function svgDocument(options: { id: string; title: string; description: string; width: number; height: number; body: string[] }): string {
  const id = safeId(options.id)
  const width = Math.round(options.width)
  const height = Math.round(options.height)
  return [
    `<svg${attributes({
      xmlns: 'http://www.w3.org/2000/svg',
      id,
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-labelledby': `${id}-title ${id}-desc`,
      'font-family': FONT_FAMILY,
      'font-size': FONT_SIZE,
    })}>`,
    `<title id="${id}-title">${escapeXml(options.title)}</title>`,
    `<desc id="${id}-desc">${escapeXml(options.description)}</desc>`,
    `<rect${attributes({ width, height, fill: COLOURS.white })}/>`,
    ...options.body,
    '</svg>',
  ].join('\n')
}

// Months ----------------------------------------------------------------------------------------------------------

/** 'YYYY-MM' as a count of months, so that months are evenly spaced numbers; null when it is not a month. */
const monthNumber = (month: string): number | null => (/^\d{4}-(0[1-9]|1[0-2])$/.test(month) ? monthIndex(month) : null)

const monthLabel = (value: number) => shortMonthLabel(monthOfIndex(value))

/** Tick months: the smallest step of 1, 2, 3, 6 or 12 months (then whole years) whose labels fit without touching. */
function monthTicks(first: number, last: number, plotWidth: number): number[] {
  const labelSpace = textWidth('Sep 2019') + 16
  const span = last - first + 1
  const steps = [1, 2, 3, 6, 12, 24, 36, 60, 120]
  const step = steps.find((candidate) => Math.ceil(span / candidate) * labelSpace <= plotWidth) ?? steps[steps.length - 1]!
  const ticks: number[] = []
  // Aligned to the calendar: every January for yearly ticks, January and July for half-yearly and so on.
  for (let value = first; value <= last; value++) if (value % step === 0) ticks.push(value)
  return ticks.length > 0 ? ticks : [first]
}

// Line chart ------------------------------------------------------------------------------------------------------

export interface LineSeries {
  name: string
  points: { month: string; count: number }[]
}

export interface LineChartOptions {
  id: string
  title: string
  description: string
  series: LineSeries[]
  /** The month to point out, usually the highest, with a short label such as "Highest: October 2021 (123)". */
  highlight?: { month: string; count: number; label: string } | null
  /** The vertical axis title; 'Crimes' unless the figures are something else, such as ASB incidents. */
  yLabel?: string
  width?: number
  height?: number
}

const SERIES_STYLES = [
  { stroke: COLOURS.blue, width: 3, dash: null },
  { stroke: COLOURS.darkGrey, width: 2.5, dash: '8 5' },
  { stroke: COLOURS.green, width: 2.5, dash: '2 4' },
  { stroke: COLOURS.red, width: 2.5, dash: '12 4 2 4' },
] as const
const seriesStyle = (index: number) => SERIES_STYLES[index % SERIES_STYLES.length]!

/** Whole-number ticks from 0: counts of crimes have no fractions. */
function countScale(maximum: number, range: [number, number]) {
  const scale = scaleLinear().domain([0, Math.max(maximum, 1)]).range(range).nice(5)
  const ticks = scale.ticks(5).filter((tick) => Number.isInteger(tick))
  return { scale, ticks }
}

/** A monthly line chart, e.g. five years of one crime type, with its highest month marked. */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 800
  const height = options.height ?? 400
  const series = options.series.map((one) => ({
    name: one.name,
    points: one.points
      .map((point) => ({ value: monthNumber(point.month), count: point.count }))
      .filter((point): point is { value: number; count: number } => point.value !== null && Number.isFinite(point.count))
      .sort((a, b) => a.value - b.value),
  }))
  const all = series.flatMap((one) => one.points)
  const showLegend = series.length > 1
  const legendRows = showLegend ? series.length : 0

  const { scale: y, ticks: yTicks } = countScale(max(all, (point) => point.count) ?? 0, [0, 0])
  const yLabelWidth = Math.max(...yTicks.map((tick) => textWidth(formatCount(tick))))
  const margin = { top: 40, right: 32, bottom: 48 + legendRows * 28, left: 40 + yLabelWidth + 12 }
  const plotWidth = Math.max(width - margin.left - margin.right, 40)
  const plotHeight = Math.max(height - margin.top - margin.bottom, 40)
  y.range([margin.top + plotHeight, margin.top])

  const first = all.length > 0 ? Math.min(...all.map((point) => point.value)) : 0
  const last = all.length > 0 ? Math.max(...all.map((point) => point.value)) : 0
  // A single month sits in the middle rather than on the axis.
  const x = scaleLinear()
    .domain(first === last ? [first - 1, last + 1] : [first, last])
    .range([margin.left, margin.left + plotWidth])

  const body: string[] = []
  const bottom = margin.top + plotHeight
  const grid = yTicks.map((tick) => `<line${attributes({ x1: margin.left, x2: margin.left + plotWidth, y1: y(tick), y2: y(tick), stroke: tick === 0 ? COLOURS.text : COLOURS.midGrey, 'stroke-width': 1 })}/>`)
  const yLabels = yTicks.map((tick) => text(margin.left - 8, y(tick) + 5, formatCount(tick), { anchor: 'end' }))
  body.push(`<g>${grid.join('')}</g>`, `<g>${yLabels.join('')}</g>`)
  body.push(text(16, margin.top + plotHeight / 2, options.yLabel ?? 'Crimes', { anchor: 'middle', transform: `rotate(-90 16 ${round(margin.top + plotHeight / 2)})`, weight: 'bold' }))

  if (all.length === 0) {
    body.push(text(margin.left + plotWidth / 2, margin.top + plotHeight / 2, 'No data', { anchor: 'middle', size: 19, weight: 'bold' }))
  } else {
    const xTicks = monthTicks(first, last, plotWidth).map((tick) => {
      const label = monthLabel(tick)
      // A label at the right-hand end ends at its tick rather than running off the chart.
      const anchor = x(tick) + textWidth(label) / 2 > width ? 'end' : 'middle'
      return `<line${attributes({ x1: x(tick), x2: x(tick), y1: bottom, y2: bottom + 6, stroke: COLOURS.text, 'stroke-width': 1 })}/>` + text(x(tick), bottom + 26, label, { anchor })
    })
    body.push(`<g>${xTicks.join('')}</g>`)

    const path = line<{ value: number; count: number } | null>()
      .defined((point) => point !== null)
      .x((point) => x(point!.value))
      .y((point) => y(point!.count))
      .digits(1)
    series.forEach((one, index) => {
      if (one.points.length === 0) return
      const style = seriesStyle(index)
      // Months missing from a series break its line rather than joining across the gap.
      const byMonth = new Map(one.points.map((point) => [point.value, point]))
      const from = one.points[0]!.value
      const to = one.points[one.points.length - 1]!.value
      const months = Array.from({ length: to - from + 1 }, (_, offset) => byMonth.get(from + offset) ?? null)
      const lone = months.filter((point, at) => point !== null && !months[at - 1] && !months[at + 1])
      const stroke = { stroke: style.stroke, 'stroke-width': style.width, 'stroke-dasharray': style.dash, 'stroke-linejoin': 'round', 'stroke-linecap': 'round' }
      body.push(
        `<g>` +
          `<path${attributes({ d: path(months) ?? '', fill: 'none', ...stroke })}/>` +
          lone.map((point) => `<circle${attributes({ cx: x(point!.value), cy: y(point!.count), r: 4, fill: style.stroke })}/>`).join('') +
          `</g>`,
      )
    })

    const highlighted = options.highlight ? monthNumber(options.highlight.month) : null
    if (options.highlight && highlighted !== null && highlighted >= first && highlighted <= last) {
      const cx = x(highlighted)
      const cy = y(options.highlight.count)
      const label = options.highlight.label
      const half = textWidth(label) / 2
      // Keep the label inside the chart when the month is near either end.
      const anchor = cx - half < 4 ? 'start' : cx + half > width - 4 ? 'end' : 'middle'
      const labelX = anchor === 'start' ? Math.max(cx - 8, 4) : anchor === 'end' ? Math.min(cx + 8, width - 4) : cx
      body.push(
        `<g>` +
          `<circle${attributes({ cx, cy, r: 7, fill: COLOURS.white, stroke: COLOURS.red, 'stroke-width': 3 })}/>` +
          text(labelX, Math.max(cy - 16, 18), label, { anchor, weight: 'bold' }) +
          `</g>`,
      )
    }
  }

  if (showLegend) {
    const legendTop = bottom + 48
    const entries = series.map((one, index) => {
      const style = seriesStyle(index)
      const rowY = legendTop + index * 28
      return (
        `<line${attributes({ x1: margin.left, x2: margin.left + 36, y1: rowY, y2: rowY, stroke: style.stroke, 'stroke-width': style.width, 'stroke-dasharray': style.dash })}/>` +
        text(margin.left + 46, rowY + 5, one.name)
      )
    })
    body.push(`<g>${entries.join('')}</g>`)
  }

  return svgDocument({ id: options.id, title: options.title, description: options.description, width, height, body })
}

// Bar chart -------------------------------------------------------------------------------------------------------

export interface BarChartOptions {
  id: string
  title: string
  description: string
  /** One group per crime type: the current period and the comparison (null when the comparison has no data). */
  bars: { label: string; current: number; previous: number | null }[]
  currentLabel: string
  previousLabel: string
  width?: number
}

const BAR = 20
const BAR_GAP = 4
const LABEL_ROW = 26
const GROUP_GAP = 18

/** Horizontal bars, current period against its comparison, with each count written at the end of its bar. */
export function barChart(options: BarChartOptions): string {
  const width = options.width ?? 800
  const bars = options.bars
  const hasPrevious = bars.some((bar) => bar.previous !== null)
  const margin = { top: 16, right: 16, left: 16 }
  const legendHeight = (hasPrevious ? 2 : 1) * 28 + 8
  const largest = Math.max(0, ...bars.flatMap((bar) => [bar.current, bar.previous ?? 0]))
  const countSpace = textWidth(formatCount(largest)) + 12
  const x = scaleLinear()
    .domain([0, Math.max(largest, 1)])
    .range([margin.left, Math.max(width - margin.right - countSpace, margin.left + 40)])

  const body: string[] = []
  const legend: { label: string; fill: string; stroke: string | null }[] = [{ label: options.currentLabel, fill: COLOURS.blue, stroke: null }]
  if (hasPrevious) legend.push({ label: options.previousLabel, fill: COLOURS.midGrey, stroke: COLOURS.darkGrey })
  body.push(
    `<g>${legend
      .map((entry, index) => {
        const rowY = margin.top + index * 28
        return `<rect${attributes({ x: margin.left, y: rowY, width: BAR, height: BAR, fill: entry.fill, stroke: entry.stroke, 'stroke-width': entry.stroke ? 1 : null })}/>` + text(margin.left + BAR + 10, rowY + 16, entry.label)
      })
      .join('')}</g>`,
  )

  let top = margin.top + legendHeight
  if (bars.length === 0) {
    body.push(text(width / 2, top + 30, 'No data', { anchor: 'middle', size: 19, weight: 'bold' }))
    top += 60
  }
  for (const bar of bars) {
    const parts = [text(margin.left, top + 18, bar.label, { weight: 'bold' })]
    const rows: { count: number; fill: string; stroke: string | null; period: string }[] = [{ count: bar.current, fill: COLOURS.blue, stroke: null, period: options.currentLabel }]
    if (bar.previous !== null) rows.push({ count: bar.previous, fill: COLOURS.midGrey, stroke: COLOURS.darkGrey, period: options.previousLabel })
    rows.forEach((row, index) => {
      const rowY = top + LABEL_ROW + index * (BAR + BAR_GAP)
      const barWidth = x(row.count) - x(0)
      parts.push(
        `<rect${attributes({ x: x(0), y: rowY, width: barWidth, height: BAR, fill: row.fill, stroke: row.stroke, 'stroke-width': row.stroke ? 1 : null })}><title>${escapeXml(`${row.period}: ${formatCount(row.count)}`)}</title></rect>`,
        text(x(0) + barWidth + 6, rowY + 15, formatCount(row.count)),
      )
    })
    body.push(`<g>${parts.join('')}</g>`)
    top += LABEL_ROW + (hasPrevious ? 2 * BAR + BAR_GAP : BAR) + GROUP_GAP
  }
  const height = top + 8
  return svgDocument({ id: options.id, title: options.title, description: options.description, width, height, body })
}
