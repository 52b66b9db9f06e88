package dev.orchard.server.accounts;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The licenses this installation assigned from an account (origin {@code ORCHARD} in the license ledger): what
 * must be revoked before the account may be deleted.
 */
@Component
class AccountLicenses {

    /** The devices and users holding Orchard-assigned licenses of an account. */
    record Holders(List<String> serialNumbers, List<String> clientUserIds) {
        boolean isEmpty() {
            return serialNumbers.isEmpty() && clientUserIds.isEmpty();
        }
    }

    private final JdbcClient jdbc;

    AccountLicenses(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    long countAssignedByOrchard(AccountId id) {
        return jdbc.sql("select count(*) from licenses where account_id = ? and origin = 'ORCHARD'").param(id.value())
                .query(Long.class).single();
    }

    Holders holders(AccountId id) {
        List<String> serials = jdbc.sql("""
                select distinct serial_number from licenses
                where account_id = ? and origin = 'ORCHARD' and serial_number is not null order by serial_number
                """).param(id.value()).query(String.class).list();
        List<String> users = jdbc.sql("""
                select distinct client_user_id from licenses
                where account_id = ? and origin = 'ORCHARD' and client_user_id is not null order by client_user_id
                """).param(id.value()).query(String.class).list();
        return new Holders(serials, users);
    }
}
