package dev.orchard.server.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import dev.orchard.server.mdm.nano.DeviceEmulator;
import dev.orchard.server.mdm.nano.NanoMdmDouble;
import dev.orchard.server.mdm.nano.TestCa;
import tools.jackson.databind.JsonNode;

/**
 * Benchmark, not a test. N emulated iPhones (default 10,000) enroll through the NanoMDM double; one App label then
 * gives every one of them an app: Apple (the simulator, no rate limit) confirms the licenses and Orchard has NanoMDM
 * install it. NanoMDM has a push certificate here (nothing leaves the machine: a push wakes the emulated device), so
 * devices check in when pushed, as real ones do. Reports the enqueue requests Orchard used, the time until every
 * device has acknowledged its InstallApplication, and Orchard's peak heap (Orchard runs in its own JVM, -Xmx512m, its
 * heap sampled every 100 ms through its metrics endpoint; the simulator in a third process).
 *
 * <pre>mvn -B -pl server -am -Pbench -DskipTests verify -Dbench.main=dev.orchard.server.bench.MdmDeliveryBench [-Dbench.devices=10000]</pre>
 */
public final class MdmDeliveryBench {

    private static final String APP = "700000002";
    private static final String KEY = "bench-nanomdm-key";
    private static final String SECRET = "bench-events-secret";

    private MdmDeliveryBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("bench.mdmDevices", 10_000);
        Path simJar = Path.of(System.getProperty("bench.simulatorJar", "../apple-simulator/target/apple-simulator.jar"));
        Path orchardJar = Path.of(System.getProperty("bench.orchardJar", "target/orchard.jar"));
        int simPort = BenchSupport.freePort();
        Process sim = BenchSupport.startSimulator(simJar, simPort);
        URI simUri = URI.create("http://127.0.0.1:" + simPort + "/");
        int port = BenchSupport.freePort();
        URI api = URI.create("http://127.0.0.1:" + port + "/api/v1/");
        TestCa ca = new TestCa("Bench CA");
        NanoMdmDouble nano = NanoMdmDouble.start(NanoMdmDouble.options(KEY, NanoMdmDouble.Storage.FILEKV, ca.certificate())
                .withWebhook(URI.create("http://127.0.0.1:" + port + "/mdm/nanomdm/webhook"), SECRET).withPushCertificate());
        Process orchard = startOrchard(orchardJar, simUri, port);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            BenchSupport.await(() -> heap(port) > 0, 1);
            JsonNode location = BenchSupport.post(simUri.resolve("_sim/locations"), "{\"orgName\":\"MDM bench\",\"countryCode\":\"US\"}");
            BenchSupport.post(simUri.resolve("_sim/locations/" + location.get("uId").asString() + "/purchases"), "{\"adamId\":\""
                    + APP + "\",\"count\":" + n + ",\"productType\":\"App\",\"deviceAssignable\":true,\"revocable\":true,"
                    + "\"supportedPlatforms\":[\"iOS\"]}");
            long account = BenchSupport.api(api, "POST", "accounts", "{\"sToken\":\"" + location.get("sToken").asString()
                    + "\",\"takeOver\":true}").get("id").asLong();
            BenchSupport.api(api, "POST", "mdm/servers", "{\"name\":\"NanoMDM\",\"kind\":\"NANOMDM\",\"url\":\"" + nano.url()
                    + "\",\"apiKey\":\"" + KEY + "\",\"eventsSecret\":\"" + SECRET + "\"}");
            BenchSupport.uploadDevices(api, "MDMB", n, ",\"country\":\"US\"");
            DeviceEmulator.STORE.put(Long.parseLong(APP), new String[] {"com.example.bench", "1.0"});

            List<DeviceEmulator> devices = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                devices.add(new DeviceEmulator(ca, nano.mdmUrl(), null, DeviceEmulator.Kind.IPHONE, "MDMB" + String.format("%07d", i)));
            }
            AtomicLong acknowledged = new AtomicLong();
            for (DeviceEmulator d : devices) {
                nano.onPush(d.channel(), id -> {
                    synchronized (d) {
                        boolean had = !d.received("InstallApplication").isEmpty();
                        d.poll();
                        if (!had && !d.received("InstallApplication").isEmpty()) {
                            acknowledged.incrementAndGet();
                        }
                    }
                });
            }
            long heap = 0;
            long t0 = System.nanoTime();
            double[] cpu0 = cpu(orchard);
            each(pool, devices, d -> d.enroll());
            double enrolled = seconds(t0);
            BenchSupport.await(() -> devices.stream().allMatch(d -> nano.queued(d.channel()).isEmpty()
                    && !d.received("DeviceInformation").isEmpty()), 1);
            double settled = seconds(t0);
            int before = nano.enqueueRequests();
            int installsBefore = nano.enqueueRequests("InstallApplication");
            double[] cpu1 = cpu(orchard);
            System.out.printf("%n[mdm] %,d devices enrolled in %.1f s; their enrolment queries answered after %.1f s "
                    + "(%,d enqueue requests); CPU used: Orchard %.0f s, NanoMDM double and emulated devices %.0f s%n", n,
                    enrolled, settled, before, cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]);

            long t1 = System.nanoTime();
            BenchSupport.api(api, "POST", "labels", "{\"kind\":\"LICENSE\",\"name\":\"All\",\"accountId\":" + account
                    + ",\"targets\":[{\"type\":\"ALL\"}]}");
            BenchSupport.api(api, "POST", "labels", "{\"kind\":\"APP\",\"name\":\"Bench app\",\"adamIds\":[\"" + APP
                    + "\"],\"targets\":[{\"type\":\"RULE\",\"platform\":\"iOS\"}]}");
            double firstInstall = -1;
            while (acknowledged.get() < n) {
                heap = Math.max(heap, heap(port));
                if (firstInstall < 0 && acknowledged.get() > 0) {
                    firstInstall = seconds(t1);
                }
                if (seconds(t1) > 1800) {
                    throw new IllegalStateException("gave up after 30 minutes: " + acknowledged.get() + " acknowledged");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
            }
            double done = seconds(t1);
            double[] cpu2 = cpu(orchard);
            int installRequests = nano.enqueueRequests() - before;
            int installApplication = nano.enqueueRequests("InstallApplication") - installsBefore;
            long distinct = nano.enqueueUuids().stream().distinct().count();
            System.out.printf("[mdm] one App label for %,d devices: first device acknowledged its install after %.1f s, every "
                            + "device after %.1f s; enqueue requests in the install phase: %,d, of them InstallApplication %,d (at least ⌈%,d / 50⌉ = %,d); "
                            + "UUIDs sent twice: %d; Orchard peak heap %.0f MB (-Xmx512m); CPU used: Orchard %.0f s, NanoMDM double "
                            + "and emulated devices %.0f s%n", n, firstInstall, done, installRequests,
                    installApplication, n, (n + 49) / 50, nano.enqueueUuids().size() - distinct, heap / 1e6, cpu2[0] - cpu1[0], cpu2[1] - cpu1[1]);
        } finally {
            pool.shutdownNow();
            orchard.destroy();
            nano.close();
            sim.destroy();
        }
    }

    private static Process startOrchard(Path jar, URI sim, int port) throws Exception {
        Path data = Files.createTempDirectory("orchard-mdm-bench");
        return new ProcessBuilder("java", "-Xmx512m", "-jar", jar.toString(), "--server.port=" + port,
                "--orchard.data-dir=" + data, "--orchard.public-url=http://127.0.0.1:" + port + "/",
                "--orchard.apple.base-url=" + sim + "mdm/v2/",
                "--orchard.apple.content-lookup-url=" + sim + "WebObjects/MZStorePlatform.woa/wa/lookup",
                "--orchard.apple.store-lookup-url=" + sim + "lookup", "--orchard.security.bootstrap-api-token=" + BenchSupport.TOKEN,
                "--db-scheduler.polling-interval=200ms", "--logging.level.root=WARN").inheritIO().start();
    }

    /** CPU seconds used so far by Orchard's process and by this one (the double and the devices). */
    private static double[] cpu(Process orchard) {
        double self = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
        double other = 0;
        try {
            String[] stat = Files.readString(Path.of("/proc/" + orchard.pid() + "/stat")).split("\\) ")[1].split(" ");
            other = (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) / 100.0; // utime + stime in clock ticks
        } catch (Exception e) {
            other = Double.NaN;
        }
        return new double[] {other, self};
    }

    private static long heap(int port) {
        try {
            var r = BenchSupport.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/actuator/metrics/jvm.memory.used?tag=area:heap")).header("Authorization", "Bearer " + BenchSupport.TOKEN)
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            return (long) BenchSupport.JSON.readTree(r.body()).get("measurements").get(0).get("value").asDouble();
        } catch (Exception e) {
            return 0;
        }
    }

    private static void each(ExecutorService pool, List<DeviceEmulator> devices, java.util.function.Consumer<DeviceEmulator> action)
            throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        devices.forEach(d -> futures.add(pool.submit(() -> action.accept(d))));
        for (Future<?> f : futures) {
            f.get();
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
