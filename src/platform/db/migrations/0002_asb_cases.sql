-- ASB case management: incidents, people, cases, risk, interventions, tasks, sharing, closure.
-- Categories, intervention types and the risk questionnaire are data, so that a partnership (or a change
-- in the law) changes rows, not code.

create extension if not exists pg_trgm;

-- ---- reference data ----

create table incident_types (
  code text primary key,
  label text not null,
  category text not null check (category in ('personal', 'nuisance', 'environmental')),
  sort integer not null default 0,
  active boolean not null default true
);

insert into incident_types (code, label, category, sort) values
  ('targeted_harassment', 'Harassment or intimidation of a person', 'personal', 10),
  ('neighbour_dispute', 'Neighbour dispute', 'personal', 20),
  ('hate_incident', 'Hate-motivated incident', 'personal', 30),
  ('noise', 'Noise', 'nuisance', 40),
  ('youth_related', 'Youth-related nuisance', 'nuisance', 50),
  ('drug_related', 'Drug-related nuisance', 'nuisance', 60),
  ('alcohol_related', 'Alcohol-related nuisance', 'nuisance', 70),
  ('vehicle_nuisance', 'Vehicle nuisance (including off-road bikes)', 'nuisance', 80),
  ('rowdy_behaviour', 'Rowdy or inconsiderate behaviour', 'nuisance', 90),
  ('begging', 'Begging or vagrancy', 'nuisance', 100),
  ('fly_tipping', 'Fly-tipping', 'environmental', 110),
  ('graffiti', 'Graffiti', 'environmental', 120),
  ('premises_noise', 'Noise from premises', 'environmental', 130),
  ('dog_fouling', 'Dog fouling or dog control', 'environmental', 140),
  ('abandoned_vehicle', 'Abandoned vehicle', 'environmental', 150),
  ('litter', 'Litter or waste', 'environmental', 160);

create table intervention_types (
  code text primary key,
  label text not null,
  -- The incremental approach: early -> second stage -> formal action -> enforcement.
  stage text not null check (stage in ('early', 'second', 'formal', 'enforcement')),
  stage_order integer not null,
  legal_basis text,
  min_age integer,
  -- Default length of the measure; null where it has none or the court decides.
  default_duration_days integer,
  max_duration_days integer,
  fixed_penalty_pence integer,
  -- A type that must come first for the same person on the same case (a CPW before a CPN).
  requires_code text references intervention_types (code),
  sort integer not null default 0,
  active boolean not null default true
);

insert into intervention_types (code, label, stage, stage_order, legal_basis, min_age, default_duration_days, max_duration_days, fixed_penalty_pence, requires_code, sort) values
  ('advice', 'Advice or verbal warning', 'early', 1, null, null, null, null, null, null, 10),
  ('warning_letter', 'Warning letter', 'early', 1, null, null, null, null, null, null, 20),
  ('mediation', 'Mediation', 'early', 1, null, null, null, null, null, null, 30),
  ('support_referral', 'Referral to support services', 'early', 1, null, null, null, null, null, null, 40),
  ('further_warning', 'Further warning letter', 'second', 2, null, null, null, null, null, null, 50),
  ('abc', 'Acceptable Behaviour Contract', 'second', 2, null, 10, 180, null, null, null, 60),
  ('cpw', 'Community Protection Warning', 'second', 2, 'ASB, Crime and Policing Act 2014, Part 4 chapter 1', 16, 28, null, null, null, 70),
  ('cpn', 'Community Protection Notice', 'formal', 3, 'ASB, Crime and Policing Act 2014, Part 4 chapter 1', 16, null, null, 10000, 'cpw', 80),
  ('civil_injunction', 'Civil injunction', 'formal', 3, 'ASB, Crime and Policing Act 2014, Part 1', 10, 365, null, null, null, 90),
  ('closure_notice', 'Closure notice', 'formal', 3, 'ASB, Crime and Policing Act 2014, Part 4 chapter 3', null, 1, 2, null, null, 100),
  ('closure_order', 'Closure order', 'formal', 3, 'ASB, Crime and Policing Act 2014, Part 4 chapter 3', null, 90, 180, null, 'closure_notice', 110),
  ('dispersal_direction', 'Dispersal direction', 'formal', 3, 'ASB, Crime and Policing Act 2014, Part 3', 10, 2, 2, null, null, 120),
  ('possession_proceedings', 'Possession proceedings', 'formal', 3, 'Housing Act 1985 / 1988 (ASB grounds)', null, null, null, null, null, 130),
  ('cbo', 'Criminal Behaviour Order', 'enforcement', 4, 'ASB, Crime and Policing Act 2014, Part 2', 10, 730, null, null, null, 140),
  ('fixed_penalty', 'Fixed penalty notice for breach', 'enforcement', 4, 'ASB, Crime and Policing Act 2014, s.52', null, null, null, 10000, null, 150),
  ('prosecution', 'Prosecution for breach', 'enforcement', 4, null, null, null, null, null, null, 160),
  ('committal', 'Committal for breach of injunction', 'enforcement', 4, null, null, null, null, null, null, 170);

create table risk_questionnaires (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  active boolean not null default false,
  -- Scores at or above these thresholds are medium and high risk.
  medium_threshold integer not null check (medium_threshold > 0),
  high_threshold integer not null check (high_threshold > medium_threshold),
  -- Review cadence in days by risk level; null means no scheduled review.
  review_days_standard integer,
  review_days_medium integer not null default 28,
  review_days_high integer not null default 14,
  created_at timestamptz not null default now()
);
create unique index risk_questionnaires_one_active on risk_questionnaires (active) where active;

create table risk_questions (
  questionnaire_id uuid not null references risk_questionnaires (id),
  code text not null,
  section text not null,
  text text not null,
  -- Points added when the answer is yes.
  weight integer not null check (weight >= 0),
  -- A yes makes the assessment high risk whatever the total.
  high_on_yes boolean not null default false,
  sort integer not null,
  primary key (questionnaire_id, code)
);

with questionnaire as (
  insert into risk_questionnaires (name, active, medium_threshold, high_threshold, review_days_standard, review_days_medium, review_days_high)
  values ('LLR ASB victim risk assessment (2026)', true, 10, 20, null, 28, 14)
  returning id
)
insert into risk_questions (questionnaire_id, code, section, text, weight, high_on_yes, sort)
select questionnaire.id, q.code, q.section, q.text, q.weight, q.high_on_yes, q.sort
from questionnaire, (values
  ('targeted', 'The incidents', 'Is the behaviour targeted at the victim or their family?', 3, false, 10),
  ('hate', 'The incidents', 'Does the victim believe it is motivated by hate (race, religion, sexual orientation, disability, transgender identity)?', 4, false, 20),
  ('repeat', 'The incidents', 'Has the victim reported ASB before (three or more times in the last six months)?', 3, false, 30),
  ('escalating', 'The incidents', 'Is the behaviour getting worse or more frequent?', 3, false, 40),
  ('violence', 'The incidents', 'Have there been threats of violence or actual violence?', 4, false, 50),
  ('fear', 'Impact', 'Is the victim afraid to leave or stay in their home?', 3, false, 60),
  ('health', 'Impact', 'Is it affecting the victim''s physical or mental health?', 3, false, 70),
  ('sleep', 'Impact', 'Is it affecting the victim''s sleep?', 2, false, 80),
  ('daily_life', 'Impact', 'Has the victim changed their daily routine because of it?', 2, false, 90),
  ('moving', 'Impact', 'Is the victim thinking of moving because of it?', 2, false, 100),
  ('disability', 'Vulnerability', 'Does the victim have a disability or long-term illness?', 2, false, 110),
  ('mental_health', 'Vulnerability', 'Does the victim have a mental health condition?', 2, false, 120),
  ('age', 'Vulnerability', 'Is the victim elderly or a child?', 2, false, 130),
  ('isolation', 'Vulnerability', 'Does the victim live alone or lack support from family or friends?', 2, false, 140),
  ('self_harm', 'Vulnerability', 'Has the victim said they have thought of harming themselves?', 0, true, 150)
) as q (code, section, text, weight, high_on_yes, sort);

-- ---- places and people ----

create table locations (
  id uuid primary key default gen_random_uuid(),
  address text not null check (length(trim(address)) > 0),
  postcode text,
  latitude double precision check (latitude between -90 and 90),
  longitude double precision check (longitude between -180 and 180),
  district_code text,
  ward_code text,
  ward_name text,
  lsoa_code text,
  created_at timestamptz not null default now()
);
-- The same address typed twice is one location, so repeat locations can be seen.
create unique index locations_address_key on locations (lower(regexp_replace(trim(address), '\s+', ' ', 'g')), coalesce(upper(replace(postcode, ' ', '')), ''));
create index locations_address_trgm on locations using gin (lower(address) gin_trgm_ops);

create table people (
  id uuid primary key default gen_random_uuid(),
  given_names text not null check (length(trim(given_names)) > 0),
  family_name text not null check (length(trim(family_name)) > 0),
  aliases text[] not null default '{}',
  date_of_birth date,
  phone text,
  email text,
  vulnerable boolean not null default false,
  risk_to_staff boolean not null default false,
  -- Sensitive: recorded only where relevant, with the reason.
  vulnerabilities text,
  protected_characteristics text,
  sensitive_reason text,
  merged_into_id uuid references people (id),
  created_by uuid references users (id),
  created_by_organisation_id uuid references organisations (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  check ((vulnerabilities is null and protected_characteristics is null) or sensitive_reason is not null)
);
create index people_name_trgm on people using gin ((lower(given_names || ' ' || family_name)) gin_trgm_ops);
create index people_family_name_idx on people (lower(family_name) text_pattern_ops);
create index people_dob_idx on people (date_of_birth);

create table person_addresses (
  id uuid primary key default gen_random_uuid(),
  person_id uuid not null references people (id),
  location_id uuid not null references locations (id),
  from_date date,
  to_date date,
  created_at timestamptz not null default now(),
  check (to_date is null or from_date is null or to_date >= from_date)
);
create index person_addresses_person_idx on person_addresses (person_id);
create index person_addresses_location_idx on person_addresses (location_id);

-- ---- cases ----

create sequence case_reference_seq;

create table cases (
  id uuid primary key default gen_random_uuid(),
  reference text not null unique,
  title text not null check (length(trim(title)) > 0),
  summary text,
  type text not null check (type in ('victim_centred', 'perpetrator_centred', 'location')),
  status text not null default 'open' check (status in ('open', 'in_progress', 'review', 'closed')),
  priority text not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
  owning_organisation_id uuid not null references organisations (id),
  lead_officer_id uuid references users (id),
  location_id uuid references locations (id),
  risk_level text check (risk_level in ('standard', 'medium', 'high')),
  high_risk boolean not null default false,
  review_date date,
  opened_at timestamptz not null default now(),
  closed_at timestamptz,
  closure_outcome text,
  closure_reason text,
  victim_satisfaction text check (victim_satisfaction in ('very_satisfied', 'satisfied', 'neither', 'dissatisfied', 'very_dissatisfied', 'not_asked', 'declined')),
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  check ((status = 'closed') = (closed_at is not null))
);
create index cases_owner_status_idx on cases (owning_organisation_id, status);
create index cases_lead_officer_idx on cases (lead_officer_id, status);
create index cases_review_idx on cases (review_date) where status <> 'closed';

create table case_people (
  case_id uuid not null references cases (id),
  person_id uuid not null references people (id),
  role text not null check (role in ('victim', 'perpetrator', 'witness', 'other')),
  role_detail text,
  added_at timestamptz not null default now(),
  added_by uuid references users (id),
  primary key (case_id, person_id, role)
);
create index case_people_person_idx on case_people (person_id);

create sequence incident_reference_seq;

create table incidents (
  id uuid primary key default gen_random_uuid(),
  reference text not null unique,
  occurred_at timestamptz not null,
  reported_at timestamptz not null,
  channel text not null check (channel in ('phone', 'online', 'in_person', 'email', 'police_referral', 'partner_referral')),
  type_code text not null references incident_types (code),
  category text not null check (category in ('personal', 'nuisance', 'environmental')),
  hate_motivated boolean not null default false,
  hate_strands text[] not null default '{}',
  description text not null check (length(trim(description)) > 0),
  location_id uuid references locations (id),
  location_text text,
  reporting_person_id uuid references people (id),
  case_id uuid references cases (id),
  organisation_id uuid not null references organisations (id),
  recorded_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  version integer not null default 1,
  check (occurred_at <= reported_at),
  check (not hate_motivated or cardinality(hate_strands) > 0)
);
create index incidents_case_idx on incidents (case_id);
create index incidents_location_idx on incidents (location_id);
create index incidents_organisation_idx on incidents (organisation_id, reported_at desc);
create index incidents_reporting_person_idx on incidents (reporting_person_id);

create table case_notes (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references cases (id),
  body text not null check (length(trim(body)) > 0),
  -- Restricted notes are seen only by the owning organisation.
  restricted boolean not null default false,
  author_id uuid not null references users (id),
  organisation_id uuid not null references organisations (id),
  created_at timestamptz not null default now()
);
create index case_notes_case_idx on case_notes (case_id, created_at);

-- The case timeline: one row for everything that happened, in the order it happened.
create table case_events (
  id bigint generated always as identity primary key,
  case_id uuid not null references cases (id),
  occurred_at timestamptz not null default now(),
  kind text not null,
  summary text not null,
  user_id uuid references users (id),
  organisation_id uuid references organisations (id),
  -- Field-level history: [{ field, from, to }].
  changes jsonb not null default '[]',
  restricted boolean not null default false
);
create index case_events_case_idx on case_events (case_id, occurred_at);

create table case_shares (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references cases (id),
  organisation_id uuid not null references organisations (id),
  reason text not null check (length(trim(reason)) > 0),
  shared_by uuid not null references users (id),
  shared_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_by uuid references users (id)
);
create unique index case_shares_live_key on case_shares (case_id, organisation_id) where revoked_at is null;
create index case_shares_organisation_idx on case_shares (organisation_id) where revoked_at is null;

-- An information sharing agreement: while it is in force, the sharing organisation's cases are visible
-- to the receiving organisation without sharing each case.
create table sharing_agreements (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(trim(name)) > 0),
  purpose text not null check (length(trim(purpose)) > 0),
  sharing_organisation_id uuid not null references organisations (id),
  receiving_organisation_id uuid not null references organisations (id),
  starts_on date not null,
  ends_on date,
  created_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  check (sharing_organisation_id <> receiving_organisation_id),
  check (ends_on is null or ends_on >= starts_on)
);
create index sharing_agreements_receiving_idx on sharing_agreements (receiving_organisation_id);

create table tasks (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references cases (id),
  title text not null check (length(trim(title)) > 0),
  details text,
  assigned_to uuid not null references users (id),
  assigned_organisation_id uuid not null references organisations (id),
  due_on date not null,
  status text not null default 'open' check (status in ('open', 'done', 'cancelled')),
  completed_at timestamptz,
  completed_by uuid references users (id),
  outcome text,
  created_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  check ((status = 'done') = (completed_at is not null))
);
create index tasks_assignee_idx on tasks (assigned_to, status, due_on);
create index tasks_case_idx on tasks (case_id);

create table risk_assessments (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references cases (id),
  person_id uuid not null references people (id),
  questionnaire_id uuid not null references risk_questionnaires (id),
  -- { question code: true | false }, against the questionnaire's questions.
  answers jsonb not null,
  score integer not null,
  level text not null check (level in ('standard', 'medium', 'high')),
  notes text,
  assessed_by uuid not null references users (id),
  assessed_at timestamptz not null default now()
);
create index risk_assessments_case_idx on risk_assessments (case_id, assessed_at);
create index risk_assessments_person_idx on risk_assessments (person_id, assessed_at);

create table interventions (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references cases (id),
  person_id uuid references people (id),
  type_code text not null references intervention_types (code),
  status text not null default 'active' check (status in ('proposed', 'active', 'complied', 'breached', 'expired', 'withdrawn', 'refused')),
  issued_on date not null,
  expires_on date,
  review_on date,
  officer_id uuid not null references users (id),
  organisation_id uuid not null references organisations (id),
  -- What the person must not do, and must do (injunctions, CPNs, CBOs, ABCs).
  prohibitions text,
  requirements text,
  power_of_arrest boolean not null default false,
  court text,
  premises_location_id uuid references locations (id),
  notes text,
  created_at timestamptz not null default now(),
  check (expires_on is null or expires_on >= issued_on)
);
create index interventions_case_idx on interventions (case_id, issued_on);
create index interventions_person_idx on interventions (person_id);

create table intervention_breaches (
  id uuid primary key default gen_random_uuid(),
  intervention_id uuid not null references interventions (id),
  breached_on date not null,
  description text not null check (length(trim(description)) > 0),
  action text not null check (action in ('fixed_penalty', 'prosecution', 'committal', 'warning', 'no_further_action')),
  fixed_penalty_pence integer check (fixed_penalty_pence is null or fixed_penalty_pence > 0),
  recorded_by uuid not null references users (id),
  recorded_at timestamptz not null default now()
);
create index intervention_breaches_intervention_idx on intervention_breaches (intervention_id);

-- ASB call-backs to reporters are a measured service.
create table callbacks (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references cases (id),
  person_id uuid references people (id),
  called_at timestamptz not null,
  reached boolean not null,
  satisfaction text check (satisfaction in ('very_satisfied', 'satisfied', 'neither', 'dissatisfied', 'very_dissatisfied', 'declined')),
  notes text,
  called_by uuid not null references users (id),
  created_at timestamptz not null default now()
);
create index callbacks_case_idx on callbacks (case_id);
