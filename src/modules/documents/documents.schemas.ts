import { z } from 'zod'
import { ALLOWED_TYPES_TEXT, DOCUMENT_CATEGORIES, MAX_UPLOAD_TEXT } from './documents.rules.js'

const keys = <T extends Record<string, string>>(labels: T) => Object.keys(labels) as [keyof T & string, ...(keyof T & string)[]]
const optionalText = (max: number, label: string) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), z.string().trim().max(max, `${label} must be ${max} characters or fewer`).optional())

/** The form fields that travel with the file (multipart fields are strings). */
export const documentFields = z.object({
  title: optionalText(200, 'Title').describe('Defaults to the file name'),
  category: z.enum(keys(DOCUMENT_CATEGORIES), { error: 'Select the type of document' }),
  description: optionalText(2000, 'Description'),
  restricted: z
    .preprocess((value) => value === true || value === 'true' || value === 'yes', z.boolean())
    .default(false)
    .describe('true (or "yes"): seen only by the organisation that owns the case; only that organisation may restrict a document'),
})
export type DocumentFields = z.output<typeof documentFields>

/** The API's multipart/form-data body, for validation and the OpenAPI document. */
export const documentUploadBody = documentFields.extend({
  file: z.file({ error: 'Select a file' }).describe(`The document: ${ALLOWED_TYPES_TEXT}, smaller than ${MAX_UPLOAD_TEXT}. Its type is read from its content.`),
})

export const removeInput = z.object({
  reason: z
    .string({ error: 'Give the reason for removing the document' })
    .trim()
    .min(1, 'Give the reason for removing the document')
    .max(2000, 'Reason must be 2000 characters or fewer'),
})

export const documentResponse = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string().nullable(),
  category: z.enum(keys(DOCUMENT_CATEGORIES)),
  restricted: z.boolean(),
  fileName: z.string(),
  mimeType: z.string(),
  sizeBytes: z.number().int(),
  sha256: z.string(),
  uploadedAt: z.date(),
  uploadedByName: z.string(),
  organisationName: z.string(),
})
