-- Failed sign-ins, counted per user name and per source address: past the limit inside the window the key is
-- locked until locked_until (or until an admin unlocks it).
create table login_throttle (
    throttle_key     varchar(300) primary key,
    failures         integer      not null,
    first_failure_at timestamp with time zone not null,
    locked_until     timestamp with time zone
);

-- An Apple notification that failed validation (a count that overflows or goes below zero, another location's
-- uId, an unknown asset) is kept, marked processed with the reason, and changed nothing.
alter table apple_notifications add column rejected_reason varchar(500);
