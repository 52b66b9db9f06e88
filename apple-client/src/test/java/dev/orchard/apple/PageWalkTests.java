package dev.orchard.apple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.orchard.apple.model.AssignmentQuery;

class PageWalkTests {

    private final ScriptedServer server = new ScriptedServer();
    private final AppsAndBooksClient client = AppsAndBooksClient.builder().baseUri(server.uri()).build();
    private final SToken token = Fixtures.token();

    @AfterEach
    void stop() {
        server.close();
    }

    private static String page(int index, Integer next, int totalPages, String version, String... serials) {
        var items = new StringBuilder();
        for (String s : serials) {
            items.append(items.length() == 0 ? "" : ",")
                    .append("{\"adamId\":\"1\",\"pricingParam\":\"STDQ\",\"serialNumber\":\"").append(s).append("\"}");
        }
        return "{\"assignments\":[" + items + "],\"currentPageIndex\":" + index
                + (next == null ? "" : ",\"nextPageIndex\":" + next) + ",\"size\":" + serials.length
                + ",\"totalPages\":" + totalPages + ",\"versionId\":\"" + version + "\"}";
    }

    @Test
    void walksUntilNextPageIndexIsAbsentAndKeepsTheFirstVersion() {
        server.reply(200, page(0, 1, 2, "v1", "A", "B"))
                .reply(200, page(1, 2, 3, "v1", "C"))       // totalPages grew during the walk
                .reply(200, page(2, null, 3, "v1", "D"));

        var walk = client.assignments(token, AssignmentQuery.all());

        assertThat(walk.items().map(a -> a.serialNumber())).containsExactly("A", "B", "C", "D");
        assertThat(walk.firstVersionId()).isEqualTo("v1");
        assertThat(walk.versionChanged()).isFalse();
        assertThat(walk.pagesFetched()).isEqualTo(3);
        assertThat(walk.itemsFetched()).isEqualTo(4);
        assertThat(walk.lastTotalPages()).isEqualTo(3);
        assertThat(server.requests()).extracting(r -> r.query())
                .containsExactly("pageIndex=0", "pageIndex=1", "pageIndex=2");
    }

    @Test
    void fetchesLazilyOnePageAtATime() {
        server.reply(200, page(0, 1, 2, "v1", "A")).reply(200, page(1, null, 2, "v1", "B"));

        var first = client.assignments(token, AssignmentQuery.all()).items().findFirst();

        assertThat(first).get().extracting(a -> a.serialNumber()).isEqualTo("A");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void reportsAVersionChangeButKeepsTheFirstVersion() {
        server.reply(200, page(0, 1, 2, "v1", "A")).reply(200, page(1, null, 2, "v2", "B"));

        var walk = client.assignments(token, AssignmentQuery.all());
        walk.items().count();

        assertThat(walk.versionChanged()).isTrue();
        assertThat(walk.firstVersionId()).isEqualTo("v1");
        assertThat(walk.lastVersionId()).isEqualTo("v2");
    }

    @Test
    void canFailOnAVersionChange() {
        server.reply(200, page(0, 1, 2, "v1", "A")).reply(200, page(1, null, 2, "v2", "B"));

        var walk = client.assignments(token, AssignmentQuery.all()).failOnVersionChange();

        assertThatThrownBy(() -> walk.items().count()).isInstanceOfSatisfying(VersionChangedException.class, e -> {
            assertThat(e.firstVersionId()).isEqualTo("v1");
            assertThat(e.newVersionId()).isEqualTo("v2");
            assertThat(e.pageIndex()).isEqualTo(1);
        });
    }

    @Test
    void resumesFromALaterPage() {
        server.reply(200, page(5, null, 6, "v1", "Z"));

        var walk = client.assignments(token, AssignmentQuery.all(), 5);

        assertThat(walk.items().map(a -> a.serialNumber())).containsExactly("Z");
        assertThat(server.last().query()).isEqualTo("pageIndex=5");
    }

    @Test
    void aBadPageIndexAndAnUnknownVersionAreNamedErrors() {
        server.reply(400, "{\"errorNumber\":9650,\"errorMessage\":\"Invalid pageIndex\"}")
                .reply(400, "{\"errorNumber\":9721,\"errorMessage\":\"Invalid versionId\"}");

        assertThatThrownBy(() -> client.assignments(token, AssignmentQuery.all(), 99).items().count())
                .isInstanceOfSatisfying(AppleApiException.class, e -> assertThat(e.isBadPageIndex()).isTrue());
        assertThatThrownBy(() -> client.assignments(token, AssignmentQuery.all().since("old")).items().count())
                .isInstanceOfSatisfying(AppleApiException.class, e -> assertThat(e.isUnknownVersion()).isTrue());
    }

    @Test
    void aNextPageIndexThatDoesNotAdvanceStopsTheWalk() {
        server.reply(200, page(0, 0, 2, "v1", "A"));

        assertThatThrownBy(() -> client.assignments(token, AssignmentQuery.all()).items().count())
                .isInstanceOf(AppleTransportException.class).hasMessageContaining("does not advance");
    }

    @Test
    void anEmptyIncrementalResultIsNotAnError() {
        server.reply(200, "{\"assignments\":[],\"currentPageIndex\":0,\"size\":0,\"totalPages\":1,\"versionId\":\"v3\"}");

        var walk = client.assignments(token, AssignmentQuery.all().since("v2"));

        assertThat(walk.items()).isEmpty();
        assertThat(walk.firstVersionId()).isEqualTo("v3");
    }

    @Test
    void aWalkIsSingleUse() {
        server.reply(200, page(0, null, 1, "v1", "A"));
        var walk = client.assignments(token, AssignmentQuery.all());
        walk.items().count();

        assertThatThrownBy(walk::iterator).isInstanceOf(IllegalStateException.class);
    }
}
