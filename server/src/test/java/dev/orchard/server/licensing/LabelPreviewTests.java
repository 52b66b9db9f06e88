package dev.orchard.server.licensing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.orchard.server.inventory.Label;
import dev.orchard.server.inventory.LabelTarget;
import dev.orchard.server.inventory.Platform;

/** The what-if of a label change agrees with what the licensing engine then does. */
class LabelPreviewTests extends LicensingScenario {

    @Test
    void previewsMatchWhatThePassThenDoes() {
        call("POST", "/api/v1/devices", phones("PRV", 3));
        var preview = orchard.bean(LabelPreview.class);
        var appLabel = new Label(0, Label.Kind.APP, "Field Notes", null, List.of(new LabelTarget(LabelTarget.Type.ALL, null,
                null, null, null)), List.of(FIELD_NOTES));
        var effect = preview.preview(appLabel, false);
        assertThat(effect.mayAssign()).isEqualTo(3);
        assertThat(effect.assignExamples()).contains("device PRV1: " + FIELD_NOTES);

        usDevicesGetFieldNotes();
        settle();
        assertThat(orchardLicenses("and intent is null")).isEqualTo(3);
        assertThat(preview.preview(appLabel, false).mayAssign()).as("nothing new once saved").isZero();

        Label licenseLabel = orchard.bean(dev.orchard.server.inventory.Inventory.class).labels().stream()
                .filter(l -> l.kind() == Label.Kind.LICENSE).findFirst().orElseThrow();
        var narrowed = new Label(licenseLabel.id(), Label.Kind.LICENSE, licenseLabel.name(), us,
                List.of(new LabelTarget(LabelTarget.Type.SERIAL, "PRV1", null, null, null)), List.of());
        assertThat(preview.preview(narrowed, false).reclaims()).isEqualTo(2);
        assertThat(preview.preview(licenseLabel, true).reclaims()).isEqualTo(3);
        var ipadsToo = new Label(licenseLabel.id(), Label.Kind.LICENSE, licenseLabel.name(), us, List.of(new LabelTarget(
                LabelTarget.Type.RULE, null, Platform.IOS, null, null)), List.of());
        assertThat(preview.preview(ipadsToo, false).reclaims()).isZero();

        call("PUT", "/api/v1/labels/" + licenseLabel.id(), "{\"kind\":\"LICENSE\",\"name\":\"US iPhones\",\"accountId\":" + us
                + ",\"targets\":[{\"type\":\"SERIAL\",\"value\":\"PRV1\"}]}");
        settle();
        assertThat(orchardLicenses("")).as("the pass reclaimed what the preview said").isEqualTo(1);

        // a user-based app (a book) is one license per user, however many of the user's devices a label names;
        // a device without a user gets none, and a device-based app never goes to a user directly
        call("PUT", "/api/v1/users/pia", "{\"email\":\"pia@example.com\"}");
        call("POST", "/api/v1/devices", "[{\"serialNumber\":\"PIA1\",\"platform\":\"iOS\",\"osVersion\":\"17.4\",\"country\":\"US\","
                + "\"ownerUserId\":\"pia\"},{\"serialNumber\":\"PIA2\",\"platform\":\"iPadOS\",\"osVersion\":\"17.4\","
                + "\"country\":\"US\",\"ownerUserId\":\"pia\"}]");
        var book = preview.preview(new Label(0, Label.Kind.APP, "Handbook", null, List.of(new LabelTarget(LabelTarget.Type.ALL,
                null, null, null, null)), List.of(BOOK)), false);
        assertThat(book.mayAssign()).as("pia once, not per device; PRV1-3 have no user").isEqualTo(1);
        assertThat(book.assignExamples()).containsExactly("user pia: " + BOOK);
        var userOnly = preview.preview(new Label(0, Label.Kind.APP, "Pia's apps", null, List.of(new LabelTarget(LabelTarget.Type.USER,
                "pia", null, null, null)), List.of("408709785")), false);
        assertThat(userOnly.assignExamples()).as("device-based: through pia's devices").containsExactlyInAnyOrder(
                "device PIA1: 408709785", "device PIA2: 408709785");
    }
}
