package dev.orchard.server.mdm;

import java.util.List;
import java.util.Map;

/**
 * Port to an MDM server: hands one command to it for several enrolments. Adapters never retry; the
 * {@link CommandDispatcher} records each enrolment's outcome and schedules what is left.
 */
interface CommandDelivery {

    /** Whether the MDM took the command for one enrolment; {@code note} says more (an error, a failed push). */
    record Outcome(boolean delivered, String note) {
        static Outcome taken(String note) {
            return new Outcome(true, note);
        }

        static Outcome refused(String why) {
            return new Outcome(false, why);
        }
    }

    MdmServer.Kind kind();

    /** How many enrolments one request may name. */
    int batchSize();

    /** One outcome per enrollment id; an unreachable MDM refuses them all. {@code secret} may be null. */
    Map<String, Outcome> deliver(MdmServer server, String secret, MdmCommand command, List<String> enrollmentIds);
}
