package dev.orchard.apple;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AppMetadataClientTests {

    private final ScriptedServer server = new ScriptedServer();
    private final AppMetadataClient client = AppMetadataClient.builder()
            .contentLookupUri(server.root().resolve("WebObjects/MZStorePlatform.woa/wa/lookup"))
            .storeLookupUri(server.root().resolve("lookup")).build();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void contentLookupSendsApplesParametersAndTheTokenAsItvtCookie() {
        server.replyFixture("content-lookup.json");
        SToken token = Fixtures.token();

        var pages = client.contentMetadata(token, "361309726", "volumestore", "US").orElseThrow();

        var r = server.last();
        assertThat(r.query()).isEqualTo("version=2&id=361309726&p=mdm-lockup&caller=MDM&platform=volumestore&cc=us&l=en");
        assertThat(r.header("Cookie")).isEqualTo("itvt=" + token.secret());
        assertThat(r.header("Authorization")).isNull();
        assertThat(pages.name()).isEqualTo("Pages");
        assertThat(pages.version()).isEqualTo("14.2");
        assertThat(pages.externalVersionId()).isEqualTo("868263281");
        assertThat(pages.deviceFamilies()).containsExactly("iphone", "ipad", "mac");
        assertThat(pages.deviceAssignable()).isTrue();
        assertThat(pages.custom()).isFalse();
        assertThat(pages.iconUrl()).isEqualTo("https://is1-ssl.mzstatic.com/image/thumb/Purple/abc/512x512bb.png");
        assertThat(pages.country()).isEqualTo("US");
    }

    @Test
    void severalIdsGoOnePerRequestUnlessConfigured() {
        server.replyFixture("content-lookup.json").reply(200, "{\"results\":{}}");

        var result = client.contentMetadata(null, List.of("361309726", "1"), "enterprisestore", "DE");

        assertThat(result).containsOnlyKeys("361309726");
        assertThat(server.requests()).hasSize(2);
        assertThat(server.requests().get(0).header("Cookie")).isNull();
    }

    @Test
    void storeLookupReadsTheITunesShape() {
        server.replyFixture("store-lookup.json").reply(200, "{\"resultCount\":0,\"results\":[]}");

        var pages = client.storeLookup("361309726", "GB").orElseThrow();

        assertThat(server.requests().get(0).query()).isEqualTo("id=361309726&country=gb");
        assertThat(pages.bundleId()).isEqualTo("com.apple.Pages");
        assertThat(pages.iconUrl()).isEqualTo("https://example.invalid/512x512bb.jpg");
        assertThat(client.storeLookup("361309726", "KP")).isEmpty();
    }
}
