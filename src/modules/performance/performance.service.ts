import type { Database } from '../../platform/db/database.js'
import { NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { AuditService } from '../audit/audit.service.js'
import { type CrimeFilter, performanceRepository } from './performance.repository.js'
import type { Area, Comparison, Dashboard, FigureRow, HotspotMap, MapArea, Period, PeriodKind, TopAreaRow, Trend } from './performance.types.js'
import { monthRanges } from '../../platform/dates.js'
import { listJoin } from '../../platform/words.js'
import { addMonths, comparisonOf, MONTH_PATTERN, monthLabel, monthsBetween, partOf, periodOf } from './periods.js'

/** The 13 police.uk crime types other than ASB, in the order police.uk lists them. */
export const CRIME_TYPES = [
  'Bicycle theft',
  'Burglary',
  'Criminal damage and arson',
  'Drugs',
  'Other theft',
  'Possession of weapons',
  'Public order',
  'Robbery',
  'Shoplifting',
  'Theft from the person',
  'Vehicle crime',
  'Violence and sexual offences',
  'Other crime',
] as const
export const ASB = 'Anti-social behaviour'
/** What a trend, top areas table or map can be drawn for, beside each crime type. */
export const ALL_CRIME = 'All crime'
export const ASB_CASES = 'ASB incidents (case records)'
export const CHOICES = [ALL_CRIME, ...CRIME_TYPES, ASB, ASB_CASES]

/** The rows' names wherever they are shown: police ASB and ASB from our own case records are never one row. */
export const ALL_CRIME_LABEL = 'All crime (excluding ASB)'
export const ASB_POLICE_LABEL = 'Anti-social behaviour (police.uk)'
export const ASB_CASES_LABEL = 'ASB incidents (council and partner case records)'
/** A choice as a title names it: "All crime" counts crimes, not ASB. */
export const choiceName = (choice: string) => (choice === ALL_CRIME ? ALL_CRIME_LABEL : choice)

/** Under this, a percentage change says little: the boards are shown the numbers and a flag instead. */
export const SMALL_BASE = 10

export const SOURCES = {
  police: 'Police recorded crime and anti-social behaviour: street-level data from data.police.uk (Open Government Licence v3.0)',
  cases: 'ASB incidents recorded by partners in the Safer Communities case system',
  boundaries: 'Area boundaries: Office for National Statistics (LSOA 2011 and 2021, wards, local authority districts)',
}

export interface PeriodQuery {
  area: string
  period: PeriodKind
  month?: string | undefined
  from?: string | undefined
  to?: string | undefined
  compare: Comparison
  force?: string | undefined
}

/**
 * A change in per cent to one decimal place, rounded half away from zero in whole numbers: floating point would
 * round -6.25 to -6.2 (and 400 to 601 to 50.2) where the boards' spreadsheets show -6.3 and 50.3.
 */
export function percentChangeOf(current: number, previous: number): number {
  const change = Math.abs(current - previous) * 1000
  const tenths = Math.floor(change / previous)
  const rounded = (change - tenths * previous) * 2 >= previous ? tenths + 1 : tenths
  return (current < previous ? -rounded : rounded) / 10
}

export function figure(crimeType: string, source: 'police' | 'cases', label: string, current: number, previous: number | null): FigureRow {
  const change = previous === null ? null : current - previous
  const percentChange = previous === null || previous === 0 ? null : percentChangeOf(current, previous)
  return {
    crimeType,
    source,
    label,
    current,
    previous,
    change,
    percentChange: percentChange === 0 ? 0 : percentChange,
    notMeaningful: previous !== null && previous < SMALL_BASE,
    direction: change === null ? null : change > 0 ? 'up' : change < 0 ? 'down' : 'same',
  }
}

const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0)

export function performanceService(deps: { database: Database; audit: AuditService }) {
  const repository = performanceRepository(deps.database.db)

  async function areas(): Promise<Area[]> {
    const districts = await repository.districts()
    if (!districts.length) return []
    // Upper tiers in name order give the partnership its name: "Leicester, Leicestershire and Rutland".
    const tiers = new Map<string, string>()
    for (const district of districts) tiers.set(district.upperTierCode ?? district.code, district.upperTierName ?? district.name)
    const tierNames = [...tiers.values()].sort()
    const partnership = listJoin(tierNames)
    const counties = [...tiers].flatMap(([code, name]) => {
      const members = districts.filter((district) => district.upperTierCode === code && district.code !== code)
      return members.length ? [{ code, name, kind: 'county' as const, districtCodes: members.map((district) => district.code) }] : []
    })
    return [
      { code: 'all', name: partnership, kind: 'partnership', districtCodes: districts.map((district) => district.code) },
      ...counties,
      ...districts.map((district) => ({ code: district.code, name: district.name, kind: 'district' as const, districtCodes: [district.code] })),
    ]
  }

  async function area(code: string): Promise<Area> {
    const found = (await areas()).find((candidate) => candidate.code === code)
    if (!found) throw new RuleError('area', 'Choose an area from the list')
    return found
  }

  /** The force filter, checked against the forces loaded. */
  async function forceOf(given: string | undefined): Promise<string | null> {
    if (!given) return null
    if (!(await repository.allForces()).includes(given)) throw new RuleError('force', 'Choose a force from the list')
    return given
  }

  /**
   * The period chosen and what is counted of it: a period only partly loaded (a quarter still under way) is counted
   * over its loaded months, when they are unbroken.
   */
  async function countedPeriod(query: PeriodQuery) {
    const force = await forceOf(query.force)
    const [found, loadedMonths] = await Promise.all([area(query.area), repository.loadedMonths(force)])
    if (query.month !== undefined && !MONTH_PATTERN.test(query.month)) throw new RuleError('month', 'Enter a month like 2019-01')
    const month = query.month ?? loadedMonths.at(-1)
    if (!month && query.period !== 'custom') throw new NotFoundError('No police.uk data has been imported yet')
    const chosen = periodOf(query.period, month ?? '', { from: query.from, to: query.to })
    const loaded = new Set(loadedMonths)
    const missingMonths = monthsBetween(chosen.from, chosen.to).filter((each) => !loaded.has(each))
    const present = monthsBetween(chosen.from, chosen.to).filter((each) => loaded.has(each))
    const unbroken = present.length > 0 && monthsBetween(present[0]!, present.at(-1)!).length === present.length
    const period = missingMonths.length && unbroken ? partOf(chosen, present[0]!, present.at(-1)!, 'the months loaded of') : chosen
    return { area: found, force, chosen, period, loaded, missingMonths, present, unbroken }
  }

  /**
   * The counted period and what it is compared with, like for like: the same months as were counted. No comparison
   * is made, and the reason is given, when months of it are missing, when the loaded months have a gap, or when
   * another force's files cover one side and not the other.
   */
  async function resolvePeriod(query: PeriodQuery) {
    const { area: found, force, chosen, period, loaded, missingMonths, present, unbroken } = await countedPeriod(query)
    const comparison = comparisonOf(chosen, query.compare, period)
    const missingComparisonMonths = monthsBetween(comparison.from, comparison.to).filter((each) => !loaded.has(each))
    let notCompared: string | null = null
    if (!present.length) notCompared = `No police.uk data is loaded for ${monthRanges(missingMonths)}.`
    else if (!unbroken) notCompared = `No police.uk data is loaded for ${monthRanges(missingMonths)}, in the middle of the period, so police.uk figures are not compared.`
    else if (missingComparisonMonths.length) notCompared = `No police.uk data is loaded for ${monthRanges(missingComparisonMonths)}, so police.uk figures are not compared.`
    else if (!force) notCompared = await unevenForces(period, comparison)
    const warnings = [
      ...(missingMonths.length && present.length ? [`No police.uk data is loaded for ${monthRanges(missingMonths)}: the figures cover only the months loaded.`] : []),
      ...(notCompared ? [notCompared] : []),
    ]
    return { area: found, period, comparison, force, missingMonths, missingComparisonMonths, notCompared, warnings }
  }

  /** A force with crimes in our areas whose files cover one side of a comparison and not the other, said in words. */
  async function unevenForces(period: Period, comparison: Period): Promise<string | null> {
    const [inArea, files] = await Promise.all([repository.forcesInArea(), repository.forceMonths({ from: comparison.from, to: period.to })])
    const months = [...monthsBetween(comparison.from, comparison.to), ...monthsBetween(period.from, period.to)]
    for (const force of inArea) {
      const has = files.get(force)
      const lacking = months.filter((month) => !has?.has(month))
      // A force with no file on either side adds nothing to either: only one side having its crimes is uneven.
      if (lacking.length && lacking.length < months.length) {
        return `${force} files are not loaded for ${monthRanges(lacking)}, so police.uk figures for every force together are not compared. Choose a force under “Reported by” to compare its figures.`
      }
    }
    return null
  }

  async function dashboard(query: PeriodQuery): Promise<Dashboard> {
    const { area: found, period, comparison, force, missingMonths, missingComparisonMonths, notCompared, warnings } = await resolvePeriod(query)
    const comparable = notCompared === null
    const [counts, noLocation, casesNow, casesBefore, forces] = await Promise.all([
      repository.countsByType(found.districtCodes, period, comparison, force),
      found.kind === 'partnership' ? repository.noLocation(period, force) : Promise.resolve(0),
      repository.caseIncidentsByMonth(found.kind === 'partnership' ? 'all' : found.districtCodes, period),
      repository.caseIncidentsByMonth(found.kind === 'partnership' ? 'all' : found.districtCodes, comparison),
      repository.forcesInArea(),
    ])
    const byType = new Map(counts.map((row) => [row.crime_type, row]))
    const policeRow = (crimeType: string, label = crimeType) => {
      const row = byType.get(crimeType)
      return figure(crimeType, 'police', label, row?.current ?? 0, comparable ? (row?.previous ?? 0) : null)
    }
    const crimeTypes = CRIME_TYPES.map((crimeType) => policeRow(crimeType))
    const allCurrent = sum(crimeTypes.map((row) => row.current))
    const allPrevious = comparable ? sum(crimeTypes.map((row) => row.previous ?? 0)) : null
    return {
      area: found,
      period,
      comparison,
      compare: query.compare,
      force,
      crimeTypes,
      allCrime: figure(ALL_CRIME, 'police', ALL_CRIME_LABEL, allCurrent, allPrevious),
      asb: {
        police: policeRow(ASB, ASB_POLICE_LABEL),
        cases: figure(ASB_CASES, 'cases', ASB_CASES_LABEL, sum(casesNow.values()), sum(casesBefore.values())),
      },
      noLocation,
      missingMonths,
      missingComparisonMonths,
      notCompared,
      warnings,
      forces,
      sources: [SOURCES.police, SOURCES.cases, SOURCES.boundaries],
    }
  }

  const filterOf = (choice: string): CrimeFilter => (choice === ALL_CRIME ? { allCrime: true } : { crimeType: choice })

  function checkChoice(choice: string) {
    if (!CHOICES.includes(choice)) throw new RuleError('crimeType', 'Choose a crime type from the list')
  }

  /** Five years of months up to the given month (or the latest loaded), with the highest month called out. */
  async function trend(query: { area: string; crimeType: string; to?: string | undefined; years?: number; force?: string | undefined }): Promise<Trend> {
    checkChoice(query.crimeType)
    const force = await forceOf(query.force)
    const found = await area(query.area)
    if (query.to !== undefined && !MONTH_PATTERN.test(query.to)) throw new RuleError('to', 'Enter a month like 2019-01')
    const loadedMonths = await repository.loadedMonths(force)
    const to = query.to ?? loadedMonths.at(-1)
    if (!to) throw new NotFoundError('No police.uk data has been imported yet')
    const years = query.years ?? 5
    const from = addMonths(to, -(years * 12) + 1)
    const source = query.crimeType === ASB_CASES ? 'cases' : 'police'
    const counts =
      source === 'cases'
        ? await repository.caseIncidentsByMonth(found.kind === 'partnership' ? 'all' : found.districtCodes, { from, to })
        : await repository.monthly(found.districtCodes, { from, to }, filterOf(query.crimeType), force)
    const loaded = new Set(loadedMonths)
    // Police months with no file loaded are gaps, not zeros; our own case records have every month.
    const months = monthsBetween(from, to).filter((month) => source === 'cases' || loaded.has(month))
    const points = months.map((month) => ({ month, count: counts.get(month) ?? 0 }))
    const most = Math.max(0, ...points.map((point) => point.count))
    const tied = most > 0 ? points.filter((point) => point.count === most) : []
    // The latest of equal highest months is the one marked on the chart; the words name them all.
    const highest = tied.at(-1) ?? null
    const name = choiceName(query.crimeType)
    const unit = source === 'cases' ? 'incidents' : 'crimes'
    const span =
      points.length >= years * 12 ? `in ${years === 5 ? 'five' : years} years` : `in the ${points.length === 1 ? 'one month' : `${points.length} months`} of data loaded (since ${monthLabel(points[0]?.month ?? from)})`
    const count = `${most.toLocaleString('en-GB')} ${unit}`
    const tiedMonths = listJoin(tied.map((point) => monthLabel(point.month)))
    const highestText = !highest
      ? `No ${unit} recorded for ${name.toLowerCase()} in ${found.name} in this time.`
      : tied.length > 3
        ? `${name} in ${found.name} reached its highest level ${span} (${count}) in ${tied.length} months, most recently ${monthLabel(highest.month)}.`
        : `${name} in ${found.name} was at its ${tied.length > 1 ? 'joint ' : ''}highest level ${span} in ${tiedMonths} (${count}${tied.length > 1 ? ' each' : ''}).`
    return { area: found, crimeType: query.crimeType, source, from, to, points, highest, highestText }
  }

  async function topAreas(query: PeriodQuery & { crimeType: string; level: 'lsoa' | 'ward'; sort: 'count' | 'change' }) {
    checkChoice(query.crimeType)
    if (query.crimeType === ASB_CASES) throw new RuleError('crimeType', 'Top areas are for police.uk figures: choose a police.uk crime type')
    const { area: found, period, comparison, force, notCompared, warnings } = await resolvePeriod(query)
    const comparable = notCompared === null
    const counts = await repository.countsByPlace(query.level, found.districtCodes, period, comparison, filterOf(query.crimeType), force)
    const located = counts.filter((row): row is typeof row & { code: string } => row.code !== null)
    const names = await repository.placeNames(query.level, located.map((row) => row.code))
    const rows: TopAreaRow[] = located.map((row) => {
      const made = figure(query.crimeType, 'police', '', row.current, comparable ? row.previous : null)
      const place = names.get(row.code)
      return { code: row.code, name: place?.name ?? row.code, kind: query.level, districtName: place?.districtName ?? '', current: made.current, previous: made.previous, change: made.change, percentChange: made.percentChange, notMeaningful: made.notMeaningful }
    })
    rows.sort((a, b) => (query.sort === 'change' ? (b.change ?? 0) - (a.change ?? 0) : 0) || b.current - a.current || a.code.localeCompare(b.code))
    return { area: found, period, comparison, notCompared, warnings, crimeType: query.crimeType, level: query.level, sort: query.sort, rows }
  }

  /** The LSOA counts with their boundaries, and (unless the caller draws only the shaded areas) the map points. */
  async function map(query: PeriodQuery & { crimeType: string }, options: { points?: boolean } = {}): Promise<HotspotMap> {
    checkChoice(query.crimeType)
    if (query.crimeType === ASB_CASES) throw new RuleError('crimeType', 'Maps are of police.uk figures: choose a police.uk crime type')
    // A map compares nothing: only the counted period is needed.
    const { area: found, period, force } = await countedPeriod(query)
    const filter = filterOf(query.crimeType)
    const counts = await repository.countsByPlace('lsoa', found.districtCodes, period, period, filter, force)
    const byCode = new Map(counts.filter((row) => row.code).map((row) => [row.code!, row.current]))
    // Draw the boundaries of the vintage the crimes were coded in: 2011 codes before 2023, 2021 codes after.
    const coverage = await repository.vintageCoverage([...byCode.keys()])
    const vintage = coverage.sort((a, b) => b.codes - a.codes || b.vintage - a.vintage)[0]?.vintage ?? 2021
    const boundaries = await repository.lsoaBoundaries(found.districtCodes, vintage)
    const lsoas: MapArea[] = boundaries.map((boundary) => ({ ...boundary, count: byCode.get(boundary.code) ?? 0 }))
    const points = options.points === false ? [] : await repository.points(found.districtCodes, period, filter, force)
    const notDrawn = sum(byCode.values()) - sum(lsoas.map((lsoa) => lsoa.count))
    return { area: found, crimeType: query.crimeType, period, lsoas, points, notDrawn }
  }

  return { areas, dashboard, trend, topAreas, map, loadedMonths: (force: string | null = null) => repository.loadedMonths(force), forces: () => repository.forcesInArea() }
}

export type PerformanceService = ReturnType<typeof performanceService>
