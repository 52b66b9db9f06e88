-- Orchard schema, part 14: nothing is sent to Apple twice. An operation records the moment its request goes out
-- (attempted_at, committed just before the call) and forgets it when Apple's answer is recorded or when Apple
-- refused the request. An operation still SENDING with an attempt is "in doubt" after a crash or a lost answer:
-- Apple may have acted on it. It is settled by Apple's report of the event (kept unmatched, then adopted), or by a
-- read of the account, and sent again only when neither shows Apple acted on it within five minutes.
alter table operations add column attempted_at timestamp with time zone;
