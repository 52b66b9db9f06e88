package dev.orchard.server.web.api;

import java.util.List;

import org.springframework.stereotype.Component;

import dev.orchard.server.accounts.AppleService;
import dev.orchard.server.inventory.DirectoryUser;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.ledger.LedgerQueries;
import dev.orchard.server.licensing.Waitlist;

/** A user with groups, devices, licenses, waitlist and Apple registration per account: what the API and UI show. */
@Component
public class UserOverview {

    private final Inventory inventory;
    private final LedgerQueries ledger;
    private final Waitlist waitlist;
    private final AppleService apple;

    UserOverview(Inventory inventory, LedgerQueries ledger, Waitlist waitlist, AppleService apple) {
        this.inventory = inventory;
        this.ledger = ledger;
        this.waitlist = waitlist;
        this.apple = apple;
    }

    /** A user's Apple registration in one account, with the URL that accepts the invitation while there is one. */
    public record AppleRegistration(long accountId, String status, String email, String inviteCode, String invitationUrl,
                                    java.time.Instant updatedAt) {
    }

    /** Everything about one user, as the API answers and the user page shows it. */
    public record Overview(DirectoryUser user, java.util.Set<String> groups, List<dev.orchard.server.inventory.Device> devices,
                           List<LedgerQueries.License> licenses, List<Waitlist.Entry> waitlist,
                           List<AppleRegistration> appleUsers) {
    }

    public Overview of(String id) {
        DirectoryUser u = inventory.user(id);
        return new Overview(u, inventory.groupsOf(List.of(u.userId())).getOrDefault(u.userId(), java.util.Set.of()),
                inventory.devicesOwnedBy(List.of(u.userId())),
                ledger.licenses(new LedgerQueries.LicenseFilter(null, null, null, u.userId(), null), 0, 1000),
                waitlist.ofHolder("USER", u.userId()),
                ledger.appleUsers(u.userId()).stream().map(a -> new AppleRegistration(a.accountId(), a.status(), a.email(),
                        a.inviteCode(), apple.invitationUrl(a.inviteCode()), a.updatedAt())).toList());
    }
}
