package dev.orchard.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Orchard, a self-hosted Apple app license manager. */
@SpringBootApplication
public class OrchardApplication {

    public static void main(String[] args) {
        SpringApplication.run(OrchardApplication.class, args);
    }
}
