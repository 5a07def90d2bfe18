import { randomUUID } from 'node:crypto'
import { access, type FileHandle, mkdir, open, readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { type Actor, SYSTEM_ACTOR } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import type { Database } from '../../platform/db/database.js'
import { ConflictError, NotFoundError } from '../../platform/http/errors.js'
import { errorKind } from '../../platform/http/logging.js'
import { ensureBoundaries } from './geography.js'
import { type ImportedFile, type ImportProgress, importPoliceFile, PoliceFileError } from './police-import.js'
import type { PoliceImportsRepository, StoredJob } from './police-imports.repository.js'

/** Police.uk imports: upload jobs with progress, the list of force-months loaded. */

/** A file on disk to import: an upload's temporary copy, or a file named on the command line. */
export interface PoliceFileOnDisk {
  fileName: string
  path: string
  size: number
}

export type FileOutcome = { status: 'imported'; result: ImportedFile } | { status: 'rejected'; error: string }

/** Where an unexpected failure is reported: its kind and code only, as a database error's detail can quote a row. */
export interface ErrorLog {
  error(details: Record<string, unknown>, message: string): void
}

export interface ImportJobFile {
  fileName: string
  status: 'queued' | 'importing' | 'imported' | 'rejected' | 'interrupted'
  bytesRead: number
  totalBytes: number
  /** Lines read so far while importing; the rows saved once imported. */
  rows: number
  result: ImportedFile | null
  error: string | null
}

export interface ImportJob {
  jobId: string
  status: 'queued' | 'running' | 'done' | 'interrupted'
  startedAt: Date
  finishedAt: Date | null
  imported: number
  refused: number
  /** Why the job as a whole stopped: the service restarted, or an unexpected failure. */
  error: string | null
  /** Interrupted, and every file it has still to import is still on disk. */
  retryable: boolean
  files: ImportJobFile[]
}

export interface LoadedFile {
  fileId: string
  force: string
  /** YYYY-MM */
  month: string
  rows: number
  noLocation: number
  outsideArea: number
  fileName: string
  importedAt: Date
  importedBy: string | null
}

/** How often the database is told how far a file has got, and how often a worker looks for jobs queued elsewhere. */
const PROGRESS_EVERY_MS = 1000
const POLL_EVERY_MS = 10_000
/** The names of uploaded copies: the start-up sweep removes no other file, whatever folder it is pointed at. */
const UPLOAD_NAME = /^police-upload-[0-9a-f-]{36}\.csv$/

export const INTERRUPTED_MESSAGE = 'The service restarted while this import was running. The files imported before then are saved; nothing of the file being imported was saved.'

/** Only a PoliceFileError says something a person can act on; anything else is named, never quoted. */
function unexpectedErrorMessage(fileName: string): string {
  return `${fileName} could not be imported because of an unexpected error. Nothing from it was saved: try again, and if it happens again tell your system administrator.`
}
/** An interrupted job keeps its uploaded files this long for a retry; then it is ended and they are removed. */
export const RETRY_DAYS = 7
const EXPIRED_MESSAGE = `This import was interrupted and not tried again within ${RETRY_DAYS} days, so its uploaded files were removed. Import them again.`
const UNEXPECTED_JOB_ERROR = 'The import stopped because of an unexpected error. Files not yet imported were not saved: import them again, and if it happens again tell your system administrator.'

const JOB_STATUS = { queued: 'queued', running: 'running', succeeded: 'done', failed: 'done', interrupted: 'interrupted' } as const

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  )

export function policeImportsService(deps: { database: Database; audit: AuditService; imports: PoliceImportsRepository; uploadDir: string }) {
  const { database, audit, imports, uploadDir } = deps
  // Jobs are run one at a time by this process's worker, which takes them from the database; started by start().
  let started = false
  let log: ErrorLog | undefined
  let draining: Promise<void> | null = null
  let wokenWhileDraining = false
  let polling: NodeJS.Timeout | undefined

  /** Loads the partnership's boundaries if none are, so that the first import resolves districts. */
  async function boundariesReady(actor: Actor) {
    const loaded = await ensureBoundaries(database)
    if (loaded) await audit.record(actor, { action: 'boundaries.loaded', details: { ...loaded, source: 'default' } })
    return loaded
  }

  /** Imports one file in its own transaction and records the outcome; never throws for a bad file. */
  async function importFile(actor: Actor, file: PoliceFileOnDisk, options: { onProgress?: (progress: ImportProgress) => void; log?: ErrorLog } = {}): Promise<FileOutcome> {
    let stream: ReturnType<FileHandle['createReadStream']> | undefined
    let result: ImportedFile
    try {
      // Opened before the import starts: a stream that fails to open while the transaction begins would throw
      // its error with nobody listening and bring the process down.
      stream = (await open(file.path)).createReadStream()
      result = await importPoliceFile(database, { fileName: file.fileName, stream, totalBytes: file.size, importedBy: actor.userId, onProgress: options.onProgress })
    } catch (error) {
      const message = error instanceof PoliceFileError ? error.message : unexpectedErrorMessage(file.fileName)
      if (!(error instanceof PoliceFileError)) options.log?.error(errorKind(error), 'police.uk import failed')
      await audit.record(actor, { action: 'police_file.rejected', recordType: 'police_file', details: { fileName: file.fileName, message } })
      return { status: 'rejected', error: message }
    } finally {
      stream?.destroy()
    }
    // The month is committed by now: it is reported as imported even if its audit entry then fails.
    try {
      await audit.record(actor, {
        action: 'police_file.imported',
        recordType: 'police_file',
        recordId: result.fileId,
        details: { fileName: result.fileName, force: result.force, month: result.month, rows: result.rows, replacedRows: result.replacedRows },
      })
    } catch (error) {
      options.log?.error(errorKind(error), 'recording a police.uk import in the audit log failed')
    }
    return { status: 'imported', result }
  }

  /** Imports a claimed job's files still to do, one after another, removing each uploaded copy when it is done. */
  async function run(jobId: string) {
    const job = await imports.findJob(jobId)
    if (!job) return
    const actor: Actor = { userId: job.startedBy, organisationId: job.organisationId, ip: null }
    const todo = job.files.filter((file) => file.state === 'queued')
    try {
      try {
        await boundariesReady(actor)
      } catch (error) {
        log?.error(errorKind(error), 'loading boundaries failed')
      }
      if (todo[0]) await imports.fileStarted(jobId, todo[0].position)
      for (const [index, file] of todo.entries()) {
        const outcome = file.path
          ? await importTracked(actor, jobId, { fileName: file.fileName, path: file.path, size: file.size }, file.position)
          : ({ status: 'rejected', error: unexpectedErrorMessage(file.fileName) } as const)
        if (file.path) await rm(file.path, { force: true })
        // The next file is shown as importing as this one ends, so that no page shows a gap between.
        await imports.fileFinished(
          jobId,
          file.position,
          outcome.status === 'imported' ? { state: 'imported', result: outcome.result, rows: outcome.result.rows } : { state: 'rejected', error: outcome.error },
          todo[index + 1]?.position,
        )
      }
      await imports.finishJob(jobId)
    } catch (error) {
      // Only a failure to record the outcome reaches here: the job ends, and its files are not left behind.
      log?.error(errorKind(error), 'police.uk import job failed')
      await Promise.all(todo.map((file) => (file.path ? rm(file.path, { force: true }) : undefined)))
      await imports.finishJob(jobId, { error: UNEXPECTED_JOB_ERROR }).catch((failure: unknown) => log?.error(errorKind(failure), 'ending a police.uk import job failed'))
    }
  }

  /** importFile, telling the database how far it has got every second (not awaited: the import never waits for it). */
  async function importTracked(actor: Actor, jobId: string, file: PoliceFileOnDisk, position: number) {
    let lastWrite = 0
    let writing: Promise<void> | null = null
    const outcome = await importFile(actor, file, {
      log,
      onProgress: (progress) => {
        if (writing || Date.now() - lastWrite < PROGRESS_EVERY_MS) return
        lastWrite = Date.now()
        writing = imports
          .fileProgress(jobId, position, progress)
          .catch((error: unknown) => log?.error(errorKind(error), 'recording import progress failed'))
          .finally(() => (writing = null))
      },
    })
    await writing
    return outcome
  }

  async function drain() {
    do {
      wokenWhileDraining = false
      // A job claimed is run to its end, even if the worker is stopped meanwhile: stopping waits for it.
      while (started) {
        const jobId = await imports.claimNext()
        if (!jobId) break
        await run(jobId)
      }
    } while (wokenWhileDraining && started)
  }

  /** Runs the queued jobs, unless this worker is already at it (then it looks again when done). */
  function wake() {
    if (!started) return
    if (draining) {
      wokenWhileDraining = true
      return
    }
    draining = drain()
      .catch((error: unknown) => log?.error(errorKind(error), 'taking the next police.uk import job failed'))
      .finally(() => (draining = null))
  }

  /**
   * Removes the uploaded copies no job will read: of jobs that ended (or were interrupted and not tried again in time),
   * and any left by a process that stopped before its upload became a job. Only this service's own file names in the upload folder are touched.
   */
  async function sweep() {
    for (const jobId of await imports.interruptedBefore(RETRY_DAYS)) await imports.finishJob(jobId, { error: EXPIRED_MESSAGE })
    const keep = new Set(await imports.pendingPaths())
    let names: string[] = []
    try {
      names = await readdir(uploadDir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    const stale = names.filter((name) => UPLOAD_NAME.test(name)).map((name) => path.join(uploadDir, name)).filter((file) => !keep.has(file))
    await Promise.all(stale.map((file) => rm(file, { force: true })))
    await imports.forgetEndedPaths()
    return stale.length
  }

  async function publicView(job: StoredJob): Promise<ImportJob> {
    const pending = job.files.filter((file) => file.state === 'queued' || file.state === 'interrupted')
    const onDisk = await Promise.all(pending.map((file) => (file.path ? exists(file.path) : false)))
    return {
      jobId: job.id,
      status: JOB_STATUS[job.state],
      startedAt: job.createdAt,
      finishedAt: job.finishedAt,
      imported: job.files.filter((file) => file.state === 'imported').length,
      refused: job.files.filter((file) => file.state === 'rejected').length,
      error: job.error,
      retryable: job.state === 'interrupted' && onDisk.every(Boolean),
      files: job.files.map((file) => ({
        fileName: file.fileName,
        status: file.state,
        bytesRead: file.bytesRead,
        totalBytes: file.size,
        rows: file.linesRead,
        result: (file.result as ImportedFile | null) ?? null,
        error: file.error,
      })),
    }
  }

  /** A job, for the user who started it only. */
  async function ownJob(actor: Actor, jobId: string) {
    const job = await imports.findJob(jobId)
    if (!job || !actor.userId || job.startedBy !== actor.userId) throw new NotFoundError()
    return job
  }

  return {
    importFile,
    boundariesReady,

    /** The force-months loaded, newest month first. */
    listFiles: (): Promise<LoadedFile[]> => imports.listFiles(),

    /** Where to write an upload's copy until its job imports it. */
    async uploadPath(): Promise<string> {
      await mkdir(uploadDir, { recursive: true, mode: 0o700 })
      return path.join(uploadDir, `police-upload-${randomUUID()}.csv`)
    },

    /**
     * Queues the files as one job, imported one after another in the background, each in its own transaction, and
     * deleted after. Returns at once with the job, for its progress page.
     */
    async startJob(actor: Actor, files: PoliceFileOnDisk[]): Promise<ImportJob> {
      const jobId = await imports.createJob({ startedBy: actor.userId, organisationId: actor.organisationId, files })
      wake()
      return publicView((await imports.findJob(jobId))!)
    },

    /** A job's progress, for the user who started it only. */
    async job(actor: Actor, jobId: string): Promise<ImportJob> {
      return publicView(await ownJob(actor, jobId))
    },

    /** Puts an interrupted job back in the queue, when the files it has still to import are still on disk. */
    async retry(actor: Actor, jobId: string): Promise<ImportJob> {
      const job = await publicView(await ownJob(actor, jobId))
      if (job.status !== 'interrupted') throw new ConflictError('Only an interrupted import can be tried again.')
      if (!job.retryable) throw new ConflictError('The uploaded files are no longer there: import them again.')
      if (!(await imports.requeue(jobId))) throw new ConflictError('Only an interrupted import can be tried again.')
      await audit.record(actor, { action: 'police_import.retried', recordType: 'import_job', recordId: jobId, details: { files: job.files.length - job.imported - job.refused } })
      wake()
      return publicView((await imports.findJob(jobId))!)
    },

    /**
     * At start: marks the jobs a stopped process left running as interrupted, removes the uploads no job needs, and
     * starts taking queued jobs (now, when woken by a new job, and every few seconds for jobs queued by another instance).
     */
    async start(options: { log?: ErrorLog } = {}) {
      log = options.log
      const interrupted = await imports.interruptRunning(INTERRUPTED_MESSAGE)
      if (interrupted) await audit.record(SYSTEM_ACTOR, { action: 'police_import.interrupted', recordType: 'import_job', details: { jobs: interrupted } })
      await sweep()
      started = true
      polling = setInterval(wake, POLL_EVERY_MS)
      polling.unref()
      wake()
    },

    /** Stops taking jobs, and resolves when the job running now has finished. */
    async stop() {
      started = false
      clearInterval(polling)
      await draining
    },

    /** Resolves when every job queued so far has finished: for shutting down and for tests. */
    async idle(): Promise<void> {
      while (draining) await draining
    },
  }
}

export type PoliceImportsService = ReturnType<typeof policeImportsService>
