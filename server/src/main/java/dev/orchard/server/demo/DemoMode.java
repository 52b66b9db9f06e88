package dev.orchard.server.demo;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

import dev.orchard.applesim.AppleSimulator;

/**
 * Starts the Apple simulator before Spring does, points Orchard's Apple URLs at it, and uses a fresh in-memory
 * database so every demo starts from the same sample organisation.
 */
public final class DemoMode {

    public static final String FLAG = "--demo";

    private DemoMode() {
    }

    public static boolean requested(String[] args) {
        return Arrays.asList(args).contains(FLAG);
    }

    /** Prepares the application for demo mode; the simulator stops with the application context. */
    public static void prepare(SpringApplication app) {
        AppleSimulator sim = AppleSimulator.builder().demoSeed().eventDelayMs(1500).start();
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("orchard.apple.base-url", sim.v2Uri().toString());
        properties.put("orchard.apple.content-lookup-url", sim.contentLookupUri().toString());
        properties.put("orchard.apple.store-lookup-url", sim.storeLookupUri().toString());
        properties.put("orchard.demo.enabled", "true");
        properties.put("orchard.public-url", "http://127.0.0.1:${server.port:8080}/");
        properties.put("spring.datasource.url",
                "jdbc:h2:mem:orchard-demo;DB_CLOSE_DELAY=-1;DB_CLOSE_ON_EXIT=FALSE;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        app.addInitializers((ConfigurableApplicationContext context) -> {
            // above application.yml and the environment: demo mode must never reach Apple or the real database
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("orchard-demo", properties));
            context.getBeanFactory().registerSingleton("demoSimulator", new DemoSimulator(sim));
            context.addApplicationListener(event -> {
                if (event instanceof org.springframework.context.event.ContextClosedEvent) {
                    sim.stop();
                }
            });
        });
    }
}
