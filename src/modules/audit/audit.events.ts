/** Every kind of audit event, with the words the audit page shows for it. */
export const AUDIT_ACTIONS = {
  'sign_in': 'Signed in',
  'sign_in_failed': 'Failed sign-in',
  'sign_in_locked': 'Account locked after failed sign-ins',
  'sign_out': 'Signed out',
  'password_changed': 'Changed own password',
  'organisation.created': 'Created organisation',
  'organisation.updated': 'Changed organisation',
  'user.created': 'Created user',
  'user.updated': 'Changed user',
  'user.deactivated': 'Deactivated user',
  'user.reactivated': 'Reactivated user',
  'user.password_reset': 'Reset user password',
  'api_token.issued': 'Issued API token',
  'api_token.revoked': 'Revoked API token',
  'audit.exported': 'Exported audit log',
  // ASB records: every read and change of personal data.
  'case.created': 'Opened case',
  'case.viewed': 'Viewed case',
  'case.updated': 'Changed case',
  'case.status_changed': 'Changed case status',
  'case.closed': 'Closed case',
  'case.reopened': 'Reopened case',
  'case.shared': 'Shared case with an organisation',
  'case.share_revoked': 'Stopped sharing case',
  'case.note_added': 'Added case note',
  'case.person_added': 'Added person to case',
  'case.person_removed': 'Removed person from case',
  'case.callback_recorded': 'Recorded call-back',
  'case.document_uploaded': 'Uploaded case document',
  'case.document_downloaded': 'Downloaded case document',
  'case.document_removed': 'Removed case document',
  'cases.listed': 'Listed cases',
  'cases.searched': 'Searched ASB records',
  'cases.exported': 'Exported case list',
  'case.summary_exported': 'Exported case summary',
  'incident.recorded': 'Recorded incident',
  'incident.viewed': 'Viewed incident',
  'incident.updated': 'Changed incident',
  'incident.linked': 'Linked incident to case',
  'location.viewed': 'Viewed address',
  'person.created': 'Added person',
  'person.viewed': 'Viewed person',
  'person.updated': 'Changed person',
  'person.merged': 'Merged duplicate people',
  'risk_assessment.recorded': 'Recorded victim risk assessment',
  'risk_assessment.viewed': 'Viewed victim risk assessment',
  'intervention.recorded': 'Recorded intervention',
  'intervention.updated': 'Changed intervention',
  'intervention.breach_recorded': 'Recorded breach of intervention',
  'task.assigned': 'Assigned task',
  'task.completed': 'Completed task',
  'task.cancelled': 'Cancelled task',
  'sharing_agreement.created': 'Recorded information sharing agreement',
  'sharing_agreement.ended': 'Ended information sharing agreement',
} as const

export type AuditAction = keyof typeof AUDIT_ACTIONS

/** Who did it. For a failed sign-in with an unknown email there is no user, only the address it came from. */
export interface Actor {
  userId: string | null
  organisationId: string | null
  ip: string | null
}

export interface AuditEntry {
  action: AuditAction
  recordType?: string
  recordId?: string
  /** Never personal data or secrets: ids, field names, counts. */
  details?: Record<string, unknown>
}
