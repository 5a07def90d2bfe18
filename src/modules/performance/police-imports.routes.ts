import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { finished, pipeline } from 'node:stream/promises'
import multipart from '@fastify/multipart'
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify'
import { type ZodTypeProvider, validatorCompiler } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Services } from '../../composition.js'
import { actorOf } from '../../platform/http/actor.js'
import { HttpError } from '../../platform/http/errors.js'
import type { FormErrors } from '../../platform/http/forms.js'
import { listJoin } from '../../platform/words.js'
import { type ImportJob, type LoadedFile, type PoliceFileOnDisk } from './police-imports.service.js'
import { monthLabel } from './periods.js'

const importAccess = { access: 'performance:import' } as const
const tags = ['Performance']
const MAX_FILE_BYTES = 200 * 1024 * 1024
const MAX_FILES = 60
const MAX_FILE_TEXT = '200 MB'
const jobParams = z.object({ jobId: z.uuid({ error: 'Job id must be a UUID' }) })

// ---- API shapes ----

const importedFile = z.object({
  fileId: z.uuid(),
  fileName: z.string(),
  force: z.string(),
  month: z.string().describe('YYYY-MM'),
  rows: z.number().int(),
  inArea: z.number().int().describe('Rows in an LSOA of our districts'),
  outsideArea: z.number().int().describe('Rows in an LSOA outside our districts'),
  noLocation: z.number().int().describe('Rows with no LSOA'),
  replacedRows: z.number().int().nullable().describe("Rows of the force-month's earlier import, now replaced; null when it is new"),
  crimeTypes: z.array(z.object({ crimeType: z.string(), rows: z.number().int() })),
  mappedLabels: z.array(z.object({ label: z.string(), crimeType: z.string(), rows: z.number().int() })).describe('Old crime type labels counted as a current category'),
})
const jobFile = z.object({
  fileName: z.string(),
  status: z.enum(['queued', 'importing', 'imported', 'rejected', 'interrupted']),
  bytesRead: z.number().int(),
  totalBytes: z.number().int(),
  rows: z.number().int().describe('Lines read so far while importing; the rows saved once imported'),
  result: importedFile.nullable(),
  error: z.string().nullable().describe('Why the file was refused: nothing of it was saved'),
})
const importJob = z.object({
  jobId: z.uuid(),
  status: z.enum(['queued', 'running', 'done', 'interrupted']).describe('interrupted: the service restarted while it ran; it can be retried when retryable'),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
  imported: z.number().int(),
  refused: z.number().int(),
  error: z.string().nullable().describe('Why the job as a whole stopped'),
  retryable: z.boolean().describe('Interrupted, with the files it has still to import still on disk: POST to its retry link'),
  files: z.array(jobFile),
})
const loadedFile = z.object({
  fileId: z.uuid(),
  force: z.string(),
  month: z.string().describe('YYYY-MM'),
  rows: z.number().int(),
  noLocation: z.number().int(),
  outsideArea: z.number().int(),
  fileName: z.string(),
  importedAt: z.date(),
  importedBy: z.string().nullable(),
})
const uploadBody = z.object({
  files: z.array(z.file()).describe(`police.uk street-level crime CSV files (one or many parts named files), up to ${MAX_FILES}, each smaller than ${MAX_FILE_TEXT}`),
})

/** The upload body is read from the stream in preValidation, never held whole: its schema documents it, and is not run. */
const uploadValidator = <S>(route: Parameters<FastifySchemaCompiler<S>>[0]) =>
  route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0])

// ---- receiving uploads ----

interface Upload {
  files: PoliceFileOnDisk[]
  notCsv: string[]
  tooLarge: string[]
  tooMany: boolean
  unreadable: boolean
  /** Handed to an import job, which deletes the files; otherwise they are deleted when the response is sent. */
  claimed: boolean
}

const uploads = new WeakMap<FastifyRequest, Upload>()
const removeFiles = (upload: Upload) => Promise.all(upload.files.map((file) => rm(file.path, { force: true })))

/** What is wrong with the upload, in the words the form and the API show; empty when it can be imported. */
function uploadProblems(upload: Upload | undefined): string[] {
  if (!upload) return ['Select one or more police.uk CSV files']
  if (upload.unreadable) return ['The upload could not be read. Select the files again and try again']
  const problems: string[] = []
  if (upload.tooMany) problems.push(`Select ${MAX_FILES} files or fewer at a time`)
  if (upload.notCsv.length) problems.push(`${listJoin(upload.notCsv)} ${upload.notCsv.length === 1 ? 'is not a CSV file' : 'are not CSV files'}: select police.uk street-level crime files, which end in .csv`)
  if (upload.tooLarge.length) problems.push(`${listJoin(upload.tooLarge)} must be smaller than ${MAX_FILE_TEXT}`)
  if (!problems.length && !upload.files.length) problems.push('Select one or more police.uk CSV files')
  return problems
}

const formErrors = (problems: string[]): FormErrors => ({ summary: problems.map((text) => ({ text, href: '#files' })), fields: { files: { text: problems.join('. ') } } })

/**
 * Multipart uploads for this plugin's routes: each `files` part is streamed to a temporary file as it arrives, so a
 * file of any allowed size costs no more memory than a chunk. A session's form must carry its CSRF token before its
 * files (the page's hidden field comes first), and it is checked before anything is written.
 */
async function acceptPoliceUploads(app: FastifyInstance, uploadPath: () => Promise<string>) {
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_FILE_BYTES, files: MAX_FILES, fields: 10, parts: MAX_FILES + 10, fieldSize: 64 * 1024 },
  })

  const csrfPasses = (request: FastifyRequest, reply: FastifyReply) =>
    new Promise<boolean>((resolve) => {
      // csrfProtection calls back at once when the token is good, and otherwise sends the 403 itself.
      app.csrfProtection(request, reply, () => resolve(true))
      resolve(false)
    })

  app.addHook('preValidation', async (request, reply) => {
    if (!request.isMultipart()) return
    const upload: Upload = { files: [], notCsv: [], tooLarge: [], tooMany: false, unreadable: false, claimed: false }
    uploads.set(request, upload)
    const fields: Record<string, string> = {}
    request.body = fields
    let csrfChecked = request.auth?.via === 'token'
    try {
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          if (typeof part.value === 'string' && !Object.hasOwn(fields, part.fieldname)) fields[part.fieldname] = part.value
          continue
        }
        if (!csrfChecked) {
          if (!(await csrfPasses(request, reply))) return reply
          csrfChecked = true
        }
        // Old browsers send the whole path; a browser posts an empty, unnamed part when no file was chosen.
        const fileName = part.filename.replace(/^.*[\\/]/, '')
        if (part.fieldname !== 'files' || fileName === '' || !/\.csv$/i.test(fileName)) {
          if (part.fieldname === 'files' && fileName !== '') upload.notCsv.push(fileName)
          part.file.resume()
          await finished(part.file)
          continue
        }
        const file = { fileName, path: await uploadPath(), size: 0 }
        upload.files.push(file)
        const out = createWriteStream(file.path, { mode: 0o600 })
        await pipeline(part.file, out)
        file.size = out.bytesWritten
        if (part.file.truncated) upload.tooLarge.push(fileName)
      }
    } catch (error) {
      if ((error as { code?: string }).code === 'FST_FILES_LIMIT') upload.tooMany = true
      else upload.unreadable = true
      await removeFiles(upload)
    }
  })

  app.addHook('onResponse', async (request) => {
    const upload = uploads.get(request)
    if (upload && !upload.claimed) await removeFiles(upload)
  })
}

// ---- page view models ----

const count = (value: number) => value.toLocaleString('en-GB')

function loadedRows(files: LoadedFile[]) {
  return files.map((file) => ({
    force: file.force,
    month: monthLabel(file.month),
    rows: count(file.rows),
    noLocation: count(file.noLocation),
    outsideArea: count(file.outsideArea),
    fileName: file.fileName,
    importedAt: file.importedAt,
    importedBy: file.importedBy,
  }))
}

const plural = (value: number, one: string, many: string) => `${count(value)} ${value === 1 ? one : many}`

function jobView(job: ImportJob) {
  const index = job.files.findIndex((file) => file.status === 'importing')
  const current = index === -1 ? null : job.files[index]!
  const percent = current && current.totalBytes > 0 ? Math.min(100, Math.floor((current.bytesRead / current.totalBytes) * 100)) : 0
  const imported = job.files.filter((file) => file.status === 'imported' && file.result)
  const STATUS = { queued: 'Waiting', importing: 'Importing', imported: 'Imported', rejected: 'Refused', interrupted: 'Interrupted' } as const
  const TAGS = { queued: 'govuk-tag--grey', importing: 'govuk-tag--blue', imported: 'govuk-tag--green', rejected: 'govuk-tag--red', interrupted: 'govuk-tag--yellow' } as const
  return {
    jobId: job.jobId,
    done: job.status === 'done',
    interrupted: job.status === 'interrupted',
    retryable: job.retryable,
    error: job.error,
    waiting: job.status === 'queued',
    starting: job.files.every((file) => file.status === 'queued'),
    current: current && {
      position: index + 1,
      fileName: current.fileName,
      percent,
      rowsRead: count(current.rows),
      started: current.bytesRead > 0,
      checking: current.bytesRead >= current.totalBytes,
    },
    total: job.files.length,
    summary: job.refused ? `${plural(job.imported, 'file', 'files')} imported, ${count(job.refused)} refused` : `${plural(job.imported, 'file', 'files')} imported`,
    notImported: job.files.filter((file) => file.status === 'queued' || file.status === 'interrupted').map((file) => file.fileName),
    allImported: job.refused === 0,
    tasks: job.files.map((file) => ({
      title: { text: file.fileName },
      status: { tag: { text: file.status === 'importing' ? `${STATUS.importing} ${file === current ? `${percent}%` : ''}`.trim() : STATUS[file.status], classes: TAGS[file.status] } },
    })),
    imported: imported.map((file) => {
      const result = file.result!
      return {
        fileName: result.fileName,
        force: result.force,
        month: monthLabel(result.month),
        rows: count(result.rows),
        inArea: count(result.inArea),
        outsideArea: count(result.outsideArea),
        noLocation: count(result.noLocation),
        replaced: result.replacedRows === null ? 'New' : `Replaced ${plural(result.replacedRows, 'row', 'rows')}`,
        mappedLabels: result.mappedLabels.map((mapped) => `${mapped.label} → ${mapped.crimeType}: ${count(mapped.rows)}`),
      }
    }),
    refused: job.files.filter((file) => file.status === 'rejected').map((file) => ({ fileName: file.fileName, error: file.error ?? '' })),
  }
}

/** Pages and API for importing police.uk files. */
export async function policeImportRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { policeImports } = services
  const api = app.withTypeProvider<ZodTypeProvider>()
  await acceptPoliceUploads(app, () => policeImports.uploadPath())
  // The worker runs while the app does: at start it marks jobs a stopped process left running as interrupted.
  app.addHook('onReady', () => policeImports.start({ log: app.log }))
  app.addHook('onClose', () => policeImports.stop())

  async function renderImports(reply: FastifyReply, errors?: FormErrors) {
    return reply.render('performance/views/imports.njk', {
      title: 'Import police.uk data',
      errors,
      files: loadedRows(await policeImports.listFiles()),
      maxFiles: MAX_FILES,
      maxSize: MAX_FILE_TEXT,
    })
  }

  /** Starts the upload's import job; the temporary files are the job's from here on. */
  async function startUpload(request: FastifyRequest) {
    const upload = uploads.get(request)!
    // Claimed once the job is saved: if saving fails, the files are removed with the response, as for a bad upload.
    const job = await policeImports.startJob(actorOf(request), upload.files)
    upload.claimed = true
    return job
  }

  app.get('/performance/imports', { config: importAccess, schema: { hide: true } }, async (_request, reply) => renderImports(reply))

  /** What is wrong with the request's upload; when anything is, none of it is kept. */
  async function problemsOf(request: FastifyRequest) {
    const upload = uploads.get(request)
    const problems = uploadProblems(upload)
    if (problems.length && upload) await removeFiles(upload)
    return problems
  }

  app.post('/performance/imports', { config: importAccess, schema: { hide: true } }, async (request, reply) => {
    const problems = await problemsOf(request)
    if (problems.length) return renderImports(reply.code(400), formErrors(problems))
    const job = await startUpload(request)
    return reply.redirect(`/performance/imports/jobs/${job.jobId}`, 303)
  })

  const JOB_TITLES = { done: 'Import finished', interrupted: 'Import interrupted', queued: 'Importing police.uk data', running: 'Importing police.uk data' } as const

  api.get('/performance/imports/jobs/:jobId', { config: importAccess, schema: { params: jobParams, hide: true } }, async (request, reply) => {
    const job = await policeImports.job(actorOf(request), request.params.jobId)
    return reply.render('performance/views/import-job.njk', { title: JOB_TITLES[job.status], job: jobView(job) })
  })

  api.post('/performance/imports/jobs/:jobId/retry', { config: importAccess, schema: { params: jobParams, hide: true } }, async (request, reply) => {
    const job = await policeImports.retry(actorOf(request), request.params.jobId)
    return reply.redirect(`/performance/imports/jobs/${job.jobId}`, 303)
  })

  // ---- API ----

  api.post(
    '/api/v1/performance/imports',
    {
      config: importAccess,
      validatorCompiler: uploadValidator,
      schema: {
        summary: `Import police.uk street-level crime files (multipart/form-data, one or many parts named files, up to ${MAX_FILES}, each smaller than ${MAX_FILE_TEXT}). The files are imported one after another in the background, each whole or not at all; re-importing a force-month replaces it. Follow the Location header for progress.`,
        tags,
        consumes: ['multipart/form-data'],
        body: uploadBody,
        response: { 202: importJob },
      },
    },
    async (request, reply) => {
      const upload = uploads.get(request)
      const problems = await problemsOf(request)
      if (problems.length) throw new HttpError(upload?.tooMany || upload?.tooLarge.length ? 413 : 400, problems.join('. '))
      const job = await startUpload(request)
      return reply.code(202).header('location', `/api/v1/performance/import-jobs/${job.jobId}`).send(importJob.parse(job))
    },
  )

  api.get(
    '/api/v1/performance/import-jobs/:jobId',
    { config: importAccess, schema: { summary: 'An import job started by you: its status, and each file\'s progress, summary or reason for refusal', tags, params: jobParams, response: { 200: importJob } } },
    async (request) => importJob.parse(await policeImports.job(actorOf(request), request.params.jobId)),
  )

  api.post(
    '/api/v1/performance/import-jobs/:jobId/retry',
    {
      config: importAccess,
      schema: {
        summary: 'Tries an interrupted import job of yours again, from the file it was importing (409 when it is not interrupted or its files are gone)',
        tags,
        params: jobParams,
        response: { 202: importJob },
      },
    },
    async (request, reply) => {
      const job = await policeImports.retry(actorOf(request), request.params.jobId)
      return reply.code(202).header('location', `/api/v1/performance/import-jobs/${job.jobId}`).send(importJob.parse(job))
    },
  )

  api.get(
    '/api/v1/performance/files',
    { config: importAccess, schema: { summary: 'The police.uk force-months loaded, newest month first', tags, response: { 200: z.array(loadedFile) } } },
    async () => (await policeImports.listFiles()).map((file) => loadedFile.parse(file)),
  )
}
