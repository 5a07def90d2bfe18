import type { Permission, Role } from './permissions.js'

export interface AuthUser {
  id: string
  name: string
  email: string
  organisationId: string
  organisationName: string
  roles: Role[]
  mustChangePassword: boolean
  /** An administrator, auditor or member of an organisation that requires it, without two-factor set up yet. */
  mustSetUpTwoFactor?: boolean
}

export interface AuthContext {
  user: AuthUser
  permissions: Set<Permission>
  via: 'session' | 'token'
  sessionIdHash?: string
}

export type SessionEnd = 'idle' | 'absolute'

/** A session that has passed the password but not the second factor: it grants nothing but the code page. */
export interface AwaitingSecondFactor {
  userId: string
  sessionIdHash: string
}
