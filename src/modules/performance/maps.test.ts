import { readFileSync } from 'node:fs'
import { Resvg } from '@resvg/resvg-js'
import PDFDocument from 'pdfkit'
import SVGtoPDF from 'svg-to-pdfkit'
import { describe, expect, it } from 'vitest'
import { DEFAULT_BOUNDARIES } from './geography.js'
import { ZERO_COLOUR, choroplethClasses, choroplethMap, pointDensityMap } from './maps.js'
import type { MapArea, MapPoint } from './performance.types.js'

const ALLOWED_ELEMENTS = new Set(['svg', 'g', 'path', 'line', 'rect', 'circle', 'text', 'title', 'desc'])

/** resvg refuses anything that is not well-formed SVG, and it is what rasterises the maps for DOCX. */
const render = (svg: string) => new Resvg(svg, { font: { loadSystemFonts: false } }).render()

const parseAttributes = (source: string): Record<string, string> => Object.fromEntries([...source.matchAll(/([\w:-]+)="([^"]*)"/g)].map((attribute) => [attribute[1]!, attribute[2]!]))
const elements = (svg: string, name: string) => [...svg.matchAll(new RegExp(`<${name}\\b([^>]*)>`, 'g'))].map((match) => parseAttributes(match[1]!))
const texts = (svg: string) => [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]!)
const pathTitles = (svg: string) => [...svg.matchAll(/<path\b[^>]*><title>([^<]*)<\/title><\/path>/g)].map((match) => match[1]!)
const pathPoints = (d: string) => [...d.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((match) => [Number(match[1]), Number(match[2])] as const)
const pointCircles = (svg: string, id: string) => {
  const group = new RegExp(`<g id="${id}-points">(.*?)</g>`, 's').exec(svg)?.[1] ?? ''
  return elements(group, 'circle')
}

function expectStandaloneAccessibleSvg(svg: string, id: string) {
  const root = elements(svg, 'svg')[0]!
  expect(root.xmlns).toBe('http://www.w3.org/2000/svg')
  expect(root.role).toBe('img')
  expect(root.viewBox).toBe(`0 0 ${root.width} ${root.height}`)
  expect(root['aria-labelledby']).toBe(`${id}-title ${id}-desc`)
  expect(svg).toMatch(new RegExp(`<title id="${id}-title">[^<]+</title>`))
  expect(svg).toMatch(new RegExp(`<desc id="${id}-desc">[^<]+</desc>`))
  expect(svg).not.toMatch(/\sstyle=|<style|<script|\son\w+=|<foreignObject|<marker|<clipPath|href=/i)
  for (const [, name] of svg.matchAll(/<([a-zA-Z]+)/g)) expect(ALLOWED_ELEMENTS).toContain(name)
  expect(() => render(svg)).not.toThrow()
}

function expectPathsInside(svg: string) {
  const root = elements(svg, 'svg')[0]!
  const points = elements(svg, 'path').flatMap((path) => pathPoints(path.d!))
  expect(points.length).toBeGreaterThan(0)
  for (const [x, y] of points) {
    expect(x).toBeGreaterThanOrEqual(0)
    expect(x).toBeLessThanOrEqual(Number(root.width))
    expect(y).toBeGreaterThanOrEqual(0)
    expect(y).toBeLessThanOrEqual(Number(root.height))
  }
}

/** A square of side `size` degrees, its exterior clockwise as d3-geo wants it. */
const square = (longitude: number, latitude: number, size = 0.01): MapArea['geometry'] => ({
  type: 'Polygon',
  coordinates: [[[longitude, latitude], [longitude, latitude + size], [longitude + size, latitude + size], [longitude + size, latitude], [longitude, latitude]]],
})
const grid = (counts: number[]): MapArea[] =>
  counts.map((count, index) => ({ code: `E0100${String(index).padStart(4, '0')}`, name: `Charnwood ${String(index + 1).padStart(3, '0')}A`, count, geometry: square(-1.2 + (index % 4) * 0.01, 52.7 + Math.floor(index / 4) * 0.01) }))

/** Oadby and Wigston's 36 LSOAs (2021), with made-up counts. */
function oadbyAndWigston(): MapArea[] {
  const collection = JSON.parse(readFileSync(`${DEFAULT_BOUNDARIES}lsoa21/E07000135.geojson`, 'utf8')) as { features: { properties: { LSOA21CD: string; LSOA21NM: string }; geometry: MapArea['geometry'] }[] }
  return collection.features.map((feature, index) => ({ code: feature.properties.LSOA21CD, name: feature.properties.LSOA21NM, count: index % 7 === 0 ? 0 : (index * 13) % 60, geometry: feature.geometry }))
}

describe('choropleth classes', () => {
  const cases = [
    [0, 0, 1, 2, 3, 4, 5, 8, 9, 12, 20, 31, 45, 60, 512],
    [1, 1, 1, 1, 2],
    [7],
    [0, 7],
    [3, 3, 3],
    Array.from({ length: 300 }, (_, index) => (index * 37) % 101),
  ]

  it('cover every count from the lowest to the highest, in order, without gaps or overlaps', () => {
    for (const counts of cases) {
      const classes = choroplethClasses(counts)
      expect(classes[0]!.from).toBe(Math.min(...counts))
      expect(classes.at(-1)!.to).toBe(Math.max(...counts))
      classes.forEach((one, index) => {
        expect(one.to).toBeGreaterThanOrEqual(one.from)
        if (index > 0) expect(one.from).toBe(classes[index - 1]!.to + 1)
      })
      for (const count of counts) expect(classes.filter((one) => count >= one.from && count <= one.to)).toHaveLength(1)
    }
  })

  it('put zero in a pale grey class of its own and split the rest into at most five, each a different colour', () => {
    const classes = choroplethClasses(cases[0]!)
    expect(classes[0]).toEqual({ from: 0, to: 0, colour: ZERO_COLOUR })
    expect(classes).toHaveLength(6)
    expect(new Set(classes.map((one) => one.colour)).size).toBe(classes.length)
    expect(choroplethClasses(cases[5]!).length).toBeLessThanOrEqual(6)
    // No zero class when no area has none.
    expect(choroplethClasses([4, 9, 30]).some((one) => one.from === 0)).toBe(false)
  })

  it('break at quantiles, so that one very high area does not leave the rest in a single class', () => {
    const classes = choroplethClasses(cases[0]!)
    expect(classes.map((one) => [one.from, one.to])).toEqual([[0, 0], [1, 3], [4, 7], [8, 14], [15, 39], [40, 512]])
  })

  it('get darker as the counts get higher', () => {
    const luminance = (colour: string) => [1, 3, 5].reduce((sum, at, index) => sum + Number.parseInt(colour.slice(at, at + 2), 16) * [0.2126, 0.7152, 0.0722][index]!, 0)
    for (const counts of cases) {
      const shades = choroplethClasses(counts).map((one) => luminance(one.colour))
      for (let index = 1; index < shades.length; index++) expect(shades[index]).toBeLessThan(shades[index - 1]!)
    }
  })

  it('are empty for no counts, and only "0" when every count is zero', () => {
    expect(choroplethClasses([])).toEqual([])
    expect(choroplethClasses([0, 0])).toEqual([{ from: 0, to: 0, colour: ZERO_COLOUR }])
  })
})

describe('the LSOA choropleth', () => {
  const counts = [0, 1, 2, 3, 4, 5, 8, 9, 12, 20, 31, 45]
  const map = (areas = grid(counts)) => choroplethMap({ id: 'lsoa-map', title: 'Crimes by LSOA, January 2019', description: 'Charnwood 012A had the most crimes.', areas })

  it('is a standalone SVG named by its title and description', () => {
    expectStandaloneAccessibleSvg(map(), 'lsoa-map')
  })

  it('draws one path per area, coloured by its class, with its name and count for tooltips and screen readers', () => {
    const svg = map()
    const paths = elements(svg, 'path')
    expect(paths).toHaveLength(counts.length)
    const classes = choroplethClasses(counts)
    paths.forEach((path, index) => {
      const count = counts[index]!
      expect(path.fill).toBe(classes.find((one) => count >= one.from && count <= one.to)!.colour)
      expect(path.stroke).toBe('#ffffff')
    })
    expect(pathTitles(svg).slice(0, 3)).toEqual(['Charnwood 001A: 0 crimes', 'Charnwood 002A: 1 crime', 'Charnwood 003A: 2 crimes'])
    expect(pathTitles(choroplethMap({ id: 'm', title: 't', description: 'd', areas: grid([1, 2]), unit: 'incidents' }))).toEqual(['Charnwood 001A: 1 incident', 'Charnwood 002A: 2 incidents'])
  })

  it('prints a legend of the same classes as the table below the map', () => {
    const svg = map()
    const legend = choroplethClasses(counts).map((one) => (one.from === one.to ? String(one.from) : `${one.from} to ${one.to}`))
    expect(texts(svg)).toEqual(['Crimes', ...legend])
    const swatches = elements(svg, 'rect').slice(1)
    expect(swatches.map((rect) => rect.fill)).toEqual(choroplethClasses(counts).map((one) => one.colour))
    // Under the map, not over it.
    const lowestArea = Math.max(...elements(svg, 'path').flatMap((path) => pathPoints(path.d!).map((point) => point[1])))
    for (const swatch of swatches) expect(Number(swatch.y)).toBeGreaterThan(lowestArea)
  })

  it('fits the areas to the map, whichever way round their rings are wound', () => {
    const areas = oadbyAndWigston()
    const svg = map(areas)
    expectPathsInside(svg)
    const xs = elements(svg, 'path').flatMap((path) => pathPoints(path.d!).map((point) => point[0]))
    const ys = elements(svg, 'path').flatMap((path) => pathPoints(path.d!).map((point) => point[1]))
    // Fills the width or the height of the map (800 by 600 less the legend), not a dot in the middle.
    expect(Math.max(Math.max(...xs) - Math.min(...xs), (Math.max(...ys) - Math.min(...ys)) * 1.5)).toBeGreaterThan(500)
    // RFC 7946 GeoJSON winds exteriors anticlockwise; d3-geo would read them as the whole world less the area.
    const rewound = areas.map((area) => ({ ...area, geometry: { type: 'Polygon' as const, coordinates: (area.geometry.coordinates as number[][][]).map((ring) => [...ring].reverse()) } }))
    expect(map(rewound)).toBe(svg)
    // And leaves the areas as they were.
    expect(rewound[0]!.geometry.coordinates[0]![0]).toEqual([...(areas[0]!.geometry.coordinates as number[][][])[0]!].reverse()[0])
  })

  it('renders a real district, Oadby and Wigston, with one path per LSOA, and the map is drawn in the picture', () => {
    const areas = oadbyAndWigston()
    expect(areas).toHaveLength(36)
    const svg = map(areas)
    expectStandaloneAccessibleSvg(svg, 'lsoa-map')
    expect(elements(svg, 'path')).toHaveLength(36)
    expect(pathTitles(svg)).toContain(`${areas[1]!.name}: ${areas[1]!.count} crimes`)
    const image = render(svg)
    const pixels = image.pixels
    let coloured = 0
    for (let at = 0; at < pixels.length; at += 4) if (pixels[at]! < 250 || pixels[at + 1]! < 250 || pixels[at + 2]! < 250) coloured += 1
    expect(coloured / (image.width * image.height)).toBeGreaterThan(0.25)
  })

  it('draws each part of a multi-part area in its one path', () => {
    const [a, b] = [square(-1.2, 52.7), square(-1.15, 52.75)] as { coordinates: number[][][] }[]
    const svg = map([{ code: 'E01000001', name: 'Rutland 001A', count: 3, geometry: { type: 'MultiPolygon', coordinates: [a!.coordinates, b!.coordinates] } }])
    const paths = elements(svg, 'path')
    expect(paths).toHaveLength(1)
    expect(paths[0]!.d!.match(/M/g)).toHaveLength(2)
  })

  it('leaves out points too close together to see apart, keeping the markup small', () => {
    // A 0.01 degree square, one edge traced through 5,000 points a tenth of a pixel apart at this size.
    const edge = Array.from({ length: 5000 }, (_, index) => [-1.2, 52.7 + (index / 5000) * 0.01])
    const detailed: MapArea = { code: 'E01000001', name: 'Melton 001A', count: 1, geometry: { type: 'Polygon', coordinates: [[...edge, [-1.2, 52.71], [-1.19, 52.71], [-1.19, 52.7], [-1.2, 52.7]]] } }
    const plain: MapArea = { ...detailed, geometry: square(-1.2, 52.7) }
    const points = pathPoints(elements(map([detailed]), 'path')[0]!.d!)
    expect(points.length).toBeLessThan(5000 / 3)
    // The same square.
    const extent = (all: (readonly [number, number])[]) => [0, 1].map((axis) => [Math.min(...all.map((point) => point[axis]!)), Math.max(...all.map((point) => point[axis]!))])
    expect(extent(points)).toEqual(extent(pathPoints(elements(map([plain]), 'path')[0]!.d!)))
  })

  it('escapes area names', () => {
    const svg = map([{ ...grid([3])[0]!, name: `O'Brien & <Sons> 001A` }])
    expectStandaloneAccessibleSvg(svg, 'lsoa-map')
    expect(pathTitles(svg)).toEqual(['O&apos;Brien &amp; &lt;Sons&gt; 001A: 3 crimes'])
  })

  it('says "No boundaries loaded" with no areas', () => {
    const svg = map([])
    expectStandaloneAccessibleSvg(svg, 'lsoa-map')
    expect(texts(svg)).toEqual(['No boundaries loaded'])
    expect(elements(svg, 'path')).toHaveLength(0)
  })

  it('gives the same markup for the same areas, with numbers of one decimal place at most', () => {
    const svg = map(oadbyAndWigston())
    expect(map(oadbyAndWigston())).toBe(svg)
    expect(svg).not.toMatch(/\d\.\d{2}/)
  })
})

describe('the point density map', () => {
  const areas = grid([0, 0, 0, 0, 0, 0, 0, 0])
  const points: MapPoint[] = [
    { longitude: -1.195, latitude: 52.705, count: 2 },
    { longitude: -1.185, latitude: 52.715, count: 40 },
    { longitude: -1.175, latitude: 52.705, count: 7 },
    { longitude: -1.165, latitude: 52.715, count: 1 },
  ]
  const map = (options: { areas?: MapArea[]; points?: MapPoint[] } = {}) =>
    pointDensityMap({ id: 'points-map', title: 'Where crimes were, January 2019', description: 'Most were in Loughborough town centre.', areas: options.areas ?? areas, points: options.points ?? points })

  it('is a standalone SVG named by its title and description', () => {
    expectStandaloneAccessibleSvg(map(), 'points-map')
  })

  it('draws the area outlines lightly, and a circle for each point, largest first, sized by its count', () => {
    const svg = map()
    const outlines = elements(svg, 'path')
    expect(outlines).toHaveLength(areas.length)
    for (const outline of outlines) expect([outline.fill, outline.stroke]).toEqual(['#f3f2f1', '#b1b4b6'])
    expectPathsInside(svg)
    const circles = pointCircles(svg, 'points-map')
    expect(circles).toHaveLength(points.length)
    const radii = circles.map((circle) => Number(circle.r))
    expect(radii).toEqual([...radii].sort((a, b) => b - a))
    expect(radii[0]).toBe(12)
    // Area in proportion to the count (the smallest are kept just large enough to see).
    expect(radii[1]! ** 2 / radii[0]! ** 2).toBeCloseTo(7 / 40, 1)
    expect(radii.at(-1)).toBe(2.5)
    for (const circle of circles) {
      expect(Number(circle['fill-opacity'])).toBeLessThan(1)
      expect(circle.stroke).toBe('#003078')
    }
    expect(svg).toContain('<title>40 crimes</title>')
    expect(svg).toContain('<title>1 crime</title>')
  })

  it('has a size legend for 1, the median and the largest count', () => {
    const svg = map()
    expect(texts(svg)).toEqual(['Crimes at one place', '1', '5', '40'])
    const legendRadii = elements(svg, 'circle').slice(points.length).map((circle) => Number(circle.r))
    expect(legendRadii).toHaveLength(3)
    expect(legendRadii.at(-1)).toBe(12)
  })

  it('fits the map to the areas, so that a stray point far away does not shrink it', () => {
    const stray = { longitude: -3.5, latitude: 55.9, count: 3 }
    const withStray = map({ points: [...points, stray] })
    expect(elements(withStray, 'path')).toEqual(elements(map(), 'path'))
    expect(pointCircles(withStray, 'points-map')).toHaveLength(points.length + 1)
    expect(() => render(withStray)).not.toThrow()
  })

  it('leaves out points with no count or no position', () => {
    const svg = map({ points: [...points, { longitude: -1.19, latitude: 52.71, count: 0 }, { longitude: Number.NaN, latitude: 52.71, count: 3 }] })
    expect(svg).toBe(map())
  })

  it('shows the outlines and says so when no crime has a location', () => {
    const svg = map({ points: [] })
    expectStandaloneAccessibleSvg(svg, 'points-map')
    expect(elements(svg, 'path')).toHaveLength(areas.length)
    expect(elements(svg, 'circle')).toHaveLength(0)
    expect(texts(svg)).toContain('No crimes with a location')
  })

  it('says "No boundaries loaded" with no areas', () => {
    const svg = map({ areas: [] })
    expectStandaloneAccessibleSvg(svg, 'points-map')
    expect(texts(svg)).toEqual(['No boundaries loaded'])
  })

  it('renders over a real district, escapes names and gives the same markup each time', () => {
    const real = oadbyAndWigston().map((area) => (area.code === 'E01025970' ? { ...area, name: `O'Brien & <Sons>` } : area))
    const spots = real.map((area, index) => ({ longitude: (area.geometry.coordinates as number[][][])[0]![0]![0]! + 0.001, latitude: (area.geometry.coordinates as number[][][])[0]![0]![1]!, count: (index % 9) + 1 }))
    const svg = map({ areas: real, points: spots })
    expectStandaloneAccessibleSvg(svg, 'points-map')
    expect(elements(svg, 'path')).toHaveLength(36)
    expect(pointCircles(svg, 'points-map')).toHaveLength(36)
    expect(svg).toContain('<title>O&apos;Brien &amp; &lt;Sons&gt;</title>')
    expect(map({ areas: real, points: spots })).toBe(svg)
  })
})

describe('embedding in a PDF', () => {
  it('converts with svg-to-pdfkit without a warning', () => {
    const warnings: string[] = []
    const doc = new PDFDocument()
    const areas = oadbyAndWigston()
    for (const svg of [
      choroplethMap({ id: 'a', title: 't', description: 'd', areas }),
      pointDensityMap({ id: 'b', title: 't', description: 'd', areas, points: [{ longitude: -1.08, latitude: 52.59, count: 4 }] }),
    ])
      SVGtoPDF(doc, svg, 0, 0, { width: 400, warningCallback: (warning: string) => warnings.push(warning) })
    doc.end()
    expect(warnings).toEqual([])
  })
})
