package dev.orchard.server.operations;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.orchard.apple.model.ErrorResponse;
import dev.orchard.apple.model.StatusResponse;
import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.licensing.AssignmentOutcomes;
import dev.orchard.server.ledger.LicenseEvents;
import dev.orchard.server.ledger.LicenseLedger;

/**
 * Completes operations from what Apple reports — a notification (applied in the notification's transaction) or an
 * event status poll — target by target. Failures are handled per target: no licenses left (9709) puts the target on
 * the waitlist, an unknown user (9609) registers the user again and retries, anything else fails the target with
 * Apple's reason. Repeated reports change nothing.
 */
@Component
class Outcomes {

    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

    private final OperationStore store;
    private final LicenseLedger ledger;
    private final AssignmentOutcomes assignments;
    private final OperationTasks tasks;
    private final org.springframework.beans.factory.ObjectProvider<Outbox> outbox;
    private final Clock clock;

    Outcomes(OperationStore store, LicenseLedger ledger, AssignmentOutcomes assignments, OperationTasks tasks,
             org.springframework.beans.factory.ObjectProvider<Outbox> outbox, Clock clock) {
        this.store = store;
        this.ledger = ledger;
        this.assignments = assignments;
        this.tasks = tasks;
        this.outbox = outbox;
        this.clock = clock;
    }

    /** A notification about one of Apple's events (the ledger itself was updated by the notification's processor). */
    @EventListener
    void progress(LicenseEvents.AppleEventProgress e) {
        if (e.eventId() == null) {
            return;
        }
        Instant now = clock.instant();
        List<OperationStore.Operation> ops = store.byEvent(e.account(), e.eventId());
        if (ops.isEmpty()) {
            // the notification overtook Apple's answer to the request: kept until the eventId is recorded
            store.keepUnmatched(e.account(), e.eventId(), JSON.writeValueAsString(e), now);
            tasks.dispatchAfterCommit(e.account()); // its operation may be recorded meanwhile: the worker replays it
            return;
        }
        for (OperationStore.Operation op : ops) {
            if (e.success() && !e.licenses().isEmpty()) {
                store.finishNamed(op.id(), e.licenses(), now); // the common case, kept to indexed updates
                store.closeIfDone(op.id(), now);
                continue;
            }
            Set<String> named = new HashSet<>();
            e.licenses().forEach(k -> named.add(k.app() + "/" + k.pricingParam() + "/" + k.holder().value()));
            // a report naming nobody (a failure Apple gives without details) is about every target still open
            boolean all = e.licenses().isEmpty() && e.clientUserIds().isEmpty();
            for (OperationStore.Target t : store.targets(op.id())) {
                boolean open = t.state().equals("SENT") || t.state().equals("SENDING");
                boolean mentioned = all ? open : t.action().equals("CREATE_USER") ? e.clientUserIds().contains(t.clientUserId())
                        : named.contains(t.adamId() + "/" + t.pricingParam() + "/" + t.holder());
                if (!mentioned) {
                    continue;
                }
                if (e.success()) {
                    // a created user's waiting associations are woken by the ledger (AppleUsersRegistered)
                    store.finishTarget(t.id(), "DONE", null, null, now);
                } else {
                    targetFailed(t, e.errorNumber(), e.errorMessage(), now);
                }
            }
            store.closeIfDone(op.id(), now);
        }
    }

    /**
     * An operation in doubt (its request went out, no answer was recorded) takes the eventId of a kept report of the
     * same kind that names any of its open targets: Apple acted on the request, and the report says how it went. The
     * report is then applied to it. Returns true when one was adopted.
     */
    boolean adoptKeptReport(AccountId account, OperationStore.Operation op, Instant nextCheck) {
        var open = store.targets(op.id()).stream().filter(t -> t.state().equals("SENDING")).toList();
        for (OperationStore.KeptReport kept : store.keptReports(account)) {
            var report = JSON.readValue(kept.report(), LicenseEvents.AppleEventProgress.class);
            if (names(op.action(), report, open)) {
                store.sent(op.id(), kept.eventId(), clock.instant(), nextCheck);
                replayUnmatched(account, kept.eventId());
                return true;
            }
        }
        return false;
    }

    private static boolean names(String action, LicenseEvents.AppleEventProgress report, List<OperationStore.Target> open) {
        if (action.equals("CREATE_USER")) {
            return "CREATE".equals(report.action()) && open.stream().anyMatch(t -> report.clientUserIds().contains(t.clientUserId()));
        }
        if (!action.equals(report.action())) {
            return false;
        }
        var keys = new HashSet<>(report.licenses());
        return open.stream().anyMatch(t -> keys.contains(key(t)));
    }

    /** Applies reports that arrived before the operation's eventId was recorded; returns how many. */
    int replayUnmatched(AccountId account, String eventId) {
        List<String> reports = store.takeUnmatched(account, eventId);
        reports.forEach(r -> progress(JSON.readValue(r, LicenseEvents.AppleEventProgress.class)));
        return reports.size();
    }

    /** The final status of an operation, from a poll: what no notification confirmed is applied here. */
    void status(OperationStore.Operation op, StatusResponse status) {
        Instant now = clock.instant();
        AccountId account = new AccountId(op.accountId());
        List<OperationStore.Target> open = store.targets(op.id()).stream()
                .filter(t -> t.state().equals("SENT") || t.state().equals("SENDING")).toList();
        var failed = new HashSet<Long>();
        for (ErrorResponse error : status.failures()) {
            for (OperationStore.Target t : open) {
                if (named(t, error)) {
                    targetFailed(t, error.errorNumber(), error.errorMessage(), now);
                    failed.add(t.id());
                }
            }
        }
        var confirmedAssign = new ArrayList<LicenseLedger.Key>();
        var confirmedRemove = new ArrayList<LicenseLedger.Key>();
        var users = new ArrayList<String>();
        for (OperationStore.Target t : open) {
            if (failed.contains(t.id()) || !store.finishTarget(t.id(), "DONE", null, null, now)) {
                continue;
            }
            switch (t.action()) {
                case "ASSOCIATE" -> confirmedAssign.add(key(t));
                case "DISASSOCIATE" -> confirmedRemove.add(key(t));
                default -> users.add(t.clientUserId());
            }
        }
        ledger.applyConfirmed(account, true, confirmedAssign, now);
        ledger.applyConfirmed(account, false, confirmedRemove, now);
        if (!users.isEmpty()) {
            ledger.registerAppleUsers(account, users, now); // wakes the associations that waited (AppleUsersRegistered)
        }
        store.closeIfDone(op.id(), now);
    }

    private static boolean named(OperationStore.Target t, ErrorResponse error) {
        if (error.errorInfo() == null) {
            return true; // an error without details applies to every target of the event
        }
        var info = error.errorInfo();
        boolean holder = t.serialNumber() != null ? info.serialNumbers().contains(t.serialNumber())
                : info.clientUserIds().contains(t.clientUserId());
        boolean asset = t.adamId() == null || info.assets().isEmpty()
                || info.assets().stream().anyMatch(a -> a.adamId().equals(t.adamId()));
        boolean anyHolderNamed = !info.serialNumbers().isEmpty() || !info.clientUserIds().isEmpty();
        return asset && (holder || !anyHolderNamed);
    }

    /** One target failed at Apple. */
    void targetFailed(OperationStore.Target t, Integer errorNumber, String message, Instant now) {
        AccountId account = new AccountId(t.accountId());
        String reason = "Apple: " + (message == null ? "error" : message) + (errorNumber == null ? "" : " (" + errorNumber + ")");
        switch (FailureOutcome.of(t.action(), errorNumber, t.clientUserId() != null, t.attempts())) {
            case RETRY_LATER -> store.retryLater(t.id(), errorNumber, reason + "; sent again automatically",
                    now.plus(FailureOutcome.pauseAfter(t.attempts())), now);
            case REGISTER_USER_AGAIN -> {
                ledger.forgetAppleUser(account, t.clientUserId());
                store.requeue(t.id(), now);
                outbox.getObject().enqueueUserAgain(account, t.clientUserId(), "R9609", now);
            }
            case WAIT_FOR_LICENSES -> {
                if (store.finishTarget(t.id(), "FAILED", errorNumber, reason, now)) {
                    assignments.assignmentFailed(account, key(t), true, "no license left at Apple; waiting for licenses");
                }
            }
            case ASSIGNMENT_FAILED -> {
                if (store.finishTarget(t.id(), "FAILED", errorNumber, reason, now)) {
                    assignments.assignmentFailed(account, key(t), false, reason);
                }
            }
            case ALREADY_GONE -> {
                if (store.finishTarget(t.id(), "DONE", errorNumber, "Apple did not hold it any more", now)) {
                    ledger.applyConfirmed(account, false, List.of(key(t)), now);
                }
            }
            case RECLAIM_FAILED -> {
                if (store.finishTarget(t.id(), "FAILED", errorNumber, reason, now)) {
                    assignments.reclaimFailed(account, key(t), reason);
                }
            }
            case USER_EXISTED -> {
                if (store.finishTarget(t.id(), "DONE", errorNumber, "the user existed already", now)) {
                    ledger.registerAppleUsers(account, List.of(t.clientUserId()), now);
                }
            }
            case USER_FAILED -> {
                if (store.finishTarget(t.id(), "FAILED", errorNumber, reason, now)) {
                    // the user's associations cannot happen: they fail with the reason instead of waiting forever
                    for (OperationStore.Target waiting : store.queuedForUser(t.accountId(), t.clientUserId())) {
                        String why = "Apple could not register the user: " + reason;
                        if (store.finishTarget(waiting.id(), "FAILED", errorNumber, why, now)) {
                            assignments.assignmentFailed(account, key(waiting), false, why);
                        }
                    }
                }
            }
        }
    }

    static LicenseLedger.Key key(OperationStore.Target t) {
        return LicenseLedger.Key.of(t.adamId(), t.pricingParam(), t.serialNumber(), t.clientUserId());
    }
}
