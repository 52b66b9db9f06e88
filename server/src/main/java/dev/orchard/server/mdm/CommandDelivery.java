package dev.orchard.server.mdm;

import java.util.List;
import java.util.Map;

/**
 * Port to an MDM server: hands one command to it for several channels in one request. Adapters never retry; the
 * {@link CommandDispatcher} records each channel's outcome and schedules what is left. Every request carries a
 * command UUID the MDM has not seen, except a {@code resend}: the same request again after its outcome was unknown.
 */
interface CommandDelivery {

    /** What one channel's part of a request came to. */
    enum Result {
        /** The MDM queued the command for the channel (the device fetches it when it checks in). */
        DELIVERED,
        /** The MDM did not queue it; a later attempt sends a new request. */
        NOT_DELIVERED,
        /** Unknown whether the MDM queued it (timeout, dropped connection): resend the same request. */
        UNKNOWN,
        /** Unknown, because this node stopped while asking: resend the same request at once, on whichever node runs next. */
        INTERRUPTED,
        /** The MDM refused the whole request because of some of its channels: send the channels in smaller requests. */
        SPLIT
    }

    /**
     * One channel's outcome; {@code note} is the reason, or for a delivered command why its push failed;
     * {@code unreachable}: the request never reached the MDM (no connection), which the MDM-unreachable alert watches.
     */
    record Outcome(Result result, String note, boolean unreachable) {
        Outcome(Result result, String note) {
            this(result, note, false);
        }

        static Outcome unreachable(String why) {
            return new Outcome(Result.NOT_DELIVERED, why, true);
        }

        static Outcome taken(String pushError) {
            return new Outcome(Result.DELIVERED, pushError);
        }

        static Outcome refused(String why) {
            return new Outcome(Result.NOT_DELIVERED, why);
        }

        static Outcome unknown(String why) {
            return new Outcome(Result.UNKNOWN, why);
        }

        static Outcome interrupted() {
            return new Outcome(Result.INTERRUPTED, "this node stopped while the MDM was asked; the same request goes again");
        }

        static Outcome split(String why) {
            return new Outcome(Result.SPLIT, why);
        }

        boolean delivered() {
            return result == Result.DELIVERED;
        }
    }

    MdmServer.Kind kind();

    /** How many channels one request may name. */
    int batchSize();

    /** One outcome per enrollment id; an unreachable MDM refuses them all. {@code secret} may be null. */
    Map<String, Outcome> deliver(MdmServer server, String secret, MdmCommand command, List<String> enrollmentIds, boolean resend);

    /**
     * Asks the MDM to push the channels (wake them to fetch their commands); per channel, null when the push went out,
     * else why not. MDMs without a push call answer that for every channel.
     */
    default Map<String, String> push(MdmServer server, String secret, List<String> enrollmentIds) {
        Map<String, String> none = new java.util.LinkedHashMap<>();
        enrollmentIds.forEach(id -> none.put(id, "this MDM has no push call; it pushes by itself"));
        return none;
    }
}
