package dev.orchard.server.licensing;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * The convergence property's vocabulary: the lifecycle events and Apple's and Orchard's behaviours a generated case
 * is made of, how they are generated, and the model of what each device should hold. {@link ConvergenceProperty}
 * runs them against Orchard and the simulator.
 */
interface ConvergenceSteps {

    /** Devices per case. */
    int DEVICES = 3;
    /** Cases per generated try. */
    int CASES = 20;

    /**
     * One lifecycle event or Apple behaviour; {@code device} is 0..2 where it names one. {@link Target} takes a
     * device into or out of the case's Apple License Label (losing coverage reclaims, R4a); the case's App label
     * always names its three devices (taking an app out of an App label does not reclaim, by design).
     */
    sealed interface Step permits Enrol, Retire, Reactivate, Target, RemoveApp, AdminReclaim, AllowAgain, AppleSlow,
            AppleResumes, DuplicateNotifications, AppleUnavailable, Restart, Calm, Quiet, RunPass {
    }

    record Enrol(int device) implements Step {
    }

    record Retire(int device) implements Step {
    }

    record Reactivate(int device) implements Step {
    }

    record Target(int device, boolean in) implements Step {
    }

    record RemoveApp(int device) implements Step {
    }

    record AdminReclaim(int device) implements Step {
    }

    record AllowAgain(int device) implements Step {
    }

    record AppleSlow() implements Step {
    }

    record AppleResumes() implements Step {
    }

    record DuplicateNotifications(boolean on) implements Step {
    }

    /** Apple answers the next request with 503 and Retry-After: the account waits (the clock is moved past it). */
    record AppleUnavailable() implements Step {
    }

    /** Orchard stops and starts again; Apple's notifications sent meanwhile are lost. */
    record Restart() implements Step {
    }

    /** A try: independent lifecycles and one sequence of Apple's and Orchard's behaviours, run in lock step. */
    record Batch(List<List<Step>> cases, List<Step> behaviour) {
    }

    /**
     * Waits until Orchard has nothing queued (a pass ran after the last change, nothing waits to be sent); what is
     * at Apple may still be there. With Apple slow, the assignments are then in flight.
     */
    record Quiet() implements Step {
    }

    /** An administrator runs the licensing pass now (and it ran). */
    record RunPass() implements Step {
    }

    /** Nothing happens at Apple or to Orchard at this step. */
    record Calm() implements Step {
    }

    static Arbitrary<List<Step>> lifecycle() {
        Arbitrary<Integer> device = Arbitraries.integers().between(0, DEVICES - 1);
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, device.map(Enrol::new)),
                net.jqwik.api.Tuple.of(3, device.map(Retire::new)),
                net.jqwik.api.Tuple.of(2, device.map(Reactivate::new)),
                net.jqwik.api.Tuple.of(5, Combinators.combine(device, Arbitraries.of(true, false)).as(Target::new)),
                net.jqwik.api.Tuple.of(1, device.map(RemoveApp::new)),
                net.jqwik.api.Tuple.of(1, device.map(AdminReclaim::new)),
                net.jqwik.api.Tuple.of(1, device.map(AllowAgain::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Quiet())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new RunPass())));
        return step.list().ofMinSize(1).ofMaxSize(10);
    }

    /**
     * Ten behaviour steps. A restart is one step in 40 (about one try in five has one; the examples have their own):
     * it is a whole new Spring context, and at one in 16 the restarts were two fifths of the property's time.
     */
    static Arbitrary<List<Step>> behaviour() {
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(20, Arbitraries.just(new Calm())),
                net.jqwik.api.Tuple.of(8, Arbitraries.just(new AppleSlow())),
                net.jqwik.api.Tuple.of(5, Arbitraries.just(new AppleResumes())),
                net.jqwik.api.Tuple.of(3, Arbitraries.of(true, false).map(DuplicateNotifications::new)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(new AppleUnavailable())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Restart())));
        return step.list().ofSize(10);
    }

    static Arbitrary<Batch> batches() {
        return Combinators.combine(lifecycle().list().ofSize(CASES), behaviour()).as(Batch::new);
    }

    /** What the steps say each device should hold, and what the run did. */
    final class Model {
        final boolean[] exists = new boolean[DEVICES];
        final boolean[] active = new boolean[DEVICES];
        final boolean[] covered = new boolean[DEVICES];
        final boolean[] optedOut = new boolean[DEVICES];

        boolean wants(int i) {
            return exists[i] && active[i] && covered[i] && !optedOut[i];
        }
    }
}
