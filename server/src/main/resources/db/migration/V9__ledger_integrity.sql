-- Orchard schema, part 9: serial numbers are upper-case (c02abc and C02ABC were two devices), the state columns of
-- the ledger, the outbox, the inventory and the accounts accept only their states, and the periodic queries have
-- indexes. Runs on H2 and PostgreSQL alike.

-- 1. Serial numbers. Apple and MDMs report them upper-case. A device known under several spellings keeps one row:
--    the upper-case spelling if it exists, else the active (then the most recently updated) spelling, copied
--    upper-case. Rows that refer to a serial follow it; where two spellings collide on a unique key, the upper-case
--    row (else the first spelling) is kept.
insert into devices (serial_number, udid, platform, os_version, model, country, shared_ipad, enrollment_type,
                     owner_user_id, status, apps_reported_at, created_at, updated_at, retired_at)
select upper(d.serial_number), d.udid, d.platform, d.os_version, d.model, d.country, d.shared_ipad, d.enrollment_type,
       d.owner_user_id, d.status, d.apps_reported_at, d.created_at, d.updated_at, d.retired_at
from devices d
where d.serial_number <> upper(d.serial_number)
  and not exists (select 1 from devices u where u.serial_number = upper(d.serial_number))
  and not exists (select 1 from devices o where upper(o.serial_number) = upper(d.serial_number)
                  and o.serial_number <> d.serial_number
                  and (case when o.status = 'ACTIVE' then 1 else 0 end > case when d.status = 'ACTIVE' then 1 else 0 end
                       or (o.status = d.status and (o.updated_at > d.updated_at
                           or (o.updated_at = d.updated_at and o.serial_number < d.serial_number)))));

delete from device_apps a where a.serial_number <> upper(a.serial_number)
  and exists (select 1 from device_apps b where upper(b.serial_number) = upper(a.serial_number) and b.bundle_id = a.bundle_id
              and b.serial_number <> a.serial_number and (b.serial_number = upper(b.serial_number) or b.serial_number < a.serial_number));
update device_apps set serial_number = upper(serial_number) where serial_number <> upper(serial_number);

delete from mdm_enrollments a where a.serial_number <> upper(a.serial_number)
  and exists (select 1 from mdm_enrollments b where upper(b.serial_number) = upper(a.serial_number)
              and b.serial_number <> a.serial_number and (b.serial_number = upper(b.serial_number) or b.serial_number < a.serial_number));
update mdm_enrollments set serial_number = upper(serial_number) where serial_number <> upper(serial_number);

delete from mdm_app_installs a where a.serial_number <> upper(a.serial_number)
  and exists (select 1 from mdm_app_installs b where upper(b.serial_number) = upper(a.serial_number) and b.adam_id = a.adam_id
              and b.serial_number <> a.serial_number and (b.serial_number = upper(b.serial_number) or b.serial_number < a.serial_number));
update mdm_app_installs set serial_number = upper(serial_number) where serial_number <> upper(serial_number);

delete from devices where serial_number <> upper(serial_number);

delete from licenses a where a.serial_number is not null and a.serial_number <> upper(a.serial_number)
  and exists (select 1 from licenses b where b.serial_number is not null and upper(b.serial_number) = upper(a.serial_number)
              and b.account_id = a.account_id and b.adam_id = a.adam_id and b.pricing_param = a.pricing_param
              and b.serial_number <> a.serial_number and (b.serial_number = upper(b.serial_number) or b.serial_number < a.serial_number));
update licenses set serial_number = upper(serial_number) where serial_number is not null and serial_number <> upper(serial_number);

delete from waitlist a where a.holder_type = 'DEVICE' and a.holder <> upper(a.holder)
  and exists (select 1 from waitlist b where b.holder_type = 'DEVICE' and upper(b.holder) = upper(a.holder) and b.adam_id = a.adam_id
              and b.holder <> a.holder and (b.holder = upper(b.holder) or b.holder < a.holder));
update waitlist set holder = upper(holder) where holder_type = 'DEVICE' and holder <> upper(holder);

delete from license_opt_outs a where a.holder_type = 'DEVICE' and a.holder <> upper(a.holder)
  and exists (select 1 from license_opt_outs b where b.holder_type = 'DEVICE' and upper(b.holder) = upper(a.holder)
              and b.adam_id = a.adam_id and b.holder <> a.holder and (b.holder = upper(b.holder) or b.holder < a.holder));
update license_opt_outs set holder = upper(holder) where holder_type = 'DEVICE' and holder <> upper(holder);

update operation_targets set serial_number = upper(serial_number) where serial_number is not null and serial_number <> upper(serial_number);
update mdm_targets set serial_number = upper(serial_number) where serial_number is not null and serial_number <> upper(serial_number);
update mdm_channels set serial_number = upper(serial_number) where serial_number is not null and serial_number <> upper(serial_number);
update label_targets set target_value = upper(target_value) where target_type = 'SERIAL' and target_value <> upper(target_value);

-- 2. States. Each value is written by one module's code; a typo there now fails its statement instead of being
--    stored. A reclaim rule exists only on a license being reclaimed or on an assignment no longer wanted.
alter table licenses add constraint licenses_origin_ck check (origin in ('ORCHARD', 'EXTERNAL'));
alter table licenses add constraint licenses_intent_ck check (intent is null or intent in ('ASSIGN', 'RECLAIM'));
alter table licenses add constraint licenses_rule_ck check (reclaim_rule is null or intent is not null);
alter table devices add constraint devices_serial_upper_ck check (serial_number = upper(serial_number));
alter table devices add constraint devices_status_ck check (status in ('ACTIVE', 'RETIRED'));
alter table devices add constraint devices_enrollment_ck check (enrollment_type in ('DEVICE', 'USER'));
alter table operation_targets add constraint operation_targets_state_ck
    check (state in ('QUEUED', 'SENDING', 'SENT', 'DONE', 'FAILED', 'CANCELLED'));
alter table operation_targets add constraint operation_targets_action_ck
    check (action in ('ASSOCIATE', 'DISASSOCIATE', 'CREATE_USER'));
alter table operations add constraint operations_state_ck check (state in ('SENDING', 'SENT', 'COMPLETE', 'FAILED', 'RETRIED'));
alter table operations add constraint operations_action_ck check (action in ('ASSOCIATE', 'DISASSOCIATE', 'CREATE_USER'));
alter table waitlist add constraint waitlist_kind_ck check (kind in ('WAITING', 'BLOCKED'));
alter table waitlist add constraint waitlist_holder_ck check (holder_type in ('DEVICE', 'USER'));
alter table license_opt_outs add constraint license_opt_outs_holder_ck check (holder_type in ('DEVICE', 'USER'));
alter table accounts add constraint accounts_state_ck
    check (state in ('ACTIVE', 'EXPIRED', 'REVOKED', 'CLAIMED_BY_OTHER', 'ERROR', 'DELETING'));

-- 3. Indexes for the periodic queries (plans in the README).
-- the pass's pending assignments per pool, and an account's assignments in flight that are no longer wanted
create index licenses_intent_idx on licenses (intent, account_id, adam_id, pricing_param);
create index licenses_reclaim_idx on licenses (account_id, reclaim_rule);
-- the pass's R4b safety net walks the retired devices
create index devices_status_idx on devices (status, serial_number);
-- drift: Orchard's licenses a full read did not find
create index licenses_missing_idx on licenses (missing_since, account_id);
-- an app's holders (the app page, installs)
create index licenses_app_idx on licenses (adam_id, id);
-- the dispatcher's due work across accounts, and sent operations to check
create index operation_targets_due_idx on operation_targets (state, not_before, account_id);
create index operations_state_idx on operations (state, next_check_at);
-- retention: finished work by age
create index operation_targets_updated_idx on operation_targets (updated_at);
create index operations_completed_idx on operations (completed_at);
-- audit filters
create index audit_events_action_idx on audit_events (action, id);
create index audit_events_actor_idx on audit_events (actor, id);
create index mdm_commands_created_idx on mdm_commands (created_at);

-- 4. Which node may send Apple requests with a token (by its fingerprint) now: one node at a time across the
--    cluster, so the token's rate and concurrency limits (kept in that node's memory) hold for the whole cluster.
create table apple_token_leases (
    budget           varchar(64)  primary key,
    node             varchar(200),
    expires_at       timestamp with time zone not null,
    last_activity_at timestamp with time zone,
    wanted_at        timestamp with time zone
);
