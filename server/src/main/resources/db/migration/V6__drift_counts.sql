-- Orchard schema, part 6: drift counts per account, recomputed every minute and after each sync, so pages that
-- show them do not count a million-row ledger on every view.
create table drift_counts (
    account_id  bigint primary key references accounts (id) on delete cascade,
    external    bigint not null,
    missing     bigint not null,
    computed_at timestamp with time zone not null
);
-- the drift samples are read in id order within an account and origin
create index licenses_account_origin_id_idx on licenses (account_id, origin, id);
create index devices_model_idx on devices (model);
