import { randomUUID } from 'node:crypto'
import { type FileHandle, open, rm } from 'node:fs/promises'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import type { Database } from '../../platform/db/database.js'
import { NotFoundError } from '../../platform/http/errors.js'
import { errorKind } from '../../platform/http/logging.js'
import { ensureBoundaries } from './geography.js'
import { type ImportedFile, type ImportProgress, importPoliceFile, PoliceFileError } from './police-import.js'

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
  status: 'queued' | 'importing' | 'imported' | 'rejected'
  bytesRead: number
  totalBytes: number
  /** Lines read so far while importing; the rows saved once imported. */
  rows: number
  result: ImportedFile | null
  error: string | null
}

export interface ImportJob {
  jobId: string
  status: 'queued' | 'running' | 'done'
  startedAt: Date
  finishedAt: Date | null
  imported: number
  refused: number
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

/** Jobs kept in memory for their progress pages; older ones are forgotten (their imports stay in police_files). */
const JOBS_KEPT = 50

/** Only a PoliceFileError says something a person can act on; anything else is named, never quoted. */
function unexpectedErrorMessage(fileName: string): string {
  return `${fileName} could not be imported because of an unexpected error. Nothing from it was saved: try again, and if it happens again tell your system administrator.`
}

// The counts of imported and refused files are read off the files' statuses when the job is shown.
interface StoredJob extends Omit<ImportJob, 'imported' | 'refused'> {
  startedBy: string | null
}

export function policeImportsService(deps: { database: Database; audit: AuditService }) {
  const { database, audit } = deps
  const jobs = new Map<string, StoredJob>()
  // One import at a time across all jobs: a later job waits its turn rather than competing for the database.
  let queue: Promise<void> = Promise.resolve()

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

  async function run(job: StoredJob, actor: Actor, files: PoliceFileOnDisk[], log?: ErrorLog) {
    job.status = 'running'
    // A file is shown as importing from the moment the one before it is done, so that no page shows a gap between.
    if (job.files[0]) job.files[0].status = 'importing'
    try {
      await boundariesReady(actor)
    } catch (error) {
      log?.error(errorKind(error), 'loading boundaries failed')
    }
    for (const [index, file] of files.entries()) {
      const entry = job.files[index]!
      const outcome = await importFile(actor, file, {
        log,
        onProgress: (progress) => {
          entry.bytesRead = progress.bytesRead
          entry.rows = progress.linesRead
        },
      })
      if (outcome.status === 'imported') {
        Object.assign(entry, { status: 'imported', result: outcome.result, rows: outcome.result.rows, bytesRead: entry.totalBytes })
      } else {
        Object.assign(entry, { status: 'rejected', error: outcome.error })
      }
      const next = job.files[index + 1]
      if (next) next.status = 'importing'
      await rm(file.path, { force: true })
    }
    job.status = 'done'
    job.finishedAt = new Date()
  }

  function forget() {
    for (const [id, job] of jobs) {
      if (jobs.size <= JOBS_KEPT) return
      if (job.status === 'done') jobs.delete(id)
    }
  }

  const publicView = (job: StoredJob): ImportJob => ({
    jobId: job.jobId,
    status: job.status,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    imported: job.files.filter((file) => file.status === 'imported').length,
    refused: job.files.filter((file) => file.status === 'rejected').length,
    files: job.files.map((file) => ({ ...file })),
  })

  return {
    importFile,
    boundariesReady,

    /** The force-months loaded, newest month first. */
    async listFiles(): Promise<LoadedFile[]> {
      return database.db
        .selectFrom('police_files')
        .leftJoin('users', 'users.id', 'police_files.imported_by')
        .select([
          'police_files.id as fileId',
          'police_files.force',
          'police_files.month',
          'police_files.row_count as rows',
          'police_files.rows_no_location as noLocation',
          'police_files.rows_outside_area as outsideArea',
          'police_files.file_name as fileName',
          'police_files.imported_at as importedAt',
          'users.name as importedBy',
        ])
        .orderBy('police_files.month', 'desc')
        .orderBy('police_files.force')
        .execute()
    },

    /**
     * Imports the files one after another in the background, each in its own transaction, and deletes them after.
     * Returns at once with the job, for its progress page.
     */
    startJob(actor: Actor, files: PoliceFileOnDisk[], options: { log?: ErrorLog } = {}): ImportJob {
      const job: StoredJob = {
        jobId: randomUUID(),
        status: 'queued',
        startedAt: new Date(),
        finishedAt: null,
        files: files.map((file) => ({ fileName: file.fileName, status: 'queued', bytesRead: 0, totalBytes: file.size, rows: 0, result: null, error: null })),
        startedBy: actor.userId,
      }
      jobs.set(job.jobId, job)
      forget()
      queue = queue.then(() =>
        run(job, actor, files, options.log).catch(async (error: unknown) => {
          // Only a failure to record the outcome reaches here: the job ends, and its files are not left behind.
          options.log?.error(errorKind(error), 'police.uk import job failed')
          for (const entry of job.files) if (entry.status === 'queued' || entry.status === 'importing') Object.assign(entry, { status: 'rejected', error: unexpectedErrorMessage(entry.fileName) })
          job.status = 'done'
          job.finishedAt = new Date()
          await Promise.all(files.map((file) => rm(file.path, { force: true })))
        }),
      )
      return publicView(job)
    },

    /** A job's progress, for the user who started it only. */
    job(actor: Actor, jobId: string): ImportJob {
      const job = jobs.get(jobId)
      if (!job || !actor.userId || job.startedBy !== actor.userId) throw new NotFoundError()
      return publicView(job)
    },

    /** Resolves when every job started so far has finished: for shutting down and for tests. */
    idle(): Promise<void> {
      return queue
    },
  }
}

export type PoliceImportsService = ReturnType<typeof policeImportsService>
