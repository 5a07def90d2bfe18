import { createHash } from 'node:crypto'
import { fileTypeFromBuffer } from 'file-type'
import { RuleError } from '../../platform/http/errors.js'

/** The largest document an officer may upload. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024
export const MAX_UPLOAD_TEXT = '10MB'

/** A file over the limit: refused with 413 on the API, and against the file field on the page. */
export class FileTooLargeError extends RuleError {
  override readonly statusCode = 413
  constructor() {
    super('file', `The selected file must be smaller than ${MAX_UPLOAD_TEXT}`)
  }
}

export const DOCUMENT_CATEGORIES = {
  diary_sheet: 'Diary sheet',
  witness_statement: 'Witness statement',
  photograph: 'Photograph',
  letter: 'Letter',
  court_document: 'Court document',
  evidence: 'Evidence',
  other: 'Other',
} as const
export type DocumentCategory = keyof typeof DOCUMENT_CATEGORIES

/** Types recognised by their content (magic bytes); the first extension is the one a download is given. */
const DETECTED_TYPES: Record<string, readonly string[]> = {
  'application/pdf': ['pdf'],
  'image/jpeg': ['jpg', 'jpeg', 'jpe'],
  'image/png': ['png'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
  'application/vnd.oasis.opendocument.text': ['odt'],
  'application/vnd.ms-outlook': ['msg'],
}

/** Text has no magic bytes: these are accepted by their extension, and only when the content really is text. */
const TEXT_TYPES: Record<string, string> = { txt: 'text/plain', csv: 'text/csv', eml: 'message/rfc822' }

export const ALLOWED_TYPES_TEXT = 'PDF, JPG, PNG, DOCX, XLSX, ODT, TXT, CSV, EML or MSG'

export interface DocumentType {
  mimeType: string
  extension: string
}

/**
 * What the file is, from its content rather than the type the browser claimed: a zip or a program renamed .pdf is
 * refused, and a photograph saved with the wrong extension is kept as the photograph it is.
 * Undefined when the type is not one we accept.
 */
export async function detectDocumentType(data: Uint8Array, fileName: string): Promise<DocumentType | undefined> {
  const detected = await fileTypeFromBuffer(data)
  if (detected) {
    const extensions = DETECTED_TYPES[detected.mime]
    return extensions ? { mimeType: detected.mime, extension: extensions[0]! } : undefined
  }
  const extension = extensionOf(fileName)
  const textType = TEXT_TYPES[extension]
  return textType && isText(data) ? { mimeType: textType, extension } : undefined
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Valid UTF-8 with no NUL bytes: what a text file, a CSV export or a saved email is. */
export function isText(data: Uint8Array): boolean {
  if (data.includes(0)) return false
  try {
    utf8.decode(data)
    return true
  } catch {
    return false
  }
}

function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.')
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : ''
}

const MAX_FILE_NAME_LENGTH = 150

/**
 * The uploaded file's name, safe to store and send back: no folders (old browsers send the full path), no control
 * or direction-changing characters (which can disguise an extension), none of the characters Windows refuses.
 */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  let cleaned = base
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    // Control characters, and format characters such as right-to-left override.
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/["*:<>?|]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+/, '')
    .trim()
  if (cleaned.length > MAX_FILE_NAME_LENGTH) {
    const extension = extensionOf(cleaned)
    const keep = extension && extension.length <= 10 ? `.${extension}` : ''
    cleaned = cleaned.slice(0, MAX_FILE_NAME_LENGTH - keep.length).trimEnd() + keep
  }
  return cleaned || 'document'
}

/** The name a download is given: the officer's own, with the right extension added when it claimed another type. */
export function downloadName(fileName: string, mimeType: string): string {
  const extensions = DETECTED_TYPES[mimeType]
  return !extensions || extensions.includes(extensionOf(fileName)) ? fileName : `${fileName}.${extensions[0]}`
}

/** An attachment header any browser reads: an ASCII fallback name, and the real name in RFC 5987 form. */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%;]/g, '_')
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Sizes as GOV.UK writes them: 512 bytes, 45KB, 2.4MB. */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)}KB`
  const megabytes = bytes / (1024 * 1024)
  return `${megabytes < 10 ? megabytes.toFixed(1).replace(/\.0$/, '') : Math.round(megabytes)}MB`
}
