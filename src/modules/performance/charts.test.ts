import { Resvg } from '@resvg/resvg-js'
import PDFDocument from 'pdfkit'
import SVGtoPDF from 'svg-to-pdfkit'
import { describe, expect, it } from 'vitest'
import { barChart, escapeXml, lineChart } from './charts.js'

const ALLOWED_ELEMENTS = new Set(['svg', 'g', 'path', 'line', 'rect', 'circle', 'text', 'title', 'desc'])

/** resvg refuses anything that is not well-formed SVG, and it is what rasterises the charts for DOCX. */
const render = (svg: string) => new Resvg(svg, { font: { loadSystemFonts: false } }).render()

const parseAttributes = (source: string): Record<string, string> => Object.fromEntries([...source.matchAll(/([\w:-]+)="([^"]*)"/g)].map((attribute) => [attribute[1]!, attribute[2]!]))
const elements = (svg: string, name: string) => [...svg.matchAll(new RegExp(`<${name}\\b([^>]*)>`, 'g'))].map((match) => parseAttributes(match[1]!))
const texts = (svg: string) => [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]!)
/** The coordinates of a d3 path: "M1,2L3,4Z" -> [[1, 2], [3, 4]]. */
const pathPoints = (d: string) => [...d.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((match) => [Number(match[1]), Number(match[2])] as const)

function expectStandaloneAccessibleSvg(svg: string, id: string, title: string, description: string) {
  const root = elements(svg, 'svg')[0]!
  expect(root.xmlns).toBe('http://www.w3.org/2000/svg')
  expect(root.role).toBe('img')
  expect(root.viewBox).toBe(`0 0 ${root.width} ${root.height}`)
  expect(root['aria-labelledby']).toBe(`${id}-title ${id}-desc`)
  expect(svg).toContain(`<title id="${id}-title">${escapeXml(title)}</title>`)
  expect(svg).toContain(`<desc id="${id}-desc">${escapeXml(description)}</desc>`)
  // The first child is the title, so that browsers and screen readers take it as the name.
  expect(svg.split('\n')[1]).toMatch(/^<title /)
  // The Content Security Policy blocks inline styles; PDF and DOCX converters understand none of these either.
  expect(svg).not.toMatch(/\sstyle=|<style|<script|\son\w+=|<foreignObject|<marker|<clipPath|href=/i)
  for (const [, name] of svg.matchAll(/<([a-zA-Z]+)/g)) expect(ALLOWED_ELEMENTS).toContain(name)
  expect(() => render(svg)).not.toThrow()
}

function expectInside(svg: string, points: (readonly [number, number])[]) {
  const root = elements(svg, 'svg')[0]!
  for (const [x, y] of points) {
    expect(x).toBeGreaterThanOrEqual(0)
    expect(x).toBeLessThanOrEqual(Number(root.width))
    expect(y).toBeGreaterThanOrEqual(0)
    expect(y).toBeLessThanOrEqual(Number(root.height))
  }
}

function months(from: string, count: number, countOf: (index: number) => number) {
  const [year, month] = from.split('-').map(Number) as [number, number]
  return Array.from({ length: count }, (_, index) => {
    const value = year * 12 + month - 1 + index
    return { month: `${Math.floor(value / 12)}-${String((value % 12) + 1).padStart(2, '0')}`, count: countOf(index) }
  })
}

const fiveYears = months('2015-01', 60, (index) => 40 + ((index * 17) % 45))
/** The highest month: February 2018, the 38th. */
const HIGHEST = { index: 37, month: '2018-02', count: 84 }

describe('escaping text for SVG', () => {
  it('escapes markup characters and drops characters XML cannot hold', () => {
    expect(escapeXml(`O'Brien & <Sons> "Ltd"`)).toBe('O&apos;Brien &amp; &lt;Sons&gt; &quot;Ltd&quot;')
    expect(escapeXml('Bell\u0007 Street')).toBe('Bell Street')
  })

  it('is checked by rendering: resvg refuses SVG that is not well-formed', () => {
    expect(() => render('<svg xmlns="http://www.w3.org/2000/svg"><text>O\'Brien & Sons</text></svg>')).toThrow()
  })
})

describe('the monthly line chart', () => {
  const trend = () =>
    lineChart({
      id: 'bicycle-trend',
      title: 'Bicycle theft in Charnwood, January 2015 to December 2019',
      description: 'Bicycle theft was at its highest in February 2018 (84 crimes).',
      series: [{ name: 'Bicycle theft', points: fiveYears }],
      highlight: { month: HIGHEST.month, count: HIGHEST.count, label: 'Highest: February 2018 (84)' },
    })

  it('is a standalone SVG named by its title and description, with nothing the CSP or the exports would refuse', () => {
    expectStandaloneAccessibleSvg(trend(), 'bicycle-trend', 'Bicycle theft in Charnwood, January 2015 to December 2019', 'Bicycle theft was at its highest in February 2018 (84 crimes).')
    const root = elements(trend(), 'svg')[0]!
    expect([root.width, root.height]).toEqual(['800', '400'])
    expect(root['font-family']).toBe('&quot;GDS Transport&quot;, arial, sans-serif')
  })

  it('draws one line through every month, inside the chart', () => {
    const svg = trend()
    const lines = elements(svg, 'path')
    expect(lines).toHaveLength(1)
    expect(lines[0]!.stroke).toBe('#1d70b8')
    expect(lines[0]!.fill).toBe('none')
    const points = pathPoints(lines[0]!.d!)
    expect(points).toHaveLength(60)
    expectInside(svg, points)
    // Later months further right; more crimes higher up (smaller y).
    for (let index = 1; index < points.length; index++) expect(points[index]![0]).toBeGreaterThan(points[index - 1]![0])
    expect(fiveYears[HIGHEST.index]).toEqual({ month: HIGHEST.month, count: Math.max(...fiveYears.map((one) => one.count)) })
    expect(Math.min(...points.map((point) => point[1]))).toBe(points[HIGHEST.index]![1])
  })

  it('labels every January of a five-year span and more months of a shorter one', () => {
    expect(texts(trend()).filter((label) => /^[A-Z][a-z]{2} \d{4}$/.test(label))).toEqual(['Jan 2015', 'Jan 2016', 'Jan 2017', 'Jan 2018', 'Jan 2019'])
    const year = lineChart({ id: 'year', title: 'A year', description: 'd', series: [{ name: 'All crime', points: months('2018-03', 13, () => 5) }] })
    expect(texts(year).filter((label) => /^[A-Z][a-z]{2} \d{4}$/.test(label))).toEqual(['Mar 2018', 'May 2018', 'Jul 2018', 'Sep 2018', 'Nov 2018', 'Jan 2019', 'Mar 2019'])
    // The last month's label ends at its tick rather than running off the chart.
    const last = elements(year, 'text').find((_, index) => texts(year)[index] === 'Mar 2019')!
    expect(last['text-anchor']).toBe('end')
    expect(elements(year, 'text').find((_, index) => texts(year)[index] === 'Jan 2019')!['text-anchor']).toBe('middle')
  })

  it('counts up from 0 in whole, evenly spaced numbers to at least the highest month, under the title "Crimes"', () => {
    const svg = trend()
    const labels = texts(svg)
    expect(labels).toContain('Crimes')
    const ticks = labels.filter((label) => /^[\d,]+$/.test(label)).map(Number)
    expect(ticks[0]).toBe(0)
    expect(ticks.at(-1)).toBeGreaterThanOrEqual(84)
    const step = ticks[1]! - ticks[0]!
    ticks.forEach((tick, index) => expect(tick).toBe(index * step))
    // A gridline for each.
    expect(elements(svg, 'line').filter((line) => line.y1 === line.y2)).toHaveLength(ticks.length)
  })

  it('marks the highlighted month on the line with a circle and its label', () => {
    const svg = trend()
    const marker = elements(svg, 'circle').find((circle) => circle.stroke === '#d4351c')!
    const highest = pathPoints(elements(svg, 'path')[0]!.d!)[HIGHEST.index]!
    expect([Number(marker.cx), Number(marker.cy)]).toEqual([highest[0], highest[1]])
    expect(texts(svg)).toContain('Highest: February 2018 (84)')
    expect(elements(lineChart({ id: 'x', title: 't', description: 'd', series: [{ name: 'a', points: fiveYears }], highlight: null }), 'circle')).toHaveLength(0)
  })

  it('keeps a highlight near the end of the chart inside it', () => {
    const svg = lineChart({ id: 'x', title: 't', description: 'd', series: [{ name: 'a', points: fiveYears }], highlight: { month: '2019-12', count: 50, label: 'Highest: December 2019 (50)' } })
    const label = elements(svg, 'text').find((text) => text['font-weight'] === 'bold' && text['text-anchor'] === 'end')
    expect(label).toBeDefined()
    expect(Number(label!.x)).toBeLessThanOrEqual(800)
  })

  it('draws a second series dashed in dark grey, with a legend naming both', () => {
    const svg = lineChart({
      id: 'compare',
      title: 'Shoplifting',
      description: 'd',
      series: [
        { name: 'Charnwood', points: fiveYears },
        { name: 'Leicestershire average', points: fiveYears.map((point) => ({ ...point, count: point.count / 2 })) },
      ],
    })
    expectStandaloneAccessibleSvg(svg, 'compare', 'Shoplifting', 'd')
    const [first, second] = elements(svg, 'path')
    expect(first!['stroke-dasharray']).toBeUndefined()
    expect(second!.stroke).toBe('#505a5f')
    expect(second!['stroke-dasharray']).toBeDefined()
    expect(texts(svg)).toEqual(expect.arrayContaining(['Charnwood', 'Leicestershire average']))
    expect(elements(svg, 'line').filter((line) => line.stroke === '#505a5f' && line['stroke-dasharray'])).toHaveLength(1)
    // One series needs no legend.
    expect(texts(trend())).not.toContain('Bicycle theft')
  })

  it('breaks the line at a month with no figures rather than joining across it', () => {
    const gappy = fiveYears.slice(0, 12).filter((point) => point.month !== '2015-06')
    const d = elements(lineChart({ id: 'x', title: 't', description: 'd', series: [{ name: 'a', points: gappy }] }), 'path')[0]!.d!
    expect(d.match(/M/g)).toHaveLength(2)
  })

  it('shows a single month as a dot in the middle', () => {
    const svg = lineChart({ id: 'one', title: 't', description: 'd', series: [{ name: 'a', points: [{ month: '2019-01', count: 7 }] }] })
    expectStandaloneAccessibleSvg(svg, 'one', 't', 'd')
    const dot = elements(svg, 'circle')
    expect(dot).toHaveLength(1)
    expect(Number(dot[0]!.cx)).toBeGreaterThan(300)
    expect(Number(dot[0]!.cx)).toBeLessThan(500)
    expect(texts(svg)).toContain('Jan 2019')
  })

  it('draws a month of all zeros along the bottom, with whole-number ticks', () => {
    const svg = lineChart({ id: 'zero', title: 't', description: 'd', series: [{ name: 'a', points: months('2018-10', 5, () => 0) }] })
    expectStandaloneAccessibleSvg(svg, 'zero', 't', 'd')
    const points = pathPoints(elements(svg, 'path')[0]!.d!)
    const baseline = elements(svg, 'line').find((line) => line.stroke === '#0b0c0c' && line.y1 === line.y2)!
    expect(new Set(points.map((point) => point[1]))).toEqual(new Set([Number(baseline.y1)]))
    expect(texts(svg).filter((label) => /^\d+$/.test(label))).toEqual(['0', '1'])
  })

  it('draws the axes and says "No data" when there are no figures', () => {
    for (const series of [[], [{ name: 'a', points: [] }]]) {
      const svg = lineChart({ id: 'empty', title: 't', description: 'd', series, highlight: { month: '2019-01', count: 3, label: 'Highest' } })
      expectStandaloneAccessibleSvg(svg, 'empty', 't', 'd')
      expect(texts(svg)).toEqual(expect.arrayContaining(['No data', 'Crimes', '0']))
      expect(elements(svg, 'path')).toHaveLength(0)
      expect(elements(svg, 'circle')).toHaveLength(0)
    }
  })

  it('escapes every text it writes', () => {
    const svg = lineChart({
      id: 'escape',
      title: `O'Brien & <Sons>`,
      description: '<script>alert(1)</script>',
      series: [{ name: `O'Brien & <Sons>`, points: fiveYears }, { name: 'b', points: fiveYears }],
      highlight: { month: '2015-03', count: 74, label: '<b>Top</b> & more' },
      yLabel: 'Incidents <ASB>',
    })
    expectStandaloneAccessibleSvg(svg, 'escape', `O'Brien & <Sons>`, '<script>alert(1)</script>')
    expect(svg).toContain('O&apos;Brien &amp; &lt;Sons&gt;</text>')
    expect(svg).toContain('&lt;b&gt;Top&lt;/b&gt; &amp; more')
    expect(svg).toContain('Incidents &lt;ASB&gt;')
    expect(svg).not.toContain('<b>')
  })

  it('turns an id into one that aria-labelledby can point at', () => {
    const svg = lineChart({ id: '2019 trend "x"', title: 't', description: 'd', series: [] })
    const root = elements(svg, 'svg')[0]!
    expect(root.id).toMatch(/^[A-Za-z_][\w-]*$/)
    expectStandaloneAccessibleSvg(svg, root.id!, 't', 'd')
  })

  it('leaves out anything that is not a month', () => {
    const withBad = [...fiveYears, { month: '2019-13', count: 500 }, { month: 'January', count: 500 }, { month: '2019-05', count: Number.NaN }]
    expect(lineChart({ id: 'x', title: 't', description: 'd', series: [{ name: 'a', points: withBad }] })).toBe(lineChart({ id: 'x', title: 't', description: 'd', series: [{ name: 'a', points: fiveYears }] }))
  })

  it('gives the same markup for the same figures, in any order, with numbers of one decimal place at most', () => {
    const shuffled = [...fiveYears].reverse()
    const a = lineChart({ id: 'x', title: 't', description: 'd', series: [{ name: 'a', points: fiveYears }] })
    expect(lineChart({ id: 'x', title: 't', description: 'd', series: [{ name: 'a', points: shuffled }] })).toBe(a)
    expect(a).not.toMatch(/\d\.\d{2}/)
  })
})

describe('the bar chart of crime types', () => {
  const bars = [
    { label: 'Violence and sexual offences', current: 1234, previous: 1100 },
    { label: 'Shoplifting', current: 300, previous: 600 },
    { label: 'Bicycle theft', current: 0, previous: 4 },
    { label: 'Drugs', current: 12, previous: null },
  ]
  const chart = (options: Partial<Parameters<typeof barChart>[0]> = {}) =>
    barChart({ id: 'types', title: 'Crimes by type', description: 'Shoplifting halved.', bars, currentLabel: 'January 2019', previousLabel: 'January 2018', ...options })
  // The bars carry a tooltip; the legend's swatches do not.
  const barRects = (svg: string) => [...svg.matchAll(/<rect\b([^>]*)><title>/g)].map((match) => parseAttributes(match[1]!))

  it('is a standalone SVG named by its title and description', () => {
    expectStandaloneAccessibleSvg(chart(), 'types', 'Crimes by type', 'Shoplifting halved.')
  })

  it('draws a current bar for every type and a comparison bar where there is one, with the counts at their ends', () => {
    const svg = chart()
    const current = barRects(svg).filter((rect) => rect.fill === '#1d70b8')
    const previous = barRects(svg).filter((rect) => rect.fill === '#b1b4b6')
    expect(current).toHaveLength(4)
    expect(previous).toHaveLength(3)
    expect(texts(svg)).toEqual(expect.arrayContaining(['Violence and sexual offences', 'Shoplifting', 'Bicycle theft', 'Drugs', '1,234', '1,100', '300', '600', '0', '4', '12']))
    // Lengths in proportion to the counts.
    const widths = current.map((rect) => Number(rect.width))
    expect(widths[1]! / widths[0]!).toBeCloseTo(300 / 1234, 2)
    expect(Number(previous[1]!.width) / widths[1]!).toBeCloseTo(2, 1)
    expect(widths[2]).toBe(0)
    // Each count just after the end of its bar.
    const count = elements(svg, 'text').find((_, index) => texts(svg)[index] === '1,234')!
    expect(Number(count.x)).toBeCloseTo(Number(current[0]!.x) + widths[0]! + 6, 0)
    expectInside(svg, barRects(svg).map((rect) => [Number(rect.x) + Number(rect.width), Number(rect.y) + 20] as const))
  })

  it('has a legend for both periods, or only the current one when nothing has a comparison', () => {
    const both = chart()
    expect(texts(both).slice(0, 2)).toEqual(['January 2019', 'January 2018'])
    const currentOnly = chart({ bars: bars.map((bar) => ({ ...bar, previous: null })) })
    expect(texts(currentOnly)).not.toContain('January 2018')
    expect(elements(currentOnly, 'rect').filter((rect) => rect.fill === '#b1b4b6')).toHaveLength(0)
  })

  it('grows taller with each type', () => {
    const heights = [1, 2, 4].map((count) => Number(elements(chart({ bars: bars.slice(0, count) }), 'svg')[0]!.height))
    expect(heights[1]).toBeGreaterThan(heights[0]!)
    expect(heights[2]! - heights[1]!).toBeCloseTo(2 * (heights[1]! - heights[0]!), 0)
  })

  it('says "No data" with no types, and escapes labels', () => {
    const empty = chart({ bars: [] })
    expectStandaloneAccessibleSvg(empty, 'types', 'Crimes by type', 'Shoplifting halved.')
    expect(texts(empty)).toContain('No data')
    const escaped = chart({ bars: [{ label: `O'Brien & <Sons>`, current: 1, previous: 2 }], currentLabel: 'Now & then', previousLabel: '<Before>' })
    expectStandaloneAccessibleSvg(escaped, 'types', 'Crimes by type', 'Shoplifting halved.')
    expect(texts(escaped)).toEqual(expect.arrayContaining(['O&apos;Brien &amp; &lt;Sons&gt;', 'Now &amp; then', '&lt;Before&gt;']))
  })

  it('gives the same markup for the same figures', () => {
    expect(chart()).toBe(chart())
  })
})

describe('embedding in a PDF', () => {
  it('converts with svg-to-pdfkit without a warning', () => {
    const warnings: string[] = []
    const doc = new PDFDocument()
    for (const svg of [
      lineChart({ id: 'a', title: 't', description: 'd', series: [{ name: 'a', points: fiveYears }, { name: 'b', points: fiveYears }], highlight: { month: HIGHEST.month, count: HIGHEST.count, label: 'Highest' } }),
      barChart({ id: 'b', title: 't', description: 'd', bars: [{ label: 'Drugs', current: 3, previous: 5 }], currentLabel: 'Now', previousLabel: 'Then' }),
    ])
      SVGtoPDF(doc, svg, 0, 0, { width: 400, warningCallback: (warning: string) => warnings.push(warning) })
    doc.end()
    expect(warnings).toEqual([])
  })
})
