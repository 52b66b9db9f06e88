package dev.orchard.server.accounts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

/**
 * The accounts table. Tokens go in and out only as ciphertext. A change of what decides which targets an account
 * serves (its state, priority, country, expiry) is announced with {@link AccountEvents.ServingChanged}.
 */
@Repository
class Accounts {

    /** What is stored for a new account. */
    record NewAccount(String name, String orgName, String locationName, String locationUid, String country,
                      String defaultPlatform, String websiteUrl, String tokenCiphertext, String tokenHint,
                      Instant expiresAt, Integer priority, String ownerMdmId, String ownerMdmName,
                      String notificationKey, String notificationSecretCiphertext, String lastError, Instant now) {
    }

    private static final String COLUMNS = """
            id, name, org_name, location_name, location_uid, country, default_platform, website_url, token_hint,
            expires_at, priority, state, last_error, owner_mdm_id, owner_mdm_name, notification_key,
            notification_secret, last_contact_at, blocked_until, block_reason, backoff_failures, created_at, updated_at
            """;

    private final JdbcClient jdbc;
    private final ApplicationEventPublisher events;

    Accounts(JdbcClient jdbc, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.events = events;
    }

    private boolean announce(AccountId id, boolean changed) {
        if (changed) {
            events.publishEvent(new AccountEvents.ServingChanged(id));
        }
        return changed;
    }

    AccountId insert(NewAccount a) {
        var keys = new GeneratedKeyHolder();
        int priority = a.priority() != null ? a.priority()
                : jdbc.sql("select coalesce(max(priority), 0) + 1 from accounts").query(Integer.class).single();
        jdbc.sql("""
                insert into accounts (name, org_name, location_name, location_uid, country, default_platform, website_url,
                    token_ciphertext, token_hint, expires_at, priority, state, last_error, owner_mdm_id, owner_mdm_name,
                    notification_key, notification_secret, last_contact_at, created_at, updated_at)
                values (:name, :org, :loc, :uid, :country, :platform, :website, :cipher, :hint, :expires, :priority,
                    'ACTIVE', :error, :mdmId, :mdmName, :nkey, :nsecret, :now, :now, :now)
                """)
                .param("name", a.name()).param("org", a.orgName()).param("loc", a.locationName())
                .param("uid", a.locationUid()).param("country", a.country()).param("platform", a.defaultPlatform())
                .param("website", a.websiteUrl()).param("cipher", a.tokenCiphertext()).param("hint", a.tokenHint())
                .param("expires", ts(a.expiresAt())).param("priority", priority).param("error", a.lastError())
                .param("mdmId", a.ownerMdmId()).param("mdmName", a.ownerMdmName()).param("nkey", a.notificationKey())
                .param("nsecret", a.notificationSecretCiphertext()).param("now", ts(a.now()))
                .update(keys, "id");
        return new AccountId(keys.getKey().longValue());
    }

    Optional<Account> find(AccountId id) {
        return jdbc.sql("select " + COLUMNS + " from accounts where id = ?").param(id.value()).query(Accounts::map).optional();
    }

    Optional<Account> findByLocation(String uId) {
        return jdbc.sql("select " + COLUMNS + " from accounts where location_uid = ?").param(uId).query(Accounts::map).optional();
    }

    Optional<Account> findByNotificationKey(String key) {
        return jdbc.sql("select " + COLUMNS + " from accounts where notification_key = ?").param(key)
                .query(Accounts::map).optional();
    }

    List<Account> list() {
        return jdbc.sql("select " + COLUMNS + " from accounts order by priority, id").query(Accounts::map).list();
    }

    Optional<String> tokenCiphertext(AccountId id) {
        return jdbc.sql("select token_ciphertext from accounts where id = ?").param(id.value()).query(String.class).optional();
    }

    Optional<String> notificationSecretCiphertext(AccountId id) {
        return jdbc.sql("select notification_secret from accounts where id = ?").param(id.value())
                .query(String.class).optional();
    }

    boolean rename(AccountId id, String name, Instant now) {
        return jdbc.sql("update accounts set name = ?, updated_at = ? where id = ?").params(name, ts(now), id.value())
                .update() == 1;
    }

    boolean reprioritise(AccountId id, int priority, Instant now) {
        return announce(id, jdbc.sql("update accounts set priority = ?, updated_at = ? where id = ?")
                .params(priority, ts(now), id.value()).update() == 1);
    }

    void replaceToken(AccountId id, String ciphertext, String hint, Instant expiresAt, AccountState state, Instant now) {
        jdbc.sql("""
                update accounts set token_ciphertext = ?, token_hint = ?, expires_at = ?, state = ?, last_error = null,
                    updated_at = ? where id = ?
                """).params(ciphertext, hint, ts(expiresAt), state.name(), ts(now), id.value()).update();
        announce(id, true);
    }

    void updateLocation(AccountId id, String orgName, String locationName, String country, String platform,
                        String website, Instant now) {
        boolean countryChanged = country != null && !country.equals(jdbc.sql("select country from accounts where id = ?")
                .param(id.value()).query(String.class).optional().orElse(null));
        jdbc.sql("""
                update accounts set org_name = coalesce(?, org_name), location_name = coalesce(?, location_name),
                    country = coalesce(?, country), default_platform = coalesce(?, default_platform),
                    website_url = coalesce(?, website_url), updated_at = ? where id = ?
                """).params(orgName, locationName, country, platform, website, ts(now), id.value()).update();
        announce(id, countryChanged);
    }

    void subscribe(AccountId id, String key, String secretCiphertext, Instant now) {
        jdbc.sql("update accounts set notification_key = ?, notification_secret = ?, updated_at = ? where id = ?")
                .params(key, secretCiphertext, ts(now), id.value()).update();
    }

    void setState(AccountId id, AccountState state, String error, Instant now) {
        if (!state.isStored()) {
            throw new IllegalArgumentException(state + " is derived, not stored");
        }
        boolean changed = jdbc.sql("update accounts set state = ?, last_error = ?, updated_at = ? where id = ? and state <> ?")
                .params(state.name(), error, ts(now), id.value(), state.name()).update() == 1;
        if (!changed) {
            jdbc.sql("update accounts set last_error = ?, updated_at = ? where id = ?").params(error, ts(now), id.value()).update();
        }
        announce(id, changed);
    }

    void recordOwner(AccountId id, String mdmId, String mdmName) {
        jdbc.sql("update accounts set owner_mdm_id = ?, owner_mdm_name = ? where id = ?")
                .params(mdmId, mdmName, id.value()).update();
    }

    void recordExpiry(AccountId id, Instant expiresAt) {
        announce(id, jdbc.sql("update accounts set expires_at = ? where id = ? and expires_at <> ?")
                .params(ts(expiresAt), id.value(), ts(expiresAt)).update() == 1);
    }

    /** Records a successful contact; clears a finished backoff streak. */
    void recordContact(AccountId id, Instant now) {
        jdbc.sql("""
                update accounts set last_contact_at = ?, backoff_failures = 0,
                    block_reason = case when blocked_until is null or blocked_until <= ? then null else block_reason end
                where id = ?
                """).params(ts(now), ts(now), id.value()).update();
    }

    /** Extends the block to {@code until} unless a later block is already recorded (another node may have set it). */
    void block(AccountId id, Instant until, String reason, boolean countFailure) {
        jdbc.sql("""
                update accounts set blocked_until = case when blocked_until is null or blocked_until < ? then ? else blocked_until end,
                    block_reason = ?, backoff_failures = backoff_failures + ? where id = ?
                """).params(ts(until), ts(until), reason, countFailure ? 1 : 0, id.value()).update();
    }

    Optional<Instant> blockedUntil(AccountId id) {
        return jdbc.sql("select blocked_until from accounts where id = ?").param(id.value())
                .query((rs, n) -> Optional.ofNullable(instant(rs.getTimestamp(1)))).optional().flatMap(o -> o);
    }

    boolean delete(AccountId id) {
        return jdbc.sql("delete from accounts where id = ?").param(id.value()).update() == 1;
    }

    static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    private static Account map(ResultSet rs, int row) throws SQLException {
        return new Account(new AccountId(rs.getLong("id")), rs.getString("name"), rs.getString("org_name"),
                rs.getString("location_name"), rs.getString("location_uid"), rs.getString("country"),
                rs.getString("default_platform"), rs.getString("website_url"), rs.getString("token_hint"),
                instant(rs.getTimestamp("expires_at")), rs.getInt("priority"), AccountState.valueOf(rs.getString("state")),
                rs.getString("last_error"), rs.getString("owner_mdm_id"), rs.getString("owner_mdm_name"),
                rs.getString("notification_secret") != null, rs.getString("notification_key"),
                instant(rs.getTimestamp("last_contact_at")), instant(rs.getTimestamp("blocked_until")),
                rs.getString("block_reason"), rs.getInt("backoff_failures"), instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("updated_at")));
    }
}
