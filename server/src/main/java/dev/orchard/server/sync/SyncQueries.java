package dev.orchard.server.sync;

import java.util.List;

import org.springframework.stereotype.Component;

import dev.orchard.server.accounts.AccountId;

/** Read models of an account's sync: where its current run stands and the runs before it. */
@Component
public class SyncQueries {

    private final SyncStates states;

    SyncQueries(SyncStates states) {
        this.states = states;
    }

    public SyncProgress progress(AccountId account) {
        return states.find(account).orElse(new SyncProgress(account.value(), null, null, null, false, null, null, null,
                null, null, null, null, null, false, null));
    }

    public List<SyncRun> history(AccountId account, int limit) {
        return states.history(account, limit);
    }
}
