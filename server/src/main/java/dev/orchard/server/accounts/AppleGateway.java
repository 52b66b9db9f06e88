package dev.orchard.server.accounts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.orchard.apple.AppleApiException;
import dev.orchard.apple.AppleTransportException;
import dev.orchard.apple.AppsAndBooksClient;
import dev.orchard.apple.Endpoint;
import dev.orchard.apple.SToken;
import dev.orchard.apple.model.AppleResponse;
import dev.orchard.apple.model.MdmInfo;
import dev.orchard.server.system.Installation;
import dev.orchard.server.system.SecretCipher;

/**
 * The one way the server talks to Apple for an account (rule R1). Every call:
 * <ol>
 *   <li>reads the account fresh from the database, so a block set by any node is seen by all;</li>
 *   <li>refuses with {@link AccountBlockedException} while a Retry-After or backoff block lasts — nothing is sent
 *       early — and with {@link AccountUnavailableException} for an expired, revoked or foreign-owned account;</li>
 *   <li>waits for one of the account's concurrency slots and for room under {@code maxRequestPerSecond};</li>
 *   <li>on 429/503/9646 (and other server-side failures) records a block until {@code Retry-After}, or an
 *       exponential backoff with jitter when Apple gave none; on 9621/9625 records the token's state;</li>
 *   <li>compares the answer's {@code mdmInfo} with this installation (ownership guard) and records expiry and
 *       the last contact.</li>
 * </ol>
 * The gateway never sleeps through a block: callers reschedule their work for {@link AccountBlockedException#until()}.
 */
@Component
public class AppleGateway {

    /** What the call does to Apple: reads are allowed while another MDM owns the location, writes are not. */
    public enum Access { READ, WRITE, TAKEOVER }

    /** One Apple call with the account's client and token. */
    @FunctionalInterface
    public interface AppleCall<T> {
        T call(AppsAndBooksClient client, SToken token);
    }

    private static final Logger LOG = LoggerFactory.getLogger(AppleGateway.class);

    private final Accounts accounts;
    private final SecretCipher cipher;
    private final AppleService apple;
    private final Installation installation;
    private final AppleProperties properties;
    private final AppleMetrics metrics;
    private final Clock clock;
    private final AccountThrottle throttle;
    private final TokenLeases leases;

    AppleGateway(Accounts accounts, SecretCipher cipher, AppleService apple, Installation installation,
                 AppleProperties properties, AppleMetrics metrics, org.springframework.jdbc.core.simple.JdbcClient jdbc,
                 Clock clock) {
        this.accounts = accounts;
        this.cipher = cipher;
        this.apple = apple;
        this.installation = installation;
        this.properties = properties;
        this.metrics = metrics;
        this.clock = clock;
        this.throttle = new AccountThrottle(properties.maxConcurrentRequests(), System::nanoTime,
                java.util.concurrent.TimeUnit.NANOSECONDS::sleep);
        this.leases = new TokenLeases(jdbc, Instant::now, d -> Thread.sleep(d.toMillis()));
    }

    @jakarta.annotation.PreDestroy
    void close() {
        leases.close();
    }

    public <T> T call(AccountId id, Endpoint endpoint, Access access, AppleCall<T> call) {
        return call(id, endpoint.path(), true, access, call);
    }

    /**
     * A call that is not a v2 endpoint (for example the metadata lookup with the account's token). Its success says
     * nothing about the Apps and Books service, so it neither counts as contact nor ends a backoff streak.
     */
    public <T> T call(AccountId id, String operation, Access access, AppleCall<T> call) {
        return call(id, operation, false, access, call);
    }

    private <T> T call(AccountId id, String operation, boolean appsAndBooks, Access access, AppleCall<T> call) {
        Account account = accounts.find(id).orElseThrow(() ->
                new AccountProblem(AccountProblem.Kind.NOT_FOUND, "no account " + id));
        Instant now = clock.instant();
        checkUsable(account, access, now);
        SToken token = SToken.parse(cipher.decrypt(accounts.tokenCiphertext(id).orElseThrow(), AccountService.TOKEN_PURPOSE));
        try (var permit = permit(token)) {
            // another node may have blocked the account while this one waited for a slot
            var blocked = accounts.blockedUntil(id).filter(until -> until.isAfter(clock.instant()));
            if (blocked.isPresent()) {
                throw new AccountBlockedException(id, blocked.get(), account.blockReason());
            }
            T result = call.call(apple.client(), token);
            metrics.request(id, operation, "ok");
            if (appsAndBooks) {
                afterSuccess(account, result, access);
            }
            return result;
        } catch (AppleApiException e) {
            metrics.request(id, operation, e.errorNumber().map(String::valueOf).orElse("http-" + e.httpStatus()));
            throw classify(account, e);
        } catch (AppleTransportException e) {
            metrics.request(id, operation, "unreachable");
            // a refused connection carried nothing; any other lost answer may follow a request Apple acted on
            throw block(account, null, "Apple unreachable: " + e.getMessage(), !(e.getCause() instanceof java.net.ConnectException));
        }
    }

    /**
     * A call with a token no account holds yet (adding an account, renewing its token): held to the token's
     * request budget like every other call, with nothing recorded. Apple's errors reach the caller unclassified.
     */
    public <T> T callWithToken(SToken token, AppleCall<T> call) {
        try (var permit = permit(token)) {
            return call.call(apple.client(), token);
        }
    }

    /**
     * Waits until this node may talk to Apple with the token (one node at a time: {@link TokenLeases}) and for a
     * place in the token's request budget (the same for every call made with that token).
     */
    private AccountThrottle.Permit permit(SToken token) {
        String budget = token.fingerprint();
        try {
            leases.enter(budget);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the token's Apple lease", e);
        }
        try {
            AccountThrottle.Permit place = throttle.acquire(budget, apple.limits().maxRequestPerSecond());
            return () -> {
                place.close();
                leases.exit(budget);
            };
        } catch (InterruptedException e) {
            leases.exit(budget);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an Apple request slot", e);
        } catch (RuntimeException e) {
            leases.exit(budget);
            throw e;
        }
    }

    private void checkUsable(Account account, Access access, Instant now) {
        AccountId id = account.id();
        switch (account.recordedState()) {
            case EXPIRED, REVOKED -> throw new AccountUnavailableException(id, account.recordedState(),
                    "the account's token is " + account.recordedState().name().toLowerCase() + "; upload a renewed token");
            case CLAIMED_BY_OTHER -> {
                if (access == Access.WRITE) {
                    throw new AccountUnavailableException(id, AccountState.CLAIMED_BY_OTHER,
                            "another MDM (" + account.ownerMdmName() + ") manages this location; take it over to write");
                }
            }
            default -> {
            }
        }
        if (account.isBlockedAt(now)) {
            throw new AccountBlockedException(id, account.blockedUntil(), account.blockReason());
        }
        if (!now.isBefore(account.expiresAt())) {
            accounts.setState(id, AccountState.EXPIRED, "the token expired on " + account.expiresAt(), now);
            throw new AccountUnavailableException(id, AccountState.EXPIRED, "the account's token expired; upload a renewed token");
        }
    }

    private void afterSuccess(Account account, Object result, Access access) {
        Instant now = clock.instant();
        accounts.recordContact(account.id(), now);
        if (!(result instanceof AppleResponse response)) {
            return;
        }
        response.tokenExpiresAt().ifPresent(expiry -> accounts.recordExpiry(account.id(), expiry));
        MdmInfo owner = response.mdmInfo();
        if (owner == null || owner.id() == null) {
            return;
        }
        boolean ours = installation.id().equals(owner.id());
        if (!owner.id().equals(account.ownerMdmId())) {
            accounts.recordOwner(account.id(), owner.id(), owner.name());
        }
        AccountState state = account.recordedState();
        if (!ours && access != Access.TAKEOVER && state != AccountState.CLAIMED_BY_OTHER && state != AccountState.DELETING) {
            accounts.setState(account.id(), AccountState.CLAIMED_BY_OTHER,
                    "another MDM (" + owner.name() + ") claimed this location", now);
            LOG.warn("Account {} ({}) was taken over by another MDM: {} ({}); writes to Apple stopped",
                    account.id(), account.name(), owner.name(), owner.id());
        } else if (ours && state == AccountState.CLAIMED_BY_OTHER) {
            accounts.setState(account.id(), AccountState.ACTIVE, null, now);
        }
    }

    private RuntimeException classify(Account account, AppleApiException e) {
        Instant now = clock.instant();
        if (e.isRateLimited() || e.isServerError() || e.isMaintenance()) {
            return block(account, e.retryAt().orElse(null), "Apple answered " + e.httpStatus()
                    + e.errorNumber().map(n -> " / " + n).orElse(""), false);
        }
        if (e.isTokenExpired()) {
            accounts.setState(account.id(), AccountState.EXPIRED, "Apple: the token expired (9621)", now);
            return new AccountUnavailableException(account.id(), AccountState.EXPIRED, "the account's token expired; upload a renewed token");
        }
        if (e.isTokenRevoked()) {
            accounts.setState(account.id(), AccountState.REVOKED, "Apple: the token was revoked (9625)", now);
            return new AccountUnavailableException(account.id(), AccountState.REVOKED,
                    "Apple revoked the account's token (a new one was probably downloaded); upload the current token");
        }
        if (e.isInvalidToken()) {
            accounts.setState(account.id(), AccountState.ERROR, "Apple rejected the token (" + e.errorNumber().orElse(0) + ")", now);
            return new AccountUnavailableException(account.id(), AccountState.ERROR, "Apple rejected the token; upload a current token");
        }
        return e;
    }

    private AccountBlockedException block(Account account, Instant retryAt, String reason, boolean maybeDelivered) {
        Instant now = clock.instant();
        boolean backoff = retryAt == null;
        // the streak as recorded now: another call may have failed or succeeded since this one read the account
        int failures = accounts.find(account.id()).map(Account::backoffFailures).orElse(account.backoffFailures());
        Instant until = backoff ? now.plus(backoff(failures + 1)) : retryAt;
        accounts.block(account.id(), until, reason, backoff);
        metrics.blocked(account.id(), Duration.between(now, until));
        LOG.warn("Account {} ({}) blocked until {}: {}", account.id(), account.name(), until, reason);
        return new AccountBlockedException(account.id(), until, reason, maybeDelivered);
    }

    /** Exponential backoff with ±20% jitter, capped. */
    Duration backoff(int failures) {
        long base = properties.initialBackoff().toMillis();
        long max = properties.maxBackoff().toMillis();
        long exp = base << Math.min(20, Math.max(0, failures - 1));
        long capped = Math.min(max, exp < 0 ? max : exp);
        double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Duration.ofMillis(Math.min(max, (long) (capped * jitter)));
    }
}
