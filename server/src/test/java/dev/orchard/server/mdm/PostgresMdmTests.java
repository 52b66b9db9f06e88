package dev.orchard.server.mdm;

import dev.orchard.server.TestDatabases;

/** {@link MdmTests} on a real PostgreSQL (the queue, enrolment and install queries). */
class PostgresMdmTests extends MdmTests {
    @Override
    protected String databaseUrl() {
        return TestDatabases.postgresUrl();
    }
}
