-- Import jobs (police.uk uploads) and their files, kept here rather than in the app's memory: a job's page outlives a
-- restart, a job that was running when the service stopped is marked interrupted and can be tried again, and the
-- uploaded files a job still needs are known, so that every other upload left on disk can be removed.
create table import_jobs (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('police_uk')),
  state text not null default 'queued' check (state in ('queued', 'running', 'succeeded', 'failed', 'interrupted')),
  -- Why the job as a whole stopped (a restart, an unexpected failure); each file's own reason is on the file.
  error text,
  started_by uuid references users (id),
  organisation_id uuid references organisations (id),
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
-- The worker takes the oldest queued job; the start-up sweep reads the jobs not yet ended.
create index import_jobs_open_idx on import_jobs (state, created_at) where state in ('queued', 'running', 'interrupted');

create table import_job_files (
  job_id uuid not null references import_jobs (id) on delete cascade,
  position integer not null,
  original_name text not null,
  -- The uploaded copy on disk, until the file is imported or refused (then null: the copy is removed).
  file_path text,
  size_bytes bigint not null,
  bytes_read bigint not null default 0,
  lines_read integer not null default 0,
  state text not null default 'queued' check (state in ('queued', 'importing', 'imported', 'rejected', 'interrupted')),
  -- The import's summary (force, month, counts), for the job's page.
  result jsonb,
  error text,
  primary key (job_id, position)
);
