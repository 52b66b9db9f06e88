package dev.orchard.server.operations;

import javax.sql.DataSource;

import dev.orchard.server.TestDatabases;

class PostgresOperationStoreTests extends OperationStoreContract {

    /** Pooled: each racing transaction would otherwise open its own connection, which dominated the run. */
    private final DataSource dataSource = pooled(TestDatabases.postgres());

    private static DataSource pooled(DataSource ds) {
        var pool = new com.zaxxer.hikari.HikariDataSource();
        pool.setDataSource(ds);
        pool.setMaximumPoolSize(4);
        return pool;
    }

    @Override
    DataSource dataSource() {
        return dataSource;
    }

    @org.junit.jupiter.api.AfterEach
    void closePool() {
        ((com.zaxxer.hikari.HikariDataSource) dataSource).close();
    }

    @Override
    int rounds() {
        return 1000;
    }
}
