import { type Kysely, sql } from 'kysely'
import type { DB, ImportJobFileState, ImportJobState } from '../../platform/db/schema.js'

/** The police.uk force-months loaded, and the import jobs with their files. */

export interface NewImportJob {
  startedBy: string | null
  organisationId: string | null
  files: { fileName: string; path: string; size: number }[]
}

export interface StoredJobFile {
  position: number
  fileName: string
  path: string | null
  size: number
  bytesRead: number
  linesRead: number
  state: ImportJobFileState
  result: unknown
  error: string | null
}

export interface StoredJob {
  id: string
  state: ImportJobState
  error: string | null
  startedBy: string | null
  organisationId: string | null
  createdAt: Date
  finishedAt: Date | null
  files: StoredJobFile[]
}

/** Files a job may still import: those not yet imported or refused, of a job not yet ended. */
const OPEN_JOB_STATES = ['queued', 'running', 'interrupted'] as const
const PENDING_FILE_STATES = ['queued', 'importing', 'interrupted'] as const

export function policeImportsRepository(db: Kysely<DB>) {
  return {
    async listFiles() {
      return db
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

    async createJob(job: NewImportJob): Promise<string> {
      return db.transaction().execute(async (tx) => {
        const { id } = await tx.insertInto('import_jobs').values({ kind: 'police_uk', started_by: job.startedBy, organisation_id: job.organisationId }).returning('id').executeTakeFirstOrThrow()
        if (job.files.length) {
          await tx
            .insertInto('import_job_files')
            .values(job.files.map((file, position) => ({ job_id: id, position, original_name: file.fileName, file_path: file.path, size_bytes: file.size })))
            .execute()
        }
        return id
      })
    },

    async findJob(jobId: string): Promise<StoredJob | undefined> {
      const job = await db
        .selectFrom('import_jobs')
        .select(['id', 'state', 'error', 'started_by as startedBy', 'organisation_id as organisationId', 'created_at as createdAt', 'finished_at as finishedAt'])
        .where('id', '=', jobId)
        .executeTakeFirst()
      if (!job) return undefined
      const files = await db
        .selectFrom('import_job_files')
        .select(['position', 'original_name as fileName', 'file_path as path', 'size_bytes as size', 'bytes_read as bytesRead', 'lines_read as linesRead', 'state', 'result', 'error'])
        .where('job_id', '=', jobId)
        .orderBy('position')
        .execute()
      return { ...job, files }
    },

    /**
     * Takes the oldest queued job for this worker. SKIP LOCKED lets app instances sharing a PostgreSQL server each take
     * a different job rather than wait for one another or take the same one.
     */
    async claimNext(): Promise<string | undefined> {
      const claimed = await db
        .updateTable('import_jobs')
        .set({ state: 'running', started_at: sql<Date>`now()` })
        .where('state', '=', 'queued')
        .where('id', '=', (eb) => eb.selectFrom('import_jobs').select('id').where('state', '=', 'queued').orderBy('created_at').orderBy('id').limit(1).forUpdate().skipLocked())
        .returning('id')
        .executeTakeFirst()
      return claimed?.id
    },

    async fileStarted(jobId: string, position: number) {
      await db.updateTable('import_job_files').set({ state: 'importing', bytes_read: 0, lines_read: 0 }).where('job_id', '=', jobId).where('position', '=', position).execute()
    },

    async fileProgress(jobId: string, position: number, progress: { bytesRead: number; linesRead: number }) {
      await db
        .updateTable('import_job_files')
        .set({ bytes_read: progress.bytesRead, lines_read: progress.linesRead })
        .where('job_id', '=', jobId)
        .where('position', '=', position)
        .where('state', '=', 'importing')
        .execute()
    },

    /** The file's outcome (its uploaded copy has been removed), and the next file marked importing in the same step. */
    async fileFinished(jobId: string, position: number, outcome: { state: 'imported'; result: unknown; rows: number } | { state: 'rejected'; error: string }, next?: number) {
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable('import_job_files')
          .set(
            outcome.state === 'imported'
              ? { state: 'imported', result: JSON.stringify(outcome.result), lines_read: outcome.rows, bytes_read: sql<number>`size_bytes`, file_path: null, error: null }
              : { state: 'rejected', error: outcome.error, file_path: null },
          )
          .where('job_id', '=', jobId)
          .where('position', '=', position)
          .execute()
        if (next !== undefined) await tx.updateTable('import_job_files').set({ state: 'importing', bytes_read: 0, lines_read: 0 }).where('job_id', '=', jobId).where('position', '=', next).execute()
      })
    },

    /** Ends the job: succeeded when every file was imported, failed otherwise. Files not reached are refused with `error`. */
    async finishJob(jobId: string, options: { error?: string } = {}) {
      await db.transaction().execute(async (tx) => {
        if (options.error) {
          await tx
            .updateTable('import_job_files')
            .set({ state: 'rejected', error: options.error, file_path: null })
            .where('job_id', '=', jobId)
            .where('state', 'in', PENDING_FILE_STATES)
            .execute()
        }
        const refused = await tx.selectFrom('import_job_files').select('position').where('job_id', '=', jobId).where('state', '<>', 'imported').limit(1).executeTakeFirst()
        await tx
          .updateTable('import_jobs')
          .set({ state: refused || options.error ? 'failed' : 'succeeded', error: options.error ?? null, finished_at: sql<Date>`now()` })
          .where('id', '=', jobId)
          .execute()
      })
    },

    /** At start: a job left running by a process that stopped is interrupted, and so is the file it was importing. */
    async interruptRunning(message: string): Promise<number> {
      return db.transaction().execute(async (tx) => {
        const jobs = await tx.updateTable('import_jobs').set({ state: 'interrupted', error: message, finished_at: sql<Date>`now()` }).where('state', '=', 'running').returning('id').execute()
        if (jobs.length) {
          await tx
            .updateTable('import_job_files')
            .set({ state: 'interrupted' })
            .where('job_id', 'in', jobs.map((job) => job.id))
            .where('state', '=', 'importing')
            .execute()
        }
        return jobs.length
      })
    },

    /** Interrupted jobs nobody tried again within the days given. */
    async interruptedBefore(days: number): Promise<string[]> {
      const rows = await db
        .selectFrom('import_jobs')
        .select('id')
        .where('state', '=', 'interrupted')
        .where('finished_at', '<', sql<Date>`now() - make_interval(days => ${days})`)
        .execute()
      return rows.map((row) => row.id)
    },

    /** The uploaded copies still needed: the files of queued, running or interrupted jobs not yet imported or refused. */
    async pendingPaths(): Promise<string[]> {
      const rows = await db
        .selectFrom('import_job_files')
        .innerJoin('import_jobs', 'import_jobs.id', 'import_job_files.job_id')
        .select('import_job_files.file_path')
        .where('import_jobs.state', 'in', OPEN_JOB_STATES)
        .where('import_job_files.state', 'in', PENDING_FILE_STATES)
        .where('import_job_files.file_path', 'is not', null)
        .execute()
      return rows.map((row) => row.file_path!)
    },

    /** Forgets the copies of files no job will read again, once they are removed from disk. */
    async forgetEndedPaths() {
      await db
        .updateTable('import_job_files')
        .set({ file_path: null })
        .where('file_path', 'is not', null)
        .where((eb) =>
          eb.or([
            eb('state', 'not in', PENDING_FILE_STATES),
            eb('job_id', 'not in', eb.selectFrom('import_jobs').select('id').where('state', 'in', OPEN_JOB_STATES)),
          ]),
        )
        .execute()
    },

    /** An interrupted job back in the queue: its interrupted file starts again from the beginning. */
    async requeue(jobId: string): Promise<boolean> {
      return db.transaction().execute(async (tx) => {
        const job = await tx.updateTable('import_jobs').set({ state: 'queued', error: null, started_at: null, finished_at: null }).where('id', '=', jobId).where('state', '=', 'interrupted').returning('id').executeTakeFirst()
        if (!job) return false
        await tx.updateTable('import_job_files').set({ state: 'queued', bytes_read: 0, lines_read: 0 }).where('job_id', '=', jobId).where('state', 'in', PENDING_FILE_STATES).execute()
        return true
      })
    },
  }
}

export type PoliceImportsRepository = ReturnType<typeof policeImportsRepository>
