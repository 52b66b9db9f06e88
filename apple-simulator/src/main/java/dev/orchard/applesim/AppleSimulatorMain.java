package dev.orchard.applesim;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar apple-simulator.jar --port 8999 [--seed FILE] [--page-size N] [--rate-limit N]
 * [--event-delay-ms N] [--host ADDR] [--quiet]}. Without {@code --seed} it serves the built-in sample organisation.
 */
public final class AppleSimulatorMain {

    private AppleSimulatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        AppleSimulator.Builder builder = AppleSimulator.builder().port(8999).log(System.out);
        boolean seeded = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--port" -> builder.port(Integer.parseInt(value(args, ++i, arg)));
                    case "--host" -> builder.host(value(args, ++i, arg));
                    case "--seed" -> {
                        Path file = Path.of(value(args, ++i, arg));
                        if (!Files.isReadable(file)) {
                            throw new IllegalArgumentException("cannot read seed file " + file);
                        }
                        builder.seed(file);
                        seeded = true;
                    }
                    case "--page-size" -> builder.pageSize(Integer.parseInt(value(args, ++i, arg)));
                    case "--rate-limit" -> builder.rateLimit(Integer.parseInt(value(args, ++i, arg)));
                    case "--event-delay-ms" -> builder.eventDelayMs(Long.parseLong(value(args, ++i, arg)));
                    case "--quiet" -> builder.log(null);
                    case "--help", "-h" -> {
                        usage();
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("apple-simulator: " + e.getMessage());
            usage();
            System.exit(2);
        }
        if (!seeded) {
            builder.demoSeed();
        }
        AppleSimulator sim = builder.start();
        System.out.println("Apple simulator listening on " + sim.baseUri() + " (v2 API at " + sim.v2Uri()
                + ", control API at " + sim.baseUri() + "_sim/)");
        sim.locations().forEach(l -> System.out.println("  location " + l.uId() + " " + l.orgName() + " / "
                + l.locationName() + " (" + l.countryCode() + ")"));
        var latch = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.stop();
            latch.countDown();
        }));
        latch.await();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static void usage() {
        System.err.println("usage: java -jar apple-simulator.jar [--port 8999] [--host 127.0.0.1] [--seed FILE]"
                + " [--page-size 1000] [--rate-limit 15] [--event-delay-ms 1000] [--quiet]");
    }
}
