package dev.orchard.server.web.admin;

import java.util.HashMap;
import java.util.Map;

import org.springframework.stereotype.Component;

import dev.orchard.server.accounts.AccountService;

/** The names pages show instead of ids: accounts by id (read once per page). */
@Component
class Names {

    private final AccountService accounts;

    Names(AccountService accounts) {
        this.accounts = accounts;
    }

    /** Every account's name by its id. */
    Map<Long, String> accounts() {
        var names = new HashMap<Long, String>();
        accounts.list().forEach(a -> names.put(a.id().value(), a.name()));
        return names;
    }
}
