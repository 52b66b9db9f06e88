package dev.orchard.server.licensing;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The outbox of Apple operations against the simulator: per-target failures (9709, 9609), a Retry-After in the
 * middle of a batch, a restart with an operation in flight, and a reclaim's grace period.
 * {@link PostgresOutboxTests} runs the same on PostgreSQL.
 */
class OutboxTests extends LicensingScenario {

    /** Background work runs when the test steps it: each settling is deterministic, no scheduler thread races it. */
    @Override
    protected boolean stepped() {
        return true;
    }

    /**
     * Apple has no license left although Orchard counts some (another tool assigned them; Apple sends no
     * notification for that): the targets Apple refuses with 9709 wait, the pool counts none until the sync the
     * refusal asks for reads Apple's count, and no pass sends them again until Apple's count changes (a purchase).
     */
    @Test
    void targetsAppleRefusesForLackOfLicensesWaitUntilApplesCountChanges() {
        usDevicesGetFieldNotes();
        long counted = count("select available_count from pools where account_id = ? and adam_id = ?", us, FIELD_NOTES);
        assertThat(counted).isPositive();
        for (int i = 0; i < counted; i++) {
            control.post("locations/" + usUid + "/assignments", "{\"adamId\":\"" + FIELD_NOTES + "\",\"serialNumber\":\"ELSEWHERE" + i + "\"}");
        }
        JsonNode before = call("GET", "/api/v1/accounts/" + us + "/sync", null);
        call("POST", "/api/v1/devices", phones("FULL", 2));
        settle();
        orchard.awaitSyncs(us, before.get("history").size() + 1);
        settle();

        assertThat(orchardLicenses("and serial_number like 'FULL%'")).isZero();
        JsonNode op = call("GET", "/api/v1/operations", null).get("items").get(0);
        assertThat(op.get("state").asString()).isEqualTo("FAILED");
        JsonNode detail = call("GET", "/api/v1/operations/" + op.get("id").asLong(), null);
        assertThat(detail.get("targets").findValuesAsString("state")).containsOnly("FAILED");
        assertThat(detail.get("targets").get(0).get("errorNumber").asInt()).isEqualTo(9709);
        assertThat(call("GET", "/api/v1/waitlist?kind=WAITING", null).get("items")).hasSize(2);
        assertThat(count("select available_count from pools where account_id = ? and adam_id = ?", us, FIELD_NOTES))
                .as("Apple's count, read again").isZero();

        call("POST", "/api/v1/licensing/pass", null);
        settle();
        assertThat(simRequests("assets/associate", 200)).as("nothing sent again while Apple has none").isEqualTo(1);
        assertThat(call("GET", "/api/v1/waitlist?kind=WAITING", null).get("items")).hasSize(2);

        control.post("locations/" + usUid + "/purchases", "{\"adamId\":\"" + FIELD_NOTES + "\",\"count\":2}");
        until("both licensed after the purchase", () -> {
            settle();
            return orchardLicenses("and serial_number like 'FULL%' and intent is null") == 2;
        });
        assertThat(call("GET", "/api/v1/waitlist?kind=WAITING", null).get("items")).isEmpty();
    }

    /**
     * Apple refuses for lack of licenses while its own count shows some (a transient refusal): the sync the refusal
     * asks for reads the count again, and the targets are assigned without waiting for the next periodic pass.
     */
    @Test
    void aRefusalApplesOwnCountContradictsIsRetriedOnceTheCountIsReadAgain() {
        usDevicesGetFieldNotes();
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"path\":\"assets/associate\",\"asyncErrorNumber\":9709,\"count\":1}");
        call("POST", "/api/v1/devices", phones("FULL", 2));
        until("both licensed", () -> {
            settle();
            return orchardLicenses("and serial_number like 'FULL%' and intent is null") == 2;
        });
        assertThat(simRequests("assets/associate", 200)).as("refused once, then sent again once").isEqualTo(2);
        assertThat(call("GET", "/api/v1/waitlist?kind=WAITING", null).get("items")).isEmpty();
    }

    /**
     * Apple refuses an assignment for good (here 9635): the target is shown as blocked with Apple's reason; an
     * administrator retries the operation, the blocked entry goes, the assignment is sent again and Apple makes it.
     */
    @Test
    void aFailedOperationRetriedByAnAdministratorIsAssignedAndNoLongerShownAsBlocked() {
        usDevicesGetFieldNotes();
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"path\":\"assets/associate\",\"asyncErrorNumber\":9635,\"count\":1}");
        call("POST", "/api/v1/devices", phones("RETRY", 1));
        until("the assignment failed", () -> {
            settle();
            return count("select count(*) from operation_targets where serial_number = 'RETRY1' and state = 'FAILED'") == 1;
        });
        JsonNode blocked = call("GET", "/api/v1/devices/RETRY1/why", null).get("items").get(0);
        assertThat(blocked.get("state").asString()).isEqualTo("BLOCKED");
        assertThat(blocked.get("reason").asString()).contains("9635");
        long operation = count("select operation_id from operation_targets where serial_number = 'RETRY1'");
        assertThat(call("GET", "/api/v1/operations/" + operation, null).toString()).contains("9635");

        assertThat(call("POST", "/api/v1/operations/" + operation + "/retry", null).get("requeued").asInt()).isOne();
        assertThat(count("select count(*) from waitlist where holder = 'RETRY1'")).as("no longer shown as blocked").isZero();
        until("licensed", () -> {
            settle();
            return orchardLicenses("and serial_number = 'RETRY1' and intent is null") == 1;
        });
        assertThat(call("GET", "/api/v1/devices/RETRY1/why", null).get("items").get(0).get("state").asString()).isEqualTo("LICENSED");
    }

    /**
     * Apple accepts the request, then reports trouble of its own (9644, maintenance): nothing fails; the targets wait a
     * minute with Apple's reason shown, are sent again on their own, and are assigned.
     */
    @Test
    void anAssignmentAppleCouldNotDoForMaintenanceIsSentAgainAfterAPause() {
        usDevicesGetFieldNotes();
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"path\":\"assets/associate\",\"asyncErrorNumber\":9644,\"count\":1}");
        call("POST", "/api/v1/devices", phones("MAINT", 2));
        until("both waiting to be sent again", () -> {
            settle();
            return count("select count(*) from operation_targets where serial_number like 'MAINT%' and state = 'QUEUED' "
                    + "and error_number = 9644") == 2;
        });
        JsonNode queued = call("GET", "/api/v1/operations/queued", null).get("items");
        assertThat(queued).hasSize(2);
        assertThat(queued.get(0).get("error").asString()).contains("maintenance").contains("sent again automatically");
        assertThat(count("select count(*) from operation_targets where state = 'FAILED'")).isZero();
        assertThat(orchardLicenses("and serial_number like 'MAINT%' and intent = 'ASSIGN'")).as("still wanted").isEqualTo(2);
        settle();
        assertThat(simRequests("assets/associate", 200)).as("not before the pause").isEqualTo(1);

        clock.advance(Duration.ofSeconds(61));
        until("both licensed", () -> {
            settle();
            return orchardLicenses("and serial_number like 'MAINT%' and intent is null") == 2;
        });
        assertThat(simRequests("assets/associate", 200)).as("sent once more").isEqualTo(2);
        assertThat(count("select count(*) from operation_targets where serial_number like 'MAINT%' and error is not null"))
                .as("the error is cleared once it worked").isZero();
    }

    @Test
    void aRetryAfterInTheMiddleOfABatchHoldsTheRestUntilItEnds() {
        control.post("locations/" + usUid + "/purchases", "{\"adamId\":\"" + FIELD_NOTES + "\",\"count\":2000}");
        until("the purchase", () -> count("select total_count from pools where account_id = ? and adam_id = ?", us, FIELD_NOTES) == 2250);
        usDevicesGetFieldNotes();
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"path\":\"assets/associate\",\"status\":503,\"retryAfterSeconds\":120,\"count\":1}");
        call("POST", "/api/v1/devices", phones("BATCH", 1500));
        until("the block", () -> simRequests("assets/associate", 503) == 1
                && count("select count(*) from licensing_pass where running = false and wanted = false "
                + "and not exists (select 1 from licensing_subjects)") == 1);
        assertThat(simRequests("assets/associate", 200)).as("nothing is sent early").isZero();

        clock.advance(Duration.ofSeconds(121));
        settle();
        assertThat(simRequests("assets/associate", 200)).as("⌈1500 / 1000⌉ requests, each once").isEqualTo(2);
        assertThat(orchardLicenses("and serial_number like 'BATCH%' and intent is null")).isEqualTo(1500);
    }

    @Test
    void operationsInFlightSurviveARestartAndAreSentOnce() {
        usDevicesGetFieldNotes();
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"path\":\"assets/associate\",\"status\":503,\"retryAfterSeconds\":60,\"count\":1}");
        call("POST", "/api/v1/devices", phones("RESTART", 3));
        until("the block", () -> simRequests("assets/associate", 503) == 1);
        orchard.close();

        clock.advance(Duration.ofSeconds(61));
        startOrchard();
        // the simulator's quick notification retries may all fall before the restarted node listens: then the
        // operation is completed by polling Apple's event status once no notification came within 5 minutes
        until("the operation sent", () -> simRequests("assets/associate", 200) == 1);
        clock.advance(Duration.ofMinutes(5));
        settle();
        assertThat(simRequests("assets/associate", 200)).isEqualTo(1);
        assertThat(orchardLicenses("and serial_number like 'RESTART%' and intent is null")).isEqualTo(3);
        assertThat(count("select count(*) from operations")).isEqualTo(1);
    }

    /**
     * Apple acts on an association and the answer is lost on its way back: the operation is in doubt, Apple's report
     * of the event (kept, since no operation knew its eventId) names its targets, and the operation takes it. Apple
     * sees the request once.
     */
    @Test
    void anAssociationWhoseAnswerWasLostIsNotSentAgain() {
        usDevicesGetFieldNotes();
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"path\":\"assets/associate\",\"dropAnswer\":true,\"count\":1}");
        call("POST", "/api/v1/devices", phones("LOST", 3));
        until("the answer lost", () -> simRequests("assets/associate", 0) == 1);
        settle();

        assertThat(simRequests("assets/associate", 0) + simRequests("assets/associate", 200)).as("requests Apple saw").isEqualTo(1);
        assertThat(orchardLicenses("and serial_number like 'LOST%' and intent is null")).isEqualTo(3);
        assertThat(count("select count(*) from operations where state = 'COMPLETE' and event_id is not null")).isEqualTo(1);
    }

    /**
     * A request whose connection broke before Apple acted on it: Orchard cannot tell, so the operation is in doubt;
     * no report comes and a read of the account shows nothing, so it waits five minutes from the attempt and is then
     * sent once more. It is not sent earlier, however often the worker runs.
     */
    @Test
    void anAssociationInDoubtIsSentAgainOnlyWhenNothingShowsAppleActedOnIt() {
        usDevicesGetFieldNotes();
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"path\":\"assets/associate\",\"drop\":true,\"count\":1}");
        long syncs = call("GET", "/api/v1/accounts/" + us + "/sync", null).get("history").size();
        call("POST", "/api/v1/devices", phones("DOUBT", 2));
        until("the request dropped", () -> simRequests("assets/associate", 0) == 1);
        assertThat(count("select count(*) from operations where state = 'SENDING' and attempted_at is not null")).isEqualTo(1);

        clock.advance(Duration.ofMinutes(2)); // past the backoff the lost connection caused: a read of the account runs
        orchard.awaitSyncs(us, (int) syncs + 1);
        assertThat(simRequests("assets/associate", 200)).as("not sent again while it may still be at Apple").isZero();
        assertThat(count("select count(*) from operations where state = 'SENDING' and attempted_at is not null")).isEqualTo(1);

        clock.advance(Duration.ofMinutes(4));
        settle();
        assertThat(simRequests("assets/associate", 200)).as("sent again once").isEqualTo(1);
        assertThat(orchardLicenses("and serial_number like 'DOUBT%' and intent is null")).isEqualTo(2);
    }

    @Test
    void aReclaimInItsGracePeriodCanBeCancelled() {
        orchard.close();
        settings.put("orchard.licensing.reclaim-grace", "1h");
        startOrchard();
        usDevicesGetFieldNotes();
        call("POST", "/api/v1/devices", phones("GRACE", 1));
        settle();
        long license = count("select id from licenses where serial_number = 'GRACE1'");

        call("POST", "/api/v1/licenses/" + license + "/reclaim", null);
        assertThat(call("GET", "/api/v1/operations/queued", null).get("items")).hasSize(1);
        call("POST", "/api/v1/licenses/" + license + "/reclaim/cancel", null);
        assertThat(call("GET", "/api/v1/operations/queued", null).get("items")).isEmpty();
        clock.advance(Duration.ofHours(2));
        settle();
        assertThat(simRequests("assets/disassociate", 200)).isZero();
        assertThat(count("select count(*) from licenses where id = ? and intent is null", license)).isEqualTo(1);
        assertThat(call("GET", "/api/v1/audit?action=RECLAIM_CANCELLED", null).get("items")).hasSize(1);

        call("POST", "/api/v1/licenses/" + license + "/reclaim", null);
        clock.advance(Duration.ofMinutes(61));
        settle();
        assertThat(simRequests("assets/disassociate", 200)).isEqualTo(1);
        assertThat(count("select count(*) from licenses where id = ?", license)).isZero();
        assertThat(orchard.method("POST", "/api/v1/licenses/" + license + "/reclaim/cancel", ADMIN_TOKEN, null).status()).isEqualTo(409);
    }

    @Test
    void aUserAppleLostIsRegisteredAgainAndTheAssignmentRetried() {
        call("PUT", "/api/v1/users/dave", "{\"email\":\"dave@example.com\"}");
        label("{\"kind\":\"LICENSE\",\"name\":\"Dave\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"USER\",\"value\":\"dave\"}]}");
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"path\":\"assets/associate\",\"asyncErrorNumber\":9609,\"count\":1}");
        label("{\"kind\":\"APP\",\"name\":\"Handbook\",\"adamIds\":[\"" + BOOK + "\"],\"targets\":[{\"type\":\"USER\",\"value\":\"dave\"}]}");
        settle();

        assertThat(count("select count(*) from licenses where client_user_id = 'dave' and adam_id = ? and intent is null", BOOK)).isEqualTo(1);
        assertThat(simRequests("users/create", 200)).isEqualTo(2);
        assertThat(simRequests("assets/associate", 200)).isEqualTo(2);
    }
}
