package dev.orchard.server.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.server.TestDatabases;

/**
 * Migration V9 on both databases, from a V8 database holding one device under three spellings and another under
 * two: the serials end upper-case with one row per device (the active spelling survives, the upper-case one where
 * it exists), rows that refer to them follow without duplicates, and afterwards the state columns refuse values
 * no code writes (checked after the migrating connection is closed, which H2 2.4.240 got wrong).
 */
class SchemaV9Tests {

    static final Timestamp OLD = Timestamp.from(Instant.parse("2026-01-01T00:00:00Z"));
    static final Timestamp NEW = Timestamp.from(Instant.parse("2026-06-01T00:00:00Z"));

    static Stream<Arguments> databases() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(TestDatabases.h2Url("v9"));
        h2.setUser("sa");
        var pg = new org.postgresql.ds.PGSimpleDataSource();
        pg.setURL(TestDatabases.emptyPostgresUrl());
        pg.setUser("postgres");
        return Stream.of(Arguments.of("H2", h2), Arguments.of("PostgreSQL", pg));
    }

    private static Flyway flyway(DataSource ds, String target) {
        return Flyway.configure().dataSource(ds).locations("classpath:db/migration").target(target).load();
    }

    private static void device(JdbcClient jdbc, String serial, String status, Timestamp updated) {
        jdbc.sql("insert into devices (serial_number, platform, status, created_at, updated_at) values (?, 'iOS', ?, ?, ?)")
                .params(serial, status, OLD, updated).update();
    }

    private static void license(JdbcClient jdbc, String serial, String origin) {
        jdbc.sql("insert into licenses (account_id, adam_id, pricing_param, serial_number, origin, since) values (1, '100', 'STDQ', ?, ?, ?)")
                .params(serial, origin, OLD).update();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void serialsBecomeUpperCaseWithOneRowPerDevice(String db, DataSource ds) {
        flyway(ds, "8").migrate();
        JdbcClient jdbc = JdbcClient.create(ds);
        jdbc.sql("""
                insert into accounts (id, name, org_name, location_uid, token_ciphertext, token_hint, expires_at, priority, state,
                    created_at, updated_at) values (1, 'A', 'Org', 'loc-1', 'x', 'y', ?, 1, 'ACTIVE', ?, ?)
                """).params(NEW, OLD, OLD).update();
        // device 1: no upper-case row; the active spelling survives over a retired one updated later
        device(jdbc, "c02abc", "ACTIVE", OLD);
        device(jdbc, "C02Abc", "RETIRED", NEW);
        device(jdbc, "c02ABC", "RETIRED", OLD);
        // device 2: the upper-case row exists and is kept
        device(jdbc, "DMQX12", "ACTIVE", OLD);
        device(jdbc, "dmqx12", "ACTIVE", NEW);
        for (String s : new String[] {"c02abc", "C02Abc"}) {
            jdbc.sql("insert into device_apps (serial_number, bundle_id) values (?, 'com.example.notes')").param(s).update();
            jdbc.sql("insert into waitlist (holder_type, holder, adam_id, reason, kind, since, checked_at) values ('DEVICE', ?, '100', 'r', 'WAITING', ?, ?)")
                    .params(s, OLD, OLD).update();
            jdbc.sql("insert into license_opt_outs (holder_type, holder, adam_id, rule, at) values ('DEVICE', ?, '100', 'R4c', ?)")
                    .params(s, OLD).update();
        }
        jdbc.sql("insert into device_apps (serial_number, bundle_id) values ('c02ABC', 'com.example.maps')").update();
        license(jdbc, "c02abc", "ORCHARD");
        license(jdbc, "C02Abc", "ORCHARD");
        license(jdbc, "DMQX12", "EXTERNAL");
        license(jdbc, "dmqx12", "ORCHARD");
        jdbc.sql("""
                insert into operation_targets (account_id, action, adam_id, pricing_param, serial_number, state, rule, not_before,
                    created_at, updated_at) values (1, 'ASSOCIATE', '100', 'STDQ', 'c02abc', 'DONE', 'LABEL', ?, ?, ?)
                """).params(OLD, OLD, OLD).update();

        flyway(ds, "latest").migrate();

        assertThat(jdbc.sql("select serial_number || ':' || status from devices order by serial_number").query(String.class).list())
                .containsExactly("C02ABC:ACTIVE", "DMQX12:ACTIVE");
        assertThat(jdbc.sql("select serial_number || ':' || bundle_id from device_apps order by bundle_id").query(String.class).list())
                .containsExactly("C02ABC:com.example.maps", "C02ABC:com.example.notes");
        assertThat(jdbc.sql("select serial_number || ':' || origin from licenses order by serial_number").query(String.class).list())
                .containsExactly("C02ABC:ORCHARD", "DMQX12:EXTERNAL");
        assertThat(jdbc.sql("select holder from waitlist").query(String.class).list()).containsExactly("C02ABC");
        assertThat(jdbc.sql("select holder from license_opt_outs").query(String.class).list()).containsExactly("C02ABC");
        assertThat(jdbc.sql("select serial_number from operation_targets").query(String.class).list()).containsExactly("C02ABC");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void stateColumnsRefuseValuesNoCodeWrites(String db, DataSource ds) {
        flyway(ds, "latest").migrate(); // every statement below runs on a new connection: the migrating one is closed
        JdbcClient jdbc = JdbcClient.create(ds);
        jdbc.sql("""
                insert into accounts (id, name, org_name, location_uid, token_ciphertext, token_hint, expires_at, priority, state,
                    created_at, updated_at) values (1, 'A', 'Org', 'loc-1', 'x', 'y', ?, 1, 'ACTIVE', ?, ?)
                """).params(NEW, OLD, OLD).update();
        license(jdbc, "C02OK1", "ORCHARD");
        device(jdbc, "C02OK1", "ACTIVE", OLD);

        assertThatThrownBy(() -> license(jdbc, "C02BAD", "ELSEWHERE")).isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> jdbc.sql("update licenses set intent = 'ASIGN'").update()).isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> jdbc.sql("update licenses set reclaim_rule = 'R4b'").update())
                .as("a rule without a reclaim or an assignment").isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> device(jdbc, "c02lower", "ACTIVE", OLD)).isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> jdbc.sql("update devices set status = 'LOST'").update()).isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> jdbc.sql("update accounts set state = 'BLOCKED'").update())
                .as("a derived state is never stored").isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> jdbc.sql("""
                insert into operation_targets (account_id, action, state, rule, not_before, created_at, updated_at)
                values (1, 'ASSOCIATE', 'QEUED', 'LABEL', ?, ?, ?)""").params(OLD, OLD, OLD).update())
                .isInstanceOf(DataIntegrityViolationException.class);
        jdbc.sql("update licenses set intent = 'ASSIGN', reclaim_rule = 'R4b'").update();
        assertThat(jdbc.sql("select reclaim_rule from licenses").query(String.class).single()).isEqualTo("R4b");
    }
}
