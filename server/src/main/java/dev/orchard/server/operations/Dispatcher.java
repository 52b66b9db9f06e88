package dev.orchard.server.operations;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.orchard.apple.AppleApiException;
import dev.orchard.apple.Endpoint;
import dev.orchard.apple.RequestBatches;
import dev.orchard.apple.model.Asset;
import dev.orchard.apple.model.EventResponse;
import dev.orchard.apple.model.ManageAssetsRequest;
import dev.orchard.apple.model.ManageUsersRequest;
import dev.orchard.apple.model.RequestUser;
import dev.orchard.server.accounts.AccountBlockedException;
import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountUnavailableException;
import dev.orchard.server.accounts.AppleGateway;
import dev.orchard.server.accounts.AppleService;

/**
 * Sends an account's queued targets to Apple. Record intent, call, record outcome — never one transaction around the
 * call:
 * <ol>
 *   <li>due targets are grouped into operations, one per Apple request, in the fewest requests {@code service/config}
 *       allows (assets wanted by the same holders share requests), and claimed (state SENDING);</li>
 *   <li>just before the request goes out, the operation's {@code attempted_at} is committed (inside the gateway's
 *       call, after the rate limit and any Retry-After block);</li>
 *   <li>Apple's answer records the eventId (SENT) and clears the attempt; a refusal (Apple answered, so it did not
 *       act) fails the targets or, for a block, clears the attempt so the operation is simply sent later.</li>
 * </ol>
 * Nothing is sent twice. An operation still SENDING without an attempt never left and is sent. One with an attempt is
 * <em>in doubt</em> (a crash between 2 and 3, an answer lost on its way back) and is sent again only when
 * {@link OperationsInDoubt} finds nothing that shows Apple acted on it.
 */
@Component
class Dispatcher {

    static final Duration FIRST_CHECK = Duration.ofMinutes(5);
    private static final int ROUND = 20_000;

    private final OperationStore store;
    private final Outcomes outcomes;
    private final AppleGateway gateway;
    private final AppleService apple;
    private final OperationsInDoubt inDoubt;
    private final TransactionTemplate tx;
    private final Clock clock;

    Dispatcher(OperationStore store, Outcomes outcomes, AppleGateway gateway, AppleService apple, OperationsInDoubt inDoubt,
               TransactionTemplate tx, Clock clock) {
        this.inDoubt = inDoubt;
        this.store = store;
        this.outcomes = outcomes;
        this.gateway = gateway;
        this.apple = apple;
        this.tx = tx;
        this.clock = clock;
    }

    /** Sends everything due; an {@code AccountBlockedException} leaves the rest for when the block ends. */
    int dispatch(AccountId account) {
        int sent = 0;
        for (OperationStore.Operation op : store.inState(account, "SENDING")) {
            if (!op.inDoubt() || inDoubt.mayResend(account, op)) {
                sent += send(account, op.id(), op.action());
            }
        }
        while (true) {
            List<long[]> created = tx.execute(s -> batch(account));
            if (created == null || created.isEmpty()) {
                return sent;
            }
            for (long[] op : created) {
                sent += send(account, op[0], ACTIONS[(int) op[1]]);
            }
        }
    }

    /** Whether work is due now: queued targets, or an operation to send (again). */
    boolean hasDueWork(AccountId account) {
        Instant now = clock.instant();
        return !store.due(account, now, 1).isEmpty() || store.inState(account, "SENDING").stream()
                .anyMatch(op -> !op.inDoubt() || !op.attemptedAt().plus(OperationsInDoubt.WAIT).isAfter(now));
    }

    private static final String[] ACTIONS = {"ASSOCIATE", "DISASSOCIATE", "CREATE_USER"};

    /** Groups due targets into operations; returns [operation id, action index]. */
    private List<long[]> batch(AccountId account) {
        Instant now = clock.instant();
        List<OperationStore.Target> due = store.due(account, now, ROUND);
        // a pair queued for both association and disassociation goes in order: stop the round at the second one
        Map<String, String> pairAction = new HashMap<>();
        var take = new ArrayList<OperationStore.Target>();
        for (OperationStore.Target t : due) {
            String pair = t.adamId() + "/" + t.pricingParam() + "/" + t.holder();
            String previous = t.adamId() == null ? null : pairAction.putIfAbsent(pair, t.action());
            if (previous != null && !previous.equals(t.action())) {
                break;
            }
            take.add(t);
        }
        var created = new ArrayList<long[]>();
        var limits = apple.limits();
        for (int a = 0; a < ACTIONS.length; a++) {
            String action = ACTIONS[a];
            List<OperationStore.Target> targets = take.stream().filter(t -> t.action().equals(action)).toList();
            if (targets.isEmpty()) {
                continue;
            }
            if (action.equals("CREATE_USER")) {
                Map<String, OperationStore.Target> byUser = new LinkedHashMap<>();
                targets.forEach(t -> byUser.put(t.clientUserId(), t));
                var users = byUser.values().stream().map(t -> new RequestUser(t.clientUserId(), t.email(), t.managedAppleId())).toList();
                for (ManageUsersRequest r : RequestBatches.users(users, limits)) {
                    List<Long> ids = targets.stream().filter(t -> r.users().stream()
                            .anyMatch(u -> u.clientUserId().equals(t.clientUserId()))).map(OperationStore.Target::id).toList();
                    add(created, store.create(account, action, r.users().size() + " users", ids, now), a);
                }
                continue;
            }
            // holders per asset, then assets that share exactly the same holders travel together
            Map<Asset, TreeSet<String>[]> holders = new LinkedHashMap<>();
            Map<String, List<Long>> idsByPair = new HashMap<>();
            for (OperationStore.Target t : targets) {
                Asset asset = new Asset(t.adamId(), t.pricingParam());
                @SuppressWarnings("unchecked")
                TreeSet<String>[] sets = holders.computeIfAbsent(asset, k -> new TreeSet[] {new TreeSet<>(), new TreeSet<>()});
                sets[t.serialNumber() != null ? 0 : 1].add(t.holder());
                idsByPair.computeIfAbsent(asset.adamId() + "/" + asset.pricingParam() + "/" + t.holder(), k -> new ArrayList<>()).add(t.id());
            }
            Map<List<TreeSet<String>>, List<Asset>> assetsBySameHolders = new LinkedHashMap<>();
            holders.forEach((asset, sets) -> assetsBySameHolders.computeIfAbsent(List.of(sets[0], sets[1]), k -> new ArrayList<>()).add(asset));
            for (var group : assetsBySameHolders.entrySet()) {
                for (ManageAssetsRequest r : RequestBatches.manageAssets(group.getValue(), group.getKey().get(0),
                        group.getKey().get(1), limits)) {
                    var ids = new ArrayList<Long>();
                    for (Asset asset : r.assets()) {
                        for (String h : concat(r.serialNumbers(), r.clientUserIds())) {
                            ids.addAll(idsByPair.getOrDefault(asset.adamId() + "/" + asset.pricingParam() + "/" + h, List.of()));
                        }
                    }
                    String assets = String.join(",", r.assets().stream().map(Asset::adamId).toList());
                    add(created, store.create(account, action, assets, ids, now), a);
                }
            }
        }
        return created;
    }

    /** Keeps an operation that claimed targets (-1: every target was cancelled after it was read). */
    private static void add(List<long[]> created, long operationId, int action) {
        if (operationId >= 0) {
            created.add(new long[] {operationId, action});
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        var all = new ArrayList<String>(a == null ? List.of() : a);
        if (b != null) {
            all.addAll(b);
        }
        return all;
    }

    /** Sends one operation; returns 1 when Apple accepted it. */
    private int send(AccountId account, long operationId, String action) {
        List<OperationStore.Target> targets = store.targets(operationId).stream()
                .filter(t -> t.state().equals("SENDING")).toList();
        if (targets.isEmpty()) {
            tx.executeWithoutResult(s -> store.closeIfDone(operationId, clock.instant()));
            return 0;
        }
        EventResponse response;
        try {
            response = switch (action) {
                case "CREATE_USER" -> {
                    var users = targets.stream().map(t -> new RequestUser(t.clientUserId(), t.email(), t.managedAppleId())).toList();
                    yield gateway.call(account, Endpoint.CREATE_USERS, AppleGateway.Access.WRITE,
                            (c, token) -> {
                                store.attempted(operationId, clock.instant());
                                return c.createUsers(token, new ManageUsersRequest(users));
                            });
                }
                default -> {
                    var assets = targets.stream().map(t -> new Asset(t.adamId(), t.pricingParam())).distinct().toList();
                    var serials = targets.stream().map(OperationStore.Target::serialNumber).filter(java.util.Objects::nonNull).distinct().toList();
                    var users = targets.stream().map(OperationStore.Target::clientUserId).filter(java.util.Objects::nonNull).distinct().toList();
                    var request = new ManageAssetsRequest(assets, users.isEmpty() ? null : users, serials.isEmpty() ? null : serials);
                    boolean associate = action.equals("ASSOCIATE");
                    yield gateway.call(account, associate ? Endpoint.ASSOCIATE_ASSETS : Endpoint.DISASSOCIATE_ASSETS,
                            AppleGateway.Access.WRITE, (c, token) -> {
                                store.attempted(operationId, clock.instant());
                                return associate ? c.associate(token, request) : c.disassociate(token, request);
                            });
                }
            };
        } catch (AccountBlockedException e) {
            if (!e.maybeDelivered()) {
                store.notAttempted(operationId); // refused before or by Apple: it is sent when the block ends
            }
            throw e;
        } catch (AccountUnavailableException e) {
            store.notAttempted(operationId);
            throw e;
        } catch (AppleApiException e) {
            // Apple refused the request itself (validation): every target fails with Apple's error
            tx.executeWithoutResult(s -> {
                Instant now = clock.instant();
                store.failOperation(operationId, "Apple refused the request: " + e.getMessage(), now);
                targets.forEach(t -> outcomes.targetFailed(t, e.errorNumber().orElse(null), e.getMessage(), now));
            });
            return 0;
        }
        Instant now = clock.instant();
        tx.executeWithoutResult(s -> {
            store.sent(operationId, response.eventId(), now, now.plus(FIRST_CHECK));
            outcomes.replayUnmatched(account, response.eventId());
            if (store.settleFromLedger(operationId, now) > 0) {
                store.closeIfDone(operationId, now);
            }
        });
        return 1;
    }
}
