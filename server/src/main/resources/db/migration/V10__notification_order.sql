-- Orchard schema, part 10: the lock that applies one account's Apple notifications one at a time, in stored order.
-- It used to be the account's own row (select ... for update), but every insert of a row that refers to the account
-- (an outbox target, a license) checks its foreign key with a share lock on that row, which FOR UPDATE blocks. An
-- administrator's reclaim holding a license and queueing its disassociation, and a notification holding the account
-- and confirming that license, then waited on each other: PostgreSQL broke the deadlock by failing one of them (the
-- reclaim answered 500). Nothing refers to this table, so holding its row blocks only another notification.
create table notification_order (
    account_id bigint primary key references accounts (id) on delete cascade
);
insert into notification_order (account_id) select id from accounts;
