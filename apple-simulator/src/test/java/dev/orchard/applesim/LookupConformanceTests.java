package dev.orchard.applesim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;

import org.junit.jupiter.api.Test;

class LookupConformanceTests extends SimulatorFixture {

    private SimHttp.Response content(String ids, String cc, String itvt) {
        var b = HttpRequest.newBuilder(sim.contentLookupUri().resolve("lookup?version=2&id=" + ids
                + "&p=mdm-lockup&caller=MDM&platform=enterprisestore&cc=" + cc + "&l=en")).GET();
        if (itvt != null) {
            b.header("Cookie", "itvt=" + itvt);
        }
        return http.send(b.build());
    }

    @Test
    void contentLookupGivesMetadataPerStorefront() {
        var r = content("100001", "us", null).body();

        var app = r.get("results").get("100001");
        assertThat(app.get("name").asString()).isEqualTo("Paid App");
        assertThat(app.get("bundleId").asString()).isEqualTo("com.example.paid");
        assertThat(app.get("isVppDeviceBasedLicensingEnabled").asBoolean()).isTrue();
        assertThat(app.get("offers").get(0).get("version").get("display").asString()).isEqualTo("2.1");
        assertThat(app.get("offers").get(0).get("version").get("externalId").asString()).isNotBlank();
        assertThat(app.get("artwork").get("url").asString()).contains("{w}x{h}bb.{f}");
        assertThat(r.get("isAuthenticated").asBoolean()).isFalse();

        assertThat(content("100001", "de", null).body().get("results").has("100001")).isTrue();
        assertThat(content("100001", "jp", null).body().get("results").size()).as("not sold in Japan").isZero();
    }

    @Test
    void customAppsAreVisibleOnlyWithTheOwnersToken() {
        assertThat(content("100005", "us", null).body().get("results").size()).isZero();
        assertThat(content("100005", "us", otherToken).body().get("results").size()).isZero();
        var own = content("100005", "us", token).body().get("results").get("100005");
        assertThat(own.get("isB2BCustomApp").asBoolean()).isTrue();
        assertThat(content("100005,100001", "us", token).body().get("results").size()).isEqualTo(2);
    }

    @Test
    void publicLookupIsPerCountryAndNeverShowsCustomApps() {
        var r = http.get("lookup?id=100001&country=us", null).body();
        assertThat(r.get("resultCount").asInt()).isEqualTo(1);
        assertThat(r.get("results").get(0).get("trackId").asLong()).isEqualTo(100001L);
        assertThat(r.get("results").get(0).get("artworkUrl512").asString()).isNotBlank();

        assertThat(http.get("lookup?id=100001&country=jp", null).body().get("resultCount").asInt()).isZero();
        assertThat(http.get("lookup?id=100005&country=us", null).body().get("resultCount").asInt()).isZero();
    }

    @Test
    void theArtworkTheLookupsPointToIsAPngOfTheAskedSize() throws Exception {
        String template = content("100001", "us", null).body().get("results").get("100001").get("artwork").get("url").asString();
        var client = java.net.http.HttpClient.newHttpClient();
        var png = client.send(HttpRequest.newBuilder(java.net.URI.create(template.replace("{w}x{h}bb.{f}", "64x64bb.png"))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(png.statusCode()).isEqualTo(200);
        assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
        var image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png.body()));
        assertThat(image.getWidth()).isEqualTo(64);
        var unknown = client.send(HttpRequest.newBuilder(sim.baseUri().resolve("/artwork/999999999/64x64bb.png")).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        assertThat(unknown.statusCode()).isEqualTo(404);
    }
}
