package dev.orchard.server.accounts;

import javax.sql.DataSource;

import dev.orchard.server.TestDatabases;

class PostgresAccountsStorageTests extends AccountsStorageContract {

    private final DataSource dataSource = TestDatabases.postgres();

    @Override
    DataSource dataSource() {
        return dataSource;
    }
}
