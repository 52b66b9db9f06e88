-- The app a license entry of the audit trail is about, so a page can show where that license stands now (an entry
-- recorded as QUEUED stays QUEUED: the trail is append-only; what Apple answered since is read from the ledger).
alter table audit_events add column adam_id varchar(32);
