package dev.orchard.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

import dev.orchard.server.demo.DemoMode;

/** Orchard, a self-hosted Apple app license manager. {@code --demo} runs it against the built-in Apple simulator. */
@SpringBootApplication
public class OrchardApplication {

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(OrchardApplication.class);
        if (DemoMode.requested(args)) {
            DemoMode.prepare(app);
        }
        app.run(args);
    }
}
