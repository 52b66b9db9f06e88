package dev.orchard.server.catalog;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.orchard.server.ledger.LedgerQueries;

/** The catalog as the API and the pages show it: each app or book with its metadata and its pools across accounts. */
@Component
public class CatalogQueries {

    /** An app or book with its metadata and its pools across accounts. */
    public record App(String adamId, String name, String bundleId, String iconUrl, String version,
                      String externalVersionId, List<String> deviceFamilies, Boolean deviceAssignable, boolean custom,
                      Instant metadataRefreshedAt, List<LedgerQueries.Pool> pools) {
    }

    private final JdbcClient jdbc;
    private final LedgerQueries ledger;

    CatalogQueries(JdbcClient jdbc, LedgerQueries ledger) {
        this.jdbc = jdbc;
        this.ledger = ledger;
    }

    /** The apps of one account's pools, or of every account's, by name. */
    public List<App> apps(Long accountId) {
        Map<String, List<LedgerQueries.Pool>> byApp = new LinkedHashMap<>();
        ledger.pools(accountId).forEach(p -> byApp.computeIfAbsent(p.adamId(), k -> new ArrayList<>()).add(p));
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

    /** The names of these apps, where Orchard has read their metadata (an app without is left out). */
    public Map<String, String> names(java.util.Collection<String> adamIds) {
        Map<String, String> names = new java.util.HashMap<>();
        if (!adamIds.isEmpty()) {
            jdbc.sql("select adam_id, name from app_metadata where adam_id in (:ids) and name is not null")
                    .param("ids", adamIds).query((rs, n) -> names.put(rs.getString(1), rs.getString(2))).list();
        }
        return names;
    }

    private static List<String> split(String s) {
        return s == null || s.isBlank() ? List.of() : List.of(s.split(","));
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
