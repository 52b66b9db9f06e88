package dev.orchard.server.sync;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.orchard.server.accounts.AccountId;

/** Read models over what sync keeps: apps with their pools, licenses, drift, sync progress and history. */
@Component
public class LedgerQueries {

    /** The licenses of one asset in one account. */
    public record Pool(long accountId, String accountName, String adamId, String pricingParam, String productType,
                       Long total, long assigned, Long available, Long retired, boolean unlimited,
                       boolean deviceAssignable, boolean revocable, List<String> platforms, Instant updatedAt) {
    }

    /** An app or book with its metadata and its pools across accounts. */
    public record App(String adamId, String name, String bundleId, String iconUrl, String version,
                      String externalVersionId, List<String> deviceFamilies, Boolean deviceAssignable, boolean custom,
                      Instant metadataRefreshedAt, List<Pool> pools) {
    }

    /** One license in the ledger. */
    public record License(long id, long accountId, String adamId, String pricingParam, String serialNumber,
                          String clientUserId, String origin, Instant since, Instant confirmedAt, Instant missingSince) {
    }

    /** Filters of the license list; null means any. */
    public record LicenseFilter(Long accountId, String adamId, String serialNumber, String clientUserId, String origin) {
    }

    /** Differences between Apple and Orchard's intent. */
    public record Drift(long foundAtAppleNotAssignedByOrchard, List<License> foundAtApple,
                        long assignedByOrchardMissingAtApple, List<License> missingAtApple) {
    }

    private final JdbcClient jdbc;
    private final SyncStates states;

    LedgerQueries(JdbcClient jdbc, SyncStates states) {
        this.jdbc = jdbc;
        this.states = states;
    }

    public List<App> apps(Long accountId) {
        List<Pool> pools = jdbc.sql("""
                select p.*, a.name as account_name from pools p join accounts a on a.id = p.account_id
                where (cast(? as bigint) is null or p.account_id = ?) order by p.adam_id, a.priority, a.id, p.pricing_param
                """).params(accountId, accountId).query(LedgerQueries::pool).list();
        Map<String, List<Pool>> byApp = new LinkedHashMap<>();
        pools.forEach(p -> byApp.computeIfAbsent(p.adamId(), k -> new ArrayList<>()).add(p));
        var apps = new ArrayList<App>();
        byApp.forEach((adamId, appPools) -> apps.add(jdbc.sql("select * from app_metadata where adam_id = ?").param(adamId)
                .query((rs, n) -> new App(adamId, rs.getString("name"), rs.getString("bundle_id"), rs.getString("icon_url"),
                        rs.getString("version"), rs.getString("external_version_id"), split(rs.getString("device_families")),
                        (Boolean) rs.getObject("device_assignable", Boolean.class), rs.getBoolean("custom"),
                        instant(rs.getTimestamp("refreshed_at")), appPools)).optional()
                .orElse(new App(adamId, null, null, null, null, null, List.of(), null, false, null, appPools))));
        apps.sort((a, b) -> String.valueOf(a.name()).compareToIgnoreCase(String.valueOf(b.name())));
        return apps;
    }

    /** An account's licenses summed over its pools: purchased and available leave out unlimited (free) pools. */
    public record Totals(long purchased, long used, long available) {
    }

    public Totals totals(AccountId account) {
        return jdbc.sql("""
                select coalesce(sum(case when unlimited then 0 else total_count end), 0),
                       coalesce(sum(assigned_count), 0),
                       coalesce(sum(case when unlimited then 0 else available_count end), 0)
                from pools where account_id = ?
                """).param(account.value()).query((rs, n) -> new Totals(rs.getLong(1), rs.getLong(2), rs.getLong(3))).single();
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
    public List<Map<String, Object>> appleUsers(String clientUserId) {
        return jdbc.sql("select account_id, status, email, invite_code, updated_at from apple_users where client_user_id = ? "
                + "order by account_id").param(clientUserId).query().listOfRows();
    }

    public SyncProgress progress(AccountId account) {
        return states.find(account).orElse(new SyncProgress(account.value(), null, null, null, false, null, null, null,
                null, null, null, null, null, false, null));
    }

    public List<SyncRun> history(AccountId account, int limit) {
        return states.history(account, limit);
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
                instant(rs.getTimestamp("missing_since")));
    }

    private static List<String> split(String s) {
        return s == null || s.isBlank() ? List.of() : List.of(s.split(","));
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
