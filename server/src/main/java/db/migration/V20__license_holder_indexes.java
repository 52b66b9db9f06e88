package db.migration;

import java.sql.Statement;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * On PostgreSQL, the two unique indexes of a license's key cover only their own kind of holder. Every license of one
 * app and account shares the indexes' first three columns, and with statistics read while the table was small (a
 * first rollout, a first sync) PostgreSQL looked up a device's license through the users' index: a range of every
 * license of the app, with the serial number as a filter (measured in {@code LicensingBench}: 11 s to settle one
 * operation of 1,000 targets, 9 ms per locked license, instead of 2 ms and 0.05 ms). A partial index cannot serve the
 * other kind of lookup. H2 has no partial indexes and picks the index that matches all four columns.
 */
public class V20__license_holder_indexes extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        if (!"PostgreSQL".equals(context.getConnection().getMetaData().getDatabaseProductName())) {
            return;
        }
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("drop index licenses_device_uq");
            s.execute("create unique index licenses_device_uq on licenses (account_id, adam_id, pricing_param, serial_number) "
                    + "where serial_number is not null");
            s.execute("drop index licenses_user_uq");
            s.execute("create unique index licenses_user_uq on licenses (account_id, adam_id, pricing_param, client_user_id) "
                    + "where client_user_id is not null");
        }
    }
}
