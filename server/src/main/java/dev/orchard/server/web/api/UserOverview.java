package dev.orchard.server.web.api;

import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.orchard.server.accounts.AppleService;
import dev.orchard.server.inventory.DirectoryUser;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.ledger.LedgerQueries;

/** A user with groups, devices, licenses, waitlist and Apple registration per account: what the API and UI show. */
@Component
public class UserOverview {

    private final Inventory inventory;
    private final LedgerQueries ledger;
    private final JdbcClient jdbc;
    private final AppleService apple;

    UserOverview(Inventory inventory, LedgerQueries ledger, JdbcClient jdbc, AppleService apple) {
        this.inventory = inventory;
        this.ledger = ledger;
        this.jdbc = jdbc;
        this.apple = apple;
    }

    public Map<String, Object> of(String id) {
        DirectoryUser u = inventory.user(id);
        return Map.of("user", u, "groups", inventory.groupsOf(List.of(u.userId())).getOrDefault(u.userId(), java.util.Set.of()),
                "devices", inventory.devicesOwnedBy(List.of(u.userId())),
                "licenses", ledger.licenses(new LedgerQueries.LicenseFilter(null, null, null, u.userId(), null), 0, 1000),
                "waitlist", jdbc.sql("select adam_id, kind, reason, since from waitlist where holder_type = 'USER' and holder = ?")
                        .param(u.userId()).query().listOfRows(),
                "appleUsers", ledger.appleUsers(u.userId()).stream().map(row -> {
                    var withUrl = new java.util.LinkedHashMap<>(row);
                    withUrl.put("invitation_url", apple.invitationUrl((String) row.get("invite_code")));
                    return withUrl;
                }).toList());
    }
}
