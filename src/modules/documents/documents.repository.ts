import { sql } from 'kysely'
import type { Executor } from '../../platform/db/executor.js'

const listColumns = [
  'case_documents.id',
  'case_documents.title',
  'case_documents.description',
  'case_documents.category',
  'case_documents.restricted',
  'case_documents.file_name as fileName',
  'case_documents.mime_type as mimeType',
  'case_documents.size_bytes as sizeBytes',
  'case_documents.sha256',
  'case_documents.uploaded_at as uploadedAt',
  'case_documents.organisation_id as organisationId',
  'users.name as uploadedByName',
  'organisations.name as organisationName',
] as const

export function documentsRepository(db: Executor) {
  /** The case's documents that have not been removed; restricted ones only when the reader may see them. */
  function live(caseId: string, includeRestricted: boolean, executor: Executor) {
    let query = executor
      .selectFrom('case_documents')
      .innerJoin('users', 'users.id', 'case_documents.uploaded_by')
      .innerJoin('organisations', 'organisations.id', 'case_documents.organisation_id')
      .select(listColumns)
      .where('case_documents.case_id', '=', caseId)
      .where('case_documents.removed_at', 'is', null)
    if (!includeRestricted) query = query.where('case_documents.restricted', '=', false)
    return query
  }

  return {
    listOnCase(caseId: string, includeRestricted: boolean, executor: Executor = db) {
      return live(caseId, includeRestricted, executor).orderBy('case_documents.uploaded_at', 'desc').orderBy('case_documents.id').execute()
    },

    findOnCase(caseId: string, id: string, includeRestricted: boolean, executor: Executor = db) {
      return live(caseId, includeRestricted, executor).where('case_documents.id', '=', id).executeTakeFirst()
    },

    /**
     * The file's bytes. They travel as base64 text: PGlite converts bytea parameters and results byte by byte in
     * JavaScript (seconds for a few megabytes), while encode() and decode() run inside the database on both drivers.
     */
    async content(id: string, executor: Executor = db) {
      const row = await executor
        .selectFrom('case_document_contents')
        .select(sql<string>`encode(content, 'base64')`.as('content'))
        .where('document_id', '=', id)
        .executeTakeFirst()
      return row ? Buffer.from(row.content, 'base64') : undefined
    },

    async insert(
      values: {
        caseId: string
        title: string
        description: string | null
        category: string
        restricted: boolean
        fileName: string
        mimeType: string
        sha256: string
        content: Buffer
        uploadedBy: string
        organisationId: string
      },
      executor: Executor = db,
    ) {
      const { id } = await executor
        .insertInto('case_documents')
        .values({
          case_id: values.caseId,
          title: values.title,
          description: values.description,
          category: values.category,
          restricted: values.restricted,
          file_name: values.fileName,
          mime_type: values.mimeType,
          size_bytes: values.content.length,
          sha256: values.sha256,
          uploaded_by: values.uploadedBy,
          organisation_id: values.organisationId,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await executor
        .insertInto('case_document_contents')
        .values({ document_id: id, content: sql<Uint8Array>`decode(${values.content.toString('base64')}, 'base64')` })
        .execute()
      return id
    },

    /** Marks the document removed and deletes its content; false when it was already removed. */
    async remove(id: string, values: { removedBy: string; reason: string }, executor: Executor = db) {
      const removed = await executor
        .updateTable('case_documents')
        .set({ removed_at: new Date(), removed_by: values.removedBy, removal_reason: values.reason })
        .where('id', '=', id)
        .where('removed_at', 'is', null)
        .returning('id')
        .executeTakeFirst()
      if (!removed) return false
      await executor.deleteFrom('case_document_contents').where('document_id', '=', id).execute()
      return true
    },
  }
}

export type DocumentsRepository = ReturnType<typeof documentsRepository>
