package dev.orchard.server.web.api;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.demo.DemoSimulator;
import dev.orchard.server.system.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** In demo mode, where the Apple simulator and its control API are, so anyone can script Apple's behaviour. */
@RestController
@Tag(name = "Demo")
class DemoController {

    private final ObjectProvider<DemoSimulator> simulator;

    DemoController(ObjectProvider<DemoSimulator> simulator) {
        this.simulator = simulator;
    }

    @GetMapping("/api/v1/demo")
    @Operation(summary = "The demo simulator's URLs and locations (404 when not in demo mode)")
    ResponseEntity<Object> demo() {
        DemoSimulator sim = simulator.getIfAvailable();
        if (sim == null) {
            return ResponseEntity.status(404).body(Problems.of(HttpStatus.NOT_FOUND, "demo-off", "Not in demo mode",
                    "Orchard was not started with --demo."));
        }
        List<Location> locations = sim.locations().stream()
                .map(l -> new Location(l.uId(), l.orgName(), l.locationName(), l.countryCode())).toList();
        return ResponseEntity.ok(new Demo(sim.baseUri().toString(), sim.controlUri().toString(),
                sim.baseUri().resolve("mdm/v2/").toString(), locations));
    }

    /** The demo simulator: where it listens, its control API, the Apple API Orchard calls, and its locations. */
    record Demo(String simulatorUrl, String controlApiUrl, String appleApiUrl, List<Location> locations) {
    }

    /** One simulated Apps and Books location. */
    record Location(String uId, String orgName, String locationName, String countryCode) {
    }
}
