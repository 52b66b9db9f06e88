-- Orchard schema, part 11: the ledger's published views. Only the ledger module has SQL on licenses, pools and
-- apple_users; another module's query that joins the ledger to its own tables in the database (the MDM's due
-- installs, the outbox's settling from the ledger) reads these views instead, so the meaning of the ledger's states
-- is written once, here, next to the ledger's migrations, and not in every join. PostgreSQL and H2 expand a view
-- into the query that uses it, so the ledger's indexes serve those joins as before.

-- held:      Apple holds it and Orchard keeps it (nothing in flight)
-- confirmed: held, and Apple confirmed it (what the MDM installs)
-- at_apple:  Apple holds it, kept or being reclaimed (what an association that reached Apple leaves behind)
create view ledger_licenses as
select id, account_id, adam_id, pricing_param, serial_number, client_user_id, origin, confirmed_at,
       intent is null as held,
       intent is null and confirmed_at is not null as confirmed,
       intent is null or intent = 'RECLAIM' as at_apple
from licenses;

-- active: Apple created the user (Registered) or it is associated with a Managed Apple Account; licenses can be assigned to it
create view ledger_apple_users as
select account_id, client_user_id, status, status in ('Registered', 'Associated') as active
from apple_users;
