package dev.orchard.server.mdm;

import dev.orchard.server.TestDatabases;
import dev.orchard.server.mdm.nano.NanoMdmDouble;

/** {@link MdmTests} on a real PostgreSQL, against NanoMDM's PostgreSQL storage personality. */
class PostgresMdmTests extends MdmTests {
    @Override
    protected String databaseUrl() {
        return TestDatabases.postgresUrl();
    }

    @Override
    protected NanoMdmDouble.Storage storage() {
        return NanoMdmDouble.Storage.PGSQL;
    }
}
