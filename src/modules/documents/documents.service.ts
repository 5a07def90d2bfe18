import type { Kysely } from 'kysely'
import type { DB } from '../../platform/db/schema.js'
import { signedIn } from '../../platform/http/actor.js'
import { NotFoundError, RuleError } from '../../platform/http/errors.js'
import type { Actor } from '../audit/audit.events.js'
import type { AuditService } from '../audit/audit.service.js'
import { recordCaseEvent, requireCase } from '../cases/case-access.js'
import { documentsRepository } from './documents.repository.js'
import {
  ALLOWED_TYPES_TEXT,
  DOCUMENT_CATEGORIES,
  type DocumentCategory,
  FileTooLargeError,
  MAX_UPLOAD_BYTES,
  detectDocumentType,
  downloadName,
  humanSize,
  safeFileName,
  sha256,
} from './documents.rules.js'
import type { DocumentFields } from './documents.schemas.js'
import type { ReceivedFile } from './documents.upload.js'

export function documentsService({ db, audit }: { db: Kysely<DB>; audit: Pick<AuditService, 'record'> }) {
  const repository = documentsRepository(db)

  async function requireDocument(actor: Actor, caseId: string, id: string) {
    const access = await requireCase(db, actor, caseId, 'read')
    // A restricted document does not exist for other organisations: 404, as for a case they cannot see.
    const document = await repository.findOnCase(caseId, id, access.isOwner)
    if (!document) throw new NotFoundError('Document not found')
    return { access, document }
  }

  const withLabels = <T extends { category: string; sizeBytes: number }>(document: T) => ({
    ...document,
    categoryLabel: DOCUMENT_CATEGORIES[document.category as DocumentCategory] ?? document.category,
    size: humanSize(document.sizeBytes),
  })

  return {
    /**
     * The case's documents for its page or the API; restricted ones only for the owning organisation.
     * Audited; `audit: false` for the case page, whose one row is the case read.
     */
    async forCase(actor: Actor, caseId: string, options: { audit?: boolean } = {}) {
      const access = await requireCase(db, actor, caseId, 'read')
      const documents = (await repository.listOnCase(caseId, access.isOwner)).map(withLabels)
      if (options.audit !== false) await audit.record(actor, { action: 'case.documents_listed', recordType: 'case', recordId: caseId, details: { count: documents.length } })
      return documents
    },

    /** What the upload page needs: the case, if the actor may add to it. */
    async uploadForm(actor: Actor, caseId: string) {
      const caseRecord = await requireCase(db, actor, caseId, 'addDocument')
      await audit.record(actor, { action: 'case.viewed', recordType: 'case', recordId: caseId, details: { page: 'upload_document' } })
      return caseRecord
    },

    /**
     * Checks the file (present, not empty, under the limit, a type we accept by its content) after the case access
     * check, so that an organisation without access learns nothing from the answer; then stores it with a timeline
     * line and an audit row in one transaction.
     */
    async upload(actor: Actor, caseId: string, fields: DocumentFields, file: ReceivedFile | undefined) {
      const { userId, organisationId } = signedIn(actor)
      const access = await requireCase(db, actor, caseId, 'addDocument')
      if (fields.restricted && !access.isOwner) throw new RuleError('restricted', 'Only the organisation that owns the case can restrict a document')
      if (!file) throw new RuleError('file', 'Select a file')
      if (file.tooLarge || file.data.length > MAX_UPLOAD_BYTES) throw new FileTooLargeError()
      if (file.data.length === 0) throw new RuleError('file', 'The selected file is empty')
      const fileName = safeFileName(file.fileName)
      const type = await detectDocumentType(file.data, fileName)
      if (!type) throw new RuleError('file', `The selected file must be a ${ALLOWED_TYPES_TEXT}`)
      const title = fields.title ?? fileName
      const category = DOCUMENT_CATEGORIES[fields.category]

      return db.transaction().execute(async (trx) => {
        await requireCase(trx, actor, caseId, 'addDocument')
        const id = await repository.insert(
          {
            caseId,
            title,
            description: fields.description ?? null,
            category: fields.category,
            restricted: fields.restricted,
            fileName,
            mimeType: type.mimeType,
            sha256: sha256(file.data),
            content: file.data,
            uploadedBy: userId,
            organisationId,
          },
          trx,
        )
        await recordCaseEvent(trx, actor, {
          caseId,
          kind: 'document',
          summary: `${fields.restricted ? 'Restricted document' : 'Document'} added: ${title} (${category.toLowerCase()})`,
          restricted: fields.restricted,
        })
        await audit.record(
          actor,
          {
            action: 'case.document_uploaded',
            recordType: 'case',
            recordId: caseId,
            details: { documentId: id, category: fields.category, mimeType: type.mimeType, sizeBytes: file.data.length, restricted: fields.restricted },
          },
          trx,
        )
        return id
      })
    },

    /** One document's details for the API; audited, but not as the answer to its own upload (`audit: false`). */
    async get(actor: Actor, caseId: string, id: string, options: { audit?: boolean } = {}) {
      const { access, document } = await requireDocument(actor, caseId, id)
      if (options.audit !== false) await audit.record(actor, { action: 'case.document_viewed', recordType: 'case', recordId: caseId, details: { documentId: id } })
      return { caseRecord: access, document: withLabels(document) }
    },

    /** The file, for download; every download is audited. */
    async download(actor: Actor, caseId: string, id: string) {
      const { document } = await requireDocument(actor, caseId, id)
      const content = await repository.content(id)
      if (!content) throw new NotFoundError('Document not found')
      await audit.record(actor, { action: 'case.document_downloaded', recordType: 'case', recordId: caseId, details: { documentId: id } })
      return { content, mimeType: document.mimeType, fileName: downloadName(document.fileName, document.mimeType) }
    },

    /** What the remove page needs: the document, if the actor's organisation owns the case. */
    async removeForm(actor: Actor, caseId: string, id: string) {
      const { document } = await requireDocument(actor, caseId, id)
      const caseRecord = await requireCase(db, actor, caseId, 'removeDocument', { allowClosed: true })
      await audit.record(actor, { action: 'case.viewed', recordType: 'case', recordId: caseId, details: { page: 'remove_document', documentId: id } })
      return { caseRecord, document: withLabels(document) }
    },

    /**
     * The owning organisation removes a document uploaded in error or no longer needed. Allowed on a closed case too:
     * taking out what should not be held is a data protection duty that does not wait for a case to be reopened.
     * The content is deleted; the metadata row stays, with who removed it and why.
     */
    async remove(actor: Actor, caseId: string, id: string, reason: string) {
      const { userId } = signedIn(actor)
      const { document } = await requireDocument(actor, caseId, id)
      return db.transaction().execute(async (trx) => {
        await requireCase(trx, actor, caseId, 'removeDocument', { allowClosed: true })
        if (!(await repository.remove(id, { removedBy: userId, reason }, trx))) throw new NotFoundError('Document not found')
        await recordCaseEvent(trx, actor, { caseId, kind: 'document', summary: `Document removed: ${document.title}. Reason: ${reason}`, restricted: document.restricted })
        await audit.record(actor, { action: 'case.document_removed', recordType: 'case', recordId: caseId, details: { documentId: id, restricted: document.restricted } }, trx)
      })
    },
  }
}

export type DocumentsService = ReturnType<typeof documentsService>
