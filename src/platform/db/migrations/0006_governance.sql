-- Partnership governance: bodies and their members, meetings, agendas and papers, attendance, minutes and
-- resolutions, the action log carried from meeting to meeting, and the email outbox.

-- People who sit on or attend a body without an account: a presenter from a charity, a councillor.
create table governance_contacts (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(trim(name)) > 0),
  -- A partner organisation when they belong to one; otherwise its name as written.
  organisation_id uuid references organisations (id),
  organisation_name text,
  job_title text,
  email text,
  created_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index governance_contacts_name_idx on governance_contacts (lower(name));

-- A CSP, the county strategy board, a delivery group, a JAG, a scrutiny commission.
create table bodies (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (length(trim(name)) > 0),
  kind text not null check (kind in ('csp', 'strategy_board', 'delivery_group', 'jag', 'scrutiny_commission', 'other')),
  -- Nesting: a delivery group under its CSP.
  parent_id uuid references bodies (id),
  -- A closed body's meetings, papers, minutes and actions are seen only by its members (and administrators).
  visibility text not null default 'open' check (visibility in ('open', 'closed')),
  lead_organisation_id uuid references organisations (id),
  description text,
  default_venue text,
  default_start_time time,
  -- Owners of an action are reminded this many days before it is due.
  reminder_days_before integer not null default 7 check (reminder_days_before between 0 and 60),
  -- How resolutions are numbered in this body's minutes: (a), (b) or 1., 2.
  resolution_numbering text not null default 'letters' check (resolution_numbering in ('letters', 'numbers')),
  active boolean not null default true,
  created_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (parent_id is null or parent_id <> id)
);
create index bodies_parent_idx on bodies (parent_id);

-- Membership of a body over time. A member is a user or a contact without an account.
create table body_members (
  id uuid primary key default gen_random_uuid(),
  body_id uuid not null references bodies (id),
  user_id uuid references users (id),
  contact_id uuid references governance_contacts (id),
  role text not null check (role in ('chair', 'deputy_chair', 'member', 'officer', 'clerk', 'in_attendance')),
  -- The organisation they represent on this body (a user's own organisation unless they sit for another).
  organisation_id uuid references organisations (id),
  from_date date not null,
  to_date date,
  -- Chairs and deputy chairs are elected for a municipal year, by a resolution of the body.
  elected_by_resolution_id uuid,
  municipal_year text check (municipal_year ~ '^[0-9]{4}/[0-9]{2}$'),
  created_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  check (num_nonnulls(user_id, contact_id) = 1),
  check (to_date is null or to_date >= from_date)
);
create index body_members_body_idx on body_members (body_id, role);
create index body_members_user_idx on body_members (user_id, body_id) where user_id is not null;
create index body_members_contact_idx on body_members (contact_id) where contact_id is not null;

create table meetings (
  id uuid primary key default gen_random_uuid(),
  body_id uuid not null references bodies (id),
  meets_on date not null,
  starts_at time not null,
  -- A room and building, or "Microsoft Teams".
  venue text not null check (length(trim(venue)) > 0),
  status text not null default 'scheduled' check (status in ('scheduled', 'held', 'cancelled')),
  agenda_published_at timestamptz,
  agenda_published_by uuid references users (id),
  -- The time the meeting closed, as the minutes record it.
  closed_at time,
  -- draft (being written) -> published (circulated) -> confirmed (a correct record, at a later meeting: locked).
  minutes_status text not null default 'none' check (minutes_status in ('none', 'draft', 'published', 'confirmed')),
  minutes_published_at timestamptz,
  minutes_confirmed_at timestamptz,
  minutes_confirmed_at_meeting_id uuid references meetings (id),
  minutes_subject_to_amendment boolean not null default false,
  minutes_amendment text,
  cancelled_reason text,
  -- Optimistic locking of the meeting record and its minutes.
  version integer not null default 1,
  created_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (not minutes_subject_to_amendment or (minutes_amendment is not null and length(trim(minutes_amendment)) > 0))
);
create index meetings_body_date_idx on meetings (body_id, meets_on, starts_at);

-- An agenda item, or (meeting_id null) an item of the forward programme "to be programmed".
create table agenda_items (
  id uuid primary key default gen_random_uuid(),
  body_id uuid not null references bodies (id),
  meeting_id uuid references meetings (id),
  -- Its number on the agenda, 1, 2, 3 ... (null while to be programmed).
  position integer check (position > 0),
  kind text not null check (kind in ('apologies', 'previous_minutes', 'matters_arising', 'action_log', 'declarations', 'hot_topics', 'election', 'report', 'presentation', 'other', 'any_other_business', 'next_meeting')),
  title text not null check (length(trim(title)) > 0),
  description text,
  -- The topic a partner raises under "Hot Topics".
  hot_topic text,
  presenter_user_id uuid references users (id),
  presenter_contact_id uuid references governance_contacts (id),
  presenter_name text,
  presenter_role text,
  -- Exempt or confidential: papers and minutes only to members, never in the public document.
  exempt boolean not null default false,
  exempt_reason text,
  -- The minutes of the item.
  minutes text,
  -- Agenda variance: taken just before this other item of the same meeting.
  taken_before_item_id uuid references agenda_items (id),
  -- Deferred to the next meeting, with why; the copy on the next agenda points back here.
  deferred_reason text,
  deferred_from_item_id uuid references agenda_items (id),
  created_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((meeting_id is null) = (position is null)),
  check (num_nonnulls(presenter_user_id, presenter_contact_id) <= 1),
  check (taken_before_item_id is null or taken_before_item_id <> id)
);
create unique index agenda_items_position_idx on agenda_items (meeting_id, position) where meeting_id is not null;
create index agenda_items_unprogrammed_idx on agenda_items (body_id) where meeting_id is null;

-- Papers for an agenda item ("Agenda Item 6"): PDF or DOCX, kept in the database like case documents.
create table agenda_papers (
  id uuid primary key default gen_random_uuid(),
  agenda_item_id uuid not null references agenda_items (id),
  title text not null check (length(trim(title)) > 0),
  file_name text not null check (length(file_name) > 0),
  mime_type text not null,
  size_bytes integer not null check (size_bytes > 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  uploaded_by uuid not null references users (id),
  uploaded_at timestamptz not null default now(),
  removed_at timestamptz,
  removed_by uuid references users (id),
  check ((removed_at is null) = (removed_by is null))
);
create index agenda_papers_item_idx on agenda_papers (agenda_item_id) where removed_at is null;

create table agenda_paper_contents (
  paper_id uuid primary key references agenda_papers (id) on delete cascade,
  content bytea not null
);
alter table agenda_paper_contents alter column content set storage external;

-- Who was present, in attendance, or sent apologies. Each person once per meeting.
create table meeting_attendance (
  id uuid primary key default gen_random_uuid(),
  meeting_id uuid not null references meetings (id),
  user_id uuid references users (id),
  contact_id uuid references governance_contacts (id),
  status text not null check (status in ('present', 'in_attendance', 'apologies')),
  -- As the minutes print it: "Chair", "Community Safety Manager"; and the organisation they came for.
  role_label text,
  organisation_name text,
  -- "Substitute for ..." and the like.
  note text,
  recorded_by uuid not null references users (id),
  recorded_at timestamptz not null default now(),
  check (num_nonnulls(user_id, contact_id) = 1)
);
create unique index meeting_attendance_user_idx on meeting_attendance (meeting_id, user_id) where user_id is not null;
create unique index meeting_attendance_contact_idx on meeting_attendance (meeting_id, contact_id) where contact_id is not null;

create table meeting_declarations (
  id uuid primary key default gen_random_uuid(),
  meeting_id uuid not null references meetings (id),
  agenda_item_id uuid references agenda_items (id),
  user_id uuid references users (id),
  contact_id uuid references governance_contacts (id),
  interest text not null check (length(trim(interest)) > 0),
  recorded_by uuid not null references users (id),
  recorded_at timestamptz not null default now(),
  check (num_nonnulls(user_id, contact_id) = 1)
);
create index meeting_declarations_meeting_idx on meeting_declarations (meeting_id);

-- "RESOLVED:" or "AGREED:" under an item, numbered (a), (b) or 1., 2. by position.
create table resolutions (
  id uuid primary key default gen_random_uuid(),
  agenda_item_id uuid not null references agenda_items (id),
  kind text not null default 'resolved' check (kind in ('resolved', 'agreed')),
  position integer not null check (position > 0),
  text text not null check (length(trim(text)) > 0),
  created_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  unique (agenda_item_id, kind, position)
);

alter table body_members add foreign key (elected_by_resolution_id) references resolutions (id);

-- Every change to minutes once confirmed: the record as it was, who changed it and why.
create table minutes_versions (
  id uuid primary key default gen_random_uuid(),
  meeting_id uuid not null references meetings (id),
  version integer not null,
  record jsonb not null,
  reason text not null check (length(trim(reason)) > 0),
  changed_by uuid not null references users (id),
  changed_at timestamptz not null default now(),
  unique (meeting_id, version)
);

-- The action log.
create table actions (
  id uuid primary key default gen_random_uuid(),
  body_id uuid not null references bodies (id),
  -- The meeting and item it came from (none for an action raised between meetings).
  meeting_id uuid references meetings (id),
  agenda_item_id uuid references agenda_items (id),
  text text not null check (length(trim(text)) > 0),
  -- A date, or "by the next meeting".
  due_on date,
  due_next_meeting boolean not null default false,
  status text not null default 'open' check (status in ('open', 'ongoing', 'complete', 'incomplete', 'no_update', 'withdrawn')),
  completed_at timestamptz,
  -- A link to another record: an ASB case, a funding bid, a delivery plan action (a generic reference).
  linked_record_type text check (linked_record_type in ('case', 'funding_bid', 'delivery_plan_action')),
  linked_record_id uuid,
  version integer not null default 1,
  created_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (due_on is not null or due_next_meeting),
  check ((linked_record_type is null) = (linked_record_id is null)),
  check (agenda_item_id is null or meeting_id is not null)
);
create index actions_body_status_idx on actions (body_id, status, created_at);
create index actions_meeting_idx on actions (meeting_id);
create index actions_due_idx on actions (due_on) where status not in ('complete', 'withdrawn');

-- Who completes an action: a user, a member without an account, or an organisation.
create table action_owners (
  id uuid primary key default gen_random_uuid(),
  action_id uuid not null references actions (id) on delete cascade,
  user_id uuid references users (id),
  contact_id uuid references governance_contacts (id),
  organisation_id uuid references organisations (id),
  check (num_nonnulls(user_id, contact_id, organisation_id) = 1)
);
create unique index action_owners_user_idx on action_owners (action_id, user_id) where user_id is not null;
create unique index action_owners_contact_idx on action_owners (action_id, contact_id) where contact_id is not null;
create unique index action_owners_organisation_idx on action_owners (action_id, organisation_id) where organisation_id is not null;
create index action_owners_by_user_idx on action_owners (user_id, action_id) where user_id is not null;
create index action_owners_by_organisation_idx on action_owners (organisation_id, action_id) where organisation_id is not null;

-- Dated updates with comments: the action's history as the log shows it.
create table action_updates (
  id uuid primary key default gen_random_uuid(),
  action_id uuid not null references actions (id) on delete cascade,
  status text not null check (status in ('open', 'ongoing', 'complete', 'incomplete', 'no_update', 'withdrawn')),
  comment text,
  -- The meeting at which the update was reported, when it was.
  meeting_id uuid references meetings (id),
  updated_by uuid not null references users (id),
  created_at timestamptz not null default now()
);
create index action_updates_action_idx on action_updates (action_id, created_at);

-- Reminders already sent, so that each is sent once.
create table action_reminders (
  action_id uuid not null references actions (id) on delete cascade,
  kind text not null check (kind in ('due_soon', 'overdue')),
  due_on date not null,
  sent_at timestamptz not null default now(),
  primary key (action_id, kind, due_on)
);

-- Every email the service sends. Without SMTP configured they stay here, for administrators to read.
create table email_messages (
  id uuid primary key default gen_random_uuid(),
  kind text not null,
  to_addresses text[] not null check (cardinality(to_addresses) > 0),
  subject text not null,
  body_text text not null,
  body_html text,
  -- The record it is about, for the outbox page (an agenda's meeting, an action).
  related_type text,
  related_id uuid,
  status text not null check (status in ('outbox', 'sent', 'failed')),
  error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index email_messages_created_idx on email_messages (created_at desc);
