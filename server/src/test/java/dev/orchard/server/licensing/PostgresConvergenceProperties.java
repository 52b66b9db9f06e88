package dev.orchard.server.licensing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** The convergence property on PostgreSQL (embedded). */
class PostgresConvergenceProperties extends ConvergenceProperties {

    private static World world;

    @BeforeContainer
    static void start() throws Exception {
        world = new World(dev.orchard.server.TestDatabases.postgresUrl());
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
}
