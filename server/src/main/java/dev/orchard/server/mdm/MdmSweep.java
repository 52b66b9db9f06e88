package dev.orchard.server.mdm;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The periodic look for MDM work: installs of confirmed licenses not yet requested, app lists due (every
 * {@code orchard.mdm.app-list-interval}), and, inside the maintenance window, updates of outdated apps set to
 * auto-update (R9), and devices silent for too long ({@link SilenceWatch}). Each batch is one transaction; the
 * delivery task sends what it queued.
 */
@Component
class MdmSweep {

    private static final Logger LOG = LoggerFactory.getLogger(MdmSweep.class);
    private static final int BATCH = 1000;

    private final AppInstalls installs;
    private final Enrollments enrollments;
    private final Installer installer;
    private final MdmService service;
    private final SilenceWatch silence;
    private final MdmTasks tasks;
    private final MdmProperties properties;
    private final TransactionTemplate tx;
    private final Clock clock;

    MdmSweep(AppInstalls installs, Enrollments enrollments, Installer installer, MdmService service, SilenceWatch silence,
             MdmTasks tasks, MdmProperties properties, TransactionTemplate tx, Clock clock) {
        this.installs = installs;
        this.enrollments = enrollments;
        this.installer = installer;
        this.service = service;
        this.silence = silence;
        this.tasks = tasks;
        this.properties = properties;
        this.tx = tx;
        this.clock = clock;
    }

    void run() {
        int queued = 0;
        while (true) {
            Integer n = tx.execute(status -> {
                var due = installs.dueInstalls(BATCH);
                return due.isEmpty() ? 0 : installer.install(due.stream().map(w -> new Installer.Request(w.serialNumber(),
                        w.adamId(), w.userLicense())).toList(), "LICENSE_CONFIRMED", "orchard").devices();
            });
            if (n == null || n == 0) {
                break;
            }
            queued += n;
            tasks.deliverNow(); // committed: deliver this batch while the next is looked for
        }
        Instant before = clock.instant().minus(properties.appListInterval());
        int lists = 0;
        while (true) {
            Integer n = tx.execute(status -> {
                List<String> due = enrollments.dueForAppList(before, BATCH);
                due.forEach(serial -> installer.query(serial, MdmCommands.managedApplicationList(UUID.randomUUID().toString(),
                        List.of()), "PERIODIC", null, null));
                return due.size();
            });
            lists += n == null ? 0 : n;
            if (n == null || n < BATCH) {
                break;
            }
        }
        int updates = properties.inAutoUpdateWindow(clock.instant()) ? service.autoUpdate() : 0;
        Integer asked = tx.execute(status -> silence.run());
        if (queued + lists + updates + (asked == null ? 0 : asked) > 0) {
            LOG.info("MDM sweep queued {} install(s), {} app list request(s), {} auto-update(s), {} re-query(ies) of silent "
                    + "devices", queued, lists, updates, asked);
            tasks.deliverNow();
        }
    }
}
