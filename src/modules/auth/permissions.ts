/** Roles and what each may do: the one table the permission gate reads. */

export const PERMISSIONS = [
  'users:manage',
  'organisations:manage',
  'api_tokens:manage',
  'audit:read',
  // Checking the audit log's hash chain: for administrators, who answer for the service's integrity.
  'audit:verify',
  // ASB records (cases, incidents, people), always limited to what the user's organisation may see.
  'cases:read',
  'cases:manage',
  'sharing_agreements:manage',
  // Partnership governance: bodies, meetings, papers, minutes, the action log. A closed body only for its members.
  'governance:read',
  'governance:manage',
  // The email outbox (every message the service sent or could not send).
  'outbox:read',
  // Performance: crime and ASB figures. Reading is for everyone who reports to or sits on a board; loading police.uk
  // files is for analysts and administrators.
  'performance:read',
  'performance:import',
] as const
export type Permission = (typeof PERMISSIONS)[number]

export const ROLES = [
  'admin',
  'case_manager',
  'case_viewer',
  'partnership_coordinator',
  'board_member',
  'analyst',
  'auditor',
] as const
export type Role = (typeof ROLES)[number]

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  // Administrators run the service; they do not read ASB cases unless they also hold a case role.
  admin: ['users:manage', 'organisations:manage', 'api_tokens:manage', 'audit:read', 'audit:verify', 'sharing_agreements:manage', 'governance:read', 'governance:manage', 'outbox:read', 'performance:read', 'performance:import'],
  case_manager: ['cases:read', 'cases:manage'],
  case_viewer: ['cases:read'],
  partnership_coordinator: ['governance:read', 'governance:manage', 'performance:read'],
  board_member: ['governance:read', 'performance:read'],
  analyst: ['performance:read', 'performance:import'],
  auditor: ['audit:read'],
}

export const ROLE_LABELS: Record<Role, { label: string; description: string }> = {
  admin: { label: 'Administrator', description: 'Manages organisations, user accounts, API tokens and reads the audit log.' },
  case_manager: { label: 'Case manager', description: 'Records incidents and manages ASB cases for their organisation and cases shared with it.' },
  case_viewer: { label: 'Case viewer', description: 'Reads ASB cases owned by or shared with their organisation.' },
  partnership_coordinator: { label: 'Partnership coordinator', description: 'Runs boards and meetings: agendas, minutes, the action log, funding and delivery plans.' },
  board_member: { label: 'Board member', description: 'Reads papers and minutes of their boards and updates the actions they own.' },
  analyst: { label: 'Analyst', description: 'Imports crime data and produces performance dashboards and reports.' },
  auditor: { label: 'Auditor', description: 'Reads and exports the audit log.' },
}

export const ORGANISATION_TYPES = [
  'council',
  'county_council',
  'police',
  'fire',
  'probation',
  'health',
  'housing_provider',
  'opcc',
  'vrn',
  'voluntary',
  'other',
] as const
export type OrganisationType = (typeof ORGANISATION_TYPES)[number]

export const ORGANISATION_TYPE_LABELS: Record<OrganisationType, string> = {
  council: 'District or borough council',
  county_council: 'County or unitary council',
  police: 'Police',
  fire: 'Fire and rescue',
  probation: 'Probation',
  health: 'Health (integrated care board)',
  housing_provider: 'Housing provider',
  opcc: "Office of the Police and Crime Commissioner",
  vrn: 'Violence Reduction Network',
  voluntary: 'Voluntary or community sector',
  other: 'Other',
}

export function permissionsFor(roles: readonly string[]): Set<Permission> {
  const granted = new Set<Permission>()
  for (const role of roles) {
    for (const permission of ROLE_PERMISSIONS[role as Role] ?? []) granted.add(permission)
  }
  return granted
}

/** The roles that grant a permission: for rules checked in SQL against users.roles. */
export function rolesWith(permission: Permission): Role[] {
  return ROLES.filter((role) => ROLE_PERMISSIONS[role].includes(permission))
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value)
}
