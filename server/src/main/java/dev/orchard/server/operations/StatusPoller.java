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
    private final AppleGateway gateway;
    private final TransactionTemplate tx;
    private final Clock clock;

    StatusPoller(OperationStore store, Outcomes outcomes, AppleGateway gateway, TransactionTemplate tx, Clock clock) {
        this.store = store;
        this.outcomes = outcomes;
        this.gateway = gateway;
        this.tx = tx;
        this.clock = clock;
    }

    /** Polls one operation's status; a pending one is checked again in 30 s and sent again after 10 minutes. */
    void check(OperationStore.Operation op) {
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
            tx.executeWithoutResult(s -> store.resend(op.id(), now)); // the worker sends it next
        } else {
            tx.executeWithoutResult(s -> store.checkAgain(op.id(), now.plus(POLL_EVERY)));
        }
    }
}
