-- Orchard schema, part 19: a reclaim rule is a short code (R4a ... R4d). The ledger finds an account's unwanted
-- assignments in flight, once per sync page, by a closed range over licenses_reclaim_idx: H2 keeps NULLs at the high
-- end of that index (DEFAULT_NULL_ORDERING=HIGH), so "reclaim_rule is not null" or "> ''" read every license of the
-- account. This constraint keeps every code inside the range the query reads.
alter table licenses add constraint licenses_rule_code_ck check (reclaim_rule is null or reclaim_rule between '0' and 'zzzz');
