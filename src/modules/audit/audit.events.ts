/** Every kind of audit event, with the words the audit page shows for it. */
export const AUDIT_ACTIONS = {
  'sign_in': 'Signed in',
  'sign_in_failed': 'Failed sign-in',
  'sign_in_locked': 'Account locked after failed sign-ins',
  'sign_out': 'Signed out',
  'password_changed': 'Changed own password',
  'password_change_failed': 'Wrong current password when changing own password',
  'password_change_locked': 'Account locked after wrong current passwords',
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
  // Partnership governance.
  'body.created': 'Created partnership body',
  'body.updated': 'Changed partnership body',
  'body.member_added': 'Added member to body',
  'body.member_updated': 'Changed body membership',
  'body.member_ended': 'Ended body membership',
  'body.election_recorded': 'Recorded election of chair or deputy chair',
  'contact.created': 'Added contact without an account',
  'contact.updated': 'Changed contact without an account',
  'contacts.listed': 'Listed contacts without an account',
  'body.viewed': 'Viewed body and its members',
  'meeting.scheduled': 'Scheduled meeting',
  'meeting.updated': 'Changed meeting',
  'meeting.cancelled': 'Cancelled meeting',
  'agenda.item_added': 'Added agenda or forward programme item',
  'agenda.item_updated': 'Changed agenda item',
  'agenda.item_removed': 'Removed agenda item',
  'agenda.published': 'Published agenda',
  'agenda.exported': 'Downloaded agenda',
  'agenda.paper_uploaded': 'Uploaded meeting paper',
  'agenda.paper_downloaded': 'Downloaded meeting paper',
  'agenda.paper_removed': 'Removed meeting paper',
  'minutes.attendance_recorded': 'Recorded attendance',
  'minutes.declaration_recorded': 'Recorded declaration of interest',
  'minutes.item_recorded': 'Recorded minutes of an item',
  'minutes.resolution_recorded': 'Recorded resolution',
  'minutes.variance_recorded': 'Recorded agenda variance',
  'minutes.item_deferred': 'Deferred agenda item',
  'minutes.meeting_closed': 'Recorded meeting closed',
  'minutes.published': 'Published minutes',
  'minutes.confirmed': 'Confirmed minutes as a correct record',
  'minutes.amended': 'Changed confirmed minutes',
  'minutes.viewed': 'Viewed minutes',
  'minutes.exported': 'Downloaded minutes',
  'action.created': 'Created action',
  'action.viewed': 'Viewed action',
  'action.updated': 'Changed action',
  'action.status_updated': 'Updated action status',
  'action_log.viewed': 'Viewed action log',
  'action_log.exported': 'Exported action log',
  'action.reminders_sent': 'Sent action reminders',
  'email.viewed': 'Read email in the outbox',
  'police_file.imported': 'Imported a police.uk crime file',
  'police_file.rejected': 'Refused a police.uk crime file',
  'boundaries.loaded': 'Loaded area boundaries',
} as const

export type AuditAction = keyof typeof AUDIT_ACTIONS

/** Who did it. For a failed sign-in with an unknown email there is no user, only the address it came from. */
export interface Actor {
  userId: string | null
  organisationId: string | null
  ip: string | null
}

/** The application itself, for what it does on its own: reminders, loading boundaries, demonstration data. */
export const SYSTEM_ACTOR: Actor = { userId: null, organisationId: null, ip: null }

export interface AuditEntry {
  action: AuditAction
  recordType?: string
  recordId?: string
  /** Never personal data or secrets: ids, field names, counts. */
  details?: Record<string, unknown>
}
