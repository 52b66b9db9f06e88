package dev.orchard.server.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.licensing.LicensingScenario;
import dev.orchard.server.licensing.OperationQueue;

/**
 * A user Apple says it does not know (9609) is created again even while an earlier creation of it is still open:
 * that creation may have been answered before Apple lost the user, and closing it registers nobody (a full run once
 * left an assignment waiting for good this way). A creation still queued does stand in for it.
 */
class UserCreationAgainTests extends LicensingScenario {

    @Override
    protected boolean stepped() {
        return true;
    }

    @Test
    void aUserAppleLostIsCreatedAgainWhileAnEarlierCreationIsStillOpen() {
        AccountId account = new AccountId(us);
        Outbox outbox = orchard.bean(Outbox.class);
        var creation = new OperationQueue.Queued(account, OperationQueue.Action.CREATE_USER, null, null, null, "erin",
                "erin@example.com", null, "USER_NEEDED", clock.instant());
        outbox.enqueue(List.of(creation));
        db().sql("update operation_targets set state = 'SENT' where client_user_id = 'erin'").update();

        outbox.enqueue(List.of(creation));
        assertThat(creations("QUEUED")).as("a creation of a user already sent is not queued twice").isZero();

        outbox.enqueueUserAgain(account, "erin", "R9609", clock.instant());
        assertThat(creations("QUEUED")).as("Apple lost the user: it is created again").isEqualTo(1);
        outbox.enqueueUserAgain(account, "erin", "R9609", clock.instant());
        assertThat(creations("QUEUED")).as("one creation still queued stands in for another").isEqualTo(1);

        db().sql("update operation_targets set state = 'DONE' where client_user_id = 'erin' and state = 'SENT'").update();
        settle();
        assertThat(simRequests("users/create", 200)).isEqualTo(1);
        assertThat(count("select count(*) from apple_users where client_user_id = 'erin'")).isEqualTo(1);
    }

    private long creations(String state) {
        return count("select count(*) from operation_targets where client_user_id = 'erin' and action = 'CREATE_USER' and state = ?",
                state);
    }
}
