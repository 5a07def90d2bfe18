import { z } from 'zod'
import { ORGANISATION_TYPES } from '../auth/permissions.js'

export const organisationType = z.enum(ORGANISATION_TYPES, { error: 'Select the type of organisation' })

export const organisationInput = z.object({
  name: z.string({ error: 'Enter the name of the organisation' }).trim().min(1, 'Enter the name of the organisation').max(200, 'Name must be 200 characters or fewer'),
  type: organisationType,
})
export type OrganisationInput = z.output<typeof organisationInput>

export const organisationChanges = organisationInput.partial().extend({ active: z.boolean().optional(), requireTwoFactor: z.boolean().optional() })
export type OrganisationChanges = z.output<typeof organisationChanges>

export const organisationResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  type: organisationType,
  active: z.boolean(),
  /** Every user who signs in with a password must use two-factor authentication (administrators and auditors always do). */
  requireTwoFactor: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
})
