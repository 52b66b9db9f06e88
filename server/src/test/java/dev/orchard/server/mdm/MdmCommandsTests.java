package dev.orchard.server.mdm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.PropertyListParser;

import dev.orchard.server.inventory.Platform;

/**
 * Golden files pin every byte of every command Orchard builds (under {@code src/test/resources/.../mdm}); a change
 * to a builder shows up as a diff a reviewer reads. Run with {@code -Dgolden.update=true} to rewrite them.
 */
class MdmCommandsTests {

    private static final String UUID = "0c5b8b8e-6a3c-4d5e-9f10-1a2b3c4d5e6f";

    @Test
    void installOnIosWithRemoveWithProfile() throws Exception {
        golden("install-ios.plist", MdmCommands.installApplication(UUID,
                new MdmCommands.Install(361309726L, Platform.IOS, 1, false, false, null)));
    }

    @Test
    void installOnMacosIsInstalledAsManaged() throws Exception {
        golden("install-macos.plist", MdmCommands.installApplication(UUID,
                new MdmCommands.Install(497799835L, Platform.MACOS, 0, false, false, null)));
    }

    @Test
    void conversionOfAnUnmanagedCopyWithBothFlagsAndAConfiguration() throws Exception {
        golden("install-convert.plist", MdmCommands.installApplication(UUID, new MdmCommands.Install(361309726L,
                Platform.IOS, 5, true, false, Map.of("serverUrl", "https://notes.example.com", "sync", true,
                "limits", Map.of("maxNotes", 500)))));
    }

    @Test
    void userEnrollmentNeverChangesManagementState() throws Exception {
        var command = MdmCommands.installApplication(UUID, new MdmCommands.Install(361309726L, Platform.IOS, 1, true, true, null));
        golden("install-user-enrollment.plist", command);
        assertThat(command.plist()).doesNotContain("ChangeManagementState");
    }

    @Test
    void removeAndQueries() throws Exception {
        golden("remove.plist", MdmCommands.removeApplication(UUID, "com.example.fieldnotes"));
        golden("managed-list-all.plist", MdmCommands.managedApplicationList(UUID, List.of()));
        golden("managed-list-one.plist", MdmCommands.managedApplicationList(UUID, List.of("com.example.fieldnotes")));
        golden("installed-list.plist", MdmCommands.installedApplicationList(UUID, List.of(), true));
        golden("device-information.plist", MdmCommands.deviceInformation(UUID));
    }

    @Test
    void everyCommandParsesBackWithItsUuidAndType() throws Exception {
        var command = MdmCommands.installApplication(UUID, new MdmCommands.Install(361309726L, Platform.IPADOS, 1, false, false, null));
        NSDictionary root = (NSDictionary) PropertyListParser.parse(command.plist().getBytes(StandardCharsets.UTF_8));
        assertThat(root.get("CommandUUID").toJavaObject()).isEqualTo(UUID);
        NSDictionary c = (NSDictionary) root.get("Command");
        assertThat(c.get("RequestType").toJavaObject()).isEqualTo("InstallApplication");
        assertThat(((NSNumber) c.get("iTunesStoreID")).longValue()).isEqualTo(361309726L);
        assertThat(((NSNumber) ((NSDictionary) c.get("Options")).get("PurchaseMethod")).intValue()).isEqualTo(1);
        assertThat(c.containsKey("InstallAsManaged")).isFalse();
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> new MdmCommands.Install(0, Platform.IOS, 1, false, false, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MdmCommands.Install(1, Platform.IOS, 2, false, false, null))
                .hasMessageContaining("1 and 4");
        assertThatThrownBy(() -> MdmCommands.removeApplication(UUID, " ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MdmCommands.managedApplicationList("not-a-uuid", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static void golden(String name, MdmCommand command) throws IOException {
        if (Boolean.getBoolean("golden.update")) {
            Path file = Path.of("src/test/resources/dev/orchard/server/mdm", name);
            Files.writeString(file, command.plist(), StandardCharsets.UTF_8);
        }
        try (InputStream in = MdmCommandsTests.class.getResourceAsStream(name)) {
            assertThat(in).as("golden file " + name).isNotNull();
            assertThat(command.plist()).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
