-- Documents on a case: diary sheets, witness statements, photographs, letters, court papers.
-- The metadata and the content are in separate tables, so that listing documents never reads the files.

create table case_documents (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references cases (id),
  title text not null check (length(trim(title)) > 0),
  description text,
  category text not null check (category in ('diary_sheet', 'witness_statement', 'photograph', 'letter', 'court_document', 'evidence', 'other')),
  -- Restricted documents are seen only by the owning organisation, like restricted notes.
  restricted boolean not null default false,
  -- The uploaded file's own name, made safe to send back in a Content-Disposition header.
  file_name text not null check (length(file_name) > 0),
  -- Detected from the content, not the type the browser claimed.
  mime_type text not null,
  size_bytes integer not null check (size_bytes > 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  uploaded_by uuid not null references users (id),
  organisation_id uuid not null references organisations (id),
  uploaded_at timestamptz not null default now(),
  -- A removed document keeps this row (who uploaded what, when, and why it went); its content is deleted.
  removed_at timestamptz,
  removed_by uuid references users (id),
  removal_reason text,
  check ((removed_at is null) = (removed_by is null)),
  check (removed_at is null or (removal_reason is not null and length(trim(removal_reason)) > 0))
);
create index case_documents_case_idx on case_documents (case_id, uploaded_at) where removed_at is null;

create table case_document_contents (
  document_id uuid primary key references case_documents (id) on delete cascade,
  content bytea not null
);
-- PDFs, photographs and office files are compressed already: store them as they are.
alter table case_document_contents alter column content set storage external;
