package dev.orchard.server.accounts;

import java.util.List;

/**
 * The licenses this installation assigned from an account (origin {@code ORCHARD} in the license ledger): what
 * must be revoked before the account may be deleted. A port: the ledger, which sits above accounts, answers it.
 */
public interface AccountLicenses {

    /** The devices and users holding Orchard-assigned licenses of an account. */
    record Holders(List<String> serialNumbers, List<String> clientUserIds) {
        public boolean isEmpty() {
            return serialNumbers.isEmpty() && clientUserIds.isEmpty();
        }
    }

    long countAssignedByOrchard(AccountId id);

    Holders holders(AccountId id);
}
