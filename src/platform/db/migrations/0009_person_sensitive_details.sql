-- Sensitive details about a person (vulnerabilities, protected characteristics) belong to the organisation that
-- recorded them, with who recorded them and why. Each organisation keeps its own row for a person and sees only
-- that row: seeing the person (on its own case, or through a share) never shows another organisation's details.
create table person_sensitive_details (
  id uuid primary key default gen_random_uuid(),
  person_id uuid not null references people (id),
  -- Null only for details recorded before this table where no organisation could be found (see below): nobody sees them.
  organisation_id uuid references organisations (id),
  vulnerabilities text,
  protected_characteristics text,
  reason text not null check (length(trim(reason)) > 0),
  recorded_by uuid references users (id),
  recorded_at timestamptz not null default now(),
  updated_by uuid references users (id),
  updated_at timestamptz not null default now(),
  check (vulnerabilities is not null or protected_characteristics is not null)
);
create unique index person_sensitive_details_key on person_sensitive_details (person_id, organisation_id);
create index person_sensitive_details_organisation_idx on person_sensitive_details (organisation_id);

-- Details recorded before now go to the organisation that added the person (or their creator's organisation);
-- failing that, to the owner of the first case the person was added to.
insert into person_sensitive_details (person_id, organisation_id, vulnerabilities, protected_characteristics, reason, recorded_by, recorded_at, updated_at)
select p.id,
  coalesce(p.created_by_organisation_id, creator.organisation_id, (
    select c.owning_organisation_id from case_people cp join cases c on c.id = cp.case_id
    where cp.person_id = p.id order by cp.added_at, c.opened_at limit 1)),
  p.vulnerabilities, p.protected_characteristics,
  coalesce(nullif(trim(p.sensitive_reason), ''), 'Recorded before reasons were kept'),
  case when p.created_by_organisation_id is not null or creator.organisation_id is not null then p.created_by end,
  p.created_at, p.updated_at
from people p
left join users creator on creator.id = p.created_by
where p.vulnerabilities is not null or p.protected_characteristics is not null;

-- One place for them: the old columns go, so no query can read them past the rule above.
alter table people drop column vulnerabilities, drop column protected_characteristics, drop column sensitive_reason;
