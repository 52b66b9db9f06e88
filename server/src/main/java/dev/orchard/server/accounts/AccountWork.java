package dev.orchard.server.accounts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.kagkarlsson.scheduler.task.CompletionHandler;

import dev.orchard.server.system.NodeStopping;

/**
 * The one error ladder of per-account background work (an account's sync, its Apple worker, its notifications, its
 * refresh and deletion, its catalog): whatever the work, a blocked account (Retry-After, backoff) runs again when the
 * block ends, so nothing is sent early and nothing waits longer than Apple asked; an account that cannot be used now
 * (expired, revoked, claimed elsewhere) is looked at again after {@code retry}, at least {@value #UNAVAILABLE_MINUTES}
 * minutes; a deleted account's task instance is removed; work a stopping node handed back runs again at once
 * ({@link NodeStopping}); a transaction that lost a deadlock runs again after a second; any other failure is
 * retried after {@code retry}.
 */
public final class AccountWork {

    /** The work itself; it says when it runs next. */
    @FunctionalInterface
    public interface Body {
        CompletionHandler<Void> run(AccountId account);
    }

    private static final Logger LOG = LoggerFactory.getLogger(AccountWork.class);
    static final long UNAVAILABLE_MINUTES = 5;
    static final Duration CONFLICT_RETRY = Duration.ofSeconds(1);

    private AccountWork() {
    }

    public static CompletionHandler<Void> run(String what, AccountId account, Clock clock, Duration retry, Body body) {
        Instant when;
        try {
            return body.run(account);
        } catch (NodeStopping.Stopped e) {
            when = clock.instant();
            LOG.info("{} of account {} handed back where it stands: this node is stopping", what, account);
        } catch (AccountBlockedException e) {
            when = e.until();
            LOG.info("{} of account {} waits for Apple until {}", what, account, when);
        } catch (AccountUnavailableException e) {
            Duration wait = retry.compareTo(Duration.ofMinutes(UNAVAILABLE_MINUTES)) < 0 ? Duration.ofMinutes(UNAVAILABLE_MINUTES) : retry;
            when = clock.instant().plus(wait);
            LOG.info("{} of account {} skipped for {}: {}", what, account, wait, e.getMessage());
        } catch (AccountProblem e) {
            if (e.kind() == AccountProblem.Kind.NOT_FOUND) {
                return (complete, ops) -> ops.remove();
            }
            when = clock.instant().plus(retry);
            LOG.warn("{} of account {} failed, retrying in {}: {}", what, account, retry, e.getMessage());
        } catch (org.springframework.dao.ConcurrencyFailureException e) {
            // a deadlock or lock timeout: the other transaction has finished by now; waiting the retry period (an
            // account's deletion that met a notification's license changes waited five minutes) helps nobody
            when = clock.instant().plus(CONFLICT_RETRY);
            LOG.info("{} of account {} met a concurrent change ({}); trying again in {}", what, account,
                    e.getMostSpecificCause().getMessage(), CONFLICT_RETRY);
        } catch (RuntimeException e) {
            when = clock.instant().plus(retry);
            LOG.warn("{} of account {} failed, retrying in {}: {}", what, account, retry, e.toString(), e);
        }
        Instant at = when;
        return (complete, ops) -> ops.reschedule(complete, at);
    }
}
