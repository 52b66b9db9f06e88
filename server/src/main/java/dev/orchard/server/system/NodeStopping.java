package dev.orchard.server.system;

import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;

/**
 * Whether this node is stopping. Spring announces the close before it stops the scheduler (which then waits
 * {@code db-scheduler.shutdown-max-wait} for running work), so long work — a sync's walk, a full licensing pass —
 * looks here between its steps ({@link #check}) and hands itself back at a step's end instead of being cut off: the
 * step is saved, the task instance is due again at once ({@link Stopped}), and whichever node runs next (another node
 * at its next poll, or this one after its restart) resumes from there.
 */
@Component
public class NodeStopping implements ApplicationListener<ContextClosedEvent> {

    /** Thrown by {@link #check} when the node is stopping: the work's task reschedules itself to now and ends. */
    public static final class Stopped extends RuntimeException {
        Stopped() {
            super("this node is stopping: the work is handed back where it stands", null, false, false);
        }
    }

    private volatile boolean stopping;

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        stopping = true;
    }

    public boolean stopping() {
        return stopping;
    }

    /** Ends the work here (its last step is saved) when the node is stopping. */
    public void check() {
        if (stopping) {
            throw new Stopped();
        }
    }
}
