package dev.orchard.server.licensing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** The convergence property on the embedded H2 file database. */
class H2ConvergenceProperties extends ConvergenceProperties {

    private static World world;

    @BeforeContainer
    static void start() throws Exception {
        world = new World(null);
    }

    @AfterContainer
    static void stop() {
        world.close();
    }

    @Override
    World world() {
        return world;
    }

    @Provide
    Arbitrary<Batch> generatedBatches() {
        return ConvergenceProperties.batches();
    }

    @Property(tries = 50) // 50 batches of 20 cases: 1,000 cases
    void appleEqualsTheDesiredStateAndTheLedgerEqualsApple(@ForAll("generatedBatches") Batch batch) {
        assertThat(run(batch)).isEmpty();
    }

    /** Found by the property before in-flight reclaims existed (shrunk): the retired device kept its license. */
    @Example
    void aDeviceRetiredWhileAppleWorksOnItsAssignment() {
        assertThat(run(List.of(new Enrol(1), new AppleSlow(), new Target(1, true), new Retire(1)))).isEmpty();
    }

    /**
     * Found by the property (shrunk by hand): an administrator reclaims an assignment Apple is still working on, and
     * the next pass, seeing the device still labelled, took the reclaim back although the device was opted out.
     */
    @Example
    void anAdministratorsReclaimOfAnAssignmentInFlightHolds() {
        assertThat(run(List.of(new Target(1, true), new Enrol(1), new AppleSlow(), new Quiet(), new AdminReclaim(1),
                new RunPass(), new AppleResumes()))).isEmpty();
    }

    /** A restart while Apple holds the assignment: its notification is lost, the status poll makes up for it. */
    @Example
    void aRestartWhileAppleWorksLosesTheNotification() {
        assertThat(run(List.of(new Enrol(0), new Target(0, true), new AppleSlow(), new Restart(), new Retire(0),
                new Reactivate(0)))).isEmpty();
    }
}
