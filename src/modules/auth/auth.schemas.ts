import { z } from 'zod'
import { HttpError } from '../../platform/http/errors.js'
import { PASSWORD_MAX_LENGTH } from './passwords.js'

export const signInForm = z.object({
  email: z.string({ error: 'Enter your email address' }).trim().min(1, 'Enter your email address').max(320, 'Email address must be 320 characters or fewer'),
  password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password').max(PASSWORD_MAX_LENGTH, `Password must be ${PASSWORD_MAX_LENGTH} characters or fewer`),
})

export const changePasswordForm = z
  .object({
    currentPassword: z.string({ error: 'Enter your current password' }).min(1, 'Enter your current password'),
    newPassword: z.string({ error: 'Enter a new password' }).min(1, 'Enter a new password'),
    confirmPassword: z.string({ error: 'Confirm your new password' }).min(1, 'Confirm your new password'),
  })
  .refine((form) => form.newPassword === form.confirmPassword, { path: ['confirmPassword'], message: 'The passwords do not match' })

const SITE = 'https://this-service.invalid'
export const RETURN_TO_MESSAGE = 'The address of the page to return to after signing in is not valid. Go to the home page and try again.'

/**
 * Only same-site paths: a returnTo of //evil.example or https://... would make sign-in an open redirect. The path is
 * read as a browser reads it (which drops tabs and line breaks, so /\t/evil.example is //evil.example), and control
 * characters, which no link holds, are refused.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '/'
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001F\u007F]/.test(value)) throw new HttpError(400, RETURN_TO_MESSAGE)
  if (!value.startsWith('/') || value.startsWith('//')) return '/'
  let url: URL
  try {
    url = new URL(value, SITE)
  } catch {
    return '/'
  }
  if (url.origin !== SITE) return '/'
  return `${url.pathname}${url.search}${url.hash}`
}
