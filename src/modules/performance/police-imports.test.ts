import { randomBytes, randomUUID } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, createTestApp, type TestApp } from '../../../test/helpers/app.js'
import { createApp } from '../../app.js'
import { services as createServices } from '../../composition.js'
import type { AuditService } from '../audit/audit.service.js'
import { policeImportsRepository } from './police-imports.repository.js'
import { type ImportJob, INTERRUPTED_MESSAGE, policeImportsService, RETRY_DAYS } from './police-imports.service.js'

const DATA = fileURLToPath(new URL('../../../../shared/data/police-uk/', import.meta.url))
const read = (name: string) => readFileSync(path.join(DATA, name))

let t: TestApp
const db = () => t.testDb.database.db

beforeAll(async () => {
  t = await createTestApp()
}, 120_000)
afterAll(async () => {
  await t.services.policeImports.idle()
  await t.close()
})

interface UploadFile {
  name: string
  data: Buffer
  type?: string
}

/** A multipart/form-data body as a browser posts a form with a multiple file input: fields first, then each file. */
function multipartBody(fields: Record<string, string>, files: UploadFile[], fieldName = 'files') {
  const boundary = `----scp${randomBytes(8).toString('hex')}`
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  for (const file of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${fieldName}"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'text/csv'}\r\n\r\n`), file.data, Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

const real = (name: string): UploadFile => ({ name, data: read(name) })

/** Posts the page's form, with the CSRF token in its hidden field ahead of the files, as a browser does. */
async function uploadPage(agent: Agent, files: UploadFile[], options: { csrf?: string } = {}) {
  await agent.get('/performance/imports')
  const body = multipartBody({ _csrf: options.csrf ?? agent.csrfToken ?? '' }, files)
  return agent.request({ method: 'POST', url: '/performance/imports', payload: body.payload, headers: body.headers })
}

async function uploadApi(agent: Agent, files: UploadFile[]) {
  if (!agent.csrfToken) await agent.get('/performance/imports')
  const body = multipartBody({}, files)
  return agent.request({ method: 'POST', url: '/api/v1/performance/imports', payload: body.payload, headers: { ...body.headers, 'x-csrf-token': agent.csrfToken ?? '' } })
}

const refreshes = (page: LightMyRequestResponse) => page.body.includes('data-import-job="running"')

/** Reads the progress page as a person (or the page's script) would, again and again, until the import is done. */
async function followJob(agent: Agent, location: string, onRunning?: (page: LightMyRequestResponse) => void) {
  for (let attempt = 0; attempt < 600; attempt++) {
    const page = await agent.get(location)
    expect(page.statusCode).toBe(200)
    if (!refreshes(page)) return page
    onRunning?.(page)
    await sleep(100)
  }
  throw new Error('the import did not finish')
}

async function followApiJob(agent: Agent, location: string): Promise<ImportJob> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const response = await agent.json('GET', location)
    expect(response.statusCode).toBe(200)
    const job = response.json() as ImportJob
    if (job.status === 'done') return job
    await sleep(100)
  }
  throw new Error('the import did not finish')
}

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&gt;/g, '>').replace(/\s+/g, ' ')
const uploadDir = () => t.services.config.uploadDir
const temporaryFiles = () => (existsSync(uploadDir()) ? readdirSync(uploadDir()).filter((name) => name.startsWith('police-upload-')) : [])
const actor = (userId: string) => ({ userId, organisationId: null, ip: null })

/** A copy of a police.uk file (or of the content given) in the upload folder, as an upload leaves it for its job. */
function uploaded(name: string, content?: string) {
  mkdirSync(uploadDir(), { recursive: true })
  const file = path.join(uploadDir(), `police-upload-${randomUUID()}.csv`)
  if (content === undefined) copyFileSync(path.join(DATA, name), file)
  else writeFileSync(file, content)
  return { fileName: name, path: file, size: statSync(file).size }
}

const auditRows = (action: string) => db().selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('occurred_at').execute()

describe('the import page', () => {
  it('explains where the files come from and offers a form for one or many CSV files', async () => {
    const analyst = await t.signInAs(['analyst'])
    const page = await analyst.get('/performance/imports')

    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<h1 class="govuk-heading-l">Import police.uk data</h1>')
    expect(page.body).toContain('href="https://data.police.uk/data/"')
    expect(text(page.body)).toContain('replaces what was imported for it before')
    expect(page.body).toContain('enctype="multipart/form-data"')
    expect(page.body).toMatch(/<input type="hidden" name="_csrf" value="[^"]+">/)
    expect(page.body).toMatch(/<input class="govuk-file-upload" id="files" name="files" type="file" multiple aria-describedby="files-hint"\s+accept=".csv,text\/csv">/)
    expect(page.body).toContain('No police.uk data has been imported yet.')
  })

  it('is only for people who import data: a board member is refused the page, the upload and the API', async () => {
    const member = await t.signInAs(['board_member'])
    expect((await member.get('/performance/imports')).statusCode).toBe(403)
    expect((await member.json('GET', '/api/v1/performance/files')).statusCode).toBe(403)
    const before = temporaryFiles()
    const upload = await uploadApi(member, [real('2019-01-btp-street.csv')])
    expect(upload.statusCode).toBe(403)
    expect(temporaryFiles()).toEqual(before)
  })

  it('asks for a file when none is chosen, and for CSV files when another kind is chosen', async () => {
    const analyst = await t.signInAs(['analyst'])

    // A browser sends an empty part with an empty file name when no file was chosen.
    const none = await uploadPage(analyst, [{ name: '', data: Buffer.alloc(0), type: 'application/octet-stream' }])
    expect(none.statusCode).toBe(400)
    expect(none.body).toContain('govuk-error-summary')
    expect(none.body).toContain('<a href="#files">Select one or more police.uk CSV files</a>')
    expect(none.body).toContain('<title>Error: Import police.uk data')

    const before = temporaryFiles()
    const wrongKind = await uploadPage(analyst, [real('2018-10-leicestershire-street.csv'), { name: 'crime-map.pdf', data: Buffer.from('%PDF-1.4\n'), type: 'application/pdf' }])
    expect(wrongKind.statusCode).toBe(400)
    expect(wrongKind.body).toContain('crime-map.pdf is not a CSV file: select police.uk street-level crime files, which end in .csv')
    expect(wrongKind.body).toContain('govuk-file-upload--error')
    // Nothing imported, nothing left on disk.
    expect(await db().selectFrom('police_files').selectAll().where('month', '=', '2018-10').execute()).toEqual([])
    expect(temporaryFiles()).toEqual(before)

    const tooMany = await uploadPage(analyst, Array.from({ length: 61 }, (_, index) => ({ name: `file-${index}.csv`, data: Buffer.from('Crime ID\n') })))
    expect(tooMany.statusCode).toBe(400)
    expect(tooMany.body).toContain('<a href="#files">Select 60 files or fewer at a time</a>')
    expect(temporaryFiles()).toEqual(before)
  })

  it('refuses an upload whose form did not come from the service, before writing any of it', async () => {
    const analyst = await t.signInAs(['analyst'])
    const before = temporaryFiles()
    const response = await uploadPage(analyst, [real('2019-01-btp-street.csv')], { csrf: 'forged' })
    expect(response.statusCode).toBe(403)
    expect(temporaryFiles()).toEqual(before)
    expect(await auditRows('police_file.imported')).toEqual([])
  })
})

describe('importing through the page', () => {
  it('imports files one after another, shows their progress while they run and a summary when done, and lists the force-months', async () => {
    const analyst = await t.signInAs(['analyst'])
    // A month's rows five times over (still one force's month) makes a file long enough to watch.
    const content = read('2019-01-leicestershire-street.csv')
    const [header, ...lines] = content.toString('utf8').split(/(?<=\n)/)
    const long = { name: '2019-01-leicestershire-street.csv', data: Buffer.from(header + lines.join('').repeat(5)) }

    const response = await uploadPage(analyst, [real('2018-12-leicestershire-street.csv'), real('2018-11-leicestershire-street.csv'), long])
    expect(response.statusCode).toBe(303)
    const location = response.headers.location as string
    expect(location).toMatch(/^\/performance\/imports\/jobs\/[0-9a-f-]{36}$/)

    const progress: string[] = []
    const done = await followJob(analyst, location, (page) => progress.push(page.body))
    // Seen part-way (on PGlite a page waits for the file being imported, so it is seen between files): the file, its
    // position and how far it has got, with a progress bar; no timed reload (WCAG 2.2.1), a link to refresh instead.
    const running = progress.find((body) => /Importing [1-3] of 3: 20\d\d-\d\d-leicestershire-street\.csv — \d+%/.test(text(body)))
    expect(running).toBeDefined()
    expect(running).toMatch(/<label class="govuk-label" for="import-progress">[^<]+<\/label>\s*<progress id="import-progress" class="govuk-!-width-full" max="100" value="\d+">/)
    expect(running).toContain('govuk-task-list')
    expect(running).not.toContain('http-equiv="refresh"')
    expect(running).toContain('Refresh this page')
    expect(running).toContain('aria-live="polite"')

    const summary = text(done.body)
    expect(summary).toContain('3 files imported')
    expect(summary).toContain('2019-01-leicestershire-street.csv Leicestershire Police January 2019 42,515')
    expect(summary).toContain('2018-11-leicestershire-street.csv Leicestershire Police November 2018 8,880')
    expect(summary).toContain('New')
    expect(done.body).toContain('href="/performance"')
    expect(temporaryFiles()).toEqual([])

    const list = text((await analyst.get('/performance/imports')).body)
    expect(list).toMatch(/Leicestershire Police January 2019 42,515 1,335 50 2019-01-leicestershire-street\.csv \d+ \w+ \d{4}, \d\d:\d\d by /)
    expect(list.indexOf('January 2019')).toBeLessThan(list.indexOf('December 2018'))
  })

  it('imports many files at once; a refused file among them shows its reason, and the good ones are imported', async () => {
    const analyst = await t.signInAs(['analyst'])
    const broken = Buffer.from('Crime reference,Month\nabc,2019-01\n')
    const response = await uploadPage(analyst, [real('2019-01-btp-street.csv'), { name: '2019-01-mystery-street.csv', data: broken }, real('2019-01-derbyshire-street.csv')])
    expect(response.statusCode).toBe(303)

    const done = text((await followJob(analyst, response.headers.location as string)).body)

    expect(done).toContain('2 files imported, 1 refused')
    expect(done).toContain('2019-01-btp-street.csv British Transport Police January 2019')
    expect(done).toContain('2019-01-derbyshire-street.csv Derbyshire Constabulary January 2019')
    expect(done).toContain('Files refused')
    expect(done).toContain('2019-01-mystery-street.csv Error: 2019-01-mystery-street.csv: this is not a police.uk street-level crime file.')
    const forces = await db().selectFrom('police_files').select('force').where('month', '=', '2019-01').orderBy('force').execute()
    expect(forces.map((row) => row.force)).toEqual(['British Transport Police', 'Derbyshire Constabulary', 'Leicestershire Police'])
    // The uploaded copies of the imported and of the refused file are gone, and the job kept in the database says so.
    expect(temporaryFiles()).toEqual([])
    const jobId = (response.headers.location as string).split('/').pop()!
    expect(await db().selectFrom('import_jobs').select('state').where('id', '=', jobId).executeTakeFirstOrThrow()).toEqual({ state: 'failed' })
    const files = await db().selectFrom('import_job_files').select(['state', 'file_path']).where('job_id', '=', jobId).orderBy('position').execute()
    expect(files).toEqual([
      { state: 'imported', file_path: null },
      { state: 'rejected', file_path: null },
      { state: 'imported', file_path: null },
    ])
  })

  it('refuses a file with a point not on the map (longitude 999999, latitude NaN), naming the line, and saves nothing of it', async () => {
    const analyst = await t.signInAs(['analyst'])
    const header = 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n'
    const row = (longitude: string, latitude: string) => `,2013-04,Leicestershire Police,Leicestershire Police,${longitude},${latitude},On or near Lowland Avenue,E01025631,Blaby 002A,Burglary,,\n`
    const far = { name: '2013-04-leicestershire-street.csv', data: Buffer.from(header + row('-1.214176', '52.621663').repeat(5) + row('', '') + row('999999', '52.621663')) }
    const nan = { name: '2013-04-derbyshire-street.csv', data: Buffer.from(header + row('-1.214176', 'NaN')) }

    const response = await uploadPage(analyst, [far, nan])
    const done = text((await followJob(analyst, response.headers.location as string)).body)

    expect(done).toContain('0 files imported, 2 refused')
    expect(done).toContain('2013-04-leicestershire-street.csv: line 8 has the longitude "999999" and latitude "52.621663", which is not a place on the map')
    expect(done).toContain('2013-04-derbyshire-street.csv: line 2 has the longitude "-1.214176" and latitude "NaN", which is not a place on the map')
    expect(await db().selectFrom('police_files').selectAll().where('month', '=', '2013-04').execute()).toEqual([])
    expect(temporaryFiles()).toEqual([])
  })

  it('says which old crime type labels were counted under the current categories, and when a month replaced an earlier import', async () => {
    const analyst = await t.signInAs(['analyst'])
    const header = 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n'
    const row = (type: string) => `,2012-03,Leicestershire Police,Leicestershire Police,-1.214176,52.621663,On or near Lowland Avenue,E01025631,Blaby 002A,${type},,\n`
    const old = { name: '2012-03-leicestershire-street.csv', data: Buffer.from(header + row('Violent crime').repeat(1234) + row('Burglary')) }
    await followJob(analyst, (await uploadPage(analyst, [old])).headers.location as string)

    const again = text((await followJob(analyst, (await uploadPage(analyst, [old])).headers.location as string)).body)

    expect(again).toContain('Replaced 1,235 rows')
    expect(again).toContain('Violent crime → Violence and sexual offences: 1,234')
  })

  it('shows a job only to the person who started it', async () => {
    const analyst = await t.signInAs(['analyst'])
    const response = await uploadPage(analyst, [real('2019-02-leicestershire-street.csv')])
    const location = response.headers.location as string
    await followJob(analyst, location)

    const other = await t.signInAs(['analyst'])
    expect((await other.get(location)).statusCode).toBe(404)
    const jobId = location.split('/').pop()
    expect((await other.json('GET', `/api/v1/performance/import-jobs/${jobId}`)).statusCode).toBe(404)
    expect((await analyst.get('/performance/imports/jobs/not-a-job')).statusCode).toBe(404)
  })
})

describe('the API', () => {
  it('accepts files with 202 and a Location to follow, reports the job until it is done, and lists the force-months', async () => {
    const analyst = await t.signInAs(['analyst'])
    const response = await uploadApi(analyst, [real('2018-10-leicestershire-street.csv'), { name: '2018-10-wrong-street.csv', data: read('2018-11-leicestershire-street.csv') }])

    expect(response.statusCode).toBe(202)
    const started = response.json() as ImportJob
    expect(response.headers.location).toBe(`/api/v1/performance/import-jobs/${started.jobId}`)
    expect(started.files.map((file) => [file.fileName, file.totalBytes])).toEqual([
      ['2018-10-leicestershire-street.csv', read('2018-10-leicestershire-street.csv').length],
      ['2018-10-wrong-street.csv', read('2018-11-leicestershire-street.csv').length],
    ])

    const job = await followApiJob(analyst, response.headers.location as string)
    expect(job).toMatchObject({ jobId: started.jobId, status: 'done', imported: 1, refused: 1 })
    expect(job.files[0]).toMatchObject({ status: 'imported', rows: 8956, error: null, result: { force: 'Leicestershire Police', month: '2018-10', rows: 8956, replacedRows: null } })
    expect(job.files[1]).toMatchObject({
      status: 'rejected',
      result: null,
      error: '2018-10-wrong-street.csv: the file is named for 2018-10 but its rows are for 2018-11. Check you have the right file.',
    })

    const files = await analyst.json('GET', '/api/v1/performance/files')
    expect(files.statusCode).toBe(200)
    const listed = files.json() as { force: string; month: string; rows: number; importedBy: string | null }[]
    expect(listed.find((file) => file.month === '2018-10')).toMatchObject({ force: 'Leicestershire Police', rows: 8956, fileName: '2018-10-leicestershire-street.csv' })
    // Newest month first.
    expect(listed.map((file) => file.month)).toEqual([...listed.map((file) => file.month)].sort().reverse())
  })

  it('takes an upload from a script with a personal API token, which sends no CSRF token', async () => {
    const admin = await t.signInAs(['admin'])
    const analyst = await t.signInAs(['analyst'])
    const issued = await t.services.apiTokens.issue({ userId: admin.user.id, organisationId: admin.user.organisationId, ip: null }, { userId: analyst.user.id, name: 'monthly import', expiresInDays: 30 })
    const body = multipartBody({}, [real('2019-02-leicestershire-street.csv')])
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/performance/imports', payload: body.payload, headers: { ...body.headers, authorization: `Bearer ${issued.token}` } })
    expect(response.statusCode).toBe(202)
    await t.services.policeImports.idle()
    const job = await t.app.inject({ url: response.headers.location as string, headers: { authorization: `Bearer ${issued.token}` } })
    expect(job.json()).toMatchObject({ status: 'done', imported: 1, refused: 0 })
  })

  it('answers a request without files with the usual JSON error', async () => {
    const analyst = await t.signInAs(['analyst'])
    const response = await uploadApi(analyst, [])
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Select one or more police.uk CSV files' })
  })

  it('documents the import endpoints in the OpenAPI document', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, { tags?: string[]; requestBody?: { content: Record<string, unknown> } }>> }
    expect(document.paths['/api/v1/performance/imports']?.post?.tags).toEqual(['Performance'])
    expect(Object.keys(document.paths['/api/v1/performance/imports']?.post?.requestBody?.content ?? {})).toEqual(['multipart/form-data'])
    expect(document.paths['/api/v1/performance/import-jobs/{jobId}']?.get?.tags).toEqual(['Performance'])
    expect(document.paths['/api/v1/performance/files']?.get?.tags).toEqual(['Performance'])
  })
})

describe('import jobs', () => {
  it('shows only a police.uk problem as it is; any other failure is refused in general words, and logged by its kind only', async () => {
    const analyst = await t.signInAs(['analyst'])
    const logged: { details: Record<string, unknown>; message: string }[] = []
    const log = { error: (details: Record<string, unknown>, message: string) => logged.push({ details, message }) }
    const missing = path.join(tmpdir(), 'scp-police-upload-gone-missing.csv')
    // This app's worker is stopped, so that the job is run by a worker logging to this test.
    await t.services.policeImports.stop()
    const imports = policeImportsService({ database: t.testDb.database, audit: t.services.audit, imports: policeImportsRepository(db()), uploadDir: uploadDir() })
    await imports.start({ log })

    const started = await imports.startJob(actor(analyst.user.id), [{ fileName: '2019-02-leicestershire-street.csv', path: missing, size: 100 }])
    await imports.idle()
    await imports.stop()
    await t.services.policeImports.start()

    const job = await t.services.policeImports.job(actor(analyst.user.id), started.jobId)
    expect(job).toMatchObject({ status: 'done', refused: 1, error: null, retryable: false })
    expect(job.files[0]).toMatchObject({ status: 'rejected', error: '2019-02-leicestershire-street.csv could not be imported because of an unexpected error. Nothing from it was saved: try again, and if it happens again tell your system administrator.' })
    expect(logged).toEqual([{ details: { error: 'Error', code: 'ENOENT' }, message: 'police.uk import failed' }])
    expect(await db().selectFrom('import_jobs').select('state').where('id', '=', started.jobId).executeTakeFirstOrThrow()).toEqual({ state: 'failed' })
  })

  it('reports a month as imported when it was, even if its audit entry then fails', async () => {
    const analyst = await t.signInAs(['analyst'])
    const logged: string[] = []
    const failingAudit = { record: (_actor: unknown, event: { action: string }) => (event.action === 'police_file.imported' ? Promise.reject(new Error('audit down')) : t.services.audit.record(_actor as never, event as never)) }
    const imports = policeImportsService({ database: t.testDb.database, audit: failingAudit as unknown as AuditService, imports: policeImportsRepository(db()), uploadDir: uploadDir() })
    const copy = path.join(tmpdir(), `scp-police-audit-${randomBytes(4).toString('hex')}.csv`)
    copyFileSync(path.join(DATA, '2018-10-leicestershire-street.csv'), copy)

    const outcome = await imports.importFile(actor(analyst.user.id), { fileName: '2018-10-leicestershire-street.csv', path: copy, size: statSync(copy).size }, { log: { error: (_details, message) => logged.push(message) } })
    rmSync(copy, { force: true })

    expect(outcome.status).toBe('imported')
    expect(logged).toEqual(['recording a police.uk import in the audit log failed'])
    expect(await db().selectFrom('police_files').select('month').where('month', '=', '2018-10').execute()).toHaveLength(1)
  })

})

describe('import jobs in the service', () => {
  /** A service on this app's database and upload folder, its worker started, the app's own stopped meanwhile. */
  async function withService(work: (imports: ReturnType<typeof policeImportsService>) => Promise<void>) {
    await t.services.policeImports.stop()
    const imports = policeImportsService({ database: t.testDb.database, audit: t.services.audit, imports: policeImportsRepository(db()), uploadDir: uploadDir() })
    try {
      await imports.start()
      await work(imports)
    } finally {
      await imports.stop()
      await t.services.policeImports.start()
    }
  }

  it('removes each uploaded copy when its file is imported or refused', async () => {
    const analyst = await t.signInAs(['analyst'])
    await withService(async (imports) => {
      const good = uploaded('2018-10-leicestershire-street.csv')
      const bad = uploaded('not-police.csv', 'Crime ID,Month\n')

      const started = await imports.startJob(actor(analyst.user.id), [good, bad])
      await imports.idle()

      const job = await imports.job(actor(analyst.user.id), started.jobId)
      expect(job).toMatchObject({ status: 'done', imported: 1, refused: 1, retryable: false })
      expect(existsSync(good.path)).toBe(false)
      expect(existsSync(bad.path)).toBe(false)
    })
  })

  it('at start marks a running job interrupted, keeping its file, and a retry imports it and removes it', async () => {
    const analyst = await t.signInAs(['analyst'])
    const upload = uploaded('2019-02-leicestershire-street.csv')
    const jobId = await t.factories.importJob({ startedBy: analyst.user.id, state: 'running', files: [{ ...upload, state: 'importing' }] })

    await withService(async (imports) => {
      expect(await imports.job(actor(analyst.user.id), jobId)).toMatchObject({ status: 'interrupted', error: INTERRUPTED_MESSAGE, retryable: true, files: [{ status: 'interrupted' }] })
      expect(existsSync(upload.path)).toBe(true)
      await expect(imports.retry(actor(randomUUID()), jobId)).rejects.toThrow('Page not found')

      await imports.retry(actor(analyst.user.id), jobId)
      await imports.idle()

      expect(await imports.job(actor(analyst.user.id), jobId)).toMatchObject({ status: 'done', imported: 1, error: null, files: [{ status: 'imported', rows: 8136 }] })
      expect(existsSync(upload.path)).toBe(false)
      await expect(imports.retry(actor(analyst.user.id), jobId)).rejects.toThrow('Only an interrupted import can be tried again.')
    })
  })
})

describe('interrupted jobs not tried again', () => {
  it(`are ended after ${RETRY_DAYS} days at start, and their files removed; younger ones keep theirs`, async () => {
    const analyst = await t.signInAs(['analyst'])
    const copy = () => ({ ...uploaded('2019-02-leicestershire-street.csv', 'Crime ID,Month\n'), state: 'interrupted' as const })
    const day = 24 * 60 * 60 * 1000
    const old = copy()
    const recent = copy()
    const expired = await t.factories.importJob({ startedBy: analyst.user.id, state: 'interrupted', finishedAt: new Date(Date.now() - (RETRY_DAYS + 1) * day), files: [old] })
    const kept = await t.factories.importJob({ startedBy: analyst.user.id, state: 'interrupted', finishedAt: new Date(Date.now() - (RETRY_DAYS - 1) * day), files: [recent] })

    await t.services.policeImports.stop()
    await t.services.policeImports.start()

    const ended = await t.services.policeImports.job(actor(analyst.user.id), expired)
    expect(ended).toMatchObject({ status: 'done', refused: 1, retryable: false })
    expect(ended.files[0]?.error).toBe(`This import was interrupted and not tried again within ${RETRY_DAYS} days, so its uploaded files were removed. Import them again.`)
    expect(existsSync(old.path)).toBe(false)
    expect(await t.services.policeImports.job(actor(analyst.user.id), kept)).toMatchObject({ status: 'interrupted', retryable: true })
    expect(existsSync(recent.path)).toBe(true)
    rmSync(recent.path)
  })
})

describe('after a restart', () => {
  /**
   * The app built again on the same database and upload folder, as the service is when it starts again; the first
   * app's worker is stopped, as the stopped process's was. The agent keeps its session.
   */
  async function restarted(agent: Agent, work: (again: { agent: Agent; services: ReturnType<typeof createServices> }) => Promise<void>) {
    await t.services.policeImports.stop()
    const services = createServices(t.services.config, t.testDb.database)
    const app = await createApp(services)
    try {
      await app.ready()
      const again = new Agent(app)
      again.cookies = new Map(agent.cookies)
      await work({ agent: again, services })
    } finally {
      await app.close()
      await t.services.policeImports.start()
    }
  }

  const jobFiles = (jobId: string) => db().selectFrom('import_job_files').select(['original_name', 'state', 'file_path']).where('job_id', '=', jobId).orderBy('position').execute()
  const jobRow = (jobId: string) => db().selectFrom('import_jobs').select(['state', 'error']).where('id', '=', jobId).executeTakeFirstOrThrow()

  it('marks a job left running as interrupted and says so on its page; a retry imports its files; queued jobs run; other uploads are swept', async () => {
    const analyst = await t.signInAs(['analyst'])
    const first = uploaded('2018-12-leicestershire-street.csv')
    const second = uploaded('2019-02-leicestershire-street.csv')
    const running = await t.factories.importJob({ startedBy: analyst.user.id, state: 'running', files: [{ ...first, state: 'importing' }, { ...second, state: 'queued' }] })
    const waiting = uploaded('2019-01-derbyshire-street.csv')
    const queued = await t.factories.importJob({ startedBy: analyst.user.id, state: 'queued', files: [{ ...waiting, state: 'queued' }] })
    // A job that ended just before its copy was removed, an upload that never became a job, and a file not ours.
    const leftOver = uploaded('2018-11-leicestershire-street.csv')
    const ended = await t.factories.importJob({ startedBy: analyst.user.id, state: 'succeeded', files: [{ ...leftOver, state: 'imported' }] })
    const orphan = path.join(uploadDir(), `police-upload-${randomUUID()}.csv`)
    writeFileSync(orphan, 'Crime ID,Month\n')
    const notOurs = path.join(uploadDir(), 'notes.txt')
    writeFileSync(notOurs, 'kept')

    await restarted(analyst, async ({ agent, services }) => {
      await services.policeImports.idle()

      expect(await jobRow(running)).toEqual({ state: 'interrupted', error: INTERRUPTED_MESSAGE })
      expect((await jobFiles(running)).map((file) => file.state)).toEqual(['interrupted', 'queued'])
      expect(await jobRow(queued)).toEqual({ state: 'succeeded', error: null })
      expect(await jobFiles(ended)).toEqual([{ original_name: '2018-11-leicestershire-street.csv', state: 'imported', file_path: null }])
      expect(readdirSync(uploadDir()).sort()).toEqual([path.basename(first.path), path.basename(second.path), 'notes.txt'].sort())
      const interrupted = await auditRows('police_import.interrupted')
      expect(interrupted.at(-1)?.details).toEqual({ jobs: 1 })

      const location = `/performance/imports/jobs/${running}`
      const page = await agent.get(location)
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('data-import-job="interrupted"')
      expect(page.body).toContain('<title>Import interrupted')
      const said = text(page.body)
      expect(said).toContain(INTERRUPTED_MESSAGE)
      expect(said).toContain('Not imported yet: 2018-12-leicestershire-street.csv 2019-02-leicestershire-street.csv')
      expect(page.body).toMatch(new RegExp(`<form method="post" action="${location}/retry" novalidate>\\s*<input type="hidden" name="_csrf" value="[^"]+">`))
      expect(said).toContain('Try the import again')
      const api = (await agent.json('GET', `/api/v1/performance/import-jobs/${running}`)).json() as ImportJob
      expect(api).toMatchObject({ status: 'interrupted', retryable: true, error: INTERRUPTED_MESSAGE, imported: 0, refused: 0 })

      // Without the form's token the retry is refused.
      const forged = await agent.request({ method: 'POST', url: `${location}/retry`, payload: '_csrf=forged', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      expect(forged.statusCode).toBe(403)

      const retried = await agent.submit(`${location}/retry`, {}, { formPage: location })
      expect(retried.statusCode).toBe(303)
      expect(retried.headers.location).toBe(location)
      const done = text((await followJob(agent, location)).body)
      expect(done).toContain('2 files imported')
      expect(done).toContain('2018-12-leicestershire-street.csv Leicestershire Police December 2018')
      expect(await jobRow(running)).toEqual({ state: 'succeeded', error: null })
      expect((await jobFiles(running)).map((file) => [file.state, file.file_path])).toEqual([
        ['imported', null],
        ['imported', null],
      ])
      expect(readdirSync(uploadDir())).toEqual(['notes.txt'])
      const retriedRows = await auditRows('police_import.retried')
      expect(retriedRows.at(-1)).toMatchObject({ user_id: analyst.user.id, record_id: running, details: { files: 2 } })
    })
  })

  it('offers no retry when the uploaded files are gone, and answers a retry that cannot be done with 409', async () => {
    const analyst = await t.signInAs(['analyst'])
    const gone = path.join(uploadDir(), `police-upload-${randomUUID()}.csv`)
    const job = await t.factories.importJob({ startedBy: analyst.user.id, state: 'running', files: [{ fileName: '2019-02-leicestershire-street.csv', path: gone, size: 100, state: 'importing' }] })
    const finished = await t.factories.importJob({ startedBy: analyst.user.id, state: 'succeeded', files: [] })

    await restarted(analyst, async ({ agent }) => {
      const page = await agent.get(`/performance/imports/jobs/${job}`)
      expect(text(page.body)).toContain('The uploaded files are no longer there. Import them again')
      expect(page.body).not.toContain('Try the import again')

      const api = await agent.json('POST', `/api/v1/performance/import-jobs/${job}/retry`)
      expect(api.statusCode).toBe(409)
      expect(api.json()).toMatchObject({ message: 'The uploaded files are no longer there: import them again.' })
      const notInterrupted = await agent.json('POST', `/api/v1/performance/import-jobs/${finished}/retry`)
      expect(notInterrupted.statusCode).toBe(409)
      expect(notInterrupted.json()).toMatchObject({ message: 'Only an interrupted import can be tried again.' })
      const form = await agent.submit(`/performance/imports/jobs/${job}/retry`, {}, { formPage: `/performance/imports/jobs/${job}` })
      expect(form.statusCode).toBe(409)
      expect(await jobRow(job)).toMatchObject({ state: 'interrupted' })

      // Someone else's job is not found, to try again or to read.
      const other = await t.signInAs(['analyst'])
      const stranger = new Agent(agent.app)
      stranger.cookies = new Map(other.cookies)
      stranger.csrfToken = other.csrfToken
      expect((await stranger.json('POST', `/api/v1/performance/import-jobs/${job}/retry`)).statusCode).toBe(404)
    })
  })
})

describe('the audit log', () => {
  it('records each file imported or refused, with counts and the reason, and none of its rows', async () => {
    const imported = await auditRows('police_file.imported')
    const rejected = await auditRows('police_file.rejected')
    expect(imported.length).toBeGreaterThanOrEqual(5)
    expect(rejected.length).toBeGreaterThanOrEqual(2)

    const btp = imported.find((row) => row.details.fileName === '2019-01-btp-street.csv')!
    const file = await db().selectFrom('police_files').selectAll().where('force', '=', 'British Transport Police').executeTakeFirstOrThrow()
    expect(btp).toMatchObject({ record_type: 'police_file', record_id: file.id })
    expect(btp.details).toEqual({ fileName: '2019-01-btp-street.csv', force: 'British Transport Police', month: '2019-01', rows: file.row_count, replacedRows: null })
    expect(btp.user_id).not.toBeNull()

    expect(rejected.map((row) => row.details)).toContainEqual({
      fileName: '2019-01-mystery-street.csv',
      message: expect.stringMatching(/^2019-01-mystery-street\.csv: this is not a police\.uk street-level crime file/) as unknown as string,
    })
    // Row contents (street names, crime ids) never reach the log.
    const logged = JSON.stringify([...imported, ...rejected].map((row) => row.details))
    expect(logged).not.toContain('On or near')
    expect(logged).not.toMatch(/[0-9a-f]{64}/)
  })
})
