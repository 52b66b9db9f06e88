package dev.orchard.server.demo;

import java.net.URI;
import java.util.List;

import dev.orchard.applesim.AppleSimulator;

/** The in-process Apple simulator of demo mode, as the rest of Orchard may see it. */
public final class DemoSimulator {

    private final AppleSimulator simulator;

    DemoSimulator(AppleSimulator simulator) {
        this.simulator = simulator;
    }

    public URI baseUri() {
        return simulator.baseUri();
    }

    public URI controlUri() {
        return simulator.baseUri().resolve("_sim/");
    }

    public List<AppleSimulator.LocationInfo> locations() {
        return simulator.locations();
    }
}
