package dev.orchard.server.catalog;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.orchard.apple.AppMetadataClient;
import dev.orchard.apple.AppleException;
import dev.orchard.apple.model.AppMetadata;
import dev.orchard.server.accounts.Account;
import dev.orchard.server.accounts.AccountBlockedException;
import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.accounts.AccountUnavailableException;
import dev.orchard.server.accounts.AppleGateway;
import dev.orchard.server.ledger.LedgerQueries;
import dev.orchard.server.licensing.StoreAvailability;

/**
 * App metadata (name, bundle id, icon, current version and its external id, device families, custom flag) from
 * Apple's content metadata lookup with the account's token, so custom B2B apps work (rule R3); refreshed daily
 * and on demand. Country availability (rule R2) is looked up on demand and cached for a day.
 */
@Component
public class AppCatalog implements StoreAvailability {

    static final String LOOKUP = "contentMetadataLookup";
    static final Duration MAX_AGE = Duration.ofHours(24);
    private static final Logger LOG = LoggerFactory.getLogger(AppCatalog.class);

    private final AppMetadataClient metadata;
    private final AppleGateway gateway;
    private final AccountService accounts;
    private final JdbcClient jdbc;
    private final LedgerQueries ledger;
    private final Clock clock;

    AppCatalog(AppMetadataClient metadata, AppleGateway gateway, AccountService accounts, JdbcClient jdbc, LedgerQueries ledger,
               Clock clock) {
        this.metadata = metadata;
        this.ledger = ledger;
        this.gateway = gateway;
        this.accounts = accounts;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Refreshes, where stale, the metadata of every app the account holds. */
    public void refreshAccount(AccountId account) {
        refreshIfStale(account, ledger.adamIds(account));
    }

    /** Fetches metadata for the apps that have none or older than a day. A lookup failure never fails a sync. */
    public void refreshIfStale(AccountId account, List<String> adamIds) {
        Instant cutoff = clock.instant().minus(MAX_AGE);
        List<String> stale = adamIds.stream().filter(id -> jdbc.sql(
                "select count(*) from app_metadata where adam_id = ? and refreshed_at > ?").params(id, Timestamp.from(cutoff))
                .query(Long.class).single() == 0).toList();
        refresh(account, stale);
    }

    /** Fetches metadata for these apps now. */
    public int refresh(AccountId account, List<String> adamIds) {
        Account a = accounts.get(account);
        String country = a.country() == null ? "US" : a.country();
        int found = 0;
        for (String adamId : adamIds) {
            try {
                Optional<AppMetadata> m = gateway.call(account, LOOKUP, AppleGateway.Access.READ,
                        (client, token) -> metadata.contentMetadata(token, adamId, a.defaultPlatform(), country));
                if (m.isPresent()) {
                    save(m.get());
                    found++;
                }
            } catch (AccountBlockedException e) {
                throw e;
            } catch (AppleException | AccountUnavailableException e) {
                LOG.warn("No metadata for app {} (account {}): {}", adamId, account, e.getMessage());
            }
        }
        return found;
    }

    /**
     * Whether the app is sold in that country's store, seen with the account's token (so custom apps count);
     * cached for a day.
     */
    public boolean availableIn(AccountId account, String adamId, String country) {
        String cc = country.toUpperCase(Locale.ROOT);
        Instant cutoff = clock.instant().minus(MAX_AGE);
        Optional<Boolean> cached = jdbc.sql("select available from app_availability where adam_id = ? and country = ? and checked_at > ?")
                .params(adamId, cc, Timestamp.from(cutoff)).query(Boolean.class).optional();
        if (cached.isPresent()) {
            return cached.get();
        }
        Account a = accounts.get(account);
        boolean available = gateway.call(account, LOOKUP, AppleGateway.Access.READ,
                (client, token) -> metadata.contentMetadata(token, adamId, a.defaultPlatform(), cc)).isPresent();
        Timestamp now = Timestamp.from(clock.instant());
        if (jdbc.sql("update app_availability set available = ?, checked_at = ? where adam_id = ? and country = ?")
                .params(available, now, adamId, cc).update() == 0) {
            jdbc.sql("insert into app_availability (adam_id, country, available, checked_at) values (?, ?, ?, ?)")
                    .params(adamId, cc, available, now).update();
        }
        return available;
    }

    /** The cached or looked-up availability; empty when Apple could not be asked (blocked, unreachable). */
    @Override
    public Optional<Boolean> availability(AccountId account, String adamId, String country) {
        try {
            return Optional.of(availableIn(account, adamId, country));
        } catch (AccountBlockedException | AccountUnavailableException | AppleException e) {
            LOG.info("Availability of app {} in {} unknown for now: {}", adamId, country, e.getMessage());
            return Optional.empty();
        }
    }

    private void save(AppMetadata m) {
        Timestamp now = Timestamp.from(clock.instant());
        String families = String.join(",", m.deviceFamilies());
        int updated = jdbc.sql("""
                update app_metadata set name = ?, bundle_id = ?, artist_name = ?, icon_url = ?, version = ?,
                    external_version_id = ?, device_families = ?, kind = ?, device_assignable = ?, custom = ?,
                    minimum_os_version = ?, refreshed_at = ? where adam_id = ?
                """).params(m.name(), m.bundleId(), m.artistName(), m.iconUrl(), m.version(), m.externalVersionId(),
                families, m.kind(), m.deviceAssignable(), m.custom(), m.minimumOsVersion(), now, m.adamId()).update();
        if (updated == 0) {
            jdbc.sql("""
                    insert into app_metadata (adam_id, name, bundle_id, artist_name, icon_url, version, external_version_id,
                        device_families, kind, device_assignable, custom, minimum_os_version, refreshed_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).params(m.adamId(), m.name(), m.bundleId(), m.artistName(), m.iconUrl(), m.version(),
                    m.externalVersionId(), families, m.kind(), m.deviceAssignable(), m.custom(), m.minimumOsVersion(), now)
                    .update();
        }
    }
}
