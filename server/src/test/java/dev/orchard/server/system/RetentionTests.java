package dev.orchard.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.ClassPathBeanDefinitionScanner;
import org.springframework.core.type.filter.AssignableTypeFilter;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.server.TestDatabases;

/**
 * The retention task with every module's {@link Retention} (found the way the application finds them), on both
 * databases: finished rows older than their policy go, younger ones and unfinished work stay, the audit trail is
 * kept unless a policy is set, and deleting in chunks gets through more rows than one chunk.
 */
class RetentionTests {

    static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    static Stream<Arguments> databases() {
        return Stream.of(Arguments.of("H2", TestDatabases.h2()), Arguments.of("PostgreSQL", TestDatabases.postgres()));
    }

    private static RetentionTask task(DataSource ds, RetentionProperties properties) {
        var context = new AnnotationConfigApplicationContext();
        context.registerBean(JdbcClient.class, () -> JdbcClient.create(ds));
        context.registerBean(org.springframework.jdbc.core.JdbcTemplate.class, () -> new org.springframework.jdbc.core.JdbcTemplate(ds));
        context.registerBean(RetentionProperties.class, () -> properties);
        context.registerBean(dev.orchard.server.alerts.AlertsProperties.class,
                () -> new dev.orchard.server.alerts.AlertsProperties(null, null, null, null));
        context.registerBean(Clock.class, () -> Clock.fixed(NOW, ZoneOffset.UTC));
        var scanner = new ClassPathBeanDefinitionScanner(context, false);
        scanner.addIncludeFilter(new AssignableTypeFilter(Retention.class));
        // the alerts' retention reads through the module's own stores
        scanner.addIncludeFilter(new org.springframework.core.type.filter.RegexPatternTypeFilter(
                java.util.regex.Pattern.compile("dev\\.orchard\\.server\\.alerts\\.(AlertStore|PoolSamples)")));
        scanner.scan("dev.orchard.server");
        context.registerBean(dev.orchard.server.audit.AuditTrail.class);
        context.registerBean(RetentionTask.class);
        context.refresh();
        return context.getBean(RetentionTask.class);
    }

    private static Timestamp daysAgo(int days) {
        return Timestamp.from(NOW.minus(Duration.ofDays(days)));
    }

    private static long count(JdbcClient jdbc, String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void oldFinishedWorkGoesAndEverythingElseStays(String db, DataSource ds) {
        JdbcClient jdbc = JdbcClient.create(ds);
        jdbc.sql("""
                insert into accounts (id, name, org_name, location_uid, token_ciphertext, token_hint, expires_at, priority, state,
                    created_at, updated_at) values (1, 'A', 'Org', 'loc-1', 'x', 'y', ?, 1, 'ACTIVE', ?, ?)
                """).params(daysAgo(-300), daysAgo(400), daysAgo(400)).update();
        // operations: old complete (goes), young complete (stays), old but still sent (stays)
        for (Object[] op : new Object[][] {{1, "COMPLETE", 100, "DONE"}, {2, "COMPLETE", 10, "DONE"}, {3, "SENT", 100, "SENT"}}) {
            jdbc.sql("insert into operations (id, account_id, action, state, target_count, created_at, completed_at) values (?, 1, 'ASSOCIATE', ?, 1, ?, ?)")
                    .params(op[0], op[1], daysAgo((int) op[2]), "SENT".equals(op[1]) ? null : daysAgo((int) op[2])).update();
            jdbc.sql("""
                    insert into operation_targets (account_id, action, adam_id, pricing_param, serial_number, state, rule, operation_id,
                        not_before, created_at, updated_at) values (1, 'ASSOCIATE', '1', 'STDQ', 'S1', ?, 'LABEL', ?, ?, ?, ?)
                    """).params(op[3], op[0], daysAgo((int) op[2]), daysAgo((int) op[2]), daysAgo((int) op[2])).update();
        }
        // 12,000 old cancelled targets: more than two chunks
        jdbc.sql("""
                insert into operation_targets (account_id, action, adam_id, pricing_param, serial_number, state, rule, not_before,
                    created_at, updated_at) select 1, 'DISASSOCIATE', '1', 'STDQ', 'S' || x, 'CANCELLED', 'R4d', ?, ?, ? from system_range(1, 12000)
                """.replace("system_range(1, 12000)", db.equals("H2") ? "system_range(1, 12000) as r(x)" : "generate_series(1, 12000) as x"))
                .params(daysAgo(200), daysAgo(200), daysAgo(200)).update();
        // MDM commands: old delivered (goes), old still queued (stays), young (stays)
        for (Object[] c : new Object[][] {{"c-old", 40, "DELIVERED"}, {"c-queued", 40, "QUEUED"}, {"c-young", 5, "ACKNOWLEDGED"}}) {
            jdbc.sql("insert into mdm_commands (command_uuid, request_type, payload, reason, actor, created_at) values (?, 'InstallApplication', '<plist/>', 'LABEL', 't', ?)")
                    .params(c[0], daysAgo((int) c[1])).update();
            jdbc.sql("insert into mdm_targets (command_uuid, enrollment_id, state, updated_at) values (?, 'E1', ?, ?)")
                    .params(c[0], c[2], daysAgo((int) c[1])).update();
        }
        // notifications: old processed (goes), old unprocessed (stays), young processed (stays)
        for (Object[] n : new Object[][] {{"n-old", 40, true}, {"n-pending", 40, false}, {"n-young", 5, true}}) {
            jdbc.sql("insert into apple_notifications (account_id, notification_id, notification_type, body, received_at, processed_at) "
                    + "values (1, ?, 'ASSET_COUNT', '{}', ?, ?)").params(n[0], daysAgo((int) n[1]), (boolean) n[2] ? daysAgo((int) n[1]) : null).update();
        }
        jdbc.sql("insert into sync_runs (account_id, kind, started_at, finished_at, result) values (1, 'FULL', ?, ?, 'OK'), (1, 'FULL', ?, ?, 'OK')")
                .params(daysAgo(100), daysAgo(100), daysAgo(1), daysAgo(1)).update();
        jdbc.sql("insert into audit_events (at, actor, action, outcome) values (?, 't', 'OLD', 'OK')").param(daysAgo(3000)).update();
        // alerts: resolved long ago (goes), open long ago (stays), resolved lately (stays); pool samples older than 30 days go
        for (Object[] a : new Object[][] {{"old", 100, true}, {"open", 100, false}, {"young", 5, true}}) {
            jdbc.sql("insert into alerts (rule, subject, open_key, severity, stage, title, detail, raised_at, updated_at, resolved_at) "
                    + "values ('LEAKS', ?, ?, 'WARNING', 's', 't', 'd', ?, ?, ?)").params(a[0], (boolean) a[2] ? null : "LEAKS:" + a[0],
                    daysAgo((int) a[1]), daysAgo((int) a[1]), (boolean) a[2] ? daysAgo((int) a[1]) : null).update();
        }
        jdbc.sql("insert into alert_pool_samples (account_id, adam_id, pricing_param, sampled_on, assigned) values (1, '1', 'STDQ', ?, 5), "
                + "(1, '1', 'STDQ', ?, 6)").params(java.time.LocalDate.of(2026, 10, 1), java.time.LocalDate.of(2026, 12, 1)).update();

        Map<String, Long> deleted = task(ds, new RetentionProperties(null, null, null, null, null, null)).run();

        assertThat(deleted.get("operations")).isEqualTo(12001);
        assertThat(jdbc.sql("select id from operations order by id").query(Long.class).list()).containsExactly(2L, 3L);
        assertThat(count(jdbc, "select count(*) from operation_targets")).isEqualTo(2);
        assertThat(jdbc.sql("select command_uuid from mdm_commands order by command_uuid").query(String.class).list())
                .containsExactly("c-queued", "c-young");
        assertThat(count(jdbc, "select count(*) from mdm_targets")).as("targets go with their command").isEqualTo(2);
        assertThat(jdbc.sql("select notification_id from apple_notifications order by notification_id").query(String.class).list())
                .containsExactly("n-pending", "n-young");
        assertThat(count(jdbc, "select count(*) from sync_runs")).isEqualTo(1);
        assertThat(count(jdbc, "select count(*) from audit_events")).as("kept unless a policy is set").isEqualTo(1);
        assertThat(jdbc.sql("select subject from alerts order by subject").query(String.class).list()).containsExactly("open", "young");
        assertThat(count(jdbc, "select count(*) from alert_pool_samples")).isEqualTo(1);

        var withAudit = task(ds, new RetentionProperties(null, null, null, null, null, Duration.ofDays(365)));
        assertThat(withAudit.run()).containsEntry("audit entries", 1L);
        assertThat(withAudit.run()).as("nothing left to do").isEmpty();
    }
}
