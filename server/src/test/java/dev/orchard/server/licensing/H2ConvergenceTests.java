package dev.orchard.server.licensing;

import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** The convergence property and its kept counterexamples on the embedded H2 file database. */
class H2ConvergenceTests extends ConvergenceProperty {

    private static ConvergenceWorld world;

    @BeforeContainer
    static void start() throws Exception {
        world = new ConvergenceWorld(null);
    }

    @AfterContainer
    static void stop() {
        world.close();
    }

    @Override
    ConvergenceWorld world() {
        return world;
    }
}
