package dev.orchard.server.sync;

import dev.orchard.server.TestDatabases;

/** The sync suite on a real PostgreSQL. */
class PostgresSyncTests extends SyncTests {

    @Override
    String databaseUrl() {
        return TestDatabases.postgresUrl();
    }
}
