package dev.orchard.server.licensing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.Label;
import dev.orchard.server.inventory.LabelTarget;
import dev.orchard.server.inventory.Platform;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The pass's label index answers exactly what walking every label answers: for generated labels (every kind of
 * target and exclusion, over a few serials, users and groups so they overlap), devices and users, the covering (and
 * the excluding) labels are the same, in the same order.
 */
class LabelCoverageTests {

    private static final List<String> SERIALS = List.of("C02AAA", "C02BBB", "C02CCC");
    private static final List<String> USERS = List.of("ann", "bob", "cyd");
    private static final List<String> GROUPS = List.of("sales", "staff");

    @Property(tries = 300)
    void theIndexFindsTheLabelsWalkingEveryLabelFinds(@ForAll("labels") List<Label> labels, @ForAll("devices") List<Device> devices,
                                                      @ForAll("groups") Set<String> groups) {
        var index = new LabelCoverage(labels);
        for (Device d : devices) {
            assertThat(index.coveringDevice(d, groups)).isEqualTo(labels.stream().filter(l -> l.coversDevice(d, groups)).toList());
            assertThat(index.excludingDevice(d, groups)).isEqualTo(labels.stream().filter(l -> l.excludingDevice(d, groups) != null
                    && l.targets().stream().anyMatch(t -> t.coversDevice(d, groups))).toList());
            assertThat(index.coversDevice(d, groups)).isEqualTo(labels.stream().anyMatch(l -> l.coversDevice(d, groups)));
        }
        for (String u : USERS) {
            assertThat(index.coveringUser(u, groups)).isEqualTo(labels.stream().filter(l -> l.coversUser(u, groups)).toList());
            assertThat(index.excludingUser(u, groups)).isEqualTo(labels.stream().filter(l -> l.excludingUser(u, groups) != null
                    && l.targets().stream().anyMatch(t -> t.coversUser(u, groups))).toList());
            List<Device> own = devices.stream().filter(d -> u.equals(d.ownerUserId())).toList();
            assertThat(index.coversUserOrDevices(u, groups, own)).isEqualTo(labels.stream().anyMatch(l -> l.coversUser(u, groups)
                    || own.stream().anyMatch(d -> d.active() && l.coversDevice(d, groups))));
        }
    }

    @Example
    void aLabelNamingTheSameDeviceTwiceIsFoundOnce() {
        var twice = label(1, List.of(target(LabelTarget.Type.SERIAL, "C02AAA"), target(LabelTarget.Type.SERIAL, "c02aaa"),
                new LabelTarget(LabelTarget.Type.RULE, null, Platform.IOS, null, null)));
        var device = device("C02AAA", Platform.IOS, null, Device.Status.ACTIVE);
        assertThat(new LabelCoverage(List.of(twice)).coveringDevice(device, Set.of())).containsExactly(twice);
        assertThat(LabelCoverage.NONE.coversDevice(device, Set.of())).isFalse();
    }

    @Example
    void anExclusionKeepsOutWhatTheTargetsTakeIn() {
        var exceptKiosk = new Label(1, Label.Kind.APP, "All but the kiosk", null, List.of(target(LabelTarget.Type.ALL, null)),
                List.of("361309726"), List.of(target(LabelTarget.Type.SERIAL, "C02AAA")));
        var kiosk = device("C02AAA", Platform.IPADOS, null, Device.Status.ACTIVE);
        var other = device("C02BBB", Platform.IPADOS, "ann", Device.Status.ACTIVE);
        assertThat(exceptKiosk.coversDevice(kiosk, Set.of())).isFalse();
        assertThat(exceptKiosk.coversDevice(other, Set.of())).isTrue();
        assertThat(exceptKiosk.coversUser("ann", Set.of())).as("a serial's exclusion keeps a device out, not its user").isTrue();

        var salesNotContractors = new Label(2, Label.Kind.APP, "Sales", null, List.of(target(LabelTarget.Type.GROUP, "sales")),
                List.of("361309726"), List.of(target(LabelTarget.Type.GROUP, "staff")));
        assertThat(salesNotContractors.coversUser("ann", Set.of("sales"))).isTrue();
        assertThat(salesNotContractors.coversUser("ann", Set.of("sales", "staff"))).isFalse();
        assertThat(salesNotContractors.coversDevice(other, Set.of("sales", "staff"))).as("nor the devices they own").isFalse();
        assertThat(new LabelCoverage(List.of(exceptKiosk, salesNotContractors)).excludingDevice(kiosk, Set.of()))
                .containsExactly(exceptKiosk);
    }

    @Example
    void anExclusionOfEveryoneOrOfATargetIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Label(1, Label.Kind.APP, "x", null,
                        List.of(target(LabelTarget.Type.GROUP, "sales")), List.of(), List.of(target(LabelTarget.Type.ALL, null))))
                .hasMessageContaining("exclusion of ALL");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Label(1, Label.Kind.APP, "x", null,
                        List.of(target(LabelTarget.Type.GROUP, "sales")), List.of(), List.of(target(LabelTarget.Type.GROUP, "sales"))))
                .hasMessageContaining("both a target and an exclusion");
    }

    @Provide
    Arbitrary<List<Label>> labels() {
        Arbitrary<LabelTarget> target = Arbitraries.oneOf(
                Arbitraries.just(target(LabelTarget.Type.ALL, null)),
                Arbitraries.of(SERIALS).map(s -> target(LabelTarget.Type.SERIAL, s)),
                Arbitraries.of(USERS).map(u -> target(LabelTarget.Type.USER, u)),
                Arbitraries.of(GROUPS).map(g -> target(LabelTarget.Type.GROUP, g)),
                Combinators.combine(Arbitraries.of(Platform.class).injectNull(0.5), Arbitraries.of(true, false).injectNull(0.5))
                        .as((p, shared) -> p == null && shared == null ? new LabelTarget(LabelTarget.Type.RULE, null, Platform.MACOS, null, null)
                                : new LabelTarget(LabelTarget.Type.RULE, null, p, shared, null)));
        Arbitrary<List<LabelTarget>> exclusions = target.filter(t -> t.type() != LabelTarget.Type.ALL).list().ofMaxSize(2);
        return Combinators.combine(target.list().ofMaxSize(4), exclusions).as((targets, except) -> new Label(0, Label.Kind.APP,
                "x", null, targets, List.of("361309726"), except.stream().filter(e -> !targets.contains(e)).distinct().toList()))
                .list().ofMaxSize(12).map(drawn -> {
                    var labels = new java.util.ArrayList<Label>();
                    for (int i = 0; i < drawn.size(); i++) {
                        Label l = drawn.get(i);
                        labels.add(new Label(i + 1, l.kind(), "label " + (i + 1), null, l.targets(), l.adamIds(), l.exclusions()));
                    }
                    return labels;
                });
    }

    @Provide
    Arbitrary<List<Device>> devices() {
        return Combinators.combine(Arbitraries.of(SERIALS), Arbitraries.of(Platform.IOS, Platform.IPADOS, Platform.MACOS),
                        Arbitraries.of(USERS).injectNull(0.3), Arbitraries.of(Device.Status.class))
                .as(LabelCoverageTests::device).list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<Set<String>> groups() {
        return Arbitraries.of(GROUPS).set();
    }

    private static LabelTarget target(LabelTarget.Type type, String value) {
        return new LabelTarget(type, value, null, null, null);
    }

    private static Label label(long id, List<LabelTarget> targets) {
        return new Label(id, Label.Kind.APP, "label " + id, null, targets, List.of("361309726"));
    }

    private static Device device(String serial, Platform platform, String owner, Device.Status status) {
        return new Device(serial, "UDID-" + serial, platform, null, null, null, false, null, owner, status, null);
    }
}
