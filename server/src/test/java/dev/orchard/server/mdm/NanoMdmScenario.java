package dev.orchard.server.mdm;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.transaction.support.TransactionTemplate;

import dev.orchard.server.Await;
import dev.orchard.server.licensing.LicensingScenario;
import dev.orchard.server.mdm.nano.DeviceEmulator;
import dev.orchard.server.mdm.nano.EventShuffler;
import dev.orchard.server.mdm.nano.NanoMdmDouble;
import dev.orchard.server.mdm.nano.TestCa;

/**
 * Orchard, the Apple simulator and the NanoMDM double with emulated devices: NanoMDM's webhook goes through an
 * {@link EventShuffler} to Orchard, as it would over a network, so a test can hold, shuffle and drop events. The
 * storage personality of the double is chosen per subclass (the key-value stores by default).
 */
public abstract class NanoMdmScenario extends LicensingScenario {

    static final TestCa CA = new TestCa("Orchard Test CA");
    static final String API_KEY = "nanomdm-api-key-1";
    static final String SECRET = "events-secret-1";
    static final String BUNDLE = "com.example.fieldnotes";

    protected NanoMdmDouble nano;
    protected EventShuffler events;
    protected long serverId;

    static {
        DeviceEmulator.STORE.put(Long.parseLong(FIELD_NOTES), new String[] {BUNDLE, "14.2"});
    }

    protected NanoMdmDouble.Storage storage() {
        return NanoMdmDouble.Storage.FILEKV;
    }

    protected NanoMdmDouble.Options nanoOptions(URI webhook) {
        return NanoMdmDouble.options(API_KEY, storage(), CA.certificate()).withWebhook(webhook, SECRET);
    }

    @BeforeEach
    void nanoMdm() {
        events = new EventShuffler(orchard.uri("/mdm/nanomdm/webhook"));
        nano = NanoMdmDouble.start(nanoOptions(events.url()));
        serverId = call("POST", "/api/v1/mdm/servers", "{\"name\":\"NanoMDM\",\"kind\":\"NANOMDM\",\"url\":\"" + nano.url()
                + "\",\"apiKey\":\"" + API_KEY + "\",\"eventsSecret\":\"" + SECRET + "\"}").get("id").asLong();
    }

    @AfterEach
    void stopNanoMdm() {
        nano.close();
        events.close();
    }

    protected DeviceEmulator device(DeviceEmulator.Kind kind, String serial) {
        return new DeviceEmulator(CA, nano.mdmUrl(), null, kind, serial);
    }

    /** The device is in Orchard's directory (its store country) before it enrolls, as from an inventory import. */
    protected void known(String serial, String platform) {
        call("PUT", "/api/v1/devices/" + serial, "{\"serialNumber\":\"" + serial + "\",\"platform\":\"" + platform
                + "\",\"osVersion\":\"17.4\",\"country\":\"US\"}");
    }

    /** Enrolls the device and waits until Orchard has its events. */
    protected void enroll(DeviceEmulator d) {
        assertThat(d.enroll()).containsExactly(200, 200);
        nano.awaitEvents();
    }

    protected String enrollmentState(String serial) {
        return db().sql("select state from mdm_enrollments where serial_number = ?").param(serial).query(String.class)
                .optional().orElse("NONE");
    }

    /** Waits until Orchard handed every due command to NanoMDM. */
    protected void awaitDelivered() {
        awaitMdm("every due MDM command handed to NanoMDM", () -> count("select count(*) from mdm_targets where state = "
                + "'SENDING' or (state = 'QUEUED' and next_attempt_at <= ?)", Timestamp.from(clock.instant())) == 0);
    }

    /**
     * How long a wait for the MDM side may take: a thousand devices' check-ins, each signed and verified as the real
     * NanoMDM does, on a machine that also runs another test JVM (surefire's two forks).
     */
    protected static final java.time.Duration MDM_WAIT = java.time.Duration.ofSeconds(90);

    /** Waits for a condition of the MDM side; a timeout says what the queue and the tasks looked like. */
    protected void awaitMdm(String what, java.util.function.BooleanSupplier condition) {
        try {
            Await.until(what, condition, MDM_WAIT);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; targets " + db().sql("select state, unsure, last_error, count(*) from "
                    + "mdm_targets group by state, unsure, last_error").query().listOfRows() + "; tasks " + db().sql(
                    "select task_name, execution_time, picked, picked_by, last_heartbeat from scheduled_tasks").query()
                    .listOfRows() + "; now " + clock.instant(), e);
        }
    }

    /** The device checks in and works its queue until Orchard has nothing more for it; returns the commands answered. */
    protected int work(DeviceEmulator d) {
        int total = 0;
        for (int round = 0; round < 10; round++) {
            awaitDelivered();
            int n = d.poll();
            nano.awaitEvents();
            total += n;
            if (n == 0) {
                return total;
            }
        }
        return total;
    }

    protected void deliverNow() {
        orchard.bean(MdmTasks.class).deliverNow();
    }

    /** Moves the clock and lets the MDM tasks see it (sweep, due retries). */
    protected void later(Duration d) {
        clock.advance(d);
        orchard.bean(MdmTasks.class).sweepNow();
        deliverNow();
    }

    /** Queues an install of Field Notes for the devices through Orchard's installer (the delivery path alone). */
    protected Installer.Result install(List<String> serials, boolean userLicense) {
        var installer = orchard.bean(Installer.class);
        var result = orchard.bean(TransactionTemplate.class).execute(s -> installer.install(serials.stream()
                .map(serial -> new Installer.Request(serial, FIELD_NOTES, userLicense)).toList(), "ADMIN", "test"));
        deliverNow();
        return result;
    }

    /** An admin UI page as a signed-in viewer sees it. */
    protected String page(String path) {
        return page(path, "VIEWER");
    }

    /** An admin UI page as a signed-in user with {@code role} sees it. */
    protected String page(String path, String role) {
        // a session lasts while its user exists with its role: the page's user is one
        var users = orchard.bean(dev.orchard.server.system.UiUsers.class);
        if (users.list().stream().noneMatch(u -> ("ui-" + role).equals(u.username()))) {
            users.create("ui-" + role, "scenario-password-1", dev.orchard.server.system.Role.parse(role));
        }
        var mvc = org.springframework.test.web.servlet.setup.MockMvcBuilders.webAppContextSetup(
                (org.springframework.web.context.WebApplicationContext) orchard.context())
                .apply(org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity()).build();
        try {
            var result = mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get(path)
                    .with(org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user("ui-" + role)
                            .roles(role))).andReturn();
            assertThat(result.getResponse().getStatus()).as(path).isEqualTo(200);
            return result.getResponse().getContentAsString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected String targetState(String uuid, String serial) {
        return db().sql("select state from mdm_targets where command_uuid = ? and serial_number = ?").params(uuid, serial)
                .query(String.class).single();
    }
}
