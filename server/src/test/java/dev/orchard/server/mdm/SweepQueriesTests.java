package dev.orchard.server.mdm;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.server.TestDatabases;

/**
 * The MDM sweep runs after every confirmed license, so its periodic queries must read the enrolments, not the
 * inventory: with 100,000 devices and no enrolment at all, the app-list query joined to {@code devices} took 15 % of
 * Orchard's samples in {@code LicensingBench} on H2, and the user-license installs query 2 % (H2 read every active
 * device first, having no statistics that say enrolments are fewer).
 */
class SweepQueriesTests {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void theSweepsQueriesReadTheEnrolmentsNotTheInventoryOnH2() {
        JdbcClient jdbc = JdbcClient.create(TestDatabases.h2());
        Timestamp now = Timestamp.from(NOW);
        for (int i = 0; i < 300; i++) {
            jdbc.sql("insert into devices (serial_number, platform, created_at, updated_at) values (?, 'iOS', ?, ?)")
                    .params("C02DEV" + i, now, now).update();
        }
        jdbc.sql("update devices set status = 'RETIRED' where serial_number = 'C02DEV2'").update();
        for (int i = 0; i < 3; i++) {
            jdbc.sql("insert into mdm_enrollments (serial_number, enrollment_id, state, apps_requested_at, updated_at) "
                    + "values (?, ?, 'ENROLLED', ?, ?)").params("C02DEV" + i, "E" + i, i == 1 ? now : null, now).update();
        }
        Timestamp before = Timestamp.from(NOW.plusSeconds(60));

        String plan = jdbc.sql("explain analyze " + Enrollments.DUE_FOR_APP_LIST).params(before, 50).query(String.class).single();
        assertThat(plan).as(plan).containsPattern("FROM \"public\".\"mdm_enrollments\" \"e\"\\s+/\\* public.mdm_enrollments_apps_idx")
                .doesNotContain("scanCount: 301");
        for (String installs : new String[] {AppInstalls.DUE_DEVICE_INSTALLS, AppInstalls.DUE_USER_INSTALLS}) {
            String p = jdbc.sql("explain analyze " + installs).params(50).query(String.class).single();
            assertThat(p).as(p).containsPattern("^SELECT\\s+\\S+,\\s+\\S+\\s+FROM \"public\".\"mdm_enrollments\" \"e\"")
                    .doesNotContain("scanCount: 301");
        }
        assertThat(new Enrollments(jdbc).dueForAppList(NOW.plusSeconds(60), 50))
                .as("never asked first, then asked longest ago; a retired device is not asked").containsExactly("C02DEV0", "C02DEV1");
        assertThat(new Enrollments(jdbc).dueForAppList(NOW, 50)).as("asked at NOW: not due before NOW").containsExactly("C02DEV0");
    }

    /** The same installs query, read for what it returns: a user's license goes to the user's own enrolled devices. */
    @Test
    void aUsersConfirmedLicenseIsDueOnTheUsersEnrolledDevicesOnly() {
        JdbcClient jdbc = JdbcClient.create(TestDatabases.h2());
        Timestamp now = Timestamp.from(NOW);
        jdbc.sql("""
                insert into accounts (name, org_name, location_uid, token_ciphertext, token_hint, expires_at, priority, state,
                    created_at, updated_at) values ('A', 'Org', 'loc-installs', 'x', 'y', ?, 1, 'ACTIVE', ?, ?)
                """).params(now, now, now).update();
        long account = jdbc.sql("select max(id) from accounts").query(Long.class).single();
        String[][] devices = {{"C02ALICE1", "alice", "false"}, {"C02ALICE2", "alice", "true"}, {"C02BOB1", "bob", "false"},
                {"C02NOBODY", null, "false"}};
        for (String[] d : devices) {
            jdbc.sql("insert into devices (serial_number, platform, owner_user_id, shared_ipad, created_at, updated_at) "
                    + "values (?, 'iOS', ?, ?, ?, ?)").params(d[0], d[1], Boolean.parseBoolean(d[2]), now, now).update();
            jdbc.sql("insert into mdm_enrollments (serial_number, enrollment_id, state, updated_at) values (?, ?, 'ENROLLED', ?)")
                    .params(d[0], "E-" + d[0], now).update();
        }
        jdbc.sql("insert into licenses (account_id, adam_id, pricing_param, client_user_id, origin, since, confirmed_at) "
                + "values (?, '361309726', 'STDQ', 'alice', 'ORCHARD', ?, ?)").params(account, now, now).update();
        jdbc.sql("insert into licenses (account_id, adam_id, pricing_param, client_user_id, origin, intent, since) "
                + "values (?, '361309726', 'STDQ', 'bob', 'ORCHARD', 'ASSIGN', ?)").params(account, now).update();

        assertThat(new AppInstalls(jdbc).dueInstalls(50)).as("not a Shared iPad, not bob's license still in flight")
                .containsExactly(new AppInstalls.Wanted("C02ALICE1", "361309726", true));
    }
}
