-- The rights a share of a case gives the organisation it is shared with, chosen by the owner when sharing:
-- read; contribute (read, and add notes, documents and incidents); full (a full contributor: people, risk
-- assessments, interventions, breaches and outcomes too). Changing the case itself stays with the owner.
alter table case_shares add column access text not null default 'read'
  check (access in ('read', 'contribute', 'full'));

-- Existing shares become read only, except where the organisation has an open task on the case: its officer must
-- still be able to do the task's work (complete it, add a note or a document), so that share is contribute.
update case_shares set access = 'contribute'
where revoked_at is null
  and exists (select 1 from tasks where tasks.case_id = case_shares.case_id
    and tasks.assigned_organisation_id = case_shares.organisation_id and tasks.status = 'open');
