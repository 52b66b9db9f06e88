package dev.orchard.server.web.admin;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.orchard.server.alerts.AlertService;

/**
 * Alerts: the open ones and the recently resolved, with whether their notices went out; for admins, the channels
 * (add, test-send, switch off, remove) and the rules (on/off, threshold, repeat, mute, routing).
 */
@Controller
class AlertsPage {

    /** A destructive action waiting for the admin's yes. */
    record Confirm(String question, String action) {
    }

    private final AlertService alerts;
    private final Clock clock;

    AlertsPage(AlertService alerts, Clock clock) {
        this.alerts = alerts;
        this.clock = clock;
    }

    @GetMapping("/alerts")
    String page(@RequestParam(required = false) Long removeChannel, Model model) {
        model.addAttribute("alerts", alerts.recent(200));
        model.addAttribute("channels", alerts.channels());
        model.addAttribute("rules", alerts.rules());
        model.addAttribute("now", clock.instant());
        if (removeChannel != null) {
            alerts.channels().stream().filter(c -> c.id() == removeChannel).findFirst().ifPresent(c -> model.addAttribute("confirm",
                    new Confirm("Remove the channel '" + c.name() + "'? Its queued notices are dropped.",
                            "/alerts/channels/" + c.id() + "/delete")));
        }
        return "alerts";
    }

    @PostMapping("/alerts/channels")
    String addChannel(@RequestParam String name, @RequestParam String kind, @RequestParam(required = false) String recipients,
                      @RequestParam(required = false) String url, @RequestParam(required = false) String secret,
                      RedirectAttributes flash) {
        return Actions.run(flash, "/alerts", () -> {
            var c = alerts.addChannel(new AlertService.ChannelInput(name, kind, Actions.blank(recipients), Actions.blank(url),
                    secret == null || secret.isEmpty() ? null : secret, true));
            return "Channel " + c.name() + " added. Send it a test notice to check it.";
        });
    }

    @PostMapping("/alerts/channels/{id}/test")
    String test(@PathVariable long id, RedirectAttributes flash) {
        return Actions.run(flash, "/alerts", () -> {
            var r = alerts.test(id);
            if (!r.sent()) {
                throw new IllegalStateException("The test notice was not sent: " + r.error());
            }
            return "Test notice sent to " + alerts.channel(id).name() + ".";
        });
    }

    @PostMapping("/alerts/channels/{id}/enabled")
    String enable(@PathVariable long id, @RequestParam boolean enabled, RedirectAttributes flash) {
        return Actions.run(flash, "/alerts", () -> {
            var c = alerts.changeChannel(id, new AlertService.ChannelInput(null, null, null, null, null, enabled));
            return "Channel " + c.name() + (enabled ? " switched on." : " switched off: it gets no notices.");
        });
    }

    @PostMapping("/alerts/channels/{id}/delete")
    String delete(@PathVariable long id, RedirectAttributes flash) {
        return Actions.run(flash, "/alerts", () -> {
            alerts.deleteChannel(id);
            return "Channel removed.";
        });
    }

    /** One rule's form: {@code mute} is hours from now, 0 ends a mute, blank keeps it. */
    @PostMapping("/alerts/rules/{rule}")
    String rule(@PathVariable String rule, @RequestParam(defaultValue = "false") boolean enabled, @RequestParam String threshold,
                @RequestParam String repeatMinutes, @RequestParam(required = false) String mute,
                @RequestParam(required = false) List<Long> channelIds, RedirectAttributes flash) {
        return Actions.run(flash, "/alerts", () -> {
            Integer hours = number("Mute", mute);
            alerts.changeRules(List.of(new AlertService.RuleInput(rule, enabled, number("Threshold", threshold),
                    number("Repeat", repeatMinutes), hours == null || hours == 0 ? null : clock.instant().plus(Duration.ofHours(hours)),
                    hours != null && hours == 0, channelIds == null ? List.of() : channelIds)));
            return "Rule " + rule + " saved.";
        });
    }

    private static Integer number(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " must be a whole number.");
        }
    }
}
