package dev.orchard.server.ledger;

import java.sql.Timestamp;
import java.time.Instant;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.inventory.AdamId;

/**
 * Single-license changes of the ledger and the pool counts they move, as Apple confirms them (notifications, event
 * status, sync pages). A license Orchard decided (intent ASSIGN) becomes confirmed; a disassociation removes the row.
 * Both are idempotent: repeating a confirmation changes nothing and returns false.
 *
 * <p>A license row's states ({@code intent}, {@code reclaim_rule}) and what moves it:
 * <pre>
 * state                 intent   rule  | trigger                                  → next state
 * --------------------- -------- ----- | ---------------------------------------- -------------------------------
 * (none)                                | a label wants it (pass)                  → intended
 * intended              ASSIGN   -     | reclaim trigger, target still queued     → (none): target cancelled, never sent
 *                                       | reclaim trigger, target claimed/sent     → unwanted in flight
 *                                       | Apple confirms (notification/poll/sync)  → held
 *                                       | Apple refuses                            → (none), holder waitlisted
 * unwanted in flight    ASSIGN   R4x   | Apple confirms                           → reclaiming (disassociate queued)
 *                                       | Apple confirms a book (not revocable)    → held (Apple does not take it back)
 *                                       | Apple refuses                            → (none)
 *                                       | the holder wants it again (pass)         → intended
 *                                       | an administrator cancels the reclaim     → intended
 * held                  null     -     | reclaim trigger (R4a-R4d)                → reclaiming (disassociate queued)
 *                                       | reclaim trigger on a book (not revocable) → held: Apple would refuse (9706)
 *                                       | a full read no longer lists it           → held, flagged missing (drift)
 * reclaiming            RECLAIM  R4x   | Apple confirms the disassociation        → (none)
 *                                       | cancelled in its grace / Apple refuses   → held
 * </pre>
 * Found at Apple without Orchard's decision, a license is held with origin EXTERNAL.
 */
@Component
public class LicenseLedger {

    /**
     * A license as Apple names it: an asset (adamId and pricing) and its holder. In JSON (reports kept until their
     * operation is recorded) it keeps Apple's flat shape: {@code adamId}, {@code pricingParam}, and
     * {@code serialNumber} or {@code clientUserId}.
     */
    public record Key(AdamId adamId, String pricingParam, @JsonIgnore Holder holder) {
        public Key {
            java.util.Objects.requireNonNull(adamId, "adamId");
            java.util.Objects.requireNonNull(holder, "holder");
            pricingParam = pricingParam == null ? "STDQ" : pricingParam;
        }

        /** A key from a row's columns: exactly one of {@code serialNumber} and {@code clientUserId} is set. */
        @JsonCreator
        public static Key of(@JsonProperty("adamId") String adamId, @JsonProperty("pricingParam") String pricingParam,
                             @JsonProperty("serialNumber") String serialNumber, @JsonProperty("clientUserId") String clientUserId) {
            return new Key(new AdamId(adamId), pricingParam, Holder.of(serialNumber, clientUserId));
        }

        /** The license an assignment of Apple's names (its serial number normalised as Orchard stores it). */
        public static Key of(dev.orchard.apple.model.Assignment a) {
            return a.isDeviceAssignment() ? of(a.adamId(), a.pricingParam(), a.serialNumber(), null)
                    : of(a.adamId(), a.pricingParam(), null, a.clientUserId());
        }

        /** The serial number of a device license, else null (for SQL parameters and Apple's requests). */
        @JsonProperty("serialNumber")
        public String serialNumber() {
            return holder instanceof Holder.Device d ? d.value() : null;
        }

        /** The clientUserId of a user license, else null. */
        @JsonProperty("clientUserId")
        public String clientUserId() {
            return holder instanceof Holder.User u ? u.value() : null;
        }

        String holderColumn() {
            return holder.column();
        }

        /** The asset's adamId as text, for SQL parameters and Apple's requests. */
        public String app() {
            return adamId.value();
        }
    }

    private final JdbcClient jdbc;
    private final LedgerChunks chunks;
    private final org.springframework.context.ApplicationEventPublisher events;

    LicenseLedger(JdbcClient jdbc, org.springframework.context.ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.chunks = new LedgerChunks(jdbc);
        this.events = events;
    }

    /**
     * Applies Apple's confirmation of several licenses of one event (ASSOCIATE or DISASSOCIATE): the ledger and the
     * pool counts move for the licenses that really changed. Returns the pools ("adamId/pricingParam") Orchard does not
     * know.
     */
    public java.util.List<String> applyConfirmed(AccountId account, boolean associate, java.util.List<Key> keys, Instant now) {
        return apply(account, associate, keys, now, true);
    }

    private java.util.List<String> apply(AccountId account, boolean associate, java.util.List<Key> keys, Instant now, boolean movePools) {
        if (keys.isEmpty()) {
            return java.util.List.of();
        }
        jdbc.sql(PAGE_LOCK).param(account.value()).query(Long.class).list();
        Long run = associate ? currentRun(account) : null;
        Timestamp ts = Timestamp.from(now);
        var moved = new java.util.LinkedHashMap<String, Integer>();
        var unwanted = new java.util.ArrayList<LicenseEvents.Unwanted>();
        boolean[] changed = associate && chunks.postgres()
                ? chunks.confirmAssigned(account, keys, run, ts, unwanted, k -> revocable(account, k)) : null;
        for (int i = 0; i < keys.size(); i++) {
            Key k = keys.get(i);
            if (changed != null ? changed[i] : associate ? confirmAssigned(account, k, run, ts, unwanted) : confirmRemoved(account, k, ts)) {
                moved.merge(k.app() + "/" + k.pricingParam(), 1, Integer::sum);
            }
        }
        if (!unwanted.isEmpty()) {
            events.publishEvent(new LicenseEvents.UnwantedConfirmed(account, unwanted));
        }
        if (!associate) {
            // a released license can serve a waiting target, whichever path the confirmation came by
            LicenseEvents.LicensesAvailable.released(account, keys).forEach(events::publishEvent);
        }
        var unknownPools = new java.util.ArrayList<String>();
        if (!movePools) {
            return unknownPools;
        }
        moved.forEach((pool, n) -> {
            String[] p = pool.split("/", 2);
            if (countAssigned(account, p[0], p[1], associate ? n : -n) == 0) {
                unknownPools.add(pool);
            }
        });
        return unknownPools;
    }

    /** Whether Apple takes licenses of the key's pool back (not books); a pool not read yet counts as revocable. */
    private boolean revocable(AccountId account, Key k) {
        return jdbc.sql("select revocable from pools where account_id = ? and adam_id = ? and pricing_param = ?")
                .params(account.value(), k.app(), k.pricingParam()).query(Boolean.class).optional().orElse(true);
    }

    /**
     * Orders Apple's confirmations of one account with the application of its sync pages: both take the account's
     * sync-state row first. A page drops the licenses whose removal was recorded after it was requested
     * ({@link LedgerPages#current}) and inserts the ones the ledger lacks as EXTERNAL; a removal committed between that
     * check and that insert (a notification applied on another thread while the page's transaction ran) put the
     * license back although Apple no longer held it (found by the convergence property under load). With the lock a
     * removal either commits before the page looks, or waits until the page has committed and then removes what the
     * page confirmed. Confirmations of assignments take it too, before any license row, so the two never wait on
     * each other's rows in opposite order.
     */
    static final String PAGE_LOCK = "select account_id from sync_state where account_id = ? for update";

    /** The sync run in progress (its sweep must keep licenses a notification confirms meanwhile), or null. */
    private Long currentRun(AccountId account) {
        long lastRun = jdbc.sql("select coalesce(max(run_id), -1) from sync_state where account_id = ?").param(account.value())
                .query(Long.class).single();
        return lastRun < 0 ? null : lastRun;
    }

    /**
     * Apple holds this license. Returns true when the pool's count must move: the ledger did not have it, or had it
     * as Orchard's unconfirmed intent. It counts as seen by a running sync, whose pages may be past it.
     */
    private boolean confirmAssigned(AccountId account, Key k, Long run, Timestamp ts, java.util.List<LicenseEvents.Unwanted> unwanted) {
        String where = " where account_id = ? and adam_id = ? and pricing_param = ? and " + k.holderColumn() + " = ?";
        // the row is locked first: a reclaim mark set or cleared concurrently (the pass, a retire) waits for this
        // confirmation instead of slipping between reading the mark and acting on it (seen on PostgreSQL: the row
        // stayed an assignment in flight after Apple had confirmed it)
        record Row(long id, String intent, String rule) {
        }
        Row row = jdbc.sql("select id, intent, reclaim_rule from licenses" + where + " for update")
                .params(account.value(), k.app(), k.pricingParam(), k.holder().value())
                .query((rs, n) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3))).optional().orElse(null);
        if (row != null && "ASSIGN".equals(row.intent())) {
            // unwanted in flight: its reclaim starts now, unless Apple does not take this asset back (a book), which
            // then stays with its holder like any book Apple confirmed
            boolean reclaim = row.rule() != null && revocable(account, k);
            jdbc.sql("update licenses set intent = ?, reclaim_rule = ?, confirmed_at = ?, missing_since = null, "
                    + "seen_run = coalesce(?, seen_run) where id = ?").params(reclaim ? "RECLAIM" : null, reclaim ? row.rule() : null,
                    ts, run, row.id()).update();
            if (reclaim) {
                unwanted.add(new LicenseEvents.Unwanted(k, row.rule()));
            }
            return true;
        }
        if (jdbc.sql("update licenses set confirmed_at = ?, missing_since = null, seen_run = coalesce(?, seen_run)" + where)
                .params(ts, run, account.value(), k.app(), k.pricingParam(), k.holder().value()).update() > 0) {
            return false;
        }
        jdbc.sql("insert into licenses (account_id, adam_id, pricing_param, " + k.holderColumn() + ", origin, since, "
                + "confirmed_at, seen_run) values (?, ?, ?, ?, 'EXTERNAL', ?, ?, ?)")
                .params(account.value(), k.app(), k.pricingParam(), k.holder().value(), ts, ts, run).update();
        return true;
    }

    /**
     * Apple refused an assignment of the pool for lack of licenses (9709): it has none available now, whatever Orchard
     * counted, so no further assignment is sent from it until Apple's count says otherwise. When Orchard's count said
     * otherwise, {@link LicenseEvents.CountContradicted} asks for Apple's counts to be read again.
     */
    public void noneLeftAtApple(AccountId account, String adamId, String pricingParam) {
        if (jdbc.sql("update pools set available_count = 0 where account_id = ? and adam_id = ? and pricing_param = ? "
                + "and unlimited = false and available_count > 0").params(account.value(), adamId, pricingParam).update() > 0) {
            events.publishEvent(new LicenseEvents.CountContradicted(account, adamId, pricingParam));
        }
    }

    /**
     * A label wants this license: Orchard's intent, before anything is sent (the row is "intended"). False when the
     * holder has the license already: a notification or a sync page recorded it after the pass read the holder's
     * licenses (the pass used to fail its whole chunk on the duplicate key and retry a minute later).
     */
    public boolean intend(AccountId account, Key k, Instant now) {
        return jdbc.sql("insert into licenses (account_id, adam_id, pricing_param, " + k.holderColumn() + ", origin, since, intent) "
                + "values (?, ?, ?, ?, 'ORCHARD', ?, 'ASSIGN') on conflict do nothing").params(account.value(), k.app(),
                k.pricingParam(), k.holder().value(), Timestamp.from(now)).update() == 1;
    }

    /** One license a pass wants: its account and key. */
    public record Intent(AccountId account, Key key) {
    }

    /**
     * {@link #intend} for the licenses of a pass's chunk; returns, per intent in order, whether it was recorded (false:
     * the holder has it already). On PostgreSQL a statement per chunk ({@link LedgerChunks}), on H2 one per license.
     */
    public boolean[] intendAll(java.util.List<Intent> intents, Instant now) {
        if (chunks.postgres()) {
            return chunks.intend(intents, now);
        }
        boolean[] recorded = new boolean[intents.size()];
        for (int i = 0; i < intents.size(); i++) {
            recorded[i] = intend(intents.get(i).account(), intents.get(i).key(), now);
        }
        return recorded;
    }


    /** Held → reclaiming under {@code rule}; false when it is not held (already reclaiming, or in flight). */
    public boolean markReclaim(long licenseId, String rule) {
        return jdbc.sql("update licenses set intent = 'RECLAIM', reclaim_rule = ? where id = ? and intent is null")
                .params(rule, licenseId).update() == 1;
    }

    /**
     * Intended and in flight (sent, or pending at Apple) → unwanted in flight: Apple's confirmation turns it into a
     * reclaim. False when it is not in flight or already marked.
     */
    public boolean markUnwanted(long licenseId, String rule) {
        return jdbc.sql("update licenses set reclaim_rule = ? where id = ? and intent = 'ASSIGN' and reclaim_rule is null")
                .params(rule, licenseId).update() == 1;
    }

    /**
     * Unwanted in flight → intended: the holder wants it again; false when it was not marked. Only the marks of rules
     * whose reason can pass (R4a coverage lost, R4b device retired) are lifted: an R4c or R4d mark stands for an
     * opt-out, and a pass that read the opt-outs before one was recorded lifted it (the convergence property: an R4b
     * mark, the device enrolled again, the user removed the app, and the pass made the assignment wanted again).
     */
    public boolean clearUnwanted(long licenseId) {
        return jdbc.sql("update licenses set reclaim_rule = null where id = ? and intent = 'ASSIGN' and reclaim_rule in ('R4a', 'R4b')")
                .param(licenseId).update() == 1;
    }

    /**
     * An assignment in flight, unwanted for a reason that can pass (R4a, R4b), is now unwanted for an opt-out's rule
     * (R4c, R4d), which a pass does not lift; false when it carried no such mark.
     */
    public boolean markUnwantedForGood(long licenseId, String rule) {
        return jdbc.sql("update licenses set reclaim_rule = ? where id = ? and intent = 'ASSIGN' and reclaim_rule in ('R4a', 'R4b')")
                .params(rule, licenseId).update() == 1;
    }

    /** Users Apple created for the account (status Registered until a sync or notification says more). */
    public void registerAppleUsers(AccountId account, java.util.List<String> clientUserIds, Instant now) {
        for (String id : clientUserIds) {
            if (jdbc.sql("select count(*) from apple_users where account_id = ? and client_user_id = ?")
                    .params(account.value(), id).query(Integer.class).single() == 0) {
                jdbc.sql("insert into apple_users (account_id, client_user_id, status, updated_at) values (?, ?, 'Registered', ?)")
                        .params(account.value(), id, Timestamp.from(now)).update();
            }
        }
        if (!clientUserIds.isEmpty()) {
            events.publishEvent(new LicenseEvents.AppleUsersRegistered(account));
        }
    }

    /** An operator retries a failed assignment: Orchard's intent is back in the ledger (unless a license exists). */
    public void restoreIntent(AccountId account, Key k, Instant now) {
        int exists = jdbc.sql("select count(*) from licenses where account_id = ? and adam_id = ? and pricing_param = ? and "
                + k.holderColumn() + " = ?").params(account.value(), k.app(), k.pricingParam(), k.holder().value()).query(Integer.class).single();
        if (exists == 0) {
            jdbc.sql("insert into licenses (account_id, adam_id, pricing_param, " + k.holderColumn() + ", origin, since, intent) "
                    + "values (?, ?, ?, ?, 'ORCHARD', ?, 'ASSIGN')").params(account.value(), k.app(), k.pricingParam(),
                    k.holder().value(), Timestamp.from(now)).update();
        }
    }

    /** An operator retries a failed reclaim: the license is marked as being reclaimed again. */
    public void restoreReclaim(AccountId account, Key k, String rule) {
        jdbc.sql("update licenses set intent = 'RECLAIM', reclaim_rule = ? where account_id = ? and adam_id = ? and "
                + "pricing_param = ? and " + k.holderColumn() + " = ? and intent is null")
                .params(rule, account.value(), k.app(), k.pricingParam(), k.holder().value()).update();
    }

    /** Apple does not know the user (9609): creating it again comes first. */
    public void forgetAppleUser(AccountId account, String clientUserId) {
        jdbc.sql("delete from apple_users where account_id = ? and client_user_id = ?").params(account.value(), clientUserId).update();
    }

    /** Apple no longer holds this license; returns true when the ledger had it as held (not as a mere intent). */
    private boolean confirmRemoved(AccountId account, Key k, Timestamp now) {
        // remembered so that a sync page requested before this moment, which may still list it, does not bring it back
        jdbc.sql("insert into license_removals (account_id, adam_id, pricing_param, serial_number, client_user_id, removed_at) "
                + "values (?, ?, ?, ?, ?, ?)").params(account.value(), k.app(), k.pricingParam(), k.serialNumber(),
                k.clientUserId(), now).update();
        return jdbc.sql("delete from licenses where account_id = ? and adam_id = ? and pricing_param = ? and "
                + k.holderColumn() + " = ? and (intent is null or intent <> 'ASSIGN')")
                .params(account.value(), k.app(), k.pricingParam(), k.holder().value()).update() > 0;
    }

    /**
     * Orchard's intent to assign failed at Apple or was cancelled: the row goes (a held license of the same key
     * stays). Returns false when no holder wanted it any more (it was marked unwanted in flight), so nobody waits.
     */
    public boolean dropIntent(AccountId account, Key k) {
        String where = "account_id = ? and adam_id = ? and pricing_param = ? and " + k.holderColumn() + " = ? and intent = 'ASSIGN'";
        int wanted = jdbc.sql("delete from licenses where " + where + " and reclaim_rule is null")
                .params(account.value(), k.app(), k.pricingParam(), k.holder().value()).update();
        jdbc.sql("delete from licenses where " + where).params(account.value(), k.app(), k.pricingParam(), k.holder().value()).update();
        return wanted > 0;
    }

    /**
     * An account's assignments in flight that are no longer wanted, asked once per sync page. The closed range over
     * {@code licenses_reclaim_idx} (every rule code lies in it: {@code licenses_rule_code_ck}, V19) reads only the
     * licenses that carry a rule. H2 keeps NULLs at the high end of the index, so {@code is not null} or
     * {@code > ''} read every license of the account, once per page: a first read of 1,000,000 assignments on H2
     * had not finished after 11 minutes (it took 30-47 s before this check existed).
     */
    static final String UNWANTED_IN_FLIGHT = "select adam_id, pricing_param, serial_number, client_user_id from licenses "
            + "where account_id = ? and reclaim_rule between '0' and 'zzzz' and intent = 'ASSIGN'";

    /**
     * A sync page listed these assignments. The page's own statements confirm what was wanted; an assignment that
     * was in flight and is no longer wanted is confirmed here, so its reclaim starts as on every other path. One
     * indexed query finds such rows of the account (there are rarely any).
     */
    public void applySeen(AccountId account, java.util.List<Key> seen, Instant now) {
        var unwanted = new java.util.HashSet<Key>(jdbc.sql(UNWANTED_IN_FLIGHT).param(account.value())
                .query((rs, n) -> Key.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4))).list());
        if (unwanted.isEmpty()) {
            return;
        }
        // the page's pool snapshot already counts them: only the rows move, not the counts
        apply(account, true, seen.stream().filter(unwanted::contains).distinct().toList(), now, false);
    }

    /** A reclaim was cancelled or failed: the license is held as before. */
    public void keep(AccountId account, Key k) {
        jdbc.sql("update licenses set intent = null, reclaim_rule = null where account_id = ? and adam_id = ? and "
                + "pricing_param = ? and " + k.holderColumn() + " = ? and intent = 'RECLAIM'")
                .params(account.value(), k.app(), k.pricingParam(), k.holder().value()).update();
    }

    /**
     * Orchard takes over licenses assigned outside it ({@code EXTERNAL}, held by Apple): they become Orchard's, so the
     * labels decide about them from now on. Adopts those of the ids given (a chunk the caller read); returns how many.
     */
    public int adopt(java.util.Collection<Long> licenseIds) {
        if (licenseIds.isEmpty()) {
            return 0;
        }
        return jdbc.sql("update licenses set origin = 'ORCHARD' where id in (:ids) and origin = 'EXTERNAL' and intent is null")
                .param("ids", licenseIds).update();
    }

    /** Moves a pool's counts by a number of assignments (positive: assigned). Unlimited pools keep no totals. */
    private int countAssigned(AccountId account, String adamId, String pricingParam, int delta) {
        return jdbc.sql("update pools set assigned_count = assigned_count + ?, available_count = case when unlimited "
                + "then available_count else available_count - ? end where account_id = ? and adam_id = ? and pricing_param = ?")
                .params(delta, delta, account.value(), adamId, pricingParam).update();
    }

    /** A purchase, transfer or refund; returns 0 when the pool is unknown (a sync will find it). */
    public int countPurchased(AccountId account, String adamId, String pricingParam, int delta) {
        return jdbc.sql("update pools set total_count = case when unlimited then total_count else total_count + ? end, "
                + "available_count = case when unlimited then available_count else available_count + ? end "
                + "where account_id = ? and adam_id = ? and pricing_param = ?")
                .params(delta, delta, account.value(), adamId, pricingParam).update();
    }
}
