import type { Permission, Role } from './permissions.js'

export interface AuthUser {
  id: string
  name: string
  email: string
  organisationId: string
  organisationName: string
  roles: Role[]
  mustChangePassword: boolean
}

export interface AuthContext {
  user: AuthUser
  permissions: Set<Permission>
  via: 'session' | 'token'
  sessionIdHash?: string
}

export type SessionEnd = 'idle' | 'absolute'
