import { z } from 'zod'
import { asArray } from '../../platform/http/forms.js'
import { ROLES } from '../auth/permissions.js'

const roles = z.preprocess(asArray, z.array(z.enum(ROLES, { error: 'Select a role from the list' })).min(1, 'Select at least one role'))

export const userInput = z.object({
  name: z.string({ error: 'Enter the full name' }).trim().min(1, 'Enter the full name').max(200, 'Full name must be 200 characters or fewer'),
  email: z
    .string({ error: 'Enter an email address' })
    .trim()
    .min(1, 'Enter an email address')
    .max(320, 'Email address must be 320 characters or fewer')
    .pipe(z.email('Enter an email address in the correct format, like name@example.com')),
  organisationId: z.uuid({ error: 'Select an organisation' }),
  roles,
})
export type UserInput = z.output<typeof userInput>

export const userChanges = userInput.partial()
export type UserChanges = z.output<typeof userChanges>

export const userResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  organisationId: z.uuid(),
  organisationName: z.string(),
  roles: z.array(z.string()),
  active: z.boolean(),
  mustChangePassword: z.boolean(),
  lockedUntil: z.date().nullable(),
  lastSignInAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
})
