package dev.orchard.apple;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.orchard.apple.model.Asset;
import dev.orchard.apple.model.ManageAssetsRequest;
import dev.orchard.apple.model.RequestUser;

class RequestBatchesTests {

    private static List<String> ids(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }

    private static List<Asset> assets(int n) {
        return IntStream.range(0, n).mapToObj(i -> Asset.standard(Integer.toString(100 + i))).toList();
    }

    @ParameterizedTest(name = "{0} assets, {1} serials, {2} users -> {3} requests")
    @CsvSource({
            "1, 1, 0, 1",
            "1, 1000, 0, 1",
            "1, 1001, 0, 2",
            "1, 100000, 0, 100",
            "25, 1000, 1000, 1",
            "26, 1000, 0, 2",
            "30, 2500, 999, 6",
            "1, 0, 1001, 2",
            "1, 3000, 1000, 3"})
    void usesTheMinimumNumberOfRequests(int assetCount, int serials, int users, int expected) {
        List<ManageAssetsRequest> requests = RequestBatches.manageAssets(assets(assetCount), ids("S", serials),
                ids("U", users), ServiceLimits.DEFAULTS);

        assertThat(requests).hasSize(expected);
        assertThat(requests).allSatisfy(r -> {
            assertThat(r.assets()).hasSizeLessThanOrEqualTo(25);
            assertThat(r.serialCount()).isLessThanOrEqualTo(1000);
            assertThat(r.userCount()).isLessThanOrEqualTo(1000);
        });
        int tasks = requests.stream().mapToInt(ManageAssetsRequest::taskCount).sum();
        assertThat(tasks).isEqualTo(assetCount * (serials + users));
    }

    @Test
    void dropsDuplicatesBeforeSplitting() {
        var requests = RequestBatches.manageAssets(List.of(Asset.standard("1"), Asset.standard("1")),
                List.of("S1", "S1", "S2"), List.of(), ServiceLimits.DEFAULTS);

        assertThat(requests).singleElement().satisfies(r -> {
            assertThat(r.assets()).hasSize(1);
            assertThat(r.serialNumbers()).containsExactly("S1", "S2");
        });
    }

    @Test
    void canKeepSerialsAndUsersApart() {
        var requests = RequestBatches.manageAssets(assets(1), ids("S", 10), ids("U", 10), ServiceLimits.DEFAULTS, false);

        assertThat(requests).hasSize(2);
        assertThat(requests).allSatisfy(r -> assertThat(r.serialNumbers() == null || r.clientUserIds() == null).isTrue());
    }

    @Test
    void followsTheLimitsAppleGives() {
        var limits = ServiceLimits.from(Map.of("maxSerialNumbers", 10, "maxAssets", 2));

        assertThat(RequestBatches.manageAssets(assets(3), ids("S", 25), List.of(), limits)).hasSize(2 * 3);
    }

    @Test
    void revokeUsesTheRevokeLimits() {
        assertThat(RequestBatches.revoke(ids("S", 250), ids("U", 101), ServiceLimits.DEFAULTS)).hasSize(3);
        assertThat(RequestBatches.revoke(List.of(), List.of(), ServiceLimits.DEFAULTS)).isEmpty();
    }

    @Test
    void usersAreSplitByMaxUsersAndTheLastEntryWins() {
        var users = new java.util.ArrayList<RequestUser>();
        ids("U", 250).forEach(id -> users.add(RequestUser.of(id)));
        users.add(new RequestUser("U0", "new@example.com", null));

        var requests = RequestBatches.users(users, ServiceLimits.DEFAULTS);

        assertThat(requests).hasSize(3);
        assertThat(requests.get(0).users().get(0).email()).isEqualTo("new@example.com");
    }

    @Test
    void missingOrNonPositiveLimitsFallBackToApplesExamples() {
        ServiceLimits limits = ServiceLimits.from(Map.of("maxSerialNumbers", 0, "maxRequestPerSecond", 30));

        assertThat(limits.maxSerialNumbers()).isEqualTo(1000);
        assertThat(limits.maxRequestPerSecond()).isEqualTo(30);
        assertThat(ServiceLimits.from(null)).isEqualTo(ServiceLimits.DEFAULTS);
    }
}
