package dev.orchard.server.web.admin;

import java.util.List;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.catalog.CatalogQueries;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.Identifiers;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.ledger.LedgerQueries;
import dev.orchard.server.licensing.AssignmentPolicy.HolderType;
import dev.orchard.server.licensing.Reclaims;
import dev.orchard.server.licensing.WhyNot;
import dev.orchard.server.mdm.MdmService;

/**
 * Devices: search with keyset paging; a device's apps and why each is or is not licensed ("Why not?"), its licenses,
 * installed apps, MDM state and history; retire, install, allow a reclaimed app again.
 */
@Controller
class DevicesPages {

    private final Inventory inventory;
    private final LedgerQueries ledger;
    private final MdmService mdm;
    private final AuditTrail audit;
    private final WhyNot whyNot;
    private final CatalogQueries catalog;
    private final Reclaims reclaims;
    private final Names names;

    DevicesPages(Inventory inventory, LedgerQueries ledger, MdmService mdm, AuditTrail audit, WhyNot whyNot,
                 CatalogQueries catalog, Reclaims reclaims, Names names) {
        this.names = names;
        this.inventory = inventory;
        this.ledger = ledger;
        this.mdm = mdm;
        this.audit = audit;
        this.whyNot = whyNot;
        this.catalog = catalog;
        this.reclaims = reclaims;
    }

    @GetMapping("/devices")
    String list(@RequestParam(required = false) String q, @RequestParam(defaultValue = "") String after, Model model) {
        List<Device> devices = inventory.devices(q, null, after, AppsPages.PAGE);
        model.addAttribute("devices", devices);
        model.addAttribute("q", q);
        model.addAttribute("next", devices.size() == AppsPages.PAGE ? devices.get(devices.size() - 1).serialNumber() : null);
        return "devices";
    }

    @GetMapping("/devices/{serial}")
    String device(@PathVariable String serial, @RequestParam(defaultValue = "false") boolean retire, Model model) {
        String normalised = Identifiers.serial(serial);
        if (inventory.findDevice(normalised).isEmpty()) {
            // Apple may hold licenses for a serial Orchard was never told about (assigned by another tool)
            var held = ledger.licenses(new LedgerQueries.LicenseFilter(null, null, normalised, null, null), 0, 200);
            if (held.isEmpty()) {
                throw new dev.orchard.server.system.NotFoundException("no device with serial number " + normalised);
            }
            return names.unknownHolder("device", normalised, held, model);
        }
        var detail = inventory.device(serial);
        String s = detail.device().serialNumber();
        model.addAttribute("d", detail.device());
        model.addAttribute("apps", detail.apps());
        model.addAttribute("licenses", ledger.licenses(new LedgerQueries.LicenseFilter(null, null, s, null, null), 0, 200));
        model.addAttribute("mdm", mdm.device(s));
        model.addAttribute("history", audit.list(new AuditTrail.Filter(null, null, "device " + s, null, null), 0, 50));
        model.addAttribute("confirmRetire", retire);
        var why = whyNot.device(s);
        model.addAttribute("why", why);
        model.addAttribute("appNames", catalog.names(why.stream().map(WhyNot.Explanation::adamId).toList()));
        model.addAttribute("accountNames", names.accounts());
        return "device";
    }

    @PostMapping("/devices/{serial}/opt-outs/{adamId}/allow")
    String allowAgain(@PathVariable String serial, @PathVariable String adamId, RedirectAttributes flash) {
        return Actions.run(flash, "/devices/" + serial, () -> {
            int n = reclaims.allowAgain(HolderType.DEVICE, inventory.device(serial).device().serialNumber(),
                    Identifiers.adamId(adamId));
            return n == 0 ? "Nothing to allow: the app was not reclaimed on purpose from this device."
                    : "Allowed again: the next licensing pass assigns the app if a label still wants it.";
        });
    }

    @PostMapping("/devices/{serial}/retire")
    String retire(@PathVariable String serial, RedirectAttributes flash) {
        return Actions.run(flash, "/devices/" + serial, () -> {
            inventory.retire(serial);
            return "The device is retired; its device licenses are being reclaimed.";
        });
    }

    @PostMapping("/devices/{serial}/install")
    String install(@PathVariable String serial, RedirectAttributes flash) {
        return Actions.run(flash, "/devices/" + serial, () -> {
            var r = mdm.sendInstall(serial, null, null, null);
            return "Installation requested for " + r.devices() + " app(s)" + (r.skipped().isEmpty() ? "."
                    : "; skipped: " + r.skipped().stream().map(MdmService.Skipped::reason).distinct().collect(java.util.stream.Collectors.joining("; ")));
        });
    }
}
