package dev.orchard.server.operations;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.orchard.apple.AppleException;
import dev.orchard.apple.Endpoint;
import dev.orchard.apple.model.EventStatus;
import dev.orchard.apple.model.StatusResponse;
import dev.orchard.server.accounts.AccountBlockedException;
import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountUnavailableException;
import dev.orchard.server.accounts.AppleGateway;

/** Apple's polling guidance: no notification in 5 minutes → poll status, at least 30 s apart; pending 10 minutes → retry. */
@Component
class StatusPoller {

    static final Duration POLL_EVERY = Duration.ofSeconds(30);
    static final Duration RETRY_AFTER = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(StatusPoller.class);

    private final OperationStore store;
    private final Outcomes outcomes;
    private final OperationTasks tasks;
    private final AppleGateway gateway;
    private final TransactionTemplate tx;
    private final Clock clock;

    StatusPoller(OperationStore store, Outcomes outcomes, OperationTasks tasks, AppleGateway gateway, TransactionTemplate tx,
                 Clock clock) {
        this.store = store;
        this.outcomes = outcomes;
        this.tasks = tasks;
        this.gateway = gateway;
        this.tx = tx;
        this.clock = clock;
    }

    void watch() {
        Instant now = clock.instant();
        for (Object[] known : store.unmatchedNowKnown()) {
            tx.executeWithoutResult(s -> outcomes.replayUnmatched(new AccountId((Long) known[0]), (String) known[1]));
        }
        store.forgetUnmatched(now.minus(Duration.ofDays(1)));
        for (OperationStore.Operation op : store.sentOperations(1000)) {
            tx.executeWithoutResult(s -> {
                if (store.settleFromLedger(op.id(), now) > 0) {
                    store.closeIfDone(op.id(), now);
                }
            });
        }
        for (OperationStore.Operation op : store.dueForCheck(now)) {
            check(op);
        }
        store.accountsWithDueWork(clock.instant()).forEach(id -> tasks.dispatchNow(new AccountId(id)));
    }

    private void check(OperationStore.Operation op) {
        AccountId account = new AccountId(op.accountId());
        StatusResponse status;
        try {
            status = gateway.call(account, Endpoint.EVENT_STATUS, AppleGateway.Access.READ, (c, t) -> c.status(t, op.eventId()));
        } catch (AccountBlockedException e) {
            tx.executeWithoutResult(s -> store.checkAgain(op.id(), e.until()));
            return;
        } catch (AccountUnavailableException | AppleException e) {
            LOG.info("Status of operation {} (event {}) not read: {}", op.id(), op.eventId(), e.getMessage());
            tx.executeWithoutResult(s -> store.checkAgain(op.id(), clock.instant().plus(POLL_EVERY)));
            return;
        }
        Instant now = clock.instant();
        if (status.eventStatus() == EventStatus.COMPLETE || status.eventStatus() == EventStatus.FAILED) {
            tx.executeWithoutResult(s -> outcomes.status(op, status));
        } else if (op.sentAt() != null && !op.sentAt().plus(RETRY_AFTER).isAfter(now)) {
            LOG.info("Operation {} (event {}) still pending after {}; sending it again", op.id(), op.eventId(), RETRY_AFTER);
            tx.executeWithoutResult(s -> store.resend(op.id(), now));
            tasks.dispatchNow(account);
        } else {
            tx.executeWithoutResult(s -> store.checkAgain(op.id(), now.plus(POLL_EVERY)));
        }
    }
}
