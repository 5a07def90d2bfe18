import multipart from '@fastify/multipart'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { HttpError } from '../../platform/http/errors.js'
import { FileTooLargeError, MAX_UPLOAD_BYTES, MAX_UPLOAD_TEXT } from './documents.rules.js'

/** The file as it arrived: its bytes, or only that it was too large (the bytes past the limit are never kept). */
export interface ReceivedFile {
  fileName: string
  data: Buffer
  tooLarge: boolean
}

/** Room for the form's other fields and the multipart framing around the file. */
const FORM_BYTES = 256 * 1024
/** A request this much larger than any allowed file is refused before it is read. */
const REFUSE_UNREAD_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024

const received = new WeakMap<FastifyRequest, ReceivedFile>()

/** The file posted with the request, after readUploads has run; undefined when none was chosen. */
export function receivedFile(request: FastifyRequest): ReceivedFile | undefined {
  return received.get(request)
}

export class UploadUnreadableError extends HttpError {
  constructor(statusCode = 400) {
    super(statusCode, `The upload could not be read. Choose one file, smaller than ${MAX_UPLOAD_TEXT}, and try again.`)
  }
}

/**
 * Multipart uploads for the routes of the plugin that calls this (and no others). The body is read in preValidation,
 * before the CSRF check, so that a page form can carry its token in the usual `_csrf` field: the fields become
 * request.body (strings) and the one file goes aside for receivedFile(). busboy stops keeping a file at
 * MAX_UPLOAD_BYTES and drains the rest, so an oversize file costs no more memory than the largest allowed one.
 */
export async function acceptUploads(app: FastifyInstance) {
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 20, parts: 21, fieldSize: FORM_BYTES },
  })
  app.addHook('preValidation', async (request, reply) => {
    if (!request.isMultipart()) return
    if (Number(request.headers['content-length']) > REFUSE_UNREAD_BYTES) {
      // Close the connection after the answer, rather than read and discard the rest of the upload.
      reply.header('connection', 'close')
      throw new FileTooLargeError()
    }
    const fields: Record<string, string> = {}
    let file: ReceivedFile | undefined
    try {
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          if (typeof part.value === 'string' && !Object.hasOwn(fields, part.fieldname)) fields[part.fieldname] = part.value
          continue
        }
        const chunks: Buffer[] = []
        for await (const chunk of part.file) if (!part.file.truncated) chunks.push(chunk as Buffer)
        // A browser posts an empty part with no name when no file was chosen.
        if (part.fieldname !== 'file' || (part.filename === '' && chunks.length === 0)) continue
        const tooLarge = part.file.truncated
        file = { fileName: part.filename, data: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge }
      }
    } catch (error) {
      // Malformed multipart, a second file, too many fields: nothing is saved, and the officer is told plainly.
      const statusCode = (error as { statusCode?: number }).statusCode
      throw new UploadUnreadableError(statusCode === 413 ? 413 : 400)
    }
    request.body = file ? { ...fields, file: new File([file.data as Uint8Array<ArrayBuffer>], file.fileName) } : fields
    if (file) received.set(request, file)
  })
}
