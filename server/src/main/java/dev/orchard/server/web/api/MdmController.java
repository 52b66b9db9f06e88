package dev.orchard.server.web.api;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.inventory.InstalledApp;
import dev.orchard.server.mdm.MdmCommandView;
import dev.orchard.server.mdm.MdmEvents;
import dev.orchard.server.mdm.MdmServer;
import dev.orchard.server.mdm.MdmServerService;
import dev.orchard.server.mdm.MdmService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** MDM servers, the MDM command queue, install and update requests, and device events from MDMs without a connector. */
@RestController
@Tag(name = "MDM")
class MdmController {

    record ServerInput(String name, String kind, String url, String apiKey, String eventsSecret, Boolean isDefault,
                       String urlForm, Boolean licenseOnly) {
    }

    record InstallInput(String serialNumber, String adamId, Long labelId) {
    }

    record UpdateInput(String serialNumber, String adamId) {
    }

    record DeviceEventInput(String type, String enrollmentId, List<InstalledApp> apps) {
    }

    private final MdmServerService servers;
    private final MdmService mdm;
    private final MdmEvents events;

    MdmController(MdmServerService servers, MdmService mdm, MdmEvents events) {
        this.servers = servers;
        this.mdm = mdm;
        this.events = events;
    }

    @GetMapping("/api/v1/mdm/servers")
    List<MdmServer> servers() {
        return servers.list();
    }

    @PostMapping("/api/v1/mdm/servers")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Add an MDM server (kind NANOMDM or WEBHOOK; urlForm NANOMDM or NANOHUB; licenseOnly: another tool "
            + "installs, Orchard only assigns and reclaims); secrets are stored encrypted and never shown")
    MdmServer addServer(@RequestBody ServerInput in) {
        return servers.create(new MdmServerService.Input(in.name(), kind(in.kind()), in.url(), in.apiKey(), in.eventsSecret(),
                in.isDefault(), urlForm(in.urlForm()), in.licenseOnly()));
    }

    @GetMapping("/api/v1/mdm/servers/{id}")
    MdmServer server(@PathVariable long id) {
        return servers.get(id);
    }

    @PatchMapping("/api/v1/mdm/servers/{id}")
    @Operation(summary = "Change an MDM server; omitted fields (and secrets) stay as they are")
    MdmServer changeServer(@PathVariable long id, @RequestBody ServerInput in) {
        if (in.kind() != null && kind(in.kind()) != servers.get(id).kind()) {
            throw new IllegalArgumentException("the kind of an MDM server cannot change; add another server");
        }
        return servers.update(id, new MdmServerService.Input(in.name(), null, in.url(), in.apiKey(), in.eventsSecret(),
                in.isDefault(), urlForm(in.urlForm()), in.licenseOnly()));
    }

    @DeleteMapping("/api/v1/mdm/servers/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteServer(@PathVariable long id) {
        servers.delete(id);
    }

    @GetMapping("/api/v1/mdm/commands")
    @Operation(summary = "MDM commands, newest first, with each device's state and result; paged with after/next")
    Paging.Page<MdmCommandView> commands(@RequestParam(required = false) String serialNumber, @RequestParam(required = false) String state,
                                         @RequestParam(required = false) String requestType, @RequestParam(required = false) String after,
                                         @RequestParam(defaultValue = "100") int limit) {
        Paging.check(limit);
        var items = mdm.commands(serialNumber, state, requestType, after == null || after.isBlank() ? null : after, limit);
        return Paging.of(items, limit, MdmCommandView::commandUuid);
    }

    @GetMapping("/api/v1/mdm/commands/{uuid}")
    MdmCommandView command(@PathVariable String uuid) {
        return mdm.command(uuid);
    }

    @PostMapping("/api/v1/mdm/commands/{uuid}/retry")
    @Operation(summary = "Send a command again to the devices where it failed, errored or was cancelled")
    MdmCommandView retry(@PathVariable String uuid) {
        return mdm.retry(uuid);
    }

    @PostMapping("/api/v1/mdm/commands/{uuid}/cancel")
    @Operation(summary = "Cancel the deliveries of a command that have not reached the MDM yet")
    MdmCommandView cancel(@PathVariable String uuid) {
        return mdm.cancel(uuid);
    }

    @PostMapping("/api/v1/mdm/commands/{uuid}/push")
    @Operation(summary = "Push the devices that hold this command and have not answered it (through NanoMDM's push "
            + "endpoint); per enrollment id, whether the push went out, else why not")
    MdmService.Pushed push(@PathVariable String uuid) {
        return mdm.push(uuid);
    }

    @GetMapping("/api/v1/mdm/waiting")
    @Operation(summary = "Devices waiting for the MDM: Orchard has not heard what it should have (an enrolment that did "
            + "not complete, results or app lists that did not come) and asked again; longest first, with the reason")
    Paging.Page<MdmService.EnrollmentView> waiting(@RequestParam(required = false) String after,
                                                   @RequestParam(defaultValue = "100") int limit) {
        Paging.check(limit);
        return Paging.of(mdm.waiting(after, limit), limit, MdmService.EnrollmentView::cursor);
    }

    @PostMapping("/api/v1/mdm/installs")
    @Operation(summary = "Send installation request: one device (serialNumber, optionally one adamId), one app across its "
            + "licensed devices (adamId), or the apps of an App label (labelId). Needs a license Apple confirmed.")
    MdmService.Requested install(@RequestBody InstallInput in) {
        return mdm.sendInstall(serial(in.serialNumber()), adamId(in.adamId()), in.labelId(), "api");
    }

    @GetMapping("/api/v1/mdm/outdated")
    @Operation(summary = "Device-licensed apps whose installed version is older than the catalog's (rule R9)")
    Paging.Page<MdmService.OutdatedApp> outdated(@RequestParam(required = false) String serialNumber,
                                                 @RequestParam(required = false) String adamId,
                                                 @RequestParam(required = false) String after,
                                                 @RequestParam(defaultValue = "100") int limit) {
        Paging.check(limit);
        return Paging.of(mdm.outdated(blankToNull(serialNumber), blankToNull(adamId), blankToNull(after), limit), limit,
                MdmService.OutdatedApp::cursor);
    }

    @PostMapping("/api/v1/mdm/updates")
    @Operation(summary = "Send update for outdated device-licensed apps: per device, per app, or all outdated (empty body)")
    MdmService.Requested update(@RequestBody(required = false) UpdateInput in) {
        return mdm.sendUpdate(in == null ? null : serial(in.serialNumber()), in == null ? null : adamId(in.adamId()), "api");
    }

    @GetMapping("/api/v1/devices/{serial}/mdm")
    @Operation(summary = "The device's enrolment, installs Orchard requested and its recent MDM commands")
    MdmService.DeviceMdm deviceMdm(@PathVariable String serial) {
        return mdm.device(serial);
    }

    @PostMapping("/api/v1/devices/{serial}/app-list-request")
    @Operation(summary = "Ask the device for its managed apps now")
    Queued appList(@PathVariable String serial) {
        return new Queued(mdm.requestAppList(serial));
    }

    /** The command queued for the device. */
    record Queued(String commandUuid) {
    }

    /** An MDM event as recorded. */
    record Recorded(String serialNumber, MdmEvents.Kind event) {
    }

    @PostMapping("/api/v1/devices/{serial}/events")
    @Operation(summary = "Report an MDM event for a device: ENROLLED, RE_ENROLLED, ERASED, CHECKED_OUT, USER_SIGNED_IN or "
            + "APP_LIST (with apps) — for MDMs without a connector")
    Recorded deviceEvent(@PathVariable String serial, @RequestBody DeviceEventInput in) {
        MdmEvents.Kind kind = InventoryController.enumOf(MdmEvents.Kind.class, in.type(), "type");
        if (kind == null) {
            throw new IllegalArgumentException("type is required (ENROLLED, RE_ENROLLED, ERASED, CHECKED_OUT, USER_SIGNED_IN, APP_LIST)");
        }
        String enrollmentId = dev.orchard.server.system.Fields.optional("enrollmentId", in.enrollmentId(), 200);
        events.deviceEvent(serial, kind, enrollmentId, in.apps(), dev.orchard.server.audit.AuditTrail.actor("api"));
        return new Recorded(serial, kind);
    }

    private static MdmServer.UrlForm urlForm(String value) {
        return InventoryController.enumOf(MdmServer.UrlForm.class, value, "urlForm");
    }

    private static MdmServer.Kind kind(String value) {
        return InventoryController.enumOf(MdmServer.Kind.class, value, "kind");
    }

    private static String serial(String s) {
        return blankToNull(s) == null ? null : dev.orchard.server.inventory.Identifiers.serial(s);
    }

    private static String adamId(String s) {
        return blankToNull(s) == null ? null : dev.orchard.server.inventory.Identifiers.adamId(s.strip());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
