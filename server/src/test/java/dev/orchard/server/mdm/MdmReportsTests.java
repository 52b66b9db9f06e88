package dev.orchard.server.mdm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.orchard.server.inventory.Platform;

/** Reading devices' check-ins and command reports as NanoMDM forwards them (base64 plists in {@code raw_payload}). */
class MdmReportsTests {

    private static byte[] plist(Map<String, Object> values) {
        return com.dd.plist.NSObject.fromJavaObject(values).toXMLPropertyList().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void anAuthenticateNamesTheDevice() {
        var c = MdmReports.checkIn(plist(Map.of("MessageType", "Authenticate", "UDID", "66ADE930-5FDF-5EC4-8429-15640684C489",
                "SerialNumber", "C02MT66KFLHH", "ProductName", "iMac14,2", "OSVersion", "14.6", "Topic", "com.apple.mgmt.x")));
        assertThat(c.messageType()).isEqualTo("Authenticate");
        assertThat(c.serialNumber()).isEqualTo("C02MT66KFLHH");
        assertThat(c.userChannel()).isFalse();
        assertThat(c.userEnrollment()).isFalse();
        assertThat(EnrollmentLifecycle.platformOf(c.productName(), null)).isEqualTo(Platform.MACOS);
        assertThat(EnrollmentLifecycle.platformOf("iPad13,1", null)).isEqualTo(Platform.IPADOS);
        assertThat(EnrollmentLifecycle.platformOf("iPhone15,2", null)).isEqualTo(Platform.IOS);
        assertThatThrownBy(() -> EnrollmentLifecycle.platformOf("Toaster1,1", null)).hasMessageContaining("register the device");
    }

    @Test
    void aUserEnrollmentAndAUserChannelAreRecognised() {
        var byod = MdmReports.checkIn(plist(Map.of("MessageType", "Authenticate", "EnrollmentID", "BYOD-1")));
        assertThat(byod.userEnrollment()).isTrue();
        var user = MdmReports.checkIn(plist(Map.of("MessageType", "TokenUpdate", "UDID", "U", "UserShortName", "student1")));
        assertThat(user.userChannel()).isTrue();
    }

    @Test
    void reportsCarryStatesListsAndErrors() {
        var install = MdmReports.report(plist(Map.of("CommandUUID", "c1", "Status", "Acknowledged", "UDID", "U",
                "Identifier", "com.example.fieldnotes", "State", "Failed", "RejectionReason", "CouldNotVerifyAppID")));
        assertThat(install.installState()).isEqualTo("Failed");
        assertThat(install.rejectionReason()).isEqualTo("CouldNotVerifyAppID");

        var error = MdmReports.report(plist(Map.of("CommandUUID", "c2", "Status", "Error", "UDID", "U", "ErrorChain",
                List.of(Map.of("ErrorCode", 12064, "ErrorDomain", "MCMDMErrorDomain", "USEnglishDescription",
                        "The app could not be installed")))));
        assertThat(error.failed()).isTrue();
        assertThat(error.errorText()).isEqualTo("The app could not be installed (MCMDMErrorDomain 12064)");

        var managed = MdmReports.report(plist(Map.of("CommandUUID", "c3", "Status", "Acknowledged", "UDID", "U",
                "ManagedApplicationList", Map.of("com.example.fieldnotes", Map.of("Status", "ManagedButUninstalled",
                        "ExternalVersionIdentifier", 867530)))));
        assertThat(managed.managedApps().get("com.example.fieldnotes").uninstalled()).isTrue();
        assertThat(managed.installedApps()).isNull();

        var installed = MdmReports.report(plist(Map.of("CommandUUID", "c4", "Status", "Acknowledged", "UDID", "U",
                "InstalledApplicationList", List.of(Map.of("Identifier", "com.example.teamchat", "ShortVersion", "6.8",
                        "Version", "680"), Map.of("Name", "no identifier")))));
        assertThat(installed.installedApps()).singleElement().satisfies(a -> {
            assertThat(a.bundleId()).isEqualTo("com.example.teamchat");
            assertThat(a.version()).isEqualTo("6.8");
        });

        var info = MdmReports.report(plist(Map.of("CommandUUID", "c5", "Status", "Acknowledged", "UDID", "U",
                "QueryResponses", Map.of("IsMultiUser", true, "OSVersion", "17.5"))));
        assertThat(info.deviceInformation()).containsEntry("IsMultiUser", "true").containsEntry("OSVersion", "17.5");
    }

    @Test
    void malformedPayloadsAreRefusedWithAReason() {
        assertThatThrownBy(() -> MdmReports.report("not a plist".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a property list");
        assertThatThrownBy(() -> MdmReports.report(plist(Map.of("CommandUUID", "c"))))
                .hasMessageContaining("no Status");
        assertThatThrownBy(() -> MdmReports.checkIn(plist(Map.of("MessageType", "Authenticate"))))
                .hasMessageContaining("names no device");
        assertThatThrownBy(() -> MdmReports.checkIn("<plist version=\"1.0\"><array/></plist>".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not a dictionary");
    }

    @Test
    void versionsCompareNumerically() {
        assertThat(Versions.older("14.1.9", "14.2")).isTrue();
        assertThat(Versions.older("14.10", "14.9")).isFalse();
        assertThat(Versions.older("6.8.1", "6.8.1")).isFalse();
        assertThat(Versions.older("6.8", "6.8.1")).isTrue();
    }
}
