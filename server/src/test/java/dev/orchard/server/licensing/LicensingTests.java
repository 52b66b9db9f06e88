package dev.orchard.server.licensing;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The licensing engine end to end against the simulator: labels → decisions → batched Apple operations →
 * notifications; every reclaim trigger (R4a–d), the waitlist filled by a purchase, user-based licenses, the audit
 * trail and bad input ({@link OutboxTests} covers Apple's failures, Retry-After, restarts and the grace period).
 * {@link PostgresLicensingTests} runs the same on PostgreSQL.
 */
class LicensingTests extends LicensingScenario {

    /** Background work runs when the test steps it: each settling is deterministic, no scheduler thread races it. */
    @Override
    protected boolean stepped() {
        return true;
    }

    @Test
    void labelsAssignDeviceLicensesInOneRequestThatAppleConfirms() {
        long assignedBefore = count("select assigned_count from pools where account_id = ? and adam_id = ?", us, FIELD_NOTES);
        usDevicesGetFieldNotes();
        call("POST", "/api/v1/devices", phones("TESTPHONE", 5));
        settle();

        assertThat(orchardLicenses("and serial_number like 'TESTPHONE%' and intent is null and confirmed_at is not null")).isEqualTo(5);
        assertThat(simRequests("assets/associate", 200)).isEqualTo(1);
        assertThat(count("select assigned_count from pools where account_id = ? and adam_id = ?", us, FIELD_NOTES))
                .isEqualTo(assignedBefore + 5);
        JsonNode ops = call("GET", "/api/v1/operations", null).get("items");
        assertThat(ops).hasSize(1);
        assertThat(ops.get(0).get("state").asString()).isEqualTo("COMPLETE");
        assertThat(ops.get(0).get("targetCount").asInt()).isEqualTo(5);
        assertThat(ops.get(0).get("eventId").asString()).isNotBlank();
        assertThat(call("GET", "/api/v1/audit?action=LICENSE_ASSIGNED", null).get("items")).hasSize(5);

        // a second pass changes nothing: licenses are reused, never duplicated
        call("POST", "/api/v1/licensing/pass", null);
        settle();
        assertThat(simRequests("assets/associate", 200)).isEqualTo(1);
        assertThat(orchardLicenses("and serial_number like 'TESTPHONE%'")).isEqualTo(5);
    }

    @Test
    void aChangeIsServedByLookingAtWhatItReachesNotAtTheWholeInventory() {
        usDevicesGetFieldNotes();
        call("POST", "/api/v1/devices", phones("FLEET", 40));
        settle();
        Object lastFull = db().sql("select full_at from licensing_pass").query().singleValue();

        // one more device: the pass looks at that device alone, and Apple gets its request
        call("POST", "/api/v1/devices", phones("NEWCOMER", 1));
        settle();
        assertThat(orchardLicenses("and serial_number = 'NEWCOMER1' and intent is null")).isEqualTo(1);
        JsonNode pass = call("GET", "/api/v1/waitlist", null).get("pass");
        assertThat(pass.get("changesSummary").asString()).isEqualTo("1 changes: 1 targets evaluated, 1 assigned, 0 reclaimed, 0 waiting, 0 blocked");
        assertThat(pass.get("pendingChanges").asLong()).isZero();

        // a user joins a group an App label targets: the user and the user's devices are looked at, nothing else
        call("PUT", "/api/v1/users/erin", "{\"email\":\"erin@example.com\",\"managedAppleId\":\"erin@appleid.example.com\"}");
        call("PUT", "/api/v1/groups/field", "{\"name\":\"Field team\"}");
        var typo = orchard.method("POST", "/api/v1/labels", ADMIN_TOKEN, "{\"kind\":\"APP\",\"name\":\"Typo\",\"adamIds\":[\""
                + BOOK + "\"],\"targets\":[{\"type\":\"GROUP\",\"value\":\"feld\"}]}");
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.json().get("detail").asString()).contains("no group 'feld'").contains("did you mean 'field'?");
        assertThat(call("GET", "/api/v1/labels", null).toString()).doesNotContain("Typo");
        call("POST", "/api/v1/devices", "[{\"serialNumber\":\"ERINPAD\",\"platform\":\"iOS\",\"osVersion\":\"17.4\","
                + "\"country\":\"US\",\"ownerUserId\":\"erin\"}]");
        settle();
        label("{\"kind\":\"APP\",\"name\":\"Field team\",\"adamIds\":[\"" + BOOK + "\"],\"targets\":[{\"type\":\"GROUP\",\"value\":\"field\"}]}");
        settle();
        assertThat(db().sql("select full_at from licensing_pass").query().singleValue())
                .as("a label naming a group reaches the group's members (none yet), not the inventory").isEqualTo(lastFull);
        assertThat(count("select count(*) from licenses where adam_id = ? and client_user_id = 'erin'", BOOK)).isZero();

        // a label naming devices reaches those devices; changing it reaches the devices before and after
        long newcomerLabel = label("{\"kind\":\"LICENSE\",\"name\":\"Newcomers\",\"accountId\":" + us
                + ",\"targets\":[{\"type\":\"SERIAL\",\"value\":\"NEWCOMER1\"}]}");
        settle();
        assertThat(call("GET", "/api/v1/waitlist", null).get("pass").get("changesSummary").asString())
                .isEqualTo("1 changes: 1 targets evaluated, 0 assigned, 0 reclaimed, 0 waiting, 0 blocked");
        call("PUT", "/api/v1/labels/" + newcomerLabel, "{\"kind\":\"LICENSE\",\"name\":\"Newcomers\",\"accountId\":" + us
                + ",\"targets\":[{\"type\":\"SERIAL\",\"value\":\"FLEET1\"},{\"type\":\"SERIAL\",\"value\":\"FLEET2\"}]}");
        settle();
        assertThat(call("GET", "/api/v1/waitlist", null).get("pass").get("changesSummary").asString()).startsWith("3 changes: 3 targets");
        assertThat(db().sql("select full_at from licensing_pass").query().singleValue()).as("no full pass ran").isEqualTo(lastFull);

        call("POST", "/api/v1/groups/field/members", "{\"add\":[\"erin\"]}");
        settle();
        pass = call("GET", "/api/v1/waitlist", null).get("pass");
        assertThat(pass.get("changesSummary").asString()).startsWith("1 changes: 2 targets evaluated");
        assertThat(db().sql("select full_at from licensing_pass").query().singleValue()).as("no full pass ran").isEqualTo(lastFull);
        assertThat(count("select count(*) from licenses where adam_id = ? and client_user_id = 'erin'", BOOK))
                .as("the book, user-based, reaches erin through the group").isEqualTo(1);

        // the daily app report is not a change the pass reads
        call("PUT", "/api/v1/devices/FLEET1/apps", "[]");
        settle();
        assertThat(call("GET", "/api/v1/waitlist", null).get("pass").get("changesSummary").asString()).startsWith("1 changes: 2 targets");
    }

    @Test
    void aFullPassThatDidNotFinishIsRunAgain() {
        call("POST", "/api/v1/devices", phones("LATE", 3));
        settle();
        usDevicesGetFieldNotes();
        // as if a node started the full pass the labels asked for, then died: the flag that asked is cleared, the
        // pass is marked running, and no run of it finished
        db().sql("update licensing_pass set wanted = false, running = true").update();
        settle();

        assertThat(orchardLicenses("and serial_number like 'LATE%' and intent is null")).isEqualTo(3);
        assertThat(count("select count(*) from licensing_pass where running = false and wanted = false")).isEqualTo(1);
    }

    @Test
    void aRetiredDeviceGivesBackItsLicenses() {
        usDevicesGetFieldNotes();
        call("POST", "/api/v1/devices", phones("RETIRE", 2));
        settle();
        call("POST", "/api/v1/devices/RETIRE1/retire", null);
        settle();

        assertThat(orchardLicenses("and serial_number = 'RETIRE1'")).isZero();
        assertThat(orchardLicenses("and serial_number = 'RETIRE2'")).isEqualTo(1);
        assertThat(simRequests("assets/disassociate", 200)).isEqualTo(1);
        JsonNode audit = call("GET", "/api/v1/audit?action=LICENSE_RECLAIMED", null).get("items");
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).get("actor").asString()).isEqualTo("rule:R4b");
        assertThat(audit.get(0).get("subject").asString()).isEqualTo("device RETIRE1");
    }

    @Test
    void aDeviceRetiredWhileItsAssignmentIsAtAppleGivesTheLicenseBackOnceAppleConfirmsIt() {
        usDevicesGetFieldNotes();
        control.post("settings", "{\"holdEvents\":true}");
        call("POST", "/api/v1/devices", phones("INFLIGHT", 2));
        until("the assignment at Apple", () -> count("select count(*) from operation_targets where state = 'SENT' "
                + "and serial_number like 'INFLIGHT%'") == 2);

        call("POST", "/api/v1/devices/INFLIGHT1/retire", null);
        assertThat(count("select count(*) from licenses where serial_number = 'INFLIGHT1' and intent = 'ASSIGN' "
                + "and reclaim_rule = 'R4b'")).as("marked: reclaimed once confirmed").isEqualTo(1);
        control.post("settings", "{\"holdEvents\":false}");
        settle();

        assertThat(orchardLicenses("and serial_number = 'INFLIGHT1'")).isZero();
        assertThat(orchardLicenses("and serial_number = 'INFLIGHT2' and intent is null")).isEqualTo(1);
        assertThat(simRequests("assets/disassociate", 200)).isEqualTo(1);
        assertThat(control.assignmentsAtApple(usUid, "INFLIGHT1")).as("Apple holds nothing for the retired device").isEmpty();
        assertThat(control.assignmentsAtApple(usUid, "INFLIGHT2")).hasSize(1);
        call("POST", "/api/v1/licensing/pass", null);
        settle();
        assertThat(simRequests("assets/disassociate", 200)).as("nothing more to do").isEqualTo(1);
        assertThat(simRequests("assets/associate", 200)).isEqualTo(1);
    }

    @Test
    void anAssignmentStillQueuedWhenItsTargetLeavesTheLabelIsCancelledAndNeverSent() {
        call("PUT", "/api/v1/users/dana", "{\"email\":\"dana@example.com\",\"managedAppleId\":\"dana@appleid.example.com\"}");
        call("PUT", "/api/v1/groups/readers", "{\"name\":\"Readers\"}");
        call("POST", "/api/v1/groups/readers/members", "{\"add\":[\"dana\"]}");
        label("{\"kind\":\"LICENSE\",\"name\":\"Readers\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"GROUP\",\"value\":\"readers\"}]}");
        control.post("settings", "{\"holdEvents\":true}");
        label("{\"kind\":\"APP\",\"name\":\"Handbook\",\"adamIds\":[\"" + BOOK + "\"],\"targets\":[{\"type\":\"GROUP\",\"value\":\"readers\"}]}");
        // the association waits for Apple to register the user, whose creation Apple holds
        until("the user's creation at Apple", () -> count("select count(*) from operation_targets where action = 'CREATE_USER' "
                + "and state = 'SENT'") == 1 && count("select count(*) from operation_targets where action = 'ASSOCIATE' "
                + "and state = 'QUEUED' and client_user_id = 'dana'") == 1);

        call("POST", "/api/v1/groups/readers/members", "{\"remove\":[\"dana\"]}");
        until("the queued assignment cancelled", () -> count("select count(*) from operation_targets where action = 'ASSOCIATE' "
                + "and state = 'CANCELLED' and client_user_id = 'dana'") == 1);
        control.post("settings", "{\"holdEvents\":false}");
        settle();

        assertThat(simRequests("assets/associate", 200)).isZero();
        assertThat(count("select count(*) from licenses where client_user_id = 'dana'")).isZero();
        assertThat(call("GET", "/api/v1/audit?action=LICENSE_ASSIGNMENT_CANCELLED", null).get("items").get(0).get("actor").asString())
                .isEqualTo("rule:R4a");
    }

    @Test
    void leavingTheGroupOfAnAppleLicenseLabelReclaims() {
        call("PUT", "/api/v1/users/ann", "{\"email\":\"ann@example.com\"}");
        call("PUT", "/api/v1/groups/sales", "{\"name\":\"Sales\"}");
        call("POST", "/api/v1/groups/sales/members", "{\"add\":[\"ann\"]}");
        label("{\"kind\":\"LICENSE\",\"name\":\"Sales\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"GROUP\",\"value\":\"sales\"}]}");
        label("{\"kind\":\"APP\",\"name\":\"Field Notes\",\"adamIds\":[\"" + FIELD_NOTES + "\"],\"targets\":[{\"type\":\"GROUP\",\"value\":\"sales\"}]}");
        call("PUT", "/api/v1/devices/ANNMAC01", "{\"serialNumber\":\"ANNMAC01\",\"platform\":\"macOS\",\"osVersion\":\"14.2\","
                + "\"country\":\"US\",\"ownerUserId\":\"ann\"}");
        settle();
        assertThat(orchardLicenses("and serial_number = 'ANNMAC01' and intent is null")).isEqualTo(1);

        call("POST", "/api/v1/groups/sales/members", "{\"remove\":[\"ann\"]}");
        settle();
        assertThat(orchardLicenses("and serial_number = 'ANNMAC01'")).isZero();
        assertThat(call("GET", "/api/v1/audit?action=LICENSE_RECLAIMED", null).get("items").get(0).get("actor").asString())
                .isEqualTo("rule:R4a");
    }

    @Test
    void anAppRemovedFromTheDeviceIsReclaimedAndNotPushedBack() {
        usDevicesGetFieldNotes();
        call("POST", "/api/v1/devices", phones("REMOVE", 1));
        settle();
        call("PUT", "/api/v1/devices/REMOVE1/apps", "[{\"bundleId\":\"com.example.fieldnotes\",\"version\":\"14.2\",\"managed\":true}]");
        settle();
        assertThat(orchardLicenses("and serial_number = 'REMOVE1'")).isEqualTo(1);

        call("PUT", "/api/v1/devices/REMOVE1/apps", "[]");
        settle();
        assertThat(orchardLicenses("and serial_number = 'REMOVE1'")).isZero();
        call("POST", "/api/v1/licensing/pass", null);
        settle();
        assertThat(orchardLicenses("and serial_number = 'REMOVE1'")).as("opted out until asked again").isZero();
        JsonNode device = call("GET", "/api/v1/devices/REMOVE1", null);
        assertThat(device.get("waitlist").get(0).get("reason").asString()).contains("reclaimed on purpose");
        JsonNode why = call("GET", "/api/v1/devices/REMOVE1/why", null).get("items");
        assertThat(why).hasSize(1);
        assertThat(why.get(0).get("state").asString()).isEqualTo("OPTED_OUT");
        assertThat(why.get(0).get("fix").asString()).isEqualTo("ALLOW_AGAIN");
        assertThat(why.get(0).get("labels").get(0).asString()).isEqualTo("Field Notes");

        call("DELETE", "/api/v1/devices/REMOVE1/opt-outs/" + FIELD_NOTES, null);
        call("POST", "/api/v1/licensing/pass", null);
        settle();
        assertThat(orchardLicenses("and serial_number = 'REMOVE1'")).isEqualTo(1);
        assertThat(call("GET", "/api/v1/devices/REMOVE1/why", null).get("items").get(0).get("state").asString())
                .isIn("ASSIGNING", "LICENSED");
        settle();
        JsonNode license = call("GET", "/api/v1/devices/REMOVE1", null).get("licenses").get(0);
        assertThat(license.get("state").asString()).as("confirmed by Apple").isEqualTo("HELD");
    }

    @Test
    void anAdministratorReclaimsAnAppWithADryRunFirst() {
        usDevicesGetFieldNotes();
        call("POST", "/api/v1/devices", phones("ADMIN", 3));
        settle();
        long heldAtApple = count("select count(*) from licenses where account_id = ? and adam_id = ?", us, FIELD_NOTES);

        JsonNode dry = call("POST", "/api/v1/apps/" + FIELD_NOTES + "/reclaim?accountId=" + us + "&dryRun=true", null);
        assertThat(dry.get("licenses").asLong()).isEqualTo(heldAtApple);
        assertThat(count("select count(*) from operation_targets where action = 'DISASSOCIATE'")).isZero();

        JsonNode done = call("POST", "/api/v1/apps/" + FIELD_NOTES + "/reclaim?accountId=" + us, null);
        assertThat(done.get("licenses").asLong()).isEqualTo(heldAtApple);
        settle();
        assertThat(count("select count(*) from licenses where account_id = ? and adam_id = ?", us, FIELD_NOTES)).isZero();
        assertThat(control.get("locations/" + usUid).get("assignments").asInt())
                .isEqualTo((int) count("select count(*) from licenses where account_id = ?", us));
    }

    @Test
    void anAdministratorReclaimsAWholeAccount() {
        usDevicesGetFieldNotes();
        call("POST", "/api/v1/devices", phones("ACCOUNT", 2));
        settle();
        long held = count("select count(*) from licenses where account_id = ? and intent is null", us);
        assertThat(held).isGreaterThan(2); // the demo organisation's own licenses and Orchard's two

        JsonNode dry = call("POST", "/api/v1/accounts/" + us + "/reclaim?dryRun=true", null);
        assertThat(dry.get("dryRun").asBoolean()).isTrue();
        long books = count("select count(*) from licenses where account_id = ? and adam_id = ? and intent is null", us, BOOK);
        assertThat(books).as("the demo organisation's books").isPositive();
        assertThat(dry.get("notRevocable").asLong()).as("books: Apple does not take them back").isEqualTo(books);
        assertThat(dry.get("licenses").asLong()).isEqualTo(held - books);
        assertThat(dry.get("byOrigin").get("ORCHARD").asLong() + dry.get("byOrigin").path("EXTERNAL").asLong(0))
                .as("by origin, adding up").isEqualTo(held - books);
        assertThat(count("select count(*) from licenses where account_id = ? and intent = 'RECLAIM'", us)).isZero();
        // a dry run changes nothing, so it writes nothing either (a preview page viewed ten times is not ten actions)
        assertThat(count("select count(*) from audit_events where outcome = 'DRY_RUN'")).isZero();

        call("POST", "/api/v1/accounts/" + us + "/reclaim", null);
        settle();
        // user-based licenses of users Apple no longer knows may fail; device licenses are all gone
        assertThat(count("select count(*) from licenses where account_id = ? and serial_number is not null", us)).isZero();
        assertThat(orchard.method("POST", "/api/v1/accounts/999/reclaim", ADMIN_TOKEN, null).status()).isEqualTo(404);
    }

    @Test
    void aTargetWaitsWhenThePoolIsEmptyAndIsServedWhenLicensesAreBought() {
        control.post("locations/" + usUid + "/purchases", "{\"adamId\":\"900000001\",\"count\":2,\"productType\":\"App\","
                + "\"deviceAssignable\":true,\"revocable\":true,\"supportedPlatforms\":[\"iOS\"],\"name\":\"Scarce App\"}");
        until("the new pool", () -> count("select count(*) from pools where adam_id = '900000001'") == 1);
        label("{\"kind\":\"LICENSE\",\"name\":\"US iPhones\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"RULE\",\"platform\":\"iOS\"}]}");
        label("{\"kind\":\"APP\",\"ahead\":true,\"name\":\"Scarce\",\"adamIds\":[\"900000001\"],\"targets\":[{\"type\":\"SERIAL\",\"value\":\"WAIT1\"},"
                + "{\"type\":\"SERIAL\",\"value\":\"WAIT2\"},{\"type\":\"SERIAL\",\"value\":\"WAIT3\"}]}");
        call("POST", "/api/v1/devices", phones("WAIT", 3));
        // a Mac the App label names but no Apple License Label covers
        call("PUT", "/api/v1/devices/WAIT4", "{\"serialNumber\":\"WAIT4\",\"platform\":\"macOS\",\"osVersion\":\"14.1\",\"country\":\"US\"}");
        label("{\"kind\":\"APP\",\"name\":\"Scarce on Macs\",\"adamIds\":[\"900000001\"],\"targets\":[{\"type\":\"SERIAL\",\"value\":\"WAIT4\"}]}");
        settle();
        assertThat(orchardLicenses("and adam_id = '900000001'")).isEqualTo(2);
        JsonNode waiting = call("GET", "/api/v1/waitlist?kind=WAITING", null).get("items");
        assertThat(waiting).hasSize(1);
        assertThat(waiting.get(0).get("reason").asString()).contains("no license left");

        // "why not?" says the same, device by device, with the account's name and the fix
        String waiter = waiting.get(0).get("holder").asString();
        String name = call("GET", "/api/v1/accounts/" + us, null).get("name").asString();
        JsonNode why = call("GET", "/api/v1/devices/" + waiter + "/why", null).get("items").get(0);
        assertThat(why.get("state").asString()).isEqualTo("WAITING");
        assertThat(why.get("reason").asString()).contains("no license left in '" + name + "'");
        assertThat(why.get("fix").asString()).isEqualTo("BUY_OR_RECLAIM");
        String served = java.util.stream.Stream.of("WAIT1", "WAIT2", "WAIT3").filter(w -> !w.equals(waiter)).findFirst().orElseThrow();
        JsonNode licensed = call("GET", "/api/v1/devices/" + served + "/why", null).get("items").get(0);
        assertThat(licensed.get("state").asString()).isEqualTo("LICENSED");
        assertThat(licensed.get("accountName").asString()).isEqualTo(name);
        assertThat(licensed.get("reason").asString()).contains("'" + name + "'").doesNotContain("account " + us);
        JsonNode mac = call("GET", "/api/v1/devices/WAIT4/why", null).get("items").get(0);
        assertThat(mac.get("state").asString()).isEqualTo("BLOCKED");
        assertThat(mac.get("labels").get(0).asString()).isEqualTo("Scarce on Macs");
        assertThat(mac.get("reason").asString()).contains("no Apple License Label of '" + name + "' covers this device");
        assertThat(mac.get("fix").asString()).isEqualTo("LICENSE_LABELS");

        control.post("locations/" + usUid + "/purchases", "{\"adamId\":\"900000001\",\"count\":1}");
        settle();
        until("the waiting device served", () -> orchardLicenses("and adam_id = '900000001' and intent is null") == 3);
        assertThat(call("GET", "/api/v1/waitlist?kind=WAITING", null).get("items")).isEmpty();
    }

    @Test
    void aBookGoesToTheUserOnceAppleHasRegisteredThem() {
        call("PUT", "/api/v1/users/carol", "{\"email\":\"carol@example.com\",\"managedAppleId\":\"carol@appleid.example.com\"}");
        long carolLabel = label("{\"kind\":\"LICENSE\",\"name\":\"Carol\",\"accountId\":" + us
                + ",\"targets\":[{\"type\":\"USER\",\"value\":\"carol\"}]}");
        label("{\"kind\":\"APP\",\"name\":\"Handbook\",\"adamIds\":[\"" + BOOK + "\"],\"targets\":[{\"type\":\"USER\",\"value\":\"carol\"}]}");
        settle();

        assertThat(count("select count(*) from licenses where client_user_id = 'carol' and adam_id = ? and intent is null", BOOK)).isEqualTo(1);
        assertThat(simRequests("users/create", 200)).isEqualTo(1);
        assertThat(simRequests("assets/associate", 200)).isEqualTo(1);
        JsonNode user = call("GET", "/api/v1/users/carol", null);
        assertThat(user.get("appleUsers").get(0).get("status").asString()).isEqualTo("Associated");
        JsonNode why = call("GET", "/api/v1/users/carol/why", null).get("items");
        assertThat(why).hasSize(1);
        assertThat(why.get(0).get("state").asString()).isEqualTo("LICENSED");
        assertThat(why.get(0).get("holderType").asString()).isEqualTo("USER");
        assertThat(why.get(0).get("labels").get(0).asString()).isEqualTo("Handbook");

        // Apple does not take a book back (9706): Orchard does not ask, and says why
        long book = count("select id from licenses where client_user_id = 'carol' and adam_id = ?", BOOK);
        var refused = orchard.method("POST", "/api/v1/licenses/" + book + "/reclaim", ADMIN_TOKEN, null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("detail").asString()).contains("not revocable");
        JsonNode plan = call("POST", "/api/v1/apps/" + BOOK + "/reclaim?dryRun=true", null);
        assertThat(plan.get("licenses").asLong()).isZero();
        assertThat(plan.get("notRevocable").asLong()).as("carol's and the demo organisation's")
                .isEqualTo(count("select count(*) from licenses where adam_id = ? and intent is null", BOOK));
        // the account's label no longer covers carol (R4a): the book stays hers, and Apple is not asked
        // a typo is refused and changes nothing; a user Orchard knows is accepted
        var typo = orchard.method("PUT", "/api/v1/labels/" + carolLabel, ADMIN_TOKEN, "{\"kind\":\"LICENSE\",\"name\":\"Carol\","
                + "\"accountId\":" + us + ",\"targets\":[{\"type\":\"USER\",\"value\":\"nobody-yet\"}]}");
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.json().get("detail").asString()).contains("no user 'nobody-yet'");
        call("PUT", "/api/v1/users/nobody-yet", "{\"email\":\"nobody@example.com\"}");
        call("PUT", "/api/v1/labels/" + carolLabel, "{\"kind\":\"LICENSE\",\"name\":\"Carol\",\"accountId\":" + us
                + ",\"targets\":[{\"type\":\"USER\",\"value\":\"nobody-yet\"}]}");
        settle();
        assertThat(count("select count(*) from licenses where client_user_id = 'carol' and adam_id = ? and intent is null", BOOK)).isEqualTo(1);
        assertThat(simRequests("assets/disassociate", 200) + simRequests("assets/disassociate", 400)).isZero();
        // the Handbook label still wants it, and no license label covers carol: the book is held, and that is said
        JsonNode kept = call("GET", "/api/v1/users/carol/why", null).get("items").get(0);
        assertThat(kept.get("state").asString()).isEqualTo("LICENSED");
    }

    @Test
    void aUserWithoutManagedAppleIdIsInvited() {
        call("PUT", "/api/v1/users/erin", "{\"email\":\"erin@example.com\"}");
        label("{\"kind\":\"LICENSE\",\"name\":\"Erin\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"USER\",\"value\":\"erin\"}]}");
        label("{\"kind\":\"APP\",\"name\":\"Handbook\",\"adamIds\":[\"" + BOOK + "\"],\"targets\":[{\"type\":\"USER\",\"value\":\"erin\"}]}");
        settle();

        assertThat(count("select count(*) from licenses where client_user_id = 'erin' and intent is null")).isEqualTo(1);
        JsonNode apple = call("GET", "/api/v1/users/erin", null).get("appleUsers").get(0);
        assertThat(apple.get("status").asString()).isEqualTo("Registered");
        assertThat(apple.get("invitationUrl").asString()).contains("inviteCode=" + apple.get("inviteCode").asString());
    }

    @Test
    void theAuditTrailExportsAsCsv() {
        usDevicesGetFieldNotes();
        var csv = orchard.get("/api/v1/audit?format=csv", ADMIN_TOKEN);
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        assertThat(csv.body()).startsWith("id,at,actor,action,subject,detail,outcome\r\n").contains("LABEL_CREATED,label Field Notes");
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        var bad = orchard.method("POST", "/api/v1/devices", ADMIN_TOKEN, "[{\"serialNumber\":\"OK000001\",\"platform\":\"iOS\"},"
                + "{\"serialNumber\":\"BAD 1\",\"platform\":\"iOS\"}]");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("detail").asString()).contains("record 2");
        assertThat(count("select count(*) from devices")).isZero();
        assertThat(orchard.method("POST", "/api/v1/labels", ADMIN_TOKEN,
                "{\"kind\":\"LICENSE\",\"name\":\"x\",\"accountId\":999,\"targets\":[{\"type\":\"ALL\"}]}").status()).isEqualTo(404);
        assertThat(orchard.method("POST", "/api/v1/labels", ADMIN_TOKEN,
                "{\"kind\":\"APP\",\"name\":\"x\",\"adamIds\":[\"abc\"],\"targets\":[{\"type\":\"ALL\"}]}").status()).isEqualTo(400);
        assertThat(orchard.method("POST", "/api/v1/devices/NOPE0001/retire", ADMIN_TOKEN, null).status()).isEqualTo(404);
        assertThat(count("select count(*) from labels")).isZero();
    }
}
