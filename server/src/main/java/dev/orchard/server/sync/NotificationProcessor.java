package dev.orchard.server.sync;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import dev.orchard.apple.AppleNotifications;
import dev.orchard.apple.model.AppleNotification;
import dev.orchard.apple.model.AssetCountNotification;
import dev.orchard.apple.model.AssetManagementNotification;
import dev.orchard.apple.model.EventType;
import dev.orchard.apple.model.UserAssociatedNotification;
import dev.orchard.apple.model.UserManagementNotification;
import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.accounts.AccountWork;
import dev.orchard.server.ledger.LicenseEvents;
import dev.orchard.server.ledger.LicenseLedger;
import dev.orchard.server.system.DurableWork;
import dev.orchard.server.system.Scheduling;

/**
 * Applies Apple's notifications from the inbox, in arrival order, each in one transaction with its "processed"
 * mark: {@code ASSET_COUNT} moves a pool's totals, {@code ASSET_MANAGEMENT} successes add or remove ledger
 * entries (and counts, only for entries that really changed), user notifications update Apple users. The
 * webhook applies a notification right after storing it, so counts move within the request; the account's
 * notification worker applies anything left (after a crash, or a failure).
 */
@Component
public class NotificationProcessor {

    static final TaskDescriptor<Void> WORKER = TaskDescriptor.of("apple-notifications");
    /** How long the worker waits at most before it looks again for notifications the webhook left. */
    static final Duration SAFETY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(NotificationProcessor.class);

    private final JdbcClient jdbc;
    private final dev.orchard.server.ledger.LedgerPages ledger;
    private final LicenseLedger licenses;
    private final ApplicationEventPublisher events;
    private final SyncTasks syncTasks;
    private final DurableWork work;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final NotificationOrder order;
    private final dev.orchard.server.ledger.LedgerQueries queries;
    private final SettledTargets settledTargets;

    NotificationProcessor(JdbcClient jdbc, dev.orchard.server.ledger.LedgerPages ledger, LicenseLedger licenses,
                          dev.orchard.server.ledger.LedgerQueries queries, SettledTargets settledTargets,
                          ApplicationEventPublisher events, SyncTasks syncTasks, DurableWork work, TransactionTemplate tx, Clock clock) {
        this.work = work;
        this.queries = queries;
        this.settledTargets = settledTargets;
        this.jdbc = jdbc;
        this.order = new NotificationOrder(jdbc);
        this.ledger = ledger;
        this.licenses = licenses;
        this.events = events;
        this.syncTasks = syncTasks;
        this.tx = tx;
        this.clock = clock;
    }

    /**
     * The account's notification worker ({@code apple-notifications}, instance = account id): applies what the webhook
     * could not (a crash between storing and applying, a failure), every {@link #SAFETY} while nothing is left and
     * again in 30 s after a failure. The webhook applies each notification itself right after storing it.
     */
    @Bean
    static Task<Void> appleNotificationsTask(NotificationProcessor processor, AccountService accounts, DurableWork work, Clock clock) {
        return Tasks.custom(WORKER).onDeadExecution(Scheduling.reviveNow(clock)).execute((instance, context) ->
                AccountWork.run("Notifications", new AccountId(Long.parseLong(instance.getId())), clock, Duration.ofSeconds(30), account -> {
                    accounts.get(account); // a deleted account's worker ends (AccountProblem NOT_FOUND)
                    boolean all = processor.processAccount(account);
                    return work.next(false, all ? null : clock.instant().plusSeconds(30), SAFETY);
                }));
    }

    private boolean apply(long rowId, AccountId account, String body) {
        try {
            AppleNotification n = AppleNotifications.parse(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            order.ensure(account);
            Boolean resync = tx.execute(s -> {
                // one account's notifications apply one at a time, in the order they were stored: a second thread
                // (the webhook's, the sweep's, another node's) waits here and then sees the first one's changes
                order.hold(account);
                int claimed = jdbc.sql("update apple_notifications set processed_at = ? where id = ? and processed_at is null")
                        .params(Timestamp.from(clock.instant()), rowId).update();
                if (claimed != 1) {
                    return false;
                }
                String rejected = invalid(account, n);
                if (rejected != null) {
                    jdbc.sql("update apple_notifications set rejected_reason = ? where id = ?").params(rejected, rowId).update();
                    LOG.warn("Apple notification {} of account {} rejected, nothing changed: {}", rowId, account, rejected);
                    return rejected.startsWith(UNKNOWN_ASSET); // Apple's own lists say whether the asset exists
                }
                return apply(account, n);
            });
            if (Boolean.TRUE.equals(resync)) {
                syncTasks.syncNow(account, false);
            }
            return true;
        } catch (RuntimeException e) {
            LOG.warn("Apple notification {} of account {} could not be applied: {}", rowId, account, e.toString());
            return false;
        }
    }

    /** Larger changes of one pool's count in one notification are refused as implausible. */
    static final int MAX_COUNT_DELTA = 10_000_000;
    private static final String UNKNOWN_ASSET = "unknown asset";

    /**
     * Why a notification must change nothing, or null when it may be applied: an {@code ASSET_COUNT} for an asset the
     * account has no pool of, whose delta is beyond ±{@value #MAX_COUNT_DELTA}, or that would take the total below
     * zero or past 2,147,483,647.
     */
    private String invalid(AccountId account, AppleNotification n) {
        if (!(n.payload() instanceof AssetCountNotification c)) {
            return null;
        }
        if (Math.abs((long) c.countDelta()) > MAX_COUNT_DELTA) {
            return "countDelta " + c.countDelta() + " is beyond ±" + MAX_COUNT_DELTA;
        }
        var pool = queries.poolTotal(account, c.adamId(), c.pricingParam());
        if (pool.isEmpty()) {
            return UNKNOWN_ASSET + " " + c.adamId() + " (" + c.pricingParam() + "): a sync reads Apple's own counts";
        }
        long total = pool.get().total() + c.countDelta();
        if (!pool.get().unlimited() && (total < 0 || total > Integer.MAX_VALUE)) {
            return "countDelta " + c.countDelta() + " would take the total of " + c.adamId() + " from " + pool.get().total() + " to " + total;
        }
        return null;
    }

    /** Returns true when the notification showed Orchard does not know something and a sync should run. */
    private boolean apply(AccountId account, AppleNotification n) {
        var now = clock.instant();
        var payload = n.payload();
        if (payload instanceof AssetCountNotification c) {
            boolean known = licenses.countPurchased(account, c.asset().adamId(), c.asset().pricingParam(), c.countDelta()) > 0;
            if (known && c.countDelta() > 0) {
                events.publishEvent(new LicenseEvents.LicensesAvailable(account, c.asset().adamId()));
            }
            // the delta moves the counts at once; a sync then reads Apple's own counts, which settle them: a sync
            // page that read the assets before the purchase, or after it but applied before this notification,
            // would otherwise leave the count off by the delta until the next periodic sync (pools are written by
            // Apple's snapshots and by these deltas; Apple's notifications carry nothing to order them by)
            return true;
        }
        if (payload instanceof AssetManagementNotification m) {
            var keys = m.assignments().stream().map(LicenseLedger.Key::of).toList();
            boolean unknownPool = false;
            if (m.isSuccess()) {
                boolean add = m.type() == EventType.ASSOCIATE;
                var settled = m.eventId() == null ? java.util.Set.<LicenseLedger.Key>of() : settledTargets.settled(account, m.eventId(), keys);
                if (!settled.isEmpty()) {
                    LOG.info("Apple notification of event {} of account {} came after {} of its licenses were settled; "
                            + "those are left as they are", m.eventId(), account, settled.size());
                }
                unknownPool = !licenses.applyConfirmed(account, add, keys.stream().filter(k -> !settled.contains(k)).toList(), now)
                        .isEmpty();
            }
            events.publishEvent(new LicenseEvents.AppleEventProgress(account, m.eventId(), m.type() == null ? null : m.type().name(),
                    m.isSuccess(), keys, List.of(), m.error() == null ? null : m.error().errorNumber(),
                    m.error() == null ? null : m.error().errorMessage()));
            return unknownPool;
        }
        if (payload instanceof UserManagementNotification u) {
            if (u.isSuccess()) {
                ledger.saveUsers(account, u.users(), now);
            }
            publishUsers(account, u);
        } else if (payload instanceof UserAssociatedNotification u) {
            ledger.saveUsers(account, u.associatedUsers(), now);
        }
        return false;
    }

    private void publishUsers(AccountId account, UserManagementNotification u) {
        var ids = u.users().stream().map(dev.orchard.apple.model.ResponseUser::clientUserId).filter(java.util.Objects::nonNull).toList();
        events.publishEvent(new LicenseEvents.AppleEventProgress(account, u.eventId(), u.type() == null ? null : u.type().name(),
                u.isSuccess(), List.of(), ids, u.error() == null ? null : u.error().errorNumber(),
                u.error() == null ? null : u.error().errorMessage()));
    }


    /**
     * Applies the stored notifications of one account now, in stored order, a chunk at a time (called by the webhook
     * after storing one, and by the account's notification worker). Returns false when one could not be applied; it
     * is left for the worker, which is then sure to be scheduled.
     */
    public boolean processAccount(AccountId account) {
        record Pending(long id, String body) {
        }
        boolean all = true;
        long after = 0;
        while (true) {
            List<Pending> chunk = jdbc.sql("select id, body from apple_notifications where account_id = ? and processed_at is null "
                    + "and id > ? order by id limit 1000").params(account.value(), after)
                    .query((rs, n) -> new Pending(rs.getLong(1), rs.getString(2))).list();
            if (chunk.isEmpty()) {
                break;
            }
            for (Pending p : chunk) {
                all &= apply(p.id(), account, p.body());
                after = p.id();
            }
        }
        if (!all) {
            work.ensure(WORKER, account.toString());
        }
        return all;
    }
}
