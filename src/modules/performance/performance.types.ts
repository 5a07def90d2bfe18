/** The figures the performance pages, API and exports share. Months are 'YYYY-MM' throughout. */

/** A partnership area: the whole partnership, an upper-tier council (Leicestershire) or a district. */
export interface Area {
  /** 'all' for the whole partnership, else an ONS code. */
  code: string
  name: string
  kind: 'partnership' | 'county' | 'district'
  districtCodes: string[]
}

export type PeriodKind = 'month' | 'quarter' | 'year' | 'ytd' | 'custom'
export type Comparison = 'last_year' | 'previous'

export interface Period {
  kind: PeriodKind
  from: string
  to: string
  /** "January 2019", "Quarter 3 2018/19 (October to December 2018)", "2018/19", "April 2018 to January 2019" */
  label: string
  months: number
}

/** One line of the dashboard table: a crime type's count, the comparison and the change. */
export interface FigureRow {
  crimeType: string
  /** 'police' for police.uk, 'cases' for ASB incidents recorded in our own case system. */
  source: 'police' | 'cases'
  label: string
  current: number
  /** Null when the comparison period has no data loaded. */
  previous: number | null
  change: number | null
  /** Rounded to one decimal place; null with no comparison, or when the comparison count is 0. */
  percentChange: number | null
  /** True when the comparison count is under 10: a percentage on so small a base says little. */
  notMeaningful: boolean
  direction: 'up' | 'down' | 'same' | null
}

export interface Dashboard {
  area: Area
  period: Period
  comparison: Period
  compare: Comparison
  /** The reporting force filter, or null for every force. */
  force: string | null
  /** The 13 police.uk crime types other than ASB, in the usual order. */
  crimeTypes: FigureRow[]
  /** "All crime": every police.uk type but ASB. */
  allCrime: FigureRow
  /** Police-recorded ASB and ASB incidents in our own case system: never added together. */
  asb: { police: FigureRow; cases: FigureRow }
  /** Crimes the force reported in the period with no location (counted only for the whole partnership). */
  noLocation: number
  /**
   * Months of the period chosen and of the comparison with no police.uk file loaded. When the months loaded run
   * without a gap, `period` is those months and `comparison` the same months of the comparison period.
   */
  missingMonths: string[]
  missingComparisonMonths: string[]
  /** Why police.uk figures are not compared (their previous counts are null), or null when they are. */
  notCompared: string | null
  /** What a reader must know before reading the figures: months not loaded, and why they are not compared. */
  warnings: string[]
  /** The forces with data for the area, for the filter. */
  forces: string[]
  sources: string[]
}

export interface TrendPoint {
  month: string
  count: number
}

export interface Trend {
  area: Area
  crimeType: string
  source: 'police' | 'cases'
  from: string
  to: string
  points: TrendPoint[]
  highest: TrendPoint | null
  /** "Bicycle theft was at its highest level in five years in October 2021 (123 crimes)." */
  highestText: string
}

export interface TopAreaRow {
  code: string
  name: string
  kind: 'lsoa' | 'ward'
  districtName: string
  current: number
  previous: number | null
  change: number | null
  percentChange: number | null
  notMeaningful: boolean
}

export interface MapArea {
  code: string
  name: string
  count: number
  geometry: { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] }
}

export interface MapPoint {
  longitude: number
  latitude: number
  count: number
}

export interface HotspotMap {
  area: Area
  crimeType: string | null
  period: Period
  lsoas: MapArea[]
  points: MapPoint[]
  /** Crimes in LSOAs of the other boundary vintage (a period across police.uk's move to 2021 codes): not drawn. */
  notDrawn: number
}

/** A table as every export prints it: headings and rows of plain cells. */
export interface ExportTable {
  title: string
  columns: string[]
  rows: (string | number | null)[][]
}
