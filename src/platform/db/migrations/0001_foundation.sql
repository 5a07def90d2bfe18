-- Foundation: organisations, users, sessions, API tokens and the audit log.

create table organisations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(trim(name)) > 0),
  type text not null check (type in (
    'council', 'county_council', 'police', 'fire', 'probation', 'health',
    'housing_provider', 'opcc', 'vrn', 'voluntary', 'other'
  )),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index organisations_name_key on organisations (lower(name));

create table users (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations (id),
  name text not null check (length(trim(name)) > 0),
  email text not null,
  password_hash text not null,
  roles text[] not null check (cardinality(roles) > 0),
  active boolean not null default true,
  must_change_password boolean not null default false,
  failed_sign_in_count integer not null default 0,
  locked_until timestamptz,
  last_sign_in_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));
create index users_organisation_idx on users (organisation_id);

-- The cookie holds a random token; only its SHA-256 is stored, so a database read cannot hijack a session.
create table sessions (
  id_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);
create index sessions_user_idx on sessions (user_id);

create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  name text not null check (length(trim(name)) > 0),
  token_hash text not null unique,
  prefix text not null,
  created_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_tokens_user_idx on api_tokens (user_id);

create table audit_events (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  user_id uuid references users (id),
  organisation_id uuid references organisations (id),
  action text not null,
  record_type text,
  record_id text,
  ip text,
  details jsonb not null default '{}'
);
create index audit_events_occurred_idx on audit_events (occurred_at desc);
create index audit_events_user_idx on audit_events (user_id, occurred_at desc);
create index audit_events_organisation_idx on audit_events (organisation_id, occurred_at desc);
create index audit_events_record_idx on audit_events (record_type, record_id, occurred_at desc);

-- The audit log is append-only: no path, in the app or in SQL, may rewrite history.
create function audit_events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit events are append-only';
end
$$;
create trigger audit_events_no_update_or_delete before update or delete on audit_events
  for each row execute function audit_events_append_only();
create trigger audit_events_no_truncate before truncate on audit_events
  for each statement execute function audit_events_append_only();
