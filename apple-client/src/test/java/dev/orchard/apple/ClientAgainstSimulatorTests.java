package dev.orchard.apple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.orchard.apple.model.AppleNotification;
import dev.orchard.apple.model.Asset;
import dev.orchard.apple.model.AssetManagementNotification;
import dev.orchard.apple.model.AssetQuery;
import dev.orchard.apple.model.AssignmentQuery;
import dev.orchard.apple.model.ClientConfigRequest;
import dev.orchard.apple.model.EventStatus;
import dev.orchard.apple.model.ManageAssetsRequest;
import dev.orchard.apple.model.ManageUsersRequest;
import dev.orchard.apple.model.MdmInfo;
import dev.orchard.apple.model.RequestUser;
import dev.orchard.apple.model.StatusResponse;
import dev.orchard.apple.model.UserQuery;
import dev.orchard.apple.model.UserStatus;
import dev.orchard.applesim.AppleSimulator;

/** The client end to end against the Apple simulator: the two are built independently from Apple's documents. */
class ClientAgainstSimulatorTests {

    private AppleSimulator sim;
    private HttpServer receiver;
    private final List<AppleNotification> notifications = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.stop();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    private AppsAndBooksClient client() {
        return AppsAndBooksClient.builder().baseUri(sim.v2Uri()).build();
    }

    private SToken demoToken() {
        return SToken.parse(sim.location("Orchard Demo Corp").sToken());
    }

    private String control(String path, String json) {
        try {
            var request = HttpRequest.newBuilder(sim.baseUri().resolve("_sim/" + path))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
            HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    private String startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        receiver.createContext("/", ex -> {
            notifications.add(AppleNotifications.parse(ex.getRequestBody().readAllBytes()));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/apple/notifications/demo";
    }

    @Test
    void fullThenIncrementalSyncOf100000Assignments() {
        sim = AppleSimulator.builder().demoSeed().rateLimit(0).eventDelayMs(0).start();
        SToken token = SToken.parse(sim.location("Orchard Demo GmbH").sToken());
        String uId = sim.location("Orchard Demo GmbH").uId();
        control("locations/" + uId + "/generate", "{\"assets\":25,\"assignments\":99997,\"users\":0}");
        var client = client();

        var full = client.assignments(token, AssignmentQuery.all());
        var seen = new HashSet<String>();
        full.items().forEach(a -> seen.add(a.adamId() + "/" + a.serialNumber()));

        assertThat(seen).hasSize(100_000);
        assertThat(full.pagesFetched()).isEqualTo(100);
        assertThat(full.versionChanged()).isFalse();

        control("locations/" + uId + "/assignments", "{\"adamId\":\"585027354\",\"serialNumber\":\"LATE-1\"}");
        control("locations/" + uId + "/assignments", "{\"adamId\":\"585027354\",\"serialNumber\":\"LATE-2\"}");
        var incremental = client.assignments(token, AssignmentQuery.all().since(full.firstVersionId()));

        assertThat(incremental.items().map(a -> a.serialNumber())).containsExactly("LATE-1", "LATE-2");
        assertThat(incremental.pagesFetched()).isEqualTo(1);
        assertThat(client.assignments(token, AssignmentQuery.all().since(incremental.firstVersionId())).items()).isEmpty();
    }

    @Test
    void aVersionChangeDuringAWalkIsReported() {
        sim = AppleSimulator.builder().demoSeed().rateLimit(0).pageSize(3).start();
        SToken token = demoToken();
        var walk = client().assignments(token, AssignmentQuery.all());
        var pages = walk.iterator();
        pages.next();
        control("locations/" + sim.location("Orchard Demo Corp").uId() + "/assignments",
                "{\"adamId\":\"408709785\",\"serialNumber\":\"MIDWALK\"}");
        pages.forEachRemaining(p -> { });

        assertThat(walk.versionChanged()).isTrue();
        assertThat(walk.firstVersionId()).isNotEqualTo(walk.lastVersionId());
    }

    @Test
    void associateThenNotificationThenStatus() throws IOException {
        sim = AppleSimulator.builder().demoSeed().rateLimit(0).eventDelayMs(50).start();
        var client = client();
        SToken token = demoToken();
        var config = client.updateClientConfig(token, new ClientConfigRequest(List.of("ASSET_MANAGEMENT", "ASSET_COUNT"),
                startReceiver(), "notify-secret", new MdmInfo("orchard-test", "Orchard", "0.1")));
        assertThat(config.mdmInfo().id()).isEqualTo("orchard-test");

        var event = client.associate(token, ManageAssetsRequest.devices(List.of(Asset.standard("361309726")),
                List.of("E2E-1", "E2E-2")));
        assertThat(event.mdmInfo().id()).isEqualTo("orchard-test");
        await("ASSET_MANAGEMENT", () -> notifications.stream().filter(n -> n.payload() instanceof AssetManagementNotification)
                .mapToInt(n -> ((AssetManagementNotification) n.payload()).assignments().size()).sum() == 2);
        StatusResponse status = client.status(token, event.eventId());

        assertThat(status.eventStatus()).isEqualTo(EventStatus.COMPLETE);
        assertThat(status.numCompleted()).isEqualTo(2);
        assertThat(notifications).filteredOn(n -> n.payload() instanceof AssetManagementNotification)
                .allSatisfy(n -> assertThat(((AssetManagementNotification) n.payload()).eventId()).isEqualTo(event.eventId()));
        assertThat(client.assetsPage(token, AssetQuery.of(Asset.standard("361309726")), 0).assets().get(0)
                .assignedCount()).isEqualTo(6);
    }

    @Test
    void retryAfterFromA503AndRateLimiting() {
        Clock frozen = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);
        sim = AppleSimulator.builder().demoSeed().rateLimit(2).clock(frozen).start();
        var client = AppsAndBooksClient.builder().baseUri(sim.v2Uri()).clock(frozen).build();
        SToken token = demoToken();
        control("faults", "{\"status\":503,\"retryAfterSeconds\":120,\"count\":1}");

        assertThatThrownBy(() -> client.clientConfig(token)).isInstanceOfSatisfying(AppleApiException.class, e -> {
            assertThat(e.isRateLimited()).isTrue();
            assertThat(e.is(ErrorNumbers.SERVICE_UNAVAILABLE)).isTrue();
            assertThat(e.retryAt()).contains(Instant.parse("2026-11-28T10:02:00Z"));
        });

        client.clientConfig(token);
        client.clientConfig(token);
        assertThatThrownBy(() -> client.clientConfig(token)).isInstanceOfSatisfying(AppleApiException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(429);
            assertThat(e.is(ErrorNumbers.TOO_MANY_REQUESTS)).isTrue();
            assertThat(e.retryAt()).contains(Instant.parse("2026-11-28T10:00:01Z"));
        });
    }

    @Test
    void tokenStatesAndUsers() {
        sim = AppleSimulator.builder().demoSeed().rateLimit(0).eventDelayMs(0).start();
        var client = client();
        SToken token = demoToken();

        var created = client.createUsers(token, new ManageUsersRequest(List.of(RequestUser.of("u-new"))));
        await("user created", () -> client.status(token, created.eventId()).eventStatus().isFinished());
        assertThat(client.users(token, UserQuery.all().withClientUserId("u-new")).items())
                .singleElement().satisfies(u -> assertThat(u.status()).isEqualTo(UserStatus.Registered));

        control("locations/" + sim.location("Orchard Demo Corp").uId() + "/expire", "{}");
        assertThatThrownBy(() -> client.clientConfig(token))
                .isInstanceOfSatisfying(AppleApiException.class, e -> assertThat(e.isTokenExpired()).isTrue());
    }

    @Test
    void serviceConfigUrlsAndMetadataLookups() {
        sim = AppleSimulator.builder().demoSeed().rateLimit(0).start();
        var service = client().serviceConfig();
        var client = client().withServiceUrls(service.urls());
        SToken token = demoToken();
        assertThat(client.uri(Endpoint.GET_ASSETS)).isEqualTo(sim.v2Uri().resolve("assets"));
        assertThat(client.assets(token, AssetQuery.all()).items()).hasSize(6);

        var metadata = AppMetadataClient.builder().storeLookupUri(sim.storeLookupUri()).build()
                .withContentLookupUri(URI.create(service.urls().get("contentMetadataLookup")));
        var custom = metadata.contentMetadata(token, "1444383602", "enterprisestore", "US");
        assertThat(custom).get().satisfies(m -> {
            assertThat(m.custom()).isTrue();
            assertThat(m.bundleId()).isEqualTo("com.orchard-demo.inspections");
            assertThat(m.iconUrl()).endsWith("512x512bb.png");
            assertThat(m.externalVersionId()).isNotBlank();
        });
        assertThat(metadata.contentMetadata(null, "1444383602", "enterprisestore", "US")).isEmpty();
        assertThat(metadata.contentMetadata(token, List.of("361309726", "585027354"), "enterprisestore", "US"))
                .containsOnlyKeys("361309726");
        assertThat(metadata.storeLookup("585027354", "DE")).get()
                .satisfies(m -> assertThat(m.name()).isEqualTo("Lager Scanner"));
        assertThat(metadata.storeLookup("585027354", "US")).isEmpty();
        assertThat(metadata.storeLookup("1444383602", "US")).isEmpty();
    }
}
