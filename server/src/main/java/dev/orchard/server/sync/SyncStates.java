package dev.orchard.server.sync;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

import dev.orchard.server.accounts.AccountId;

/** The sync cursor and progress per account ({@code sync_state}) and the history of runs ({@code sync_runs}). */
@Repository
class SyncStates {

    private final JdbcClient jdbc;

    SyncStates(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    SyncProgress load(AccountId account) {
        jdbc.sql("insert into sync_state (account_id) select ? where not exists (select 1 from sync_state where account_id = ?)")
                .params(account.value(), account.value()).update();
        return jdbc.sql("select * from sync_state where account_id = ?").param(account.value()).query(SyncStates::map).single();
    }

    Optional<SyncProgress> find(AccountId account) {
        return jdbc.sql("select * from sync_state where account_id = ?").param(account.value()).query(SyncStates::map).optional();
    }

    long startRun(AccountId account, String kind, Instant now) {
        var keys = new GeneratedKeyHolder();
        jdbc.sql("insert into sync_runs (account_id, kind, started_at, result) values (?, ?, ?, 'RUNNING')")
                .params(account.value(), kind, Timestamp.from(now)).update(keys, "id");
        long run = keys.getKey().longValue();
        jdbc.sql("""
                update sync_state set run_id = ?, run_kind = ?, phase = 'USERS', next_page = 0, pages_done = 0,
                    pages_total = null, items = 0, first_version = null, version_changed = false, run_started_at = ?,
                    full_requested = case when ? then false else full_requested end
                where account_id = ?
                """).params(run, kind, Timestamp.from(now), "FULL".equals(kind), account.value()).update();
        return run;
    }

    /** Saves where the run stands; called in the transaction that applied the page. */
    void advance(AccountId account, String phase, int nextPage, Integer pagesTotal, int items, String firstVersion,
                 boolean versionChanged) {
        jdbc.sql("""
                update sync_state set phase = ?, next_page = ?, pages_done = pages_done + 1, pages_total = ?,
                    items = items + ?, first_version = coalesce(first_version, ?), version_changed = version_changed or ?
                where account_id = ?
                """).params(phase, nextPage, pagesTotal, items, firstVersion, versionChanged, account.value()).update();
    }

    /** Moves the run to its next phase, starting from page 0. */
    void phase(AccountId account, String phase) {
        jdbc.sql("update sync_state set phase = ?, next_page = 0, first_version = null, version_changed = false where account_id = ?")
                .params(phase, account.value()).update();
    }

    /** An incremental run Apple refused (9721) continues as a full one. */
    void changeKind(AccountId account, long run, String kind) {
        jdbc.sql("update sync_state set run_kind = ? where account_id = ?").params(kind, account.value()).update();
        jdbc.sql("update sync_runs set kind = ? where id = ?").params(kind, run).update();
    }

    void saveUsersVersion(AccountId account, String version) {
        jdbc.sql("update sync_state set users_version = ? where account_id = ?").params(version, account.value()).update();
    }

    void saveAssignmentsVersion(AccountId account, String version) {
        jdbc.sql("update sync_state set assignments_version = ? where account_id = ?").params(version, account.value()).update();
    }

    /** A sync of the account is wanted now (the run that starts next clears it; one running looks at it when it ends). */
    void want(AccountId account) {
        load(account);
        jdbc.sql("update sync_state set wanted = true where account_id = ?").param(account.value()).update();
    }

    /** Takes the account's {@code wanted} flag: true when a sync was wanted since the last time it was taken. */
    boolean takeWanted(AccountId account) {
        return jdbc.sql("update sync_state set wanted = false where account_id = ? and wanted = true").param(account.value()).update() == 1;
    }

    boolean wanted(AccountId account) {
        return jdbc.sql("select count(*) from sync_state where account_id = ? and wanted = true").param(account.value())
                .query(Long.class).single() > 0;
    }

    void requestFull(AccountId account) {
        load(account);
        jdbc.sql("update sync_state set full_requested = true where account_id = ?").param(account.value()).update();
    }

    void countRun(long run, int requests, long added, long removed) {
        jdbc.sql("update sync_runs set requests = requests + ?, added = added + ?, removed = removed + ? where id = ?")
                .params(requests, added, removed, run).update();
    }

    void finishRun(AccountId account, long run, String result, String message, Instant now, boolean full) {
        SyncProgress p = load(account);
        jdbc.sql("""
                update sync_runs set finished_at = ?, result = ?, message = ?, pages = ?, items = ? where id = ?
                """).params(Timestamp.from(now), result, message, p.pagesDone() == null ? 0 : p.pagesDone(),
                p.items() == null ? 0 : p.items(), run).update();
        jdbc.sql("""
                update sync_state set run_id = null, run_kind = null, phase = null, next_page = null,
                    last_full_at = case when ? then ? else last_full_at end,
                    full_requested = case when ? then false else full_requested end
                where account_id = ?
                """).params(full, Timestamp.from(now), full, account.value()).update();
    }

    List<SyncRun> history(AccountId account, int limit) {
        return jdbc.sql("select * from sync_runs where account_id = ? order by id desc limit ?")
                .params(account.value(), limit).query((rs, n) -> new SyncRun(rs.getLong("id"), rs.getLong("account_id"),
                        rs.getString("kind"), instant(rs.getTimestamp("started_at")), instant(rs.getTimestamp("finished_at")),
                        rs.getString("result"), rs.getInt("pages"), rs.getLong("items"), rs.getLong("added"),
                        rs.getLong("removed"), rs.getInt("requests"), rs.getString("message"))).list();
    }

    private static SyncProgress map(ResultSet rs, int row) throws SQLException {
        return new SyncProgress(rs.getLong("account_id"), rs.getString("assignments_version"), rs.getString("users_version"),
                instant(rs.getTimestamp("last_full_at")), rs.getBoolean("full_requested"), (Long) rs.getObject("run_id", Long.class),
                rs.getString("run_kind"), rs.getString("phase"), (Integer) rs.getObject("next_page", Integer.class),
                (Integer) rs.getObject("pages_done", Integer.class), (Integer) rs.getObject("pages_total", Integer.class),
                (Long) rs.getObject("items", Long.class), rs.getString("first_version"), rs.getBoolean("version_changed"),
                instant(rs.getTimestamp("run_started_at")));
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
