import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

type CreatedAt = ColumnType<Date, Date | string | undefined, never>
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>

export interface OrganisationsTable {
  id: Generated<string>
  name: string
  type: string
  active: Generated<boolean>
  require_two_factor: Generated<boolean>
  created_at: CreatedAt
  updated_at: Timestamp
}

export interface UsersTable {
  id: Generated<string>
  organisation_id: string
  name: string
  email: string
  password_hash: string
  roles: string[]
  active: Generated<boolean>
  must_change_password: Generated<boolean>
  failed_sign_in_count: Generated<number>
  locked_until: NullableTimestamp
  last_sign_in_at: NullableTimestamp
  created_at: CreatedAt
  updated_at: Timestamp
}

export interface SessionsTable {
  id_hash: string
  user_id: string
  created_at: CreatedAt
  last_seen_at: Timestamp
  awaiting_second_factor: Generated<boolean>
  method: Generated<'password' | 'sso'>
}

export interface TwoFactorSecretsTable {
  user_id: string
  secret: string
  enabled_at: NullableTimestamp
  last_used_step: number | null
  created_at: CreatedAt
}

export interface TwoFactorRecoveryCodesTable {
  id: Generated<string>
  user_id: string
  code_hash: string
  used_at: NullableTimestamp
  created_at: CreatedAt
}

export interface SsoProvidersTable {
  id: Generated<string>
  organisation_id: string
  name: string
  issuer: string
  client_id: string
  client_secret: string
  email_domains: string[]
  created_at: CreatedAt
  updated_at: Timestamp
}

export interface SsoSignInAttemptsTable {
  state_hash: string
  provider_id: string
  code_verifier: string
  nonce: string
  return_to: string
  created_at: CreatedAt
}

export interface ApiTokensTable {
  id: Generated<string>
  user_id: string
  name: string
  token_hash: string
  prefix: string
  created_by: string
  created_at: CreatedAt
  expires_at: NullableTimestamp
  last_used_at: NullableTimestamp
  revoked_at: NullableTimestamp
}

export interface AuditEventsTable {
  id: Generated<number>
  occurred_at: CreatedAt
  user_id: string | null
  organisation_id: string | null
  action: string
  record_type: string | null
  record_id: string | null
  ip: string | null
  details: ColumnType<Record<string, unknown>, string | undefined, never>
  /** The hash chain, filled by the database when the row's transaction commits (migration 0011), never by the app. */
  chain_seq: ColumnType<number | null, never, never>
  previous_hash: ColumnType<string | null, never, never>
  hash: ColumnType<string | null, never, never>
}

/** The end of the audit hash chain: one row, kept by the database's triggers. */
export interface AuditChainHeadTable {
  only_row: ColumnType<boolean, never, never>
  seq: ColumnType<number, never, never>
  hash: ColumnType<string, never, never>
}

export interface SchemaMigrationsTable {
  name: string
  applied_at: CreatedAt
}

// ---- ASB case management (0002) ----

type DateOnly = string
type NullableDate = ColumnType<string | null, string | null | undefined, string | null>
type Json<T> = ColumnType<T, string | undefined, string>

export interface IncidentTypesTable {
  code: string
  label: string
  category: string
  sort: Generated<number>
  active: Generated<boolean>
}

export interface InterventionTypesTable {
  code: string
  label: string
  stage: string
  stage_order: number
  legal_basis: string | null
  min_age: number | null
  default_duration_days: number | null
  max_duration_days: number | null
  fixed_penalty_pence: number | null
  requires_code: string | null
  sort: Generated<number>
  active: Generated<boolean>
}

export interface RiskQuestionnairesTable {
  id: Generated<string>
  name: string
  active: Generated<boolean>
  medium_threshold: number
  high_threshold: number
  review_days_standard: number | null
  review_days_medium: Generated<number>
  review_days_high: Generated<number>
  created_at: CreatedAt
}

export interface RiskQuestionsTable {
  questionnaire_id: string
  code: string
  section: string
  text: string
  weight: number
  high_on_yes: Generated<boolean>
  sort: number
}

export interface LocationsTable {
  id: Generated<string>
  address: string
  postcode: string | null
  latitude: number | null
  longitude: number | null
  district_code: string | null
  ward_code: string | null
  ward_name: string | null
  lsoa_code: string | null
  created_at: CreatedAt
}

export interface PeopleTable {
  id: Generated<string>
  given_names: string
  family_name: string
  aliases: Generated<string[]>
  date_of_birth: DateOnly | null
  phone: string | null
  email: string | null
  vulnerable: Generated<boolean>
  risk_to_staff: Generated<boolean>
  merged_into_id: string | null
  created_by: string | null
  created_by_organisation_id: string | null
  created_at: CreatedAt
  updated_at: Timestamp
  version: Generated<number>
}

/** Sensitive details about a person, one row per recording organisation, seen only by that organisation (0009). */
export interface PersonSensitiveDetailsTable {
  id: Generated<string>
  person_id: string
  organisation_id: string | null
  vulnerabilities: string | null
  protected_characteristics: string | null
  reason: string
  recorded_by: string | null
  recorded_at: CreatedAt
  updated_by: string | null
  updated_at: Timestamp
}

export interface PersonAddressesTable {
  id: Generated<string>
  person_id: string
  location_id: string
  from_date: NullableDate
  to_date: NullableDate
  created_at: CreatedAt
}

export interface CasesTable {
  id: Generated<string>
  reference: string
  title: string
  summary: string | null
  type: string
  status: Generated<string>
  priority: Generated<string>
  owning_organisation_id: string
  lead_officer_id: string | null
  location_id: string | null
  risk_level: string | null
  high_risk: Generated<boolean>
  review_date: NullableDate
  opened_at: CreatedAt
  closed_at: NullableTimestamp
  closure_outcome: string | null
  closure_reason: string | null
  victim_satisfaction: string | null
  created_by: string | null
  created_at: CreatedAt
  updated_at: Timestamp
  version: Generated<number>
}

export interface CasePeopleTable {
  case_id: string
  person_id: string
  role: string
  role_detail: string | null
  added_at: CreatedAt
  added_by: string | null
}

export interface IncidentsTable {
  id: Generated<string>
  reference: string
  occurred_at: Timestamp
  reported_at: Timestamp
  channel: string
  type_code: string
  category: string
  hate_motivated: Generated<boolean>
  hate_strands: Generated<string[]>
  description: string
  location_id: string | null
  location_text: string | null
  reporting_person_id: string | null
  case_id: string | null
  organisation_id: string
  recorded_by: string
  created_at: CreatedAt
  version: Generated<number>
}

export interface CaseNotesTable {
  id: Generated<string>
  case_id: string
  body: string
  restricted: Generated<boolean>
  author_id: string
  organisation_id: string
  created_at: CreatedAt
}

export interface FieldChange {
  field: string
  from: unknown
  to: unknown
}

export interface CaseEventsTable {
  id: Generated<number>
  case_id: string
  occurred_at: CreatedAt
  kind: string
  summary: string
  user_id: string | null
  organisation_id: string | null
  changes: Json<FieldChange[]>
  restricted: Generated<boolean>
}

export interface CaseSharesTable {
  id: Generated<string>
  case_id: string
  organisation_id: string
  reason: string
  shared_by: string
  shared_at: CreatedAt
  revoked_at: NullableTimestamp
  revoked_by: string | null
  /** The rights the share gives: 'read' | 'contribute' | 'full' (see case-access.ts). */
  access: Generated<ShareAccess>
}

export type ShareAccess = 'read' | 'contribute' | 'full'

export interface SharingAgreementsTable {
  id: Generated<string>
  name: string
  purpose: string
  sharing_organisation_id: string
  receiving_organisation_id: string
  starts_on: DateOnly
  ends_on: NullableDate
  created_by: string
  created_at: CreatedAt
}

export interface TasksTable {
  id: Generated<string>
  case_id: string
  title: string
  details: string | null
  assigned_to: string
  assigned_organisation_id: string
  due_on: DateOnly
  status: Generated<string>
  completed_at: NullableTimestamp
  completed_by: string | null
  outcome: string | null
  created_by: string
  created_at: CreatedAt
}

export interface RiskAssessmentsTable {
  id: Generated<string>
  case_id: string
  person_id: string
  questionnaire_id: string
  answers: Json<Record<string, boolean>>
  score: number
  level: string
  notes: string | null
  assessed_by: string
  assessed_at: CreatedAt
}

export interface InterventionsTable {
  id: Generated<string>
  case_id: string
  person_id: string | null
  type_code: string
  status: Generated<string>
  issued_on: DateOnly
  expires_on: NullableDate
  review_on: NullableDate
  officer_id: string
  organisation_id: string
  prohibitions: string | null
  requirements: string | null
  power_of_arrest: Generated<boolean>
  court: string | null
  premises_location_id: string | null
  notes: string | null
  created_at: CreatedAt
}

export interface InterventionBreachesTable {
  id: Generated<string>
  intervention_id: string
  breached_on: DateOnly
  description: string
  action: string
  fixed_penalty_pence: number | null
  recorded_by: string
  recorded_at: CreatedAt
}

export interface CallbacksTable {
  id: Generated<string>
  case_id: string
  person_id: string | null
  called_at: Timestamp
  reached: boolean
  satisfaction: string | null
  notes: string | null
  called_by: string
  created_at: CreatedAt
}

// ---- case documents (0004) ----

export interface CaseDocumentsTable {
  id: Generated<string>
  case_id: string
  title: string
  description: string | null
  category: string
  restricted: Generated<boolean>
  file_name: string
  mime_type: string
  size_bytes: number
  sha256: string
  uploaded_by: string
  organisation_id: string
  uploaded_at: CreatedAt
  removed_at: NullableTimestamp
  removed_by: string | null
  removal_reason: string | null
}

export interface CaseDocumentContentsTable {
  document_id: string
  content: Uint8Array
}

// ---- Partnership governance (0006) ----

export interface GovernanceContactsTable {
  id: Generated<string>
  name: string
  organisation_id: string | null
  organisation_name: string | null
  job_title: string | null
  email: string | null
  created_by: string
  created_at: CreatedAt
  updated_at: Timestamp
}

export interface BodiesTable {
  id: Generated<string>
  name: string
  kind: string
  parent_id: string | null
  visibility: Generated<'open' | 'closed'>
  lead_organisation_id: string | null
  description: string | null
  default_venue: string | null
  default_start_time: string | null
  reminder_days_before: Generated<number>
  resolution_numbering: Generated<'letters' | 'numbers'>
  active: Generated<boolean>
  created_by: string
  created_at: CreatedAt
  updated_at: Timestamp
}

export interface BodyMembersTable {
  id: Generated<string>
  body_id: string
  user_id: string | null
  contact_id: string | null
  role: string
  organisation_id: string | null
  from_date: DateOnly
  to_date: NullableDate
  elected_by_resolution_id: string | null
  municipal_year: string | null
  created_by: string
  created_at: CreatedAt
}

export interface MeetingsTable {
  id: Generated<string>
  body_id: string
  meets_on: DateOnly
  /** 'HH:MM:SS' */
  starts_at: string
  venue: string
  status: Generated<'scheduled' | 'held' | 'cancelled'>
  agenda_published_at: NullableTimestamp
  agenda_published_by: string | null
  closed_at: string | null
  minutes_status: Generated<'none' | 'draft' | 'published' | 'confirmed'>
  minutes_published_at: NullableTimestamp
  minutes_confirmed_at: NullableTimestamp
  minutes_confirmed_at_meeting_id: string | null
  minutes_subject_to_amendment: Generated<boolean>
  minutes_amendment: string | null
  cancelled_reason: string | null
  version: Generated<number>
  created_by: string
  created_at: CreatedAt
  updated_at: Timestamp
}

export interface AgendaItemsTable {
  id: Generated<string>
  body_id: string
  meeting_id: string | null
  position: number | null
  kind: string
  title: string
  description: string | null
  hot_topic: string | null
  presenter_user_id: string | null
  presenter_contact_id: string | null
  presenter_name: string | null
  presenter_role: string | null
  exempt: Generated<boolean>
  exempt_reason: string | null
  minutes: string | null
  taken_before_item_id: string | null
  deferred_reason: string | null
  deferred_from_item_id: string | null
  created_by: string
  created_at: CreatedAt
  updated_at: Timestamp
}

export interface AgendaPapersTable {
  id: Generated<string>
  agenda_item_id: string
  title: string
  file_name: string
  mime_type: string
  size_bytes: number
  sha256: string
  uploaded_by: string
  uploaded_at: CreatedAt
  removed_at: NullableTimestamp
  removed_by: string | null
}

export interface AgendaPaperContentsTable {
  paper_id: string
  content: Buffer
}

export interface MeetingAttendanceTable {
  id: Generated<string>
  meeting_id: string
  user_id: string | null
  contact_id: string | null
  status: 'present' | 'in_attendance' | 'apologies'
  role_label: string | null
  organisation_name: string | null
  note: string | null
  recorded_by: string
  recorded_at: CreatedAt
}

export interface MeetingDeclarationsTable {
  id: Generated<string>
  meeting_id: string
  agenda_item_id: string | null
  user_id: string | null
  contact_id: string | null
  interest: string
  recorded_by: string
  recorded_at: CreatedAt
}

export interface ResolutionsTable {
  id: Generated<string>
  agenda_item_id: string
  kind: Generated<'resolved' | 'agreed'>
  position: number
  text: string
  created_by: string
  created_at: CreatedAt
}

export interface MinutesVersionsTable {
  id: Generated<string>
  meeting_id: string
  version: number
  record: Json<Record<string, unknown>>
  reason: string
  changed_by: string
  changed_at: CreatedAt
}

export type ActionStatus = 'open' | 'ongoing' | 'complete' | 'incomplete' | 'no_update' | 'withdrawn'
export type LinkedRecordType = 'case' | 'funding_bid' | 'delivery_plan_action'

export interface ActionsTable {
  id: Generated<string>
  body_id: string
  meeting_id: string | null
  agenda_item_id: string | null
  text: string
  due_on: NullableDate
  due_next_meeting: Generated<boolean>
  status: Generated<ActionStatus>
  completed_at: NullableTimestamp
  linked_record_type: LinkedRecordType | null
  linked_record_id: string | null
  version: Generated<number>
  created_by: string
  created_at: CreatedAt
  updated_at: Timestamp
}

export interface ActionOwnersTable {
  id: Generated<string>
  action_id: string
  user_id: string | null
  contact_id: string | null
  organisation_id: string | null
}

export interface ActionUpdatesTable {
  id: Generated<string>
  action_id: string
  status: ActionStatus
  comment: string | null
  meeting_id: string | null
  updated_by: string
  created_at: CreatedAt
}

export interface ActionRemindersTable {
  action_id: string
  kind: 'due_soon' | 'overdue'
  due_on: DateOnly
  sent_at: CreatedAt
}

export interface EmailMessagesTable {
  id: Generated<string>
  kind: string
  to_addresses: string[]
  subject: string
  body_text: string
  body_html: string | null
  related_type: string | null
  related_id: string | null
  status: 'outbox' | 'sent' | 'failed'
  error: string | null
  created_at: CreatedAt
  sent_at: NullableTimestamp
}

export interface GeoDistrictsTable {
  code: string
  name: string
  upper_tier_code: string | null
  upper_tier_name: string | null
  region_name: string | null
  geometry: unknown
}

export interface GeoWardsTable {
  code: string
  name: string
  district_code: string
  geometry: unknown
}

export interface GeoLsoasTable {
  code: string
  vintage: 2011 | 2021
  name: string
  district_code: string
  ward_code: string | null
  geometry: unknown
}

export interface GeoLsoaLookupTable {
  code: string
  name: string
  district_code: string
  ward_code: string | null
}

export interface PoliceCrimeTypesTable {
  label: string
  category: string
}

export interface PoliceFilesTable {
  id: Generated<string>
  force: string
  /** YYYY-MM */
  month: string
  file_name: string
  sha256: string
  row_count: number
  rows_no_location: number
  rows_outside_area: number
  imported_by: string | null
  imported_at: CreatedAt
}

/** The police.uk file's own columns; crime_type is the label as the file had it. */
export interface PoliceCrimesTable {
  crime_id: string | null
  month: string | null
  reported_by: string | null
  falls_within: string | null
  longitude: number | null
  latitude: number | null
  location: string | null
  lsoa_code: string | null
  lsoa_name: string | null
  crime_type: string | null
  last_outcome: string | null
  context: string | null
  file_id: Generated<string>
  seq: Generated<number>
}

export interface PoliceCrimeCountsTable {
  file_id: string
  /** YYYY-MM */
  month: string
  reported_by: string
  district_code: string | null
  lsoa_code: string | null
  /** False for a crime with no LSOA and no map point: "no location". */
  located: boolean
  /** One of the 14 current categories. */
  crime_type: string
  crime_type_label: string
  crimes: number
}

export type ImportJobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'interrupted'
export type ImportJobFileState = 'queued' | 'importing' | 'imported' | 'rejected' | 'interrupted'

export interface ImportJobsTable {
  id: Generated<string>
  kind: 'police_uk'
  state: ColumnType<ImportJobState, ImportJobState | undefined, ImportJobState>
  error: string | null
  started_by: string | null
  organisation_id: string | null
  created_at: CreatedAt
  started_at: NullableTimestamp
  finished_at: NullableTimestamp
}

export interface ImportJobFilesTable {
  job_id: string
  position: number
  original_name: string
  file_path: string | null
  size_bytes: number
  bytes_read: Generated<number>
  lines_read: Generated<number>
  state: ColumnType<ImportJobFileState, ImportJobFileState | undefined, ImportJobFileState>
  result: ColumnType<unknown, string | null | undefined, string | null>
  error: string | null
}

export interface DB {
  organisations: OrganisationsTable
  users: UsersTable
  sessions: SessionsTable
  two_factor_secrets: TwoFactorSecretsTable
  two_factor_recovery_codes: TwoFactorRecoveryCodesTable
  sso_providers: SsoProvidersTable
  sso_sign_in_attempts: SsoSignInAttemptsTable
  api_tokens: ApiTokensTable
  audit_events: AuditEventsTable
  audit_chain_head: AuditChainHeadTable
  schema_migrations: SchemaMigrationsTable
  incident_types: IncidentTypesTable
  intervention_types: InterventionTypesTable
  risk_questionnaires: RiskQuestionnairesTable
  risk_questions: RiskQuestionsTable
  locations: LocationsTable
  people: PeopleTable
  person_addresses: PersonAddressesTable
  person_sensitive_details: PersonSensitiveDetailsTable
  cases: CasesTable
  case_people: CasePeopleTable
  incidents: IncidentsTable
  case_notes: CaseNotesTable
  case_events: CaseEventsTable
  case_shares: CaseSharesTable
  sharing_agreements: SharingAgreementsTable
  tasks: TasksTable
  risk_assessments: RiskAssessmentsTable
  interventions: InterventionsTable
  intervention_breaches: InterventionBreachesTable
  callbacks: CallbacksTable
  case_documents: CaseDocumentsTable
  case_document_contents: CaseDocumentContentsTable
  governance_contacts: GovernanceContactsTable
  bodies: BodiesTable
  body_members: BodyMembersTable
  meetings: MeetingsTable
  agenda_items: AgendaItemsTable
  agenda_papers: AgendaPapersTable
  agenda_paper_contents: AgendaPaperContentsTable
  meeting_attendance: MeetingAttendanceTable
  meeting_declarations: MeetingDeclarationsTable
  resolutions: ResolutionsTable
  minutes_versions: MinutesVersionsTable
  actions: ActionsTable
  action_owners: ActionOwnersTable
  action_updates: ActionUpdatesTable
  action_reminders: ActionRemindersTable
  email_messages: EmailMessagesTable
  geo_districts: GeoDistrictsTable
  geo_wards: GeoWardsTable
  geo_lsoas: GeoLsoasTable
  geo_lsoa_lookup: GeoLsoaLookupTable
  police_crime_types: PoliceCrimeTypesTable
  police_files: PoliceFilesTable
  police_crimes: PoliceCrimesTable
  police_crime_counts: PoliceCrimeCountsTable
  import_jobs: ImportJobsTable
  import_job_files: ImportJobFilesTable
}

export type Organisation = Selectable<OrganisationsTable>
export type NewOrganisation = Insertable<OrganisationsTable>
export type OrganisationUpdate = Updateable<OrganisationsTable>
export type User = Selectable<UsersTable>
export type NewUser = Insertable<UsersTable>
export type UserUpdate = Updateable<UsersTable>
export type AuditEvent = Selectable<AuditEventsTable>
export type ApiToken = Selectable<ApiTokensTable>
