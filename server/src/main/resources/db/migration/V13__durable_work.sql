-- Orchard schema, part 13: one idiom for background work. Work is rows and a wake-up is only a hint, so the request
-- counters go: the licensing pass and an account's sync keep a "wanted" flag (set by whoever wants a run, cleared by
-- the run as it starts, looked at when it ends), the MDM delivery drains its due commands, and the watch tasks that
-- caught requests the counters missed are deleted along with their scheduled rows. A request still unserved becomes
-- the flag.
alter table licensing_pass add column wanted boolean not null default false;
update licensing_pass set wanted = true where requests > served;
alter table licensing_pass drop column requests;
alter table licensing_pass drop column served;

alter table sync_state add column wanted boolean not null default false;
alter table sync_state drop column requests;

drop table mdm_delivery;

-- the outbox's per-account task is the account's Apple worker now (sends, replays, settles, polls); notifications
-- have a worker per account of their own; the watches are gone
update scheduled_tasks set task_name = 'apple-worker' where task_name = 'apple-operations'
    and not exists (select 1 from scheduled_tasks w where w.task_name = 'apple-worker' and w.task_instance = scheduled_tasks.task_instance);
delete from scheduled_tasks where task_name in ('apple-operations', 'licensing-watch', 'apple-operations-watch', 'apple-notifications');

create index apple_notifications_account_pending_idx on apple_notifications (account_id, processed_at, id);
