-- Owners are read by action for every action log, "my actions" list and reminder run. The unique indexes on
-- action_owners are partial (one per kind of owner), so without this a lookup by action alone reads every owner.
create index action_owners_action_idx on action_owners (action_id);
-- "My actions" lists the owner's most recently completed or withdrawn actions: newest first, stopping after a few.
create index actions_closed_idx on actions (completed_at desc) where status in ('complete', 'withdrawn');
