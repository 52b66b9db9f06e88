package dev.orchard.server.accounts;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.orchard.apple.AppleApiException;
import dev.orchard.apple.AppleTransportException;
import dev.orchard.apple.Endpoint;
import dev.orchard.apple.MalformedTokenException;
import dev.orchard.apple.SToken;
import dev.orchard.apple.model.ClientConfigRequest;
import dev.orchard.apple.model.ClientConfigResponse;
import dev.orchard.apple.model.MdmInfo;
import dev.orchard.apple.model.NotificationType;
import dev.orchard.server.accounts.AccountProblem.Kind;
import dev.orchard.server.system.Installation;
import dev.orchard.server.system.OrchardProperties;
import dev.orchard.server.system.SecretCipher;

/**
 * Managing license accounts: add (validate with Apple, refuse a duplicate location, claim with this
 * installation's mdmInfo, subscribe to notifications), rename, reprioritise, renew the token in place, take a
 * location back from another MDM, and delete safely. Apple is called outside any transaction.
 */
@Service
public class AccountService {

    static final String TOKEN_PURPOSE = "account-token";
    static final String NOTIFICATION_SECRET_PURPOSE = "notification-secret";
    static final List<String> NOTIFICATION_TYPES = List.of(NotificationType.ASSET_MANAGEMENT,
            NotificationType.ASSET_COUNT, NotificationType.USER_MANAGEMENT, NotificationType.USER_ASSOCIATED);

    private static final Logger LOG = LoggerFactory.getLogger(AccountService.class);

    private final Accounts accounts;
    private final AccountLicenses licenses;
    private final AppleGateway gateway;
    private final AppleService apple;
    private final SecretCipher cipher;
    private final Installation installation;
    private final OrchardProperties orchard;
    private final AccountsProperties properties;
    private final AccountTasks tasks;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    AccountService(Accounts accounts, AccountLicenses licenses, AppleGateway gateway, AppleService apple,
                   SecretCipher cipher, Installation installation, OrchardProperties orchard,
                   AccountsProperties properties, AccountTasks tasks, ApplicationEventPublisher events,
                   TransactionTemplate tx, Clock clock, dev.orchard.server.audit.AuditTrail audit) {
        this.audit = audit;
        this.accounts = accounts;
        this.licenses = licenses;
        this.gateway = gateway;
        this.apple = apple;
        this.cipher = cipher;
        this.installation = installation;
        this.orchard = orchard;
        this.properties = properties;
        this.tasks = tasks;
        this.events = events;
        this.tx = tx;
        this.clock = clock;
    }

    private final dev.orchard.server.audit.AuditTrail audit;

    public List<Account> list() {
        return accounts.list();
    }

    public Account get(AccountId id) {
        return accounts.find(id).orElseThrow(() -> notFound(id));
    }

    public Optional<Account> findByLocation(String uId) {
        return accounts.findByLocation(uId);
    }

    public int expiryWarningDays() {
        return properties.expiryWarningDays();
    }

    /**
     * Registers a token: validates it with Apple, refuses a location already registered, refuses a location
     * another MDM manages unless {@code takeOver}, claims it, and subscribes to notifications when Orchard has a
     * public URL.
     */
    public Account add(String name, String tokenText, Integer priority, boolean takeOver) {
        SToken token = parse(tokenText);
        ClientConfigResponse config = validate(token);
        String uId = config.uId();
        if (uId == null || uId.isBlank()) {
            throw new AccountProblem(Kind.TOKEN_REJECTED, "Apple did not say which location this token belongs to");
        }
        accounts.findByLocation(uId).ifPresent(existing -> {
            throw new AccountProblem(Kind.LOCATION_ALREADY_REGISTERED, "this location (" + config.locationName()
                    + ") is already registered as account " + existing.id() + " '" + existing.name()
                    + "'; renew that account's token instead", existing.id().value());
        });
        MdmInfo owner = config.mdmInfo();
        if (owner != null && owner.id() != null && !owner.id().equals(installation.id()) && !takeOver) {
            throw new AccountProblem(Kind.CLAIMED_BY_OTHER_MDM, "another MDM ('" + owner.name()
                    + "') manages this location; add it again with takeOver=true to move it to Orchard", owner.name());
        }
        // Stored first, so the TEST_NOTIFICATION Apple sends while we subscribe finds the account and its secret.
        Subscription subscription = subscription();
        Instant now = clock.instant();
        String displayName = name == null || name.isBlank() ? defaultName(config, token) : name.strip();
        AccountId id;
        try {
            id = tx.execute(s -> accounts.insert(new Accounts.NewAccount(displayName, token.orgName(),
                    config.locationName(), uId, country(config), config.defaultPlatform(), config.websiteURL(),
                    cipher.encrypt(token.secret(), TOKEN_PURPOSE), token.fingerprint(),
                    config.tokenExpiresAt().orElse(token.expiresAt()), priority, null, null,
                    subscription == null ? null : subscription.key(),
                    subscription == null ? null : cipher.encrypt(subscription.secret(), NOTIFICATION_SECRET_PURPOSE),
                    null, now)));
        } catch (DuplicateKeyException race) {
            throw new AccountProblem(Kind.LOCATION_ALREADY_REGISTERED, "this location was registered at the same time by another request");
        }
        try {
            claimAndSubscribe(id, token, subscription);
        } catch (RuntimeException e) {
            tx.executeWithoutResult(s -> accounts.delete(id));
            throw e;
        }
        LOG.info("Added account {} '{}' for location {} ({}){}", id, displayName, uId, config.locationName(),
                takeOver && owner != null && !installation.id().equals(owner.id()) ? ", taken over from " + owner.name() : "");
        audit.record("api", "ACCOUNT_ADDED", "account " + id.value(), "'" + displayName + "', location " + config.locationName()
                + " (" + uId + "), priority " + get(id).priority() + ", token " + get(id).tokenHint()
                + (takeOver && owner != null && !installation.id().equals(owner.id()) ? ", taken over from " + owner.name() : ""), "OK");
        tasks.refreshLater(id);
        events.publishEvent(new AccountEvents.AccountAdded(id));
        return get(id);
    }

    private void claimAndSubscribe(AccountId id, SToken token, Subscription subscription) {
        ClientConfigResponse claimed;
        try {
            claimed = claim(token, subscription);
        } catch (AppleApiException e) {
            if (subscription == null || !e.is(dev.orchard.apple.ErrorNumbers.NOTIFICATION_URL_UNREACHABLE)) {
                throw appleProblem(e);
            }
            String warning = "Apple could not reach " + subscription.url() + " (9728): notifications are off; check "
                    + "orchard.public-url and that Apple can reach it through the firewall, then take over again";
            LOG.warn("Account {}: {}", id, warning);
            claimed = claim(token, null);
            tx.executeWithoutResult(s -> {
                accounts.subscribe(id, null, null, clock.instant());
                accounts.setState(id, AccountState.ACTIVE, warning, clock.instant());
            });
        }
        String ownerId = claimed.mdmInfo() == null ? installation.id() : claimed.mdmInfo().id();
        accounts.recordOwner(id, ownerId, Installation.MDM_NAME);
        claimed.tokenExpiresAt().ifPresent(expiry -> accounts.recordExpiry(id, expiry));
    }

    /** Replaces the token with a renewed one for the same location; the expiry updates at once. */
    public Account renew(AccountId id, String tokenText) {
        Account account = get(id);
        SToken token = parse(tokenText);
        ClientConfigResponse config = validate(token);
        if (!account.locationUid().equals(config.uId())) {
            throw new AccountProblem(Kind.DIFFERENT_LOCATION, "this token is for another location ("
                    + config.locationName() + "); download the token of '" + account.locationName() + "'");
        }
        MdmInfo owner = config.mdmInfo();
        boolean foreign = owner != null && owner.id() != null && !owner.id().equals(installation.id());
        AccountState state = foreign ? AccountState.CLAIMED_BY_OTHER : AccountState.ACTIVE;
        tx.executeWithoutResult(s -> {
            accounts.replaceToken(id, cipher.encrypt(token.secret(), TOKEN_PURPOSE), token.fingerprint(),
                    config.tokenExpiresAt().orElse(token.expiresAt()), state, clock.instant());
            if (foreign) {
                accounts.recordOwner(id, owner.id(), owner.name());
            }
        });
        LOG.info("Renewed the token of account {} '{}'", id, account.name());
        audit.record("api", "ACCOUNT_TOKEN_RENEWED", "account " + id.value(), "before: token " + account.tokenHint() + " expiring "
                + account.expiresAt() + "; after: token " + get(id).tokenHint() + " expiring " + get(id).expiresAt(), "OK");
        events.publishEvent(new AccountEvents.AccountRenewed(id));
        return get(id);
    }

    public Account update(AccountId id, String name, Integer priority) {
        Account before = get(id);
        Instant now = clock.instant();
        String newName = null;
        if (name != null) {
            try {
                newName = dev.orchard.server.system.Fields.required("name", name, 200);
            } catch (IllegalArgumentException e) {
                throw new AccountProblem(Kind.INVALID_INPUT, e.getMessage());
            }
        }
        if (priority != null && priority < 0) {
            throw new AccountProblem(Kind.INVALID_INPUT, "priority must be zero or more (lower is used first)");
        }
        String finalName = newName;
        tx.executeWithoutResult(s -> {
            if (finalName != null && !finalName.equals(before.name())) {
                accounts.rename(id, finalName, now);
                audit.record("api", "ACCOUNT_RENAMED", "account " + id.value(), "before: '" + before.name() + "'; after: '"
                        + finalName + "'", "OK");
            }
            if (priority != null && priority != before.priority()) {
                accounts.reprioritise(id, priority, now);
                audit.record("api", "ACCOUNT_REPRIORITISED", "account " + id.value(), "'" + before.name() + "' before: "
                        + before.priority() + "; after: " + priority, "OK");
            }
        });
        return get(id);
    }

    /** Takes a location back from another MDM. */
    public Account takeOver(AccountId id) {
        Account account = get(id);
        Subscription subscription = account.notificationsSubscribed() ? null : subscription();
        ClientConfigResponse claimed = gateway.call(id, Endpoint.CLIENT_CONFIG, AppleGateway.Access.TAKEOVER,
                (client, token) -> client.updateClientConfig(token, request(subscription)));
        tx.executeWithoutResult(s -> {
            accounts.recordOwner(id, claimed.mdmInfo() == null ? installation.id() : claimed.mdmInfo().id(), Installation.MDM_NAME);
            if (account.recordedState() == AccountState.CLAIMED_BY_OTHER || account.recordedState() == AccountState.ERROR) {
                accounts.setState(id, AccountState.ACTIVE, null, clock.instant());
            }
            if (subscription != null) {
                accounts.subscribe(id, subscription.key(), cipher.encrypt(subscription.secret(), NOTIFICATION_SECRET_PURPOSE), clock.instant());
            }
        });
        LOG.info("Took over location {} for account {} '{}'", account.locationUid(), id, account.name());
        audit.record("api", "ACCOUNT_TAKEN_OVER", "account " + id.value(), "'" + account.name() + "' before: managed by "
                + account.ownerMdmName() + "; after: managed by " + Installation.MDM_NAME, "OK");
        return get(id);
    }

    /** Queues a re-read of the account's configuration, owner and expiry from Apple. */
    public void requestRefresh(AccountId id) {
        get(id);
        tasks.refreshSoon(id);
    }

    /** Re-reads the account from Apple now (the refresh task); the gateway records owner, expiry and contact. */
    void refresh(AccountId id) {
        ClientConfigResponse config = gateway.call(id, Endpoint.CLIENT_CONFIG, AppleGateway.Access.READ,
                (client, token) -> client.clientConfig(token));
        accounts.updateLocation(id, null, config.locationName(), country(config), config.defaultPlatform(),
                config.websiteURL(), clock.instant());
        Account account = get(id);
        if (account.recordedState() == AccountState.ERROR && account.lastError() != null
                && account.lastError().startsWith("Apple rejected")) {
            accounts.setState(id, AccountState.ACTIVE, null, clock.instant());
        }
    }

    /**
     * Deletes an account. Refused while it holds licenses Orchard assigned, unless {@code revokeLicenses}: then
     * the account is marked DELETING and a durable task revokes them at Apple before deleting.
     *
     * @return true when deleted at once, false when deletion continues in the background
     */
    public boolean delete(AccountId id, boolean revokeLicenses) {
        Account account = get(id);
        long held = licenses.countAssignedByOrchard(id);
        if (held > 0 && !revokeLicenses) {
            throw new AccountProblem(Kind.HAS_LICENSES, "the account holds " + held + " licenses Orchard assigned; "
                    + "delete with revokeLicenses=true to revoke them at Apple first", held);
        }
        if (held == 0) {
            deleteNow(account);
            return true;
        }
        accounts.setState(id, AccountState.DELETING, "revoking " + held + " licenses before deletion", clock.instant());
        tasks.deleteSoon(id);
        return false;
    }

    /** The delete task: revoke what Orchard assigned, in batches within Apple's limits, then delete. */
    void revokeAndDelete(AccountId id) {
        Optional<Account> account = accounts.find(id);
        if (account.isEmpty()) {
            return;
        }
        var holders = licenses.holders(id);
        if (!holders.isEmpty()) {
            for (var request : dev.orchard.apple.RequestBatches.revoke(holders.serialNumbers(), holders.clientUserIds(),
                    apple.limits())) {
                gateway.call(id, Endpoint.REVOKE_ASSETS, AppleGateway.Access.WRITE, (client, token) -> client.revoke(token, request));
            }
        }
        deleteNow(account.get());
    }

    private void deleteNow(Account account) {
        tx.executeWithoutResult(s -> accounts.delete(account.id()));
        tasks.forget(account.id());
        LOG.info("Deleted account {} '{}' (location {})", account.id(), account.name(), account.locationUid());
        audit.record("api", "ACCOUNT_REMOVED", "account " + account.id().value(), "before: '" + account.name() + "', location "
                + account.locationName() + " (" + account.locationUid() + "), priority " + account.priority(), "OK");
        events.publishEvent(new AccountEvents.AccountDeleted(account.id(), account.locationUid()));
    }

    /** The account whose notification URL ends with this key, if the secret matches (constant time). */
    public Optional<AccountId> authenticateNotification(String key, String secret) {
        if (key == null || secret == null) {
            return Optional.empty();
        }
        return accounts.findByNotificationKey(key).flatMap(account -> accounts.notificationSecretCiphertext(account.id())
                .filter(c -> java.security.MessageDigest.isEqual(
                        cipher.decrypt(c, NOTIFICATION_SECRET_PURPOSE).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .map(c -> account.id()));
    }

    private record Subscription(String key, String secret, String url) {
    }

    private Subscription subscription() {
        if (orchard.publicUrl() == null) {
            return null;
        }
        String key = randomText(18);
        String base = orchard.publicUrl().toString();
        return new Subscription(key, randomText(32), (base.endsWith("/") ? base : base + "/") + "apple/notifications/" + key);
    }

    private ClientConfigResponse claim(SToken token, Subscription subscription) {
        try {
            return gateway.callWithToken(token, (client, t) -> client.updateClientConfig(t, request(subscription)));
        } catch (AppleTransportException e) {
            throw new AccountProblem(Kind.APPLE_UNAVAILABLE, "Apple could not be reached: " + e.getMessage());
        }
    }

    private ClientConfigRequest request(Subscription subscription) {
        MdmInfo mine = new MdmInfo(installation.id(), Installation.MDM_NAME, installation.metadata());
        return subscription == null ? ClientConfigRequest.claim(mine)
                : new ClientConfigRequest(NOTIFICATION_TYPES, subscription.url(), subscription.secret(), mine);
    }

    private ClientConfigResponse validate(SToken token) {
        if (token.isExpiredAt(clock.instant())) {
            throw new AccountProblem(Kind.TOKEN_EXPIRED, "this token expired on " + token.expiresAt()
                    + "; download a new one in Apple Business Manager or Apple School Manager");
        }
        try {
            return gateway.callWithToken(token, (client, t) -> client.clientConfig(t));
        } catch (AppleApiException e) {
            throw appleProblem(e);
        } catch (AppleTransportException e) {
            throw new AccountProblem(Kind.APPLE_UNAVAILABLE, "Apple could not be reached: " + e.getMessage());
        }
    }

    private static AccountProblem appleProblem(AppleApiException e) {
        if (e.isTokenExpired()) {
            return new AccountProblem(Kind.TOKEN_EXPIRED, "Apple says this token expired; download a new one");
        }
        if (e.isTokenRevoked()) {
            return new AccountProblem(Kind.TOKEN_REVOKED, "Apple revoked this token (a newer one was downloaded); use the newest token");
        }
        if (e.isInvalidToken() || e.httpStatus() == 401 || e.httpStatus() == 403) {
            return new AccountProblem(Kind.TOKEN_REJECTED, "Apple rejected this token (" + e.errorNumber().orElse(e.httpStatus()) + ")");
        }
        if (e.isRateLimited() || e.isServerError() || e.isMaintenance()) {
            return new AccountProblem(Kind.APPLE_UNAVAILABLE, "Apple is busy or unavailable; try again"
                    + e.retryAt().map(t -> " after " + t).orElse(" in a few minutes"), e.retryAt().orElse(null));
        }
        return new AccountProblem(Kind.TOKEN_REJECTED, "Apple refused the request: " + e.getMessage());
    }

    private static SToken parse(String text) {
        try {
            return SToken.parse(text);
        } catch (MalformedTokenException e) {
            throw new AccountProblem(Kind.INVALID_TOKEN, e.getMessage()
                    + "; upload the .vpptoken file downloaded from Apple Business Manager or Apple School Manager");
        }
    }

    private static String country(ClientConfigResponse config) {
        String c = config.countryISO2ACode();
        return c == null ? null : c.toUpperCase(java.util.Locale.ROOT);
    }

    private static String defaultName(ClientConfigResponse config, SToken token) {
        return config.locationName() != null && !config.locationName().isBlank() ? config.locationName() : token.orgName();
    }

    private String randomText(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static AccountProblem notFound(AccountId id) {
        return new AccountProblem(Kind.NOT_FOUND, "there is no account " + id);
    }
}
