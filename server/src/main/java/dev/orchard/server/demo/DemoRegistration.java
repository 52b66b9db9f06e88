package dev.orchard.server.demo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import dev.orchard.server.accounts.AccountProblem;
import dev.orchard.server.accounts.AccountService;

/** Registers the simulator's sample locations as accounts, and says where the simulator and its control API are. */
@Component
@ConditionalOnBean(DemoSimulator.class)
@Order(10)
class DemoRegistration implements ApplicationRunner {

    private static final Logger LOG = LoggerFactory.getLogger(DemoRegistration.class);

    private final DemoSimulator simulator;
    private final AccountService accounts;

    DemoRegistration(DemoSimulator simulator, AccountService accounts) {
        this.simulator = simulator;
        this.accounts = accounts;
    }

    @Override
    public void run(ApplicationArguments args) {
        // in a stable order, so the sample accounts get the same ids every time
        var locations = new java.util.ArrayList<>(simulator.locations());
        locations.sort(java.util.Comparator.comparing(l -> l.orgName()));
        for (var location : locations) {
            if (accounts.findByLocation(location.uId()).isPresent()) {
                continue;
            }
            try {
                var account = accounts.add(location.locationName(), location.sToken(), null, true);
                LOG.info("Demo: registered account {} '{}' ({})", account.id(), account.name(), account.country());
            } catch (AccountProblem e) {
                LOG.warn("Demo: could not register {}: {}", location.locationName(), e.getMessage());
            }
        }
        LOG.info("Demo mode: Apple simulator at {} — control API at {} (try POST {}faults with "
                        + "{{\"status\":503,\"retryAfterSeconds\":60,\"count\":1}})", simulator.baseUri(),
                simulator.controlUri(), simulator.controlUri());
    }
}
