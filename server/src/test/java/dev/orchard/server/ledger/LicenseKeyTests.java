package dev.orchard.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.inventory.AdamId;
import dev.orchard.server.inventory.ClientUserId;
import dev.orchard.server.inventory.SerialNumber;
import tools.jackson.databind.json.JsonMapper;

/** The ledger's key and its value types: validated at construction, one spelling per device, Apple's flat JSON. */
class LicenseKeyTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aSerialNumberIsKeptUpperCaseSoOneDeviceHasOneKey() {
        assertThat(new SerialNumber(" c02abc ").value()).isEqualTo("C02ABC");
        assertThat(LicenseLedger.Key.of("361309726", null, "c02abc", null))
                .isEqualTo(LicenseLedger.Key.of("361309726", "STDQ", "C02ABC", null));
        assertThatThrownBy(() -> new SerialNumber("C02 ABC")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SerialNumber("X".repeat(65))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SerialNumber("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void identifiersAreValidatedWhereTheyAreMade() {
        assertThatThrownBy(() -> new AdamId("36130972a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientUserId(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientUserId("a\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new ClientUserId(" dave ").value()).isEqualTo("dave");
    }

    @Test
    void aLicenseIsForADeviceOrAUserNeverBothNorNeither() {
        assertThatThrownBy(() -> LicenseLedger.Key.of("361309726", "STDQ", "C02ABC", "dave")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LicenseLedger.Key.of("361309726", "STDQ", null, null)).isInstanceOf(IllegalArgumentException.class);
        var device = LicenseLedger.Key.of("361309726", "STDQ", "C02ABC", null);
        var user = LicenseLedger.Key.of("361309726", "STDQ", null, "dave");
        assertThat(device.holder()).isInstanceOf(Holder.Device.class);
        assertThat(device.holderColumn()).isEqualTo("serial_number");
        assertThat(user.holder()).isEqualTo(new Holder.User(new ClientUserId("dave")));
        assertThat(user.serialNumber()).isNull();
        assertThat(user.holder()).hasToString("user dave");
    }

    /** Reports of Apple's events are kept as JSON until their operation is recorded: the shape stays Apple's. */
    @Test
    void aKeptReportKeepsApplesFlatShapeAndReadsBack() {
        var report = new LicenseEvents.AppleEventProgress(new AccountId(3), "event-1", "ASSOCIATE", true,
                List.of(LicenseLedger.Key.of("361309726", "STDQ", "C02ABC", null), LicenseLedger.Key.of("361309726", "PLUS", null, "dave")),
                List.of(), null, null);
        String json = JSON.writeValueAsString(report);
        assertThat(json).contains("{\"adamId\":\"361309726\",\"pricingParam\":\"STDQ\",\"serialNumber\":\"C02ABC\",\"clientUserId\":null}")
                .doesNotContain("holder");
        assertThat(JSON.readValue(json, LicenseEvents.AppleEventProgress.class)).isEqualTo(report);
        // a report kept by the version before the value types
        assertThat(JSON.readValue("{\"adamId\":\"361309726\",\"pricingParam\":\"STDQ\",\"serialNumber\":\"C02ABC\",\"clientUserId\":null}",
                LicenseLedger.Key.class)).isEqualTo(report.licenses().get(0));
    }
}
