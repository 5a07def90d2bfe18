-- Indexes for the one search across ASB records (src/modules/search): words of case titles and incident
-- descriptions, references typed in part, and the address page's check of cases at an address.
create index cases_title_trgm on cases using gin (lower(title) gin_trgm_ops);
create index incidents_description_trgm on incidents using gin (lower(description) gin_trgm_ops);
create index cases_location_idx on cases (location_id) where location_id is not null;
-- LIKE 'ASB-2026-0001%' can use the unique reference indexes only in the "C" collation; a server's default is often not.
create index cases_reference_pattern_idx on cases (reference text_pattern_ops);
create index incidents_reference_pattern_idx on incidents (reference text_pattern_ops);
