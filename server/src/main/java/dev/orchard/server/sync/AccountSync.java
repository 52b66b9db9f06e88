package dev.orchard.server.sync;

import java.time.Clock;
import java.time.Instant;
import java.util.function.IntFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.orchard.apple.AppleApiException;
import dev.orchard.apple.Endpoint;
import dev.orchard.apple.PageWalk;
import dev.orchard.apple.model.Asset;
import dev.orchard.apple.model.AssetQuery;
import dev.orchard.apple.model.AssignmentQuery;
import dev.orchard.apple.model.GetAssignmentsResponse;
import dev.orchard.apple.model.PagedResponse;
import dev.orchard.apple.model.UserQuery;
import dev.orchard.server.accounts.AccountBlockedException;
import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AppleGateway;
import dev.orchard.server.system.NodeStopping;

/**
 * Reconciles one account with Apple (rule R5), page by page: users, then assets (always fully), then
 * assignments — incrementally from the last version when possible, fully on the first run, daily, on request,
 * after Apple rejects the version (9721) or when the data changed during a full walk. Each page is applied and
 * the cursor saved in one transaction, so a run interrupted anywhere (crash, Retry-After block) resumes at the
 * next page and applying a page twice changes nothing. After an incremental read, pools whose count at Apple
 * differs from the ledger are re-read in full to find removals (Apple's incremental reads do not list them).
 */
@Component
public class AccountSync {

    static final String FULL = "FULL";
    static final String INCREMENTAL = "INCREMENTAL";
    static final String USERS = "USERS";
    static final String ASSETS = "ASSETS";
    static final String ASSIGNMENTS = "ASSIGNMENTS";
    static final String RECONCILE = "RECONCILE";

    private static final Logger LOG = LoggerFactory.getLogger(AccountSync.class);

    private final AppleGateway gateway;
    private final SyncStates states;
    private final dev.orchard.server.ledger.LedgerPages ledger;
    private final dev.orchard.server.ledger.LicenseLedger licenses;
    private final DriftCounts drift;
    private final SyncProperties properties;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final NodeStopping node;

    AccountSync(AppleGateway gateway, SyncStates states, dev.orchard.server.ledger.LedgerPages ledger, dev.orchard.server.ledger.LicenseLedger licenses,
                SyncProperties properties, TransactionTemplate tx, DriftCounts drift, Clock clock, NodeStopping node) {
        this.node = node;
        this.drift = drift;
        this.licenses = licenses;
        this.gateway = gateway;
        this.states = states;
        this.ledger = ledger;
        this.properties = properties;
        this.tx = tx;
        this.clock = clock;
    }

    /** What a run ended with. */
    public record Outcome(long run, String kind, boolean fullNeededAgain) {
    }

    /**
     * Runs (or resumes) the account's sync to its end. A Retry-After block propagates as
     * {@link AccountBlockedException} with the run left in place, so the next attempt resumes it; so does a node that
     * is stopping ({@link NodeStopping.Stopped}, after the page being applied).
     */
    public Outcome run(AccountId id) {
        Instant now = clock.instant();
        SyncProgress p = states.load(id);
        long run;
        String kind;
        String phase;
        if (p.running()) {
            run = p.runId();
            kind = p.runKind();
            phase = p.phase();
            LOG.info("Resuming {} sync {} of account {} at {} page {}", kind, run, id, phase, p.nextPage());
        } else {
            boolean full = p.assignmentsVersion() == null || p.fullRequested() || p.lastFullAt() == null
                    || !p.lastFullAt().plus(properties.fullInterval()).isAfter(now);
            kind = full ? FULL : INCREMENTAL;
            run = states.startRun(id, kind, now);
            phase = USERS;
        }
        try {
            boolean fullAgain = false;
            if (USERS.equals(phase)) {
                users(id, run, kind);
                states.phase(id, ASSETS);
                phase = ASSETS;
            }
            if (ASSETS.equals(phase)) {
                assets(id, run);
                states.phase(id, ASSIGNMENTS);
                phase = ASSIGNMENTS;
            }
            if (ASSIGNMENTS.equals(phase)) {
                kind = assignments(id, run, kind);
                fullAgain = states.load(id).fullRequested();
                states.phase(id, RECONCILE);
                phase = RECONCILE;
            }
            if (RECONCILE.equals(phase) && INCREMENTAL.equals(kind)) {
                reconcile(id, run);
            }
            states.finishRun(id, run, "OK", fullAgain ? "the data changed during the walk; a full read follows" : null,
                    clock.instant(), FULL.equals(kind) && !fullAgain);
            ledger.readFinished(id);
            drift.recount(id);
            return new Outcome(run, kind, fullAgain);
        } catch (AccountBlockedException | NodeStopping.Stopped e) {
            throw e; // the run stays in place: the next attempt resumes it at its saved page
        } catch (RuntimeException e) {
            states.finishRun(id, run, "FAILED", e.getMessage(), clock.instant(), false);
            throw e;
        }
    }

    private void users(AccountId id, long run, String kind) {
        SyncProgress p = states.load(id);
        String since = FULL.equals(kind) ? null : p.usersVersion();
        try {
            walkUsers(id, run, since, p.nextPage() == null ? 0 : p.nextPage());
        } catch (AppleApiException e) {
            if (!e.isUnknownVersion()) {
                throw e;
            }
            LOG.info("Apple no longer knows users version {} of account {}: reading all users", since, id);
            states.phase(id, USERS);
            walkUsers(id, run, null, 0);
        }
        states.saveUsersVersion(id, states.load(id).firstVersion());
    }

    private void walkUsers(AccountId id, long run, String since, int start) {
        UserQuery query = since == null ? UserQuery.all() : UserQuery.all().since(since);
        walk(id, run, USERS, start, i -> gateway.call(id, Endpoint.GET_USERS, AppleGateway.Access.READ,
                (c, t) -> c.usersPage(t, query, i)), (page, requestedAt) -> {
                    ledger.saveUsers(id, page.items(), clock.instant());
                    return 0;
                });
    }

    private void assets(AccountId id, long run) {
        SyncProgress p = states.load(id);
        walk(id, run, ASSETS, p.nextPage() == null ? 0 : p.nextPage(), i -> gateway.call(id, Endpoint.GET_ASSETS,
                AppleGateway.Access.READ, (c, t) -> c.assetsPage(t, AssetQuery.all(), i)), (page, requestedAt) -> {
                    ledger.savePools(id, run, page.items(), clock.instant());
                    return 0;
                });
        tx.executeWithoutResult(s -> ledger.sweepPools(id, run));
    }

    /** Returns the kind the run ended as (an incremental read Apple refuses becomes full). */
    private String assignments(AccountId id, long run, String kind) {
        SyncProgress p = states.load(id);
        int start = p.nextPage() == null ? 0 : p.nextPage();
        if (INCREMENTAL.equals(kind)) {
            try {
                walkAssignments(id, run, AssignmentQuery.all().since(p.assignmentsVersion()), start);
                states.saveAssignmentsVersion(id, states.load(id).firstVersion());
                return INCREMENTAL;
            } catch (AppleApiException e) {
                if (!e.isUnknownVersion()) {
                    throw e;
                }
                LOG.info("Apple no longer knows assignments version {} of account {}: full read", p.assignmentsVersion(), id);
                states.phase(id, ASSIGNMENTS);
                states.changeKind(id, run, FULL);
                start = 0;
                kind = FULL;
            }
        }
        walkAssignments(id, run, AssignmentQuery.all(), start);
        SyncProgress done = states.load(id);
        if (done.versionChanged()) {
            LOG.info("Assignments of account {} changed during the full read; another full read follows", id);
            states.requestFull(id);
        } else {
            long removed = tx.execute(s -> (long) ledger.sweep(id, run, null, clock.instant()));
            states.countRun(run, 0, 0, removed);
        }
        states.saveAssignmentsVersion(id, done.firstVersion());
        return FULL;
    }

    private void walkAssignments(AccountId id, long run, AssignmentQuery query, int start) {
        walk(id, run, ASSIGNMENTS, start, i -> gateway.call(id, Endpoint.GET_ASSIGNMENTS, AppleGateway.Access.READ,
                (c, t) -> c.assignmentsPage(t, query, i)), new PageApply<GetAssignmentsResponse>() {
                    private boolean lastPageAllNew;

                    @Override
                    public int apply(GetAssignmentsResponse page, Instant requestedAt) {
                        var items = ledger.current(id, page.items(), requestedAt);
                        int added = ledger.confirm(id, run, items, clock.instant(), lastPageAllNew);
                        licenses.applySeen(id, items.stream().map(dev.orchard.server.ledger.LicenseLedger.Key::of).toList(), clock.instant());
                        lastPageAllNew = added == items.size();
                        return added;
                    }
                });
    }

    /** Re-reads in full every pool whose assigned count disagrees with the ledger, to find removals. */
    private void reconcile(AccountId id, long run) {
        for (Asset asset : ledger.poolsOutOfStep(id)) {
            node.check(); // between two pools: a pool's sweep needs its whole walk
            var query = AssignmentQuery.all().withAsset(asset);
            var requested = new java.util.concurrent.atomic.AtomicReference<Instant>();
            var walk = PageWalk.of(Endpoint.GET_ASSIGNMENTS.path(), i -> {
                requested.set(clock.instant()); // the walk is lazy: this is the request of the page iterated next
                return gateway.call(id, Endpoint.GET_ASSIGNMENTS, AppleGateway.Access.READ, (c, t) -> c.assignmentsPage(t, query, i));
            }, 0);
            for (var page : walk) {
                tx.executeWithoutResult(s -> {
                    var items = ledger.current(id, page.items(), requested.get());
                    int added = ledger.confirm(id, run, items, clock.instant(), false);
                    licenses.applySeen(id, items.stream().map(dev.orchard.server.ledger.LicenseLedger.Key::of).toList(), clock.instant());
                    states.countRun(run, 1, added, 0);
                });
            }
            if (!walk.versionChanged()) {
                long removed = tx.execute(s -> (long) ledger.sweep(id, run, asset, clock.instant()));
                states.countRun(run, 0, 0, removed);
            }
        }
    }

    /**
     * Applies each page and saves the cursor in one transaction; {@code apply} returns how many licenses were new.
     * The next page is fetched while the current one is applied (Apple allows up to 5 requests at once), so a
     * walk costs about max(fetch, apply) per page rather than their sum.
     */
    private <T, P extends PagedResponse<T>> void walk(AccountId id, long run, String phase, int start,
                                                       IntFunction<P> fetch, PageApply<P> apply) {
        if (start < 0) {
            return; // this phase was read to its end before an interruption
        }
        String known = states.load(id).firstVersion();
        int pagesApplied = 0;
        IntFunction<Requested<P>> timed = i -> {
            Instant at = clock.instant();
            return new Requested<>(fetch.apply(i), at);
        };
        java.util.concurrent.CompletableFuture<Requested<P>> next = java.util.concurrent.CompletableFuture.completedFuture(timed.apply(start));
        int index = start;
        long waited = 0;
        long applying = 0;
        while (next != null) {
            long t0 = System.nanoTime();
            Requested<P> requested = join(next);
            P page = requested.page();
            long t1 = System.nanoTime();
            waited += t1 - t0;
            Integer following = page.nextPageIndex();
            if (following != null && following <= index) {
                throw new IllegalStateException(phase + ": nextPageIndex " + following + " does not advance past " + index);
            }
            next = following == null ? null : java.util.concurrent.CompletableFuture.supplyAsync(() -> timed.apply(following), prefetch);
            String first = known == null ? page.versionId() : known;
            boolean changed = known != null && !known.equals(page.versionId());
            try {
                tx.executeWithoutResult(s -> {
                    int added = apply.apply(page, requested.requestedAt());
                    states.advance(id, phase, following == null ? -1 : following, page.totalPages(), page.items().size(),
                            first, changed);
                    states.countRun(run, 1, added, 0);
                });
            } catch (RuntimeException e) {
                if (next != null) {
                    next.cancel(false);
                }
                throw e;
            }
            applying += System.nanoTime() - t1;
            known = first;
            index = following == null ? index : following;
            pagesApplied++;
            if (ASSIGNMENTS.equals(phase)) {
                ledger.grew(pagesApplied);
            }
            if (next != null && node.stopping()) {
                next.cancel(false); // the page asked for is read again by whoever resumes: reading changes nothing
                node.check();
            }
        }
        LOG.debug("Account {} {}: {} pages read; waited {} ms for Apple, applied in {} ms", id, phase, pagesApplied,
                waited / 1_000_000, applying / 1_000_000);
    }

    /** Applies a page in the walk's transaction; {@code requestedAt} is when it was asked of Apple. Returns how many licenses were new. */
    private interface PageApply<P> {
        int apply(P page, Instant requestedAt);
    }

    private record Requested<P>(P page, Instant requestedAt) {
    }

    private static <P> P join(java.util.concurrent.CompletableFuture<P> future) {
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private final java.util.concurrent.ExecutorService prefetch = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "orchard-sync-prefetch");
        t.setDaemon(true);
        return t;
    });
}
