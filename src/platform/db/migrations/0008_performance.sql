-- Performance: the partnership's geography (districts, wards, LSOAs of both vintages) and police.uk street-level
-- crime, one file per force and month.

create table geo_districts (
  code text primary key,
  name text not null,
  upper_tier_code text,
  upper_tier_name text,
  region_name text,
  geometry jsonb
);

create table geo_wards (
  code text primary key,
  name text not null,
  district_code text not null references geo_districts (code) on delete cascade,
  geometry jsonb not null
);
create index geo_wards_district_idx on geo_wards (district_code);

-- Many codes are the same in 2011 and 2021 (some under a new name), so the key is the code and the vintage.
create table geo_lsoas (
  code text not null,
  vintage smallint not null check (vintage in (2011, 2021)),
  name text not null,
  district_code text not null references geo_districts (code) on delete cascade,
  -- The ward its point on surface falls in: LSOAs nest in wards only roughly.
  ward_code text references geo_wards (code) on delete set null,
  geometry jsonb not null,
  primary key (code, vintage)
);
create index geo_lsoas_district_idx on geo_lsoas (district_code, vintage);

-- Every LSOA code of either vintage to its district and ward (2021 first where a code is in both): what an import
-- resolves each row's LSOA code against. Rebuilt whenever boundaries are loaded.
create table geo_lsoa_lookup (
  code text primary key,
  name text not null,
  district_code text not null,
  ward_code text
);

-- Every crime type label police.uk has used, to one of the 14 current categories. A label not here rejects the file.
create table police_crime_types (
  label text primary key,
  category text not null
);
insert into police_crime_types (label, category) values
  ('Anti-social behaviour', 'Anti-social behaviour'),
  ('Bicycle theft', 'Bicycle theft'),
  ('Burglary', 'Burglary'),
  ('Criminal damage and arson', 'Criminal damage and arson'),
  ('Drugs', 'Drugs'),
  ('Other theft', 'Other theft'),
  ('Possession of weapons', 'Possession of weapons'),
  ('Public order', 'Public order'),
  ('Robbery', 'Robbery'),
  ('Shoplifting', 'Shoplifting'),
  ('Theft from the person', 'Theft from the person'),
  ('Vehicle crime', 'Vehicle crime'),
  ('Violence and sexual offences', 'Violence and sexual offences'),
  ('Other crime', 'Other crime'),
  -- Labels of files before May 2013. "Public disorder and weapons" was split into public order and possession of
  -- weapons; the rows cannot be split after the fact, so they count as public order, the larger part.
  ('Violent crime', 'Violence and sexual offences'),
  ('Violence against the person', 'Violence and sexual offences'),
  ('Public disorder and weapons', 'Public order'),
  ('Criminal damage & arson', 'Criminal damage and arson');

-- One row per force and month loaded: re-importing a force-month replaces this row and everything under it. The
-- rows under it have no foreign keys to it: a key check per row would make an import of 500,000 rows several times
-- slower, and the import deletes them with their file itself.
create table police_files (
  id uuid primary key default gen_random_uuid(),
  force text not null,
  month text not null check (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  file_name text not null,
  sha256 text not null,
  row_count integer not null,
  rows_no_location integer not null,
  rows_outside_area integer not null,
  imported_by uuid references users (id),
  imported_at timestamptz not null default now(),
  unique (force, month)
);

-- The file's 12 columns as they came (COPY writes them straight in, in this order), and the import they came with,
-- which the import sets for its transaction. Crime type and district are resolved through police_crime_types and
-- geo_lsoa_lookup when the counts are made.
create table police_crimes (
  crime_id text,
  month text,
  reported_by text,
  falls_within text,
  longitude double precision,
  latitude double precision,
  location text,
  lsoa_code text,
  lsoa_name text,
  crime_type text,
  last_outcome text,
  context text,
  file_id uuid not null default (current_setting('police_import.file_id')::uuid),
  -- File order, for naming the line of a refused row (a row's physical place can reuse space of deleted rows).
  seq bigint generated always as identity (cache 1000)
);
-- BRIN, not B-tree: a file's rows are written together, so a block range holds one file (or two), and a BRIN index
-- costs next to nothing to keep up during COPY (a B-tree slowed a 500,000-row import by about a second). Multi-minmax:
-- with plain minmax a range holding two random UUIDs spans everything between them and matches most lookups.
create index police_crimes_file_idx on police_crimes using brin (file_id uuid_minmax_multi_ops);

-- Counts per month, force, LSOA and crime type, made with each file: every dashboard figure is read from here.
-- district_code is null for a crime outside our areas or with no location. "No location" is no LSOA and no map
-- point; a crime with a point but no LSOA (a station in Scotland in British Transport Police's file) is outside.
create table police_crime_counts (
  file_id uuid not null,
  month text not null,
  reported_by text not null,
  district_code text,
  lsoa_code text,
  located boolean not null,
  crime_type text not null,
  crime_type_label text not null,
  crimes integer not null
);
create index police_crime_counts_file_idx on police_crime_counts (file_id);
create index police_crime_counts_area_idx on police_crime_counts (district_code, month, crime_type);
