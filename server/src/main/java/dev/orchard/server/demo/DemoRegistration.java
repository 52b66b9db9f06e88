package dev.orchard.server.demo;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import dev.orchard.server.accounts.AccountProblem;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.DirectoryUser;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.Label;
import dev.orchard.server.inventory.LabelTarget;
import dev.orchard.server.inventory.Platform;

/** Registers the simulator's sample locations as accounts, and says where the simulator and its control API are. */
@Component
@ConditionalOnBean(DemoSimulator.class)
@Order(10)
class DemoRegistration implements ApplicationRunner {

    private static final Logger LOG = LoggerFactory.getLogger(DemoRegistration.class);

    private final DemoSimulator simulator;
    private final AccountService accounts;
    private final Inventory inventory;

    DemoRegistration(DemoSimulator simulator, AccountService accounts, Inventory inventory) {
        this.simulator = simulator;
        this.accounts = accounts;
        this.inventory = inventory;
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
        if (inventory.labels().isEmpty()) {
            sampleInventory();
        }
        LOG.info("Demo mode: Apple simulator at {} — control API at {} (try POST {}faults with "
                        + "{{\"status\":503,\"retryAfterSeconds\":60,\"count\":1}})", simulator.baseUri(),
                simulator.controlUri(), simulator.controlUri());
    }

    /**
     * A small organisation to license: US iPhones and Macs, a Berlin iPad, a Shared iPad, a BYOD phone; a Sales
     * group; labels applying the US account to the US and the German account to Berlin, and two apps and a book.
     */
    private void sampleInventory() {
        inventory.upsertUsers(List.of(new DirectoryUser("ann", "ann@orchard-demo.example", "ann@appleid.orchard-demo.example", "Ann Lee"),
                new DirectoryUser("bob", "bob@orchard-demo.example", null, "Bob Stone"),
                new DirectoryUser("clara", "clara@orchard-demo.example", null, "Clara Weiss")));
        inventory.saveGroup("sales", "Sales");
        inventory.changeMembers("sales", List.of("ann", "bob"), List.of());
        inventory.upsertDevices(List.of(
                device("DMOIPHONE001", Platform.IOS, "17.5", "iPhone15,2", "US", false, Device.Enrollment.DEVICE, "ann"),
                device("DMOIPHONE002", Platform.IOS, "17.4", "iPhone14,5", "US", false, Device.Enrollment.DEVICE, "bob"),
                device("DMOMAC000001", Platform.MACOS, "14.5", "Mac14,2", "US", false, Device.Enrollment.DEVICE, "ann"),
                device("DMOIPADSHRD1", Platform.IPADOS, "17.5", "iPad13,18", "US", true, Device.Enrollment.DEVICE, null),
                device("DMOBYODPHN01", Platform.IOS, "17.2", "iPhone13,2", "US", false, Device.Enrollment.USER, "bob"),
                device("DMOBERLIN001", Platform.IPADOS, "16.7", "iPad8,1", "DE", false, Device.Enrollment.DEVICE, "clara")));
        var byCountry = new java.util.HashMap<String, Long>();
        accounts.list().forEach(a -> byCountry.put(a.country(), a.id().value()));
        if (byCountry.containsKey("US")) {
            inventory.createLabel(new Label(0, Label.Kind.LICENSE, "US devices and Sales", byCountry.get("US"),
                    List.of(new LabelTarget(LabelTarget.Type.GROUP, "sales", null, null, null),
                            new LabelTarget(LabelTarget.Type.RULE, null, Platform.IPADOS, true, null)), List.of()));
        }
        if (byCountry.containsKey("DE")) {
            inventory.createLabel(new Label(0, Label.Kind.LICENSE, "Berlin office", byCountry.get("DE"),
                    List.of(new LabelTarget(LabelTarget.Type.SERIAL, "DMOBERLIN001", null, null, null)), List.of()));
        }
        inventory.createLabel(new Label(0, Label.Kind.APP, "Field apps", null,
                List.of(new LabelTarget(LabelTarget.Type.ALL, null, null, null, null)), List.of("361309726", "408709785")));
        inventory.createLabel(new Label(0, Label.Kind.APP, "Security handbook", null,
                List.of(new LabelTarget(LabelTarget.Type.GROUP, "sales", null, null, null)), List.of("1187654321")));
        LOG.info("Demo: sample devices, users, a group and labels created; the licensing pass assigns their licenses");
    }

    private static Device device(String serial, Platform platform, String os, String model, String country, boolean shared,
                                 Device.Enrollment enrollment, String owner) {
        return new Device(serial, null, platform, os, model, country, shared, enrollment, owner, Device.Status.ACTIVE, null);
    }
}
