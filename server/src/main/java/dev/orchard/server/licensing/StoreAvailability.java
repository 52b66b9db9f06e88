package dev.orchard.server.licensing;

import java.util.Optional;

import dev.orchard.server.accounts.AccountId;

/** Whether an app is sold in a country's store (rule R2), seen with an account's token; empty when unknown. */
public interface StoreAvailability {
    Optional<Boolean> availability(AccountId account, String adamId, String country);
}
