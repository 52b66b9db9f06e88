package dev.orchard.server.licensing;

import dev.orchard.server.TestDatabases;

/** {@link LicensingTests} on a real PostgreSQL. */
class PostgresLicensingTests extends LicensingTests {
    @Override
    protected String databaseUrl() {
        return TestDatabases.postgresUrl();
    }
}
