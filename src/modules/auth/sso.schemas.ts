import { z } from 'zod'

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/

/** The issuer must be https, except a provider on this machine (for development and the tests). */
function issuerProblem(value: string): string | null {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'Enter the issuer as a full web address, like https://login.microsoftonline.com/<tenant id>/v2.0'
  }
  const local = url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !local) return 'The issuer address must start with https://'
  if (url.search || url.hash) return 'The issuer address must not have a query or fragment'
  return null
}

export const ssoProviderForm = z.object({
  name: z.string({ error: 'Enter a name for the provider' }).trim().min(1, 'Enter a name for the provider').max(100, 'Name must be 100 characters or fewer'),
  issuer: z
    .string({ error: 'Enter the issuer address' })
    .trim()
    .min(1, 'Enter the issuer address')
    .max(500, 'The issuer address must be 500 characters or fewer')
    .superRefine((value, context) => {
      const problem = issuerProblem(value)
      if (problem) context.addIssue({ code: 'custom', message: problem })
    })
    .transform((value) => value.replace(/\/$/, '')),
  clientId: z.string({ error: 'Enter the client ID' }).trim().min(1, 'Enter the client ID').max(200, 'The client ID must be 200 characters or fewer'),
  clientSecret: z.string().trim().max(500, 'The client secret must be 500 characters or fewer').optional().default(''),
  emailDomains: z
    .string({ error: 'Enter the email domains this provider covers' })
    .transform((value) => [...new Set(value.toLowerCase().split(/[\s,;]+/).map((domain) => domain.replace(/^@/, '')).filter(Boolean))])
    .refine((domains) => domains.length > 0, 'Enter the email domains this provider covers')
    .refine((domains) => domains.every((domain) => DOMAIN.test(domain)), 'Enter email domains like leicester.gov.uk, separated by commas'),
})
export type SsoProviderInput = z.output<typeof ssoProviderForm>

/** What a provider sends back (providers add their own fields, such as Entra ID's session_state). */
export const ssoCallbackQuery = z.looseObject({
  state: z.string().max(512).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(512).optional(),
})

export const ssoStartForm = z.object({
  email: z.string().trim().max(320, 'Email address must be 320 characters or fewer').optional().default(''),
  providerId: z.uuid({ error: 'Choose a sign-in service' }).optional(),
})
