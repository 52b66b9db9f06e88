-- Orchard schema, part 6: drift counts per account, recomputed every minute and after each sync, so pages that
-- show them do not count a million-row ledger on every view.
create table drift_counts (
    account_id  bigint primary key references accounts (id) on delete cascade,
    external    bigint not null,
    missing     bigint not null,
    computed_at timestamp with time zone not null
);
-- the drift samples are read in id order within an account and origin; the new index replaces (account_id, origin),
-- of which it is an extension, so the ledger keeps the same number of indexes to maintain on every sync write
create index licenses_account_origin_id_idx on licenses (account_id, origin, id);
drop index licenses_account_origin_idx;
create index devices_model_idx on devices (model);

-- sync requests are counted: a request that arrives while the account's sync runs makes it run again at once
alter table sync_state add column requests bigint not null default 0;
