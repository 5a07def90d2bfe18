import { median, quantileSorted } from 'd3-array'
import { type GeoProjection, type GeoStream, geoArea, geoMercator, geoPath } from 'd3-geo'
import { scaleSqrt } from 'd3-scale'
import { COLOURS, attributes, escapeXml, formatCount, safeId, svgDocument, text, textWidth } from './charts.js'
import type { MapArea, MapPoint } from './performance.types.js'

/**
 * Hotspot maps as standalone SVG strings, drawn on the server like the charts (see charts.ts for why only plain
 * elements and presentation attributes). d3-geo projects the LSOA boundaries, fitted to the map's box.
 */

type Geometry = MapArea['geometry']
type Ring = number[][]

/** Legend classes: zero on its own, then up to five classes of the counts above zero. */
export interface ChoroplethClass {
  from: number
  to: number
  colour: string
}

export const ZERO_COLOUR = COLOURS.lightGrey
/**
 * ColorBrewer YlOrRd, sequential and colour-blind safe, by number of classes. Each is the next larger scheme without
 * its palest yellow, so that the lowest class stands out from the pale grey of areas with none.
 */
const YL_OR_RD: Record<number, string[]> = {
  1: ['#fd8d3c'],
  2: ['#feb24c', '#f03b20'],
  3: ['#fecc5c', '#fd8d3c', '#e31a1c'],
  4: ['#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'],
  5: ['#fed976', '#feb24c', '#fd8d3c', '#f03b20', '#bd0026'],
}

/**
 * The classes of a choropleth, from the counts themselves: quintiles of the counts above zero, as whole numbers, so
 * that each colour covers about as many areas (a few city-centre LSOAs would otherwise leave the rest in one class).
 * Together they cover every count from the lowest to the highest, in order.
 */
export function choroplethClasses(counts: number[]): ChoroplethClass[] {
  const valid = counts.filter((count) => Number.isFinite(count))
  const classes: ChoroplethClass[] = []
  const hasZero = valid.some((count) => count === 0)
  if (hasZero) classes.push({ from: 0, to: 0, colour: ZERO_COLOUR })
  const positive = valid.filter((count) => count > 0).sort((a, b) => a - b)
  if (positive.length === 0) return classes
  // After a "0" class the next starts at 1, so that the legend has no gap.
  const lowest = hasZero ? 1 : Math.ceil(positive[0]!)
  const highest = Math.ceil(positive[positive.length - 1]!)
  const bounds: number[] = []
  for (const q of [0.2, 0.4, 0.6, 0.8]) {
    const bound = Math.round(quantileSorted(positive, q)!)
    if (bound >= lowest && bound < highest && bound > (bounds[bounds.length - 1] ?? -Infinity)) bounds.push(bound)
  }
  bounds.push(highest)
  const colours = YL_OR_RD[bounds.length]!
  bounds.forEach((to, index) => classes.push({ from: index === 0 ? lowest : bounds[index - 1]! + 1, to, colour: colours[index]! }))
  return classes
}

const classOf = (classes: ChoroplethClass[], count: number) => classes.find((one) => count <= one.to) ?? classes[classes.length - 1]
const classLabel = (one: ChoroplethClass) => (one.from === one.to ? formatCount(one.from) : `${formatCount(one.from)} to ${formatCount(one.to)}`)

/** "1 crime", "23 crimes". */
const counted = (count: number, unit: string) => `${formatCount(count)} ${count === 1 ? unit.replace(/s$/, '') : unit}`
const capitalised = (words: string) => words.charAt(0).toUpperCase() + words.slice(1)

// Geometry ---------------------------------------------------------------------------------------------------------

/**
 * d3-geo wants exterior rings clockwise and holes anticlockwise, the opposite of RFC 7946 GeoJSON; a ring the wrong
 * way round is read as the whole globe outside it, which would shrink the map to a dot. So turn each ring as d3 needs.
 */
function d3Ring(ring: Ring, exterior: boolean): Ring {
  const wholeGlobeSide = geoArea({ type: 'Polygon', coordinates: [ring] }) > 2 * Math.PI
  return wholeGlobeSide === exterior ? [...ring].reverse() : ring
}

function d3Geometry(geometry: Geometry): Geometry {
  const polygon = (rings: Ring[]) => rings.map((ring, index) => d3Ring(ring, index === 0))
  return geometry.type === 'Polygon'
    ? { type: 'Polygon', coordinates: polygon(geometry.coordinates) }
    : { type: 'MultiPolygon', coordinates: geometry.coordinates.map(polygon) }
}

/** Leaves out points within half a pixel of the last one drawn: invisible at this size, and most of the markup. */
function thinned(output: GeoStream): GeoStream {
  let last: [number, number] | null = null
  return {
    point(x, y) {
      if (last && Math.abs(x - last[0]) < 0.5 && Math.abs(y - last[1]) < 0.5) return
      last = [x, y]
      output.point(x, y)
    },
    lineStart() {
      last = null
      output.lineStart()
    },
    lineEnd: () => output.lineEnd(),
    polygonStart: () => output.polygonStart(),
    polygonEnd: () => output.polygonEnd(),
    sphere: () => output.sphere?.(),
  }
}

interface Frame {
  projection: GeoProjection
  features: { area: MapArea; d: string }[]
}

/** Projects the areas to fill the box; null when there is nothing to draw. */
function frame(areas: MapArea[], box: [[number, number], [number, number]]): Frame | null {
  const geometries = areas.map((area) => d3Geometry(area.geometry))
  const collection = { type: 'GeometryCollection' as const, geometries }
  const projection = geoMercator()
  const bounds = geoPath(projection).bounds(collection)
  if (!bounds.flat().every(Number.isFinite)) return null
  projection.fitExtent(box, collection)
  const path = geoPath({ stream: (output) => projection.stream(thinned(output)) }).digits(1)
  const features = areas.map((area, index) => ({ area, d: path(geometries[index]!) ?? '' })).filter((feature) => feature.d !== '')
  return features.length > 0 ? { projection, features } : null
}

interface MapOptions {
  id: string
  title: string
  description: string
  areas: MapArea[]
  width?: number
  height?: number
}

function noBoundaries(options: MapOptions, width: number, height: number): string {
  return svgDocument({
    ...options,
    width,
    height,
    body: [text(width / 2, height / 2, 'No boundaries loaded', { anchor: 'middle', size: 19, weight: 'bold' })],
  })
}

const PADDING = 8
const SWATCH = 20
const LEGEND_ROW = 28

// Choropleth -------------------------------------------------------------------------------------------------------

export interface ChoroplethOptions extends MapOptions {
  /** What the counts are, in the plural: 'crimes' unless told. */
  unit?: string
}

/** LSOAs shaded by their count, with a legend of the classes. */
export function choroplethMap(options: ChoroplethOptions): string {
  const width = options.width ?? 800
  const height = options.height ?? 600
  const unit = options.unit ?? 'crimes'
  const classes = choroplethClasses(options.areas.map((area) => area.count))

  // The legend's items flow left to right and wrap; its height comes off the map's.
  const items = classes.map((one) => ({ one, label: classLabel(one), width: SWATCH + 8 + textWidth(classLabel(one)) + 24 }))
  const placed: { one: ChoroplethClass; label: string; x: number; row: number }[] = []
  let x = PADDING
  let row = 0
  for (const item of items) {
    if (x > PADDING && x + item.width > width - PADDING) {
      row += 1
      x = PADDING
    }
    placed.push({ one: item.one, label: item.label, x, row })
    x += item.width
  }
  const rows = placed.length > 0 ? row + 1 : 0
  const legendHeight = 16 + 24 + rows * LEGEND_ROW
  const mapHeight = height - legendHeight

  const drawn = frame(options.areas, [[PADDING, PADDING], [width - PADDING, mapHeight - PADDING]])
  if (!drawn) return noBoundaries(options, width, height)

  const paths = drawn.features.map(({ area, d }) => {
    const fill = classOf(classes, area.count)?.colour ?? ZERO_COLOUR
    return `<path${attributes({ d, fill, stroke: COLOURS.white, 'stroke-width': 0.75, 'stroke-linejoin': 'round' })}><title>${escapeXml(`${area.name}: ${counted(area.count, unit)}`)}</title></path>`
  })
  const legendTop = mapHeight + 16
  const legend = [
    text(PADDING, legendTop + 16, capitalised(unit), { weight: 'bold' }),
    ...placed.map(
      (item) =>
        `<rect${attributes({ x: item.x, y: legendTop + 24 + item.row * LEGEND_ROW, width: SWATCH, height: SWATCH, fill: item.one.colour, stroke: COLOURS.darkGrey, 'stroke-width': 1 })}/>` +
        text(item.x + SWATCH + 8, legendTop + 24 + item.row * LEGEND_ROW + 16, item.label),
    ),
  ]
  return svgDocument({ ...options, width, height, body: [`<g>${paths.join('')}</g>`, `<g>${legend.join('')}</g>`] })
}

// Points -----------------------------------------------------------------------------------------------------------

const MAX_RADIUS = 12
/** Small enough not to hide the map, large enough to see; smaller counts are not drawn smaller than this. */
const MIN_RADIUS = 2.5

export interface PointDensityOptions extends MapOptions {
  points: MapPoint[]
}

/** police.uk's anonymised snap points as circles sized by how many crimes each has, over the LSOA outlines. */
export function pointDensityMap(options: PointDensityOptions): string {
  const width = options.width ?? 800
  const height = options.height ?? 600
  const points = options.points.filter((point) => Number.isFinite(point.longitude) && Number.isFinite(point.latitude) && point.count > 0)
  const legendHeight = 16 + 24 + 2 * MAX_RADIUS + 12
  const mapHeight = height - legendHeight

  // Fitted to the areas, not the points: a stray point far away must not shrink the map.
  const drawn = frame(options.areas, [[PADDING, PADDING], [width - PADDING, mapHeight - PADDING]])
  if (!drawn) return noBoundaries(options, width, height)

  const outlines = drawn.features.map(
    ({ area, d }) => `<path${attributes({ d, fill: COLOURS.lightGrey, stroke: COLOURS.midGrey, 'stroke-width': 0.75, 'stroke-linejoin': 'round' })}><title>${escapeXml(area.name)}</title></path>`,
  )
  const largest = Math.max(0, ...points.map((point) => point.count))
  const radius = scaleSqrt().domain([0, Math.max(largest, 1)]).range([0, MAX_RADIUS])
  const size = (count: number) => Math.max(radius(count), MIN_RADIUS)
  const circle = (cx: number, cy: number, count: number) => `<circle${attributes({ cx, cy, r: size(count), fill: COLOURS.blue, 'fill-opacity': 0.6, stroke: COLOURS.darkBlue, 'stroke-width': 1 })}`

  // Largest first, so that the small ones on top stay visible; the sort is stable, so the order is the same each time.
  const circles = [...points]
    .sort((a, b) => b.count - a.count)
    .flatMap((point) => {
      const at = drawn.projection([point.longitude, point.latitude])
      if (!at || !at.every(Number.isFinite)) return []
      return [`${circle(at[0], at[1], point.count)}><title>${escapeXml(counted(point.count, 'crimes'))}</title></circle>`]
    })

  const legendTop = mapHeight + 16
  const legend = [text(PADDING, legendTop + 16, 'Crimes at one place', { weight: 'bold' })]
  if (circles.length === 0) {
    legend.push(text(PADDING, legendTop + 24 + MAX_RADIUS + 6, 'No crimes with a location'))
  } else {
    const middle = Math.round(median(points, (point) => point.count) ?? 1)
    const sizes = [...new Set([1, middle, largest])].sort((a, b) => a - b)
    let x = PADDING
    const centre = legendTop + 24 + MAX_RADIUS
    for (const count of sizes) {
      const r = size(count)
      legend.push(`${circle(x + r, centre, count)}/>`, text(x + 2 * r + 8, centre + 6, formatCount(count)))
      x += 2 * r + 8 + textWidth(formatCount(count)) + 24
    }
  }

  return svgDocument({
    ...options,
    width,
    height,
    body: [`<g>${outlines.join('')}</g>`, `<g id="${safeId(options.id)}-points">${circles.join('')}</g>`, `<g>${legend.join('')}</g>`],
  })
}
