package dev.orchard.server.accounts;

import javax.sql.DataSource;

import dev.orchard.server.TestDatabases;

class H2AccountsStorageTests extends AccountsStorageContract {

    private final DataSource dataSource = TestDatabases.h2();

    @Override
    DataSource dataSource() {
        return dataSource;
    }
}
