package dev.orchard.server.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The accounts table's behaviour, run on every supported database. */
abstract class AccountsStorageContract {

    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

    Accounts accounts;
    AccountLicenses licenses;
    JdbcClient jdbc;
    final List<Object> published = new ArrayList<>();

    abstract DataSource dataSource();

    @BeforeEach
    void setUp() {
        jdbc = JdbcClient.create(dataSource());
        accounts = new Accounts(jdbc, published::add);
        licenses = new dev.orchard.server.ledger.LedgerQueries(jdbc); // the ledger answers the accounts port
    }

    AccountId add(String uId, Integer priority) {
        return accounts.insert(new Accounts.NewAccount("Account " + uId, "Org", "Loc", uId, "US", "enterprisestore",
                "https://business.apple.com", "CIPHERTEXT-" + uId, "abcd1234", NOW.plusSeconds(86400 * 100), priority,
                "mdm-1", "Orchard", "key-" + uId, "SECRET-" + uId, null, NOW));
    }

    @Test
    void insertsAndReadsBackEveryField() {
        AccountId id = add("1001", 5);

        Account a = accounts.find(id).orElseThrow();
        assertThat(a.name()).isEqualTo("Account 1001");
        assertThat(a.locationUid()).isEqualTo("1001");
        assertThat(a.expiresAt()).isEqualTo(NOW.plusSeconds(86400 * 100));
        assertThat(a.priority()).isEqualTo(5);
        assertThat(a.recordedState()).isEqualTo(AccountState.ACTIVE);
        assertThat(a.notificationsSubscribed()).isTrue();
        assertThat(accounts.tokenCiphertext(id)).contains("CIPHERTEXT-1001");
        assertThat(accounts.findByLocation("1001")).isPresent();
        assertThat(accounts.findByNotificationKey("key-1001")).get().extracting(Account::id).isEqualTo(id);
    }

    @Test
    void aLocationIsRegisteredOnce() {
        add("1002", null);

        assertThatThrownBy(() -> add("1002", null)).isInstanceOf(DuplicateKeyException.class);
    }

    @Test
    void listsByPriorityAndGivesNewAccountsTheNextPriority() {
        AccountId low = add("2001", 10);
        AccountId auto = add("2002", null);
        AccountId high = add("2003", 1);

        assertThat(accounts.list()).extracting(Account::id).containsExactly(high, low, auto);
        assertThat(accounts.find(auto).orElseThrow().priority()).isEqualTo(11);
    }

    @Test
    void aBlockIsOnlyEverExtended() {
        AccountId id = add("3001", null);
        Instant later = NOW.plusSeconds(120);

        accounts.block(id, later, "503", false);
        accounts.block(id, NOW.plusSeconds(30), "429", true);

        Account a = accounts.find(id).orElseThrow();
        assertThat(a.blockedUntil()).isEqualTo(later);
        assertThat(a.backoffFailures()).isEqualTo(1);
        assertThat(accounts.blockedUntil(id)).contains(later);
        assertThat(a.state(NOW, 30)).isEqualTo(AccountState.BLOCKED);
        assertThat(a.state(later, 30)).isEqualTo(AccountState.ACTIVE);
    }

    @Test
    void aContactClearsTheBackoffStreakButNotARunningBlock() {
        AccountId id = add("3002", null);
        accounts.block(id, NOW.plusSeconds(60), "unreachable", true);

        accounts.recordContact(id, NOW.plusSeconds(61));

        Account a = accounts.find(id).orElseThrow();
        assertThat(a.backoffFailures()).isZero();
        assertThat(a.lastContactAt()).isEqualTo(NOW.plusSeconds(61));
        assertThat(a.blockReason()).isNull();
    }

    @Test
    void stateOwnerTokenAndExpiryUpdates() {
        AccountId id = add("4001", null);

        accounts.setState(id, AccountState.CLAIMED_BY_OTHER, "taken", NOW);
        accounts.recordOwner(id, "other", "Rival");
        accounts.replaceToken(id, "NEW", "ffff0000", NOW.plusSeconds(999), AccountState.ACTIVE, NOW);
        accounts.recordExpiry(id, NOW.plusSeconds(1000));

        Account a = accounts.find(id).orElseThrow();
        assertThat(a.recordedState()).isEqualTo(AccountState.ACTIVE);
        assertThat(a.lastError()).isNull();
        assertThat(a.ownerMdmName()).isEqualTo("Rival");
        assertThat(a.tokenHint()).isEqualTo("ffff0000");
        assertThat(a.expiresAt()).isEqualTo(NOW.plusSeconds(1000));
        assertThat(accounts.tokenCiphertext(id)).contains("NEW");
        assertThatThrownBy(() -> accounts.setState(id, AccountState.BLOCKED, null, NOW))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void whatDecidesWhichTargetsAnAccountServesIsAnnouncedWhenItChanges() {
        AccountId id = add("4002", null);
        published.clear();

        accounts.setState(id, AccountState.ACTIVE, "still fine", NOW); // the state it has: no change to serve
        accounts.recordExpiry(id, accounts.find(id).orElseThrow().expiresAt());
        accounts.updateLocation(id, "Org 2", null, "US", null, null, NOW);
        assertThat(published).isEmpty();
        assertThat(accounts.find(id).orElseThrow().lastError()).isEqualTo("still fine");

        accounts.setState(id, AccountState.EXPIRED, "expired", NOW);
        accounts.recordExpiry(id, NOW.plusSeconds(5));
        accounts.updateLocation(id, null, null, "DE", null, null, NOW);
        accounts.reprioritise(id, 7, NOW);
        assertThat(published).containsExactly(new AccountEvents.ServingChanged(id), new AccountEvents.ServingChanged(id),
                new AccountEvents.ServingChanged(id), new AccountEvents.ServingChanged(id));
    }

    @Test
    void licensesAssignedByOrchardAreCountedAndGoWithTheAccount() {
        AccountId id = add("5001", null);
        String insert = "insert into licenses (account_id, adam_id, pricing_param, serial_number, client_user_id, origin, since)"
                + " values (?, '1', 'STDQ', ?, ?, ?, ?)";
        jdbc.sql(insert).params(id.value(), "S1", null, "ORCHARD", java.sql.Timestamp.from(NOW)).update();
        jdbc.sql(insert).params(id.value(), null, "u1", "ORCHARD", java.sql.Timestamp.from(NOW)).update();
        jdbc.sql(insert).params(id.value(), "S2", null, "EXTERNAL", java.sql.Timestamp.from(NOW)).update();

        assertThat(licenses.countAssignedByOrchard(id)).isEqualTo(2);
        assertThat(licenses.holders(id).serialNumbers()).containsExactly("S1");
        assertThat(licenses.holders(id).clientUserIds()).containsExactly("u1");

        assertThat(accounts.delete(id)).isTrue();
        assertThat(jdbc.sql("select count(*) from licenses").query(Long.class).single()).isZero();
        assertThat(accounts.find(id)).isEmpty();
    }
}
