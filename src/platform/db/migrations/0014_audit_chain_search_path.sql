-- The chain's SECURITY DEFINER functions named pg_temp nowhere in their search_path, so PostgreSQL searched it first
-- for tables: the app's role could make a temporary audit_chain_head (or audit_events) in its session and seal its
-- rows against a head of its choosing, or leave them out of the chain. pg_temp last puts the real tables first.
alter function audit_events_append_only() set search_path = pg_catalog, public, pg_temp;
alter function audit_events_seal() set search_path = pg_catalog, public, pg_temp;
alter function audit_event_hash(text, audit_events) set search_path = pg_catalog, public, pg_temp;
