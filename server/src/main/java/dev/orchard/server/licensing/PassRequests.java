package dev.orchard.server.licensing;

import java.time.Clock;
import java.util.Collection;

import org.springframework.stereotype.Component;

import dev.orchard.server.licensing.LicensingData.SubjectKind;
import dev.orchard.server.system.DurableWork;

/**
 * The one way to ask for a licensing pass. A change names what it reached (devices, users, or an app whose waiting
 * targets may now be served): recorded in the caller's transaction, so it is served even if this node stops before
 * the pass runs, and followed by a wake-up once that transaction commits. A change that can reach any target
 * (app settings, a label with an ALL or RULE target, an account's state) asks for a full pass.
 */
@Component
class PassRequests {

    private final LicensingData data;
    private final DurableWork work;
    private final Clock clock;

    PassRequests(LicensingData data, DurableWork work, Clock clock) {
        this.data = data;
        this.work = work;
        this.clock = clock;
    }

    void devices(Collection<String> serials) {
        record(SubjectKind.DEVICE, serials);
    }

    void users(Collection<String> users) {
        record(SubjectKind.USER, users);
    }

    void holder(AssignmentPolicy.HolderType type, String holder) {
        record(type == AssignmentPolicy.HolderType.DEVICE ? SubjectKind.DEVICE : SubjectKind.USER, java.util.List.of(holder));
    }

    /** Licenses of the app became available: its waiting (and blocked) targets get another look. */
    void waitingFor(String adamId) {
        record(SubjectKind.WAITING, java.util.List.of(adamId));
    }

    void full() {
        data.requestPass(clock.instant());
        work.wakeAfterCommit(LicensingTasks.PASS, LicensingTasks.INSTANCE);
    }

    private void record(SubjectKind kind, Collection<String> subjects) {
        if (!subjects.isEmpty()) {
            data.recordSubjects(kind, subjects);
            work.wakeAfterCommit(LicensingTasks.PASS, LicensingTasks.INSTANCE);
        }
    }
}
