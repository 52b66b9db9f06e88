package dev.orchard.server.operations;

import javax.sql.DataSource;

import dev.orchard.server.TestDatabases;

class H2OperationStoreTests extends OperationStoreContract {

    private final DataSource dataSource = TestDatabases.h2();

    @Override
    DataSource dataSource() {
        return dataSource;
    }

    @Override
    int rounds() {
        return 200;
    }
}
