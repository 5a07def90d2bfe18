import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { z } from 'zod'
import { RuleError } from '../../platform/http/errors.js'
import { type FormErrors, parseForm, ruleErrors } from '../../platform/http/forms.js'
import { slug } from '../../platform/words.js'
import type { Services } from '../../composition.js'
import { choroplethClasses } from './maps.js'
import { dashboardTable, formatChange, mapTable, PERFORMANCE_EXPORT_TYPES, type PerformanceExportFormat, shortPeriodLabel, tableToCsv, tableToXlsx, topAreasTable, trendTable } from './performance-exports.js'
import { buildReport, dashboardChart, mapSvg, reportFileName, trendChart } from './performance-report.js'
import * as schemas from './performance.schemas.js'
import { ALL_CRIME, ASB_CASES, CHOICES } from './performance.service.js'
import type { Dashboard, ExportTable, FigureRow } from './performance.types.js'
import { COMPARISONS, MONTH_PATTERN, monthLabel, PERIOD_KINDS } from './periods.js'

const access = { access: 'performance:read' } as const

/** Which fields a page's filter form shows. */
interface PageForm {
  title: string
  formAction: string
  showPeriod?: boolean
  showCrimeType?: boolean
  showTo?: boolean
  excludeCases?: boolean
}
const DASHBOARD_FORM: PageForm = { title: 'Crime and ASB performance', formAction: '/performance', showPeriod: true }
const TREND_FORM: PageForm = { title: 'Five-year trend', formAction: '/performance/trends', showCrimeType: true, showTo: true }
const TOP_AREAS_FORM: PageForm = { title: 'Areas with the highest levels of crime', formAction: '/performance/top-areas', showPeriod: true, showCrimeType: true, excludeCases: true }
const MAP_FORM: PageForm = { title: 'Hotspot map', formAction: '/performance/map', showPeriod: true, showCrimeType: true, excludeCases: true }
const tags = ['Performance']

/** Query string of the current view, for links to exports and related pages. */
function queryString(query: Record<string, unknown>, changes: Record<string, string | undefined> = {}) {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries({ ...query, ...changes })) if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  return params.toString()
}

/** A download: its type by format, named for saving. */
const sendFile = (reply: FastifyReply, content: string | Buffer, format: PerformanceExportFormat, fileName: string) =>
  reply.type(PERFORMANCE_EXPORT_TYPES[format]).header('content-disposition', `attachment; filename="${fileName}"`).send(content)

async function sendTable(reply: FastifyReply, table: ExportTable, format: 'csv' | 'xlsx', name: string) {
  return sendFile(reply, format === 'csv' ? tableToCsv(table) : await tableToXlsx(table), format, `${name}.${format}`)
}

/** The dashboard table's rows with the change written as the exports write it, and a marker. */
function tableRows(dashboard: Dashboard) {
  const row = (figure: FigureRow, trendLink: string | null) => ({ figure, formatted: formatChange(figure), trendLink })
  const trend = (crimeType: string) => `/performance/trends?${queryString({ area: dashboard.area.code, crimeType, to: dashboard.period.to, force: dashboard.force ?? undefined })}`
  return {
    crimeTypes: dashboard.crimeTypes.map((figure) => row(figure, trend(figure.crimeType))),
    allCrime: row(dashboard.allCrime, trend(ALL_CRIME)),
    asbPolice: row(dashboard.asb.police, trend(dashboard.asb.police.crimeType)),
    asbCases: row(dashboard.asb.cases, trend(ASB_CASES)),
  }
}

export async function performanceRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { performance } = services
  const api = app.withTypeProvider<ZodTypeProvider>()

  /**
   * A page of figures: its query checked as a form, and any choice that cannot be shown (a custom range with no
   * months, the last month before the first) answered with the form again and a GOV.UK error summary.
   */
  async function page<S extends z.ZodType>(
    request: FastifyRequest,
    reply: FastifyReply,
    schema: S,
    form: PageForm,
    render: (query: z.output<S>, show: (template: string, context: Record<string, unknown>) => FastifyReply) => Promise<FastifyReply>,
  ) {
    // The page's form settings go to its template, and to the form shown again with errors.
    const show = (template: string, context: Record<string, unknown>, status = 200) => reply.code(status).render(template, { ...form, ...context })
    const invalid = async (errors: FormErrors) => {
      const common = await choices((request.query as { month?: unknown }).month, form)
      return show('performance/views/invalid.njk', { ...common, errors, query: request.query }, 400)
    }
    const parsed = parseForm(schema, request.query)
    if (!parsed.ok) return invalid(parsed.errors)
    try {
      return await render(parsed.value, show)
    } catch (error) {
      if (error instanceof RuleError) return invalid(ruleErrors(error))
      throw error
    }
  }

  /**
   * What every page's filter form offers. A month asked for that has no data stays in the list, so showing the
   * figures again keeps it; ASB from case records is left out where only police.uk figures can be shown.
   */
  async function choices(asked: unknown, form: PageForm) {
    // Every page offers the force filter, so that a force chosen on the dashboard stays chosen on the others.
    const [areas, loaded, forces] = await Promise.all([performance.areas(), performance.loadedMonths(), performance.forces()])
    const months = [...loaded].reverse().map((month) => ({ value: month, text: monthLabel(month) }))
    if (typeof asked === 'string' && MONTH_PATTERN.test(asked) && !loaded.includes(asked)) months.unshift({ value: asked, text: `${monthLabel(asked)} (no police.uk data)` })
    return { areas, months, periodKinds: PERIOD_KINDS, comparisons: COMPARISONS, crimeTypeChoices: form.excludeCases ? CHOICES.filter((choice) => choice !== ASB_CASES) : CHOICES, forces }
  }

  app.get('/performance', { config: access, schema: { hide: true } }, (request, reply) =>
    page(request, reply, schemas.periodQuery, DASHBOARD_FORM, async (query, show) => {
      const common = await choices(query.month, DASHBOARD_FORM)
      if (!common.months.length) return show('performance/views/dashboard.njk', { title: 'Crime and ASB performance', ...common, query: query, empty: true })
      const dashboard = await performance.dashboard(query)
      const qs = queryString({ ...query, month: dashboard.period.to })
      return show('performance/views/dashboard.njk', {
        title: `Crime and ASB in ${dashboard.area.name}`,
        ...common,
        query: { ...query, month: query.month ?? dashboard.period.to },
        dashboard,
        rows: tableRows(dashboard),
        chart: dashboardChart(dashboard),
        qs,
        links: {
          topAreas: `/performance/top-areas?${qs}`,
          map: `/performance/map?${qs}`,
          csv: `/performance/export/dashboard?${qs}&format=csv`,
          xlsx: `/performance/export/dashboard?${qs}&format=xlsx`,
        },
        canImport: request.auth!.permissions.has('performance:import'),
      })
    }),
  )

  app.get('/performance/trends', { config: access, schema: { hide: true } }, (request, reply) =>
    page(request, reply, schemas.trendQuery, TREND_FORM, async (query, show) => {
      const common = await choices(query.to, TREND_FORM)
      const trend = await performance.trend(query)
      const qs = queryString({ ...query, to: trend.to })
      return show('performance/views/trend.njk', {
        title: `${trend.crimeType === ALL_CRIME ? 'All crime' : trend.crimeType}: five-year trend in ${trend.area.name}`,
        ...common,
        query: { ...query, to: trend.to },
        trend,
        rows: [...trend.points].reverse().map((point) => ({ month: monthLabel(point.month), count: point.count })),
        chart: trendChart(trend),
        links: { csv: `/performance/export/trend?${qs}&format=csv`, xlsx: `/performance/export/trend?${qs}&format=xlsx`, dashboard: `/performance?${queryString({ area: trend.area.code, period: 'month', month: trend.to })}` },
      })
    }),
  )

  app.get('/performance/top-areas', { config: access, schema: { hide: true } }, (request, reply) =>
    page(request, reply, schemas.topAreasQuery, TOP_AREAS_FORM, async (query, show) => {
      const common = await choices(query.month, TOP_AREAS_FORM)
      const top = await performance.topAreas(query)
      const qs = queryString({ ...query, month: top.period.to })
      return show('performance/views/top-areas.njk', {
        title: `Areas with the highest levels of crime in ${top.area.name}`,
        ...common,
        query: { ...query, month: query.month ?? top.period.to },
        top,
        rows: top.rows.slice(0, 20).map((row, index) => ({ rank: index + 1, row, formatted: formatChange(row) })),
        links: { csv: `/performance/export/top-areas?${qs}&format=csv`, xlsx: `/performance/export/top-areas?${qs}&format=xlsx`, dashboard: `/performance?${queryString({ ...query, crimeType: undefined, level: undefined, sort: undefined, month: top.period.to })}` },
      })
    }),
  )

  app.get('/performance/map', { config: access, schema: { hide: true } }, (request, reply) =>
    page(request, reply, schemas.mapQuery, MAP_FORM, async (query, show) => {
      const common = await choices(query.month, MAP_FORM)
      const map = await performance.map(query, { points: query.view === 'points' })
      const qs = queryString({ ...query, month: map.period.to })
      const ranked = [...map.lsoas].filter((lsoa) => lsoa.count > 0).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
      return show('performance/views/map.njk', {
        title: `Hotspot map of ${map.area.name}`,
        ...common,
        query: { ...query, month: query.month ?? map.period.to },
        map,
        svg: mapSvg(map, query.view),
        classes: query.view === 'areas' ? choroplethClasses(map.lsoas.map((lsoa) => lsoa.count)) : [],
        topLsoas: ranked.slice(0, 15),
        totals: { crimes: map.lsoas.reduce((total, lsoa) => total + lsoa.count, 0), points: map.points.length },
        links: {
          areas: `/performance/map?${queryString({ ...query, month: map.period.to, view: 'areas' })}`,
          points: `/performance/map?${queryString({ ...query, month: map.period.to, view: 'points' })}`,
          csv: `/performance/export/map?${qs}&format=csv`,
          xlsx: `/performance/export/map?${qs}&format=xlsx`,
          dashboard: `/performance?${queryString({ ...query, crimeType: undefined, view: undefined, month: map.period.to })}`,
        },
      })
    }),
  )

  // ---- exports: every table and chart's figures as CSV or Excel; the dashboard as a board report ----

  api.get('/performance/export/dashboard', { config: access, schema: { querystring: schemas.periodQuery.extend(schemas.exportQuery.shape), hide: true } }, async (request, reply) => {
    const dashboard = await performance.dashboard(request.query)
    return sendTable(reply, dashboardTable(dashboard), request.query.format, `crime-${slug(dashboard.area.name)}-${dashboard.period.from}-to-${dashboard.period.to}`)
  })

  api.get('/performance/export/trend', { config: access, schema: { querystring: schemas.trendQuery.extend(schemas.exportQuery.shape), hide: true } }, async (request, reply) => {
    const trend = await performance.trend(request.query)
    return sendTable(reply, trendTable(trend), request.query.format, `trend-${slug(trend.crimeType)}-${slug(trend.area.name)}-${trend.from}-to-${trend.to}`)
  })

  api.get('/performance/export/top-areas', { config: access, schema: { querystring: schemas.topAreasQuery.extend(schemas.exportQuery.shape), hide: true } }, async (request, reply) => {
    const top = await performance.topAreas(request.query)
    const ranking = top.sort === 'change' ? 'ranked by rise' : 'ranked by count'
    const title = `${top.crimeType} by ${top.level === 'ward' ? 'ward' : 'LSOA'} in ${top.area.name}, ${ranking}, ${top.period.label}, against ${top.comparison.label}`
    const labels = { current: shortPeriodLabel(top.period.label), previous: shortPeriodLabel(top.comparison.label) }
    return sendTable(reply, topAreasTable(top.rows, title, labels), request.query.format, `top-${top.level}s-${slug(top.crimeType)}-${slug(top.area.name)}-${top.period.from}-to-${top.period.to}-by-${top.sort}`)
  })

  api.get('/performance/export/map', { config: access, schema: { querystring: schemas.mapQuery.extend(schemas.exportQuery.shape), hide: true } }, async (request, reply) => {
    const map = await performance.map(request.query, { points: false })
    return sendTable(reply, mapTable(map), request.query.format, `lsoa-${slug(map.crimeType ?? 'all')}-${slug(map.area.name)}-${map.period.from}-to-${map.period.to}`)
  })

  api.get('/performance/report', { config: access, schema: { querystring: schemas.reportQuery, hide: true } }, async (request, reply) => {
    const { format, agendaItem, meetingName, ...query } = request.query
    const report = await buildReport(performance, query, { agendaItem: agendaItem ?? null, meetingName: meetingName ?? null })
    return sendFile(reply, format === 'pdf' ? await report.pdf() : await report.docx(), format, reportFileName(report, format))
  })

  // ---- JSON API ----

  api.get('/api/v1/performance/areas', { config: access, schema: { summary: 'The partnership areas, the months with police.uk data loaded and the reporting forces', tags, response: { 200: schemas.areasResponse } } }, async () => {
    const [areas, months, dashboardForces] = await Promise.all([performance.areas(), performance.loadedMonths(), performance.forces()])
    return { areas, months, forces: dashboardForces, crimeTypes: [...CHOICES] }
  })

  api.get('/api/v1/performance/dashboard', { config: access, schema: { summary: 'Counts per crime type for an area and period, against a comparison period, with the change in numbers and %', tags, querystring: schemas.periodQuery, response: { 200: schemas.dashboard } } }, async (request) => {
    return performance.dashboard(request.query)
  })

  api.get('/api/v1/performance/trend', { config: access, schema: { summary: 'Monthly counts of a crime type in an area over five years, with the highest month', tags, querystring: schemas.trendQuery, response: { 200: schemas.trend } } }, async (request) => {
    return performance.trend(request.query)
  })

  api.get('/api/v1/performance/top-areas', { config: access, schema: { summary: 'Wards or LSOAs of an area ranked by count or by change', tags, querystring: schemas.topAreasQuery, response: { 200: schemas.topAreas } } }, async (request) => {
    return performance.topAreas(request.query)
  })

  api.get('/api/v1/performance/map', { config: access, schema: { summary: 'Counts per LSOA and per police.uk map point for a crime type, area and period', tags, querystring: schemas.mapQuery, response: { 200: schemas.hotspotMap } } }, async (request) => {
    const map = await performance.map(request.query)
    return { ...map, lsoas: map.lsoas.map(({ code, name, count }) => ({ code, name, count })) }
  })
}
