-- Tamper-evident audit: every audit row carries a hash chain. A row's hash covers the previous row's hash and the
-- row's content, so a changed, removed or slipped-in row breaks the chain from that point (npm run audit:verify).
alter table audit_events
  add column chain_seq bigint unique,
  add column previous_hash text,
  add column hash text;

-- The end of the chain, one row. Locked while a row joins the chain, so concurrent inserts keep one line.
create table audit_chain_head (
  only_row boolean primary key default true check (only_row),
  seq bigint not null default 0,
  hash text not null
);
-- The chain starts from 64 zeros.
insert into audit_chain_head (hash) values (repeat('0', 64));

-- The canonical form hashed: every column but the chain's own, as a JSON array (jsonb text is canonical), the time
-- in UTC to the microsecond. The verification recomputes with this same function.
create function audit_event_hash(previous_hash text, e audit_events) returns text
  language sql stable parallel safe
  set search_path = pg_catalog, public
as $$
  select encode(sha256(convert_to(previous_hash || jsonb_build_array(
    e.chain_seq,
    e.id,
    to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    e.user_id,
    e.organisation_id,
    e.action,
    e.record_type,
    e.record_id,
    e.ip,
    e.details
  )::text, 'UTF8')), 'hex')
$$;

-- Append-only, as before, with one exception: a row not yet in the chain is sealed into it (its chain columns filled
-- here, whatever the update asked for, and its content unchanged). SECURITY DEFINER: the app's database role has no
-- right to the chain head nor to update audit rows.
create or replace function audit_events_append_only() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, public
as $$
declare
  head audit_chain_head;
begin
  if tg_op = 'UPDATE' and old.hash is null
     and (new.id, new.occurred_at, new.user_id, new.organisation_id, new.action, new.record_type, new.record_id, new.ip, new.details)
       is not distinct from (old.id, old.occurred_at, old.user_id, old.organisation_id, old.action, old.record_type, old.record_id, old.ip, old.details) then
    select * into head from audit_chain_head for update;
    new.chain_seq := head.seq + 1;
    new.previous_hash := head.hash;
    new.hash := audit_event_hash(head.hash, new);
    update audit_chain_head set seq = new.chain_seq, hash = new.hash;
    return new;
  end if;
  raise exception 'audit events are append-only';
end
$$;

-- Only the chain fills the chain columns: whatever an insert puts there is cleared.
create function audit_events_unsealed() returns trigger language plpgsql as $$
begin
  new.chain_seq := null;
  new.previous_hash := null;
  new.hash := null;
  return new;
end
$$;
create trigger audit_events_unsealed before insert on audit_events
  for each row execute function audit_events_unsealed();

-- A row joins the chain when its transaction commits (a deferred trigger), not when it is inserted: the head stays
-- locked only for the commit, so an audited transaction never waits on another's work, nor deadlocks with it, and the
-- chain is in commit order.
create function audit_events_seal() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, public
as $$
begin
  update audit_events set hash = '' where id = new.id and hash is null;
  return null;
end
$$;
create constraint trigger audit_events_seal after insert on audit_events
  deferrable initially deferred
  for each row execute function audit_events_seal();

-- Rows written before the chain join it in the order they were written.
do $$
declare
  row_id bigint;
begin
  for row_id in select id from audit_events where hash is null order by id loop
    update audit_events set hash = '' where id = row_id;
  end loop;
end
$$;
