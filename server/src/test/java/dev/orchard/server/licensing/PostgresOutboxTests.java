package dev.orchard.server.licensing;

import dev.orchard.server.TestDatabases;

/** {@link OutboxTests} on a real PostgreSQL. */
class PostgresOutboxTests extends OutboxTests {
    @Override
    protected String databaseUrl() {
        return TestDatabases.postgresUrl();
    }
}
