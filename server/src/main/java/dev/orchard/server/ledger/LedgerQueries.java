package dev.orchard.server.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountLicenses;

/**
 * Every read of the ledger's tables ({@code licenses}, {@code pools}, {@code apple_users}) from Java: the read models
 * of the API and the pages (pools, licenses, drift, Apple users) and what the other modules ask of the ledger (the
 * licensing pass, reclaims, the catalog, the notification checks, an account's removal). Queries that join the
 * ledger to another module's tables in the database use the ledger's views instead ({@code ledger_licenses},
 * {@code ledger_apple_users}, migration V11), which keep the meaning of its states here. No other module has SQL on
 * the tables ({@code LedgerOwnershipTests}).
 */
@Component
public class LedgerQueries implements AccountLicenses {

    /** The licenses of one asset in one account. */
    public record Pool(long accountId, String accountName, String adamId, String pricingParam, String productType,
                       Long total, long assigned, Long available, Long retired, boolean unlimited,
                       boolean deviceAssignable, boolean revocable, List<String> platforms, Instant updatedAt) {
    }

    /**
     * A license as the API and the pages show it; {@code state}: {@code HELD}, {@code ASSIGNING} (Orchard's assignment
     * not confirmed yet) or {@code RECLAIMING} (Orchard is taking it back).
     */
    public record License(long id, long accountId, String adamId, String pricingParam, String serialNumber,
                          String clientUserId, String origin, Instant since, Instant confirmedAt, Instant missingSince,
                          String state) {
    }

    /** Filters of the license list; null means any. */
    public record LicenseFilter(Long accountId, String adamId, String serialNumber, String clientUserId, String origin) {
    }

    /** Differences between Apple and Orchard's intent. */
    public record Drift(long foundAtAppleNotAssignedByOrchard, List<License> foundAtApple,
                        long assignedByOrchardMissingAtApple, List<License> missingAtApple) {
    }

    private final JdbcClient jdbc;

    /**
     * Where the licenses of these devices and users stand now, keyed "device SERIAL ADAMID" or "user ID ADAMID": HELD,
     * ASSIGNING or RECLAIMING. A license not in the ledger (never assigned, failed, or reclaimed) has no key.
     */
    public Map<String, String> standing(Collection<String> serials, Collection<String> users) {
        var out = new java.util.HashMap<String, String>();
        if (!serials.isEmpty()) {
            jdbc.sql("select serial_number, adam_id, intent from licenses where serial_number in (:s)").param("s", serials)
                    .query((rs, n) -> out.put("device " + rs.getString(1) + " " + rs.getString(2), state(rs.getString(3))))
                    .list();
        }
        if (!users.isEmpty()) {
            jdbc.sql("select client_user_id, adam_id, intent from licenses where client_user_id in (:u)").param("u", users)
                    .query((rs, n) -> out.put("user " + rs.getString(1) + " " + rs.getString(2), state(rs.getString(3))))
                    .list();
        }
        return out;
    }

    public LedgerQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Every pool (of one account, or of all), by app, then account priority, then pricing. */
    public List<Pool> pools(Long accountId) {
        return jdbc.sql("""
                select p.*, a.name as account_name from pools p join accounts a on a.id = p.account_id
                where (cast(? as bigint) is null or p.account_id = ?) order by p.adam_id, a.priority, a.id, p.pricing_param
                """).params(accountId, accountId).query(LedgerQueries::pool).list();
    }

    /** The apps an account has pools of. */
    public List<String> adamIds(AccountId account) {
        return jdbc.sql("select distinct adam_id from pools where account_id = ?").param(account.value()).query(String.class).list();
    }

    /** A pool's total as Apple last stated it, and whether it is unlimited; empty when the account has no such pool. */
    public record PoolTotal(long total, boolean unlimited) {
    }

    public Optional<PoolTotal> poolTotal(AccountId account, String adamId, String pricingParam) {
        return jdbc.sql("select total_count, unlimited from pools where account_id = ? and adam_id = ? and pricing_param = ?")
                .params(account.value(), adamId, pricingParam).query((rs, i) -> new PoolTotal(rs.getLong(1), rs.getBoolean(2)))
                .optional();
    }

    /** Orchard's assignments not yet confirmed by Apple, per pool ("accountId/adamId/pricingParam"). */
    public Map<String, Long> inFlightPerPool() {
        Map<String, Long> pending = new HashMap<>();
        jdbc.sql("""
                select account_id, adam_id, pricing_param, count(*) from licenses where intent = 'ASSIGN'
                group by account_id, adam_id, pricing_param
                """).query((rs, n) -> pending.put(rs.getLong(1) + "/" + rs.getString(2) + "/" + rs.getString(3), rs.getLong(4)))
                .list();
        return pending;
    }

    /**
     * Whether Apple takes licenses of the row's pool back: not when the pool says it does not (books). One primary-key
     * read of {@code pools} per row; a license of a pool Orchard has not read yet counts as revocable.
     */
    private static final String NOT_REVOCABLE = "exists (select 1 from pools p where p.account_id = licenses.account_id "
            + "and p.adam_id = licenses.adam_id and p.pricing_param = licenses.pricing_param and p.revocable = false)";
    private static final String REVOCABLE = "not " + NOT_REVOCABLE;
    /** The columns of a {@link LicenseRow}. */
    private static final String ROWS = "select licenses.*, " + REVOCABLE + " as revocable from licenses";

    /** The row of one license, in whatever state it is. */
    public Optional<LicenseRow> row(long licenseId) {
        return jdbc.sql(ROWS + " where id = ?").param(licenseId).query(LedgerQueries::row).optional();
    }

    /** The licenses of these devices or users (any account, any app, any state). */
    public List<LicenseRow> rows(Collection<String> serials, Collection<String> users) {
        var rows = new java.util.ArrayList<LicenseRow>();
        if (!serials.isEmpty()) {
            rows.addAll(jdbc.sql(ROWS + " where serial_number in (:s)").param("s", serials).query(LedgerQueries::row).list());
        }
        if (!users.isEmpty()) {
            rows.addAll(jdbc.sql(ROWS + " where client_user_id in (:u)").param("u", users).query(LedgerQueries::row).list());
        }
        return rows;
    }

    /** The licenses of one device. */
    public List<LicenseRow> rowsOfDevice(String serialNumber) {
        return rows(List.of(serialNumber), List.of());
    }

    /** The licenses of one user (user-based licenses). */
    public List<LicenseRow> rowsOfUser(String clientUserId) {
        return rows(List.of(), List.of(clientUserId));
    }

    /**
     * Licenses Apple holds that nobody should: for a retired device, a serial or a user Orchard does not know, an app
     * no App label names, or assigned outside Orchard. Each kind is a condition on the license's own row.
     */
    public enum Leak {
        RETIRED_DEVICE("serial_number in (select d.serial_number from devices d where d.status = 'RETIRED')"),
        UNKNOWN_DEVICE("serial_number is not null and not exists (select 1 from devices d where d.serial_number = licenses.serial_number)"),
        UNKNOWN_USER("client_user_id is not null and not exists (select 1 from directory_users u "
                + "where u.user_id = licenses.client_user_id)"),
        UNWANTED_APP("not exists (select 1 from label_apps a where a.adam_id = licenses.adam_id)"),
        EXTERNAL("origin = 'EXTERNAL'");

        final String sql;

        Leak(String sql) {
            this.sql = sql;
        }

        /** The kind a request names, in any case; anything else is refused with the kinds there are. */
        public static Leak parse(String kind) {
            try {
                return valueOf(kind.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("kind must be one of " + java.util.Arrays.stream(values()).map(Enum::name)
                        .collect(java.util.stream.Collectors.joining(", ")) + ", not '" + kind + "'");
            }
        }
    }

    /**
     * Which licenses a reclaim of an administrator covers: one license, an app (in one account or all), an account,
     * or the leaks of one kind (in one account or all).
     */
    public record Scope(Long licenseId, String adamId, Long accountId, Leak leak) {
        public static Scope license(long id) {
            return new Scope(id, null, null, null);
        }

        public static Scope app(String adamId, Long accountId) {
            return new Scope(null, java.util.Objects.requireNonNull(adamId), accountId, null);
        }

        public static Scope account(long accountId) {
            return new Scope(null, null, accountId, null);
        }

        public static Scope leaks(Leak leak, Long accountId) {
            return new Scope(null, null, accountId, java.util.Objects.requireNonNull(leak));
        }
    }

    /** Held by Apple, not being changed by Orchard. */
    private static final String HELD = " and intent is null and missing_since is null";

    /** How many licenses of each kind of leak Apple holds, in one account or all. */
    public Map<Leak, Long> countLeaks(Long accountId) {
        var out = new java.util.EnumMap<Leak, Long>(Leak.class);
        for (Leak l : Leak.values()) {
            Where w = Where.of(Scope.leaks(l, accountId));
            out.put(l, jdbc.sql("select count(*) from licenses where " + w.sql() + HELD).params(w.params()).query(Long.class).single());
        }
        return out;
    }

    /** A page of one kind's leaked licenses in id order, after {@code afterId}. */
    public List<License> leaks(Leak leak, Long accountId, long afterId, int limit) {
        Where w = Where.of(Scope.leaks(leak, accountId), afterId, limit);
        return jdbc.sql("select * from licenses where " + w.sql() + HELD + " and id > ? order by id limit ?").params(w.params())
                .query(LedgerQueries::license).list();
    }

    /** Held and revocable, or in flight and still wanted (see {@link LicenseRow#reclaimable()}). */
    private static final String RECLAIMABLE = " and ((intent is null and " + REVOCABLE + ") or (intent = 'ASSIGN' and reclaim_rule is null))";

    /**
     * The scope as conditions on its columns only, so each reclaim is planned on its own index (id, app or
     * account) on both databases; a "? is null or column = ?" condition per column kept H2 from using any.
     */
    private record Where(String sql, List<Object> params) {
        static Where of(Scope s, Object... more) {
            var sql = new StringBuilder("1 = 1");
            var params = new java.util.ArrayList<Object>();
            if (s.licenseId() != null) {
                sql.append(" and id = ?");
                params.add(s.licenseId());
            }
            if (s.adamId() != null) {
                sql.append(" and adam_id = ?");
                params.add(s.adamId());
            }
            if (s.accountId() != null) {
                sql.append(" and account_id = ?");
                params.add(s.accountId());
            }
            if (s.leak() != null) {
                sql.append(" and ").append(s.leak().sql);
            }
            params.addAll(List.of(more));
            return new Where(sql.toString(), params);
        }
    }

    /** How many licenses the scope has, in any state. */
    public long count(Scope s) {
        Where w = Where.of(s);
        return jdbc.sql("select count(*) from licenses where " + w.sql()).params(w.params()).query(Long.class).single();
    }

    /** How many licenses of the scope Apple holds and would refuse to take back (books: not revocable). */
    public long countNotRevocable(Scope s) {
        Where w = Where.of(s);
        return jdbc.sql("select count(*) from licenses where " + w.sql() + " and intent is null and " + NOT_REVOCABLE)
                .params(w.params()).query(Long.class).single();
    }

    /** How many licenses of the scope a reclaim would take back. */
    public long countReclaimable(Scope s) {
        Where w = Where.of(s);
        return jdbc.sql("select count(*) from licenses where " + w.sql() + RECLAIMABLE).params(w.params()).query(Long.class).single();
    }

    /** How many licenses of the scope a reclaim would take back, by origin (ORCHARD, EXTERNAL). */
    public Map<String, Long> countReclaimableByOrigin(Scope s) {
        Where w = Where.of(s);
        var out = new java.util.TreeMap<String, Long>();
        jdbc.sql("select origin, count(*) from licenses where " + w.sql() + RECLAIMABLE + " group by origin").params(w.params())
                .query((rs, n) -> out.put(rs.getString(1), rs.getLong(2))).list();
        return out;
    }

    /** A page of the scope's reclaimable licenses in id order, after {@code afterId}. */
    public List<LicenseRow> reclaimable(Scope s, long afterId, int limit) {
        Where w = Where.of(s, afterId, limit);
        return jdbc.sql(ROWS + " where " + w.sql() + RECLAIMABLE + " and id > ? order by id limit ?")
                .params(w.params()).query(LedgerQueries::row).list();
    }

    /**
     * The apps these holders (serial numbers, or clientUserIds) have licenses of, by holder: in any account and
     * state, or ({@code orchardHeldIn} set) only the licenses Orchard assigned in that account and Apple holds.
     */
    public Map<String, Set<String>> appsHeld(boolean devices, Collection<String> holders, Long orchardHeldIn) {
        Map<String, Set<String>> held = new HashMap<>();
        if (holders.isEmpty()) {
            return held;
        }
        String column = devices ? "serial_number" : "client_user_id";
        String sql = "select " + column + ", adam_id from licenses where " + column + " in (:h)"
                + (orchardHeldIn != null ? " and account_id = :a and origin = 'ORCHARD' and intent is null" : "");
        var statement = jdbc.sql(sql).param("h", holders);
        if (orchardHeldIn != null) {
            statement = statement.param("a", orchardHeldIn);
        }
        statement.query((rs, n) -> held.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2))).list();
        return held;
    }

    /** The clientUserIds among {@code users} that have an active (Registered or Associated) Apple user in the account. */
    public Set<String> activeAppleUsers(long accountId, Collection<String> users) {
        if (users.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbc.sql("select client_user_id from apple_users where account_id = :a and client_user_id in (:u) "
                + "and status in ('Registered', 'Associated')").param("a", accountId).param("u", users).query(String.class).list());
    }

    /** An account's drift as counted now: licenses found at Apple that Orchard did not assign, and Orchard's missing there. */
    public record DriftCount(long external, long missing) {
    }

    public DriftCount countDrift(AccountId account) {
        return jdbc.sql("""
                select (select count(*) from licenses where account_id = ? and origin = 'EXTERNAL') as external,
                       (select count(*) from licenses where account_id = ? and origin = 'ORCHARD' and missing_since is not null) as missing
                """).params(account.value(), account.value()).query((rs, n) -> new DriftCount(rs.getLong(1), rs.getLong(2))).single();
    }

    @Override
    public long countAssignedByOrchard(AccountId id) {
        return jdbc.sql("select count(*) from licenses where account_id = ? and origin = 'ORCHARD'").param(id.value())
                .query(Long.class).single();
    }

    @Override
    public Holders holders(AccountId id) {
        List<String> serials = jdbc.sql("""
                select distinct serial_number from licenses
                where account_id = ? and origin = 'ORCHARD' and serial_number is not null order by serial_number
                """).param(id.value()).query(String.class).list();
        List<String> users = jdbc.sql("""
                select distinct client_user_id from licenses
                where account_id = ? and origin = 'ORCHARD' and client_user_id is not null order by client_user_id
                """).param(id.value()).query(String.class).list();
        return new Holders(serials, users);
    }

    /**
     * An account's licenses, counted so that they add up: {@code purchased} = {@code used} + {@code available} over the
     * pools with a count (Apple's figures as last read); {@code free}: licenses held of unlimited (free) apps, which
     * have no count; {@code assigning} and {@code reclaiming}: Orchard's assignments and reclaims not yet confirmed.
     */
    public record Totals(long purchased, long used, long available, long free, long assigning, long reclaiming) {
    }

    public Totals totals(AccountId account) {
        return jdbc.sql("""
                select coalesce(sum(case when unlimited then 0 else total_count end), 0),
                       coalesce(sum(case when unlimited then 0 else assigned_count end), 0),
                       coalesce(sum(case when unlimited then 0 else available_count end), 0),
                       coalesce(sum(case when unlimited then assigned_count else 0 end), 0),
                       (select count(*) from licenses where intent = 'ASSIGN' and account_id = ?),
                       (select count(*) from licenses where intent = 'RECLAIM' and account_id = ?)
                from pools where account_id = ?
                """).params(account.value(), account.value(), account.value())
                .query((rs, n) -> new Totals(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        rs.getLong(6))).single();
    }

    /**
     * An app's licenses across accounts: held (its pools' assigned counts, as the pool cards show them), being
     * assigned and being reclaimed (Orchard's unconfirmed intents). Read from the pools and the intent index only: the
     * app page refreshes it every few seconds, and an app may have millions of licenses.
     */
    public record AppLicenses(long held, long assigning, long reclaiming) {
    }

    public AppLicenses appLicenses(String adamId) {
        return jdbc.sql("""
                select (select coalesce(sum(assigned_count), 0) from pools where adam_id = ?),
                       (select count(*) from licenses where intent = 'ASSIGN' and adam_id = ?),
                       (select count(*) from licenses where intent = 'RECLAIM' and adam_id = ?)
                """).params(adamId, adamId, adamId)
                .query((rs, n) -> new AppLicenses(rs.getLong(1), rs.getLong(2), rs.getLong(3))).single();
    }

    /** A page of licenses in id order, after {@code afterId} (keyset paging stays fast on a million rows). */
    public List<License> licenses(LicenseFilter f, long afterId, int limit) {
        return jdbc.sql("""
                select * from licenses where id > ?
                  and (cast(? as bigint) is null or account_id = ?)
                  and (cast(? as varchar) is null or adam_id = ?)
                  and (cast(? as varchar) is null or serial_number = ?)
                  and (cast(? as varchar) is null or client_user_id = ?)
                  and (cast(? as varchar) is null or origin = ?)
                order by id limit ?
                """).params(afterId, f.accountId(), f.accountId(), f.adamId(), f.adamId(), f.serialNumber(),
                f.serialNumber(), f.clientUserId(), f.clientUserId(), f.origin(), f.origin(), limit)
                .query(LedgerQueries::license).list();
    }

    public Drift drift(AccountId account, int sample) {
        long external = jdbc.sql("select count(*) from licenses where account_id = ? and origin = 'EXTERNAL'")
                .param(account.value()).query(Long.class).single();
        long missing = jdbc.sql("select count(*) from licenses where account_id = ? and origin = 'ORCHARD' and missing_since is not null")
                .param(account.value()).query(Long.class).single();
        return new Drift(external, jdbc.sql("select * from licenses where account_id = ? and origin = 'EXTERNAL' order by id limit ?")
                .params(account.value(), sample).query(LedgerQueries::license).list(), missing,
                jdbc.sql("select * from licenses where account_id = ? and origin = 'ORCHARD' and missing_since is not null order by id limit ?")
                        .params(account.value(), sample).query(LedgerQueries::license).list());
    }

    /** The Apple users of a clientUserId in each account, with the invitation code while not yet associated. */
    public List<AppleUser> appleUsers(String clientUserId) {
        return jdbc.sql("select account_id, status, email, invite_code, updated_at from apple_users where client_user_id = ? "
                + "order by account_id").param(clientUserId).query((rs, n) -> new AppleUser(rs.getLong("account_id"),
                rs.getString("status"), rs.getString("email"), rs.getString("invite_code"), instant(rs.getTimestamp("updated_at"))))
                .list();
    }

    /** A user's registration with Apple in one account; {@code inviteCode} while the user has not accepted. */
    public record AppleUser(long accountId, String status, String email, String inviteCode, Instant updatedAt) {
    }

    private static Pool pool(ResultSet rs, int n) throws SQLException {
        return new Pool(rs.getLong("account_id"), rs.getString("account_name"), rs.getString("adam_id"),
                rs.getString("pricing_param"), rs.getString("product_type"), (Long) rs.getObject("total_count", Long.class),
                rs.getLong("assigned_count"), (Long) rs.getObject("available_count", Long.class),
                (Long) rs.getObject("retired_count", Long.class), rs.getBoolean("unlimited"),
                rs.getBoolean("device_assignable"), rs.getBoolean("revocable"), split(rs.getString("platforms")),
                instant(rs.getTimestamp("updated_at")));
    }

    private static License license(ResultSet rs, int n) throws SQLException {
        return new License(rs.getLong("id"), rs.getLong("account_id"), rs.getString("adam_id"), rs.getString("pricing_param"),
                rs.getString("serial_number"), rs.getString("client_user_id"), rs.getString("origin"),
                instant(rs.getTimestamp("since")), instant(rs.getTimestamp("confirmed_at")),
                instant(rs.getTimestamp("missing_since")), state(rs.getString("intent")));
    }

    private static String state(String intent) {
        return intent == null ? "HELD" : "ASSIGN".equals(intent) ? "ASSIGNING" : "RECLAIMING";
    }

    static LicenseRow row(ResultSet rs, int n) throws SQLException {
        return new LicenseRow(rs.getLong("id"), rs.getLong("account_id"), rs.getString("adam_id"), rs.getString("pricing_param"),
                rs.getString("serial_number"), rs.getString("client_user_id"), rs.getString("origin"), rs.getString("intent"),
                rs.getString("reclaim_rule"), rs.getBoolean("revocable"));
    }

    private static List<String> split(String s) {
        return s == null || s.isBlank() ? List.of() : List.of(s.split(","));
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
