package dev.orchard.server.web.api;

import java.time.Instant;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.alerts.AlertChannel;
import dev.orchard.server.alerts.AlertService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Alerts (open and recent), the channels their notices go to, and the rules that raise them. */
@RestController
@Tag(name = "Alerts")
class AlertsController {

    record ChannelInput(String name, String kind, String recipients, String url, String secret, Boolean enabled) {
    }

    record RuleInput(String rule, Boolean enabled, Integer threshold, Integer repeatMinutes, Instant mutedUntil, Boolean unmute,
                     List<Long> channelIds) {
    }

    private final AlertService alerts;

    AlertsController(AlertService alerts) {
        this.alerts = alerts;
    }

    @GetMapping("/api/v1/alerts")
    @Operation(summary = "Open alerts, then the most recently resolved ones, each with how its notices fared "
            + "(deliveries per state: QUEUED, SENT, FAILED)")
    List<AlertService.AlertView> alerts(@RequestParam(defaultValue = "100") int limit) {
        Paging.check(limit);
        return alerts.recent(limit);
    }

    @GetMapping("/api/v1/alerts/channels")
    List<AlertChannel> channels() {
        return alerts.channels();
    }

    @PostMapping("/api/v1/alerts/channels")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Add a channel: EMAIL (recipients, comma-separated; sent through orchard.alerts.mail.*), WEBHOOK "
            + "(url and a secret of at least 16 characters: JSON signed with X-Orchard-Signature), SLACK or TEAMS (the "
            + "incoming-webhook url). URLs and secrets are stored encrypted and never shown.")
    AlertChannel addChannel(@RequestBody ChannelInput in) {
        return alerts.addChannel(input(in));
    }

    @GetMapping("/api/v1/alerts/channels/{id}")
    AlertChannel channel(@PathVariable long id) {
        return alerts.channel(id);
    }

    @PatchMapping("/api/v1/alerts/channels/{id}")
    @Operation(summary = "Change a channel; omitted fields (the URL and the secret included) stay as they are")
    AlertChannel changeChannel(@PathVariable long id, @RequestBody ChannelInput in) {
        return alerts.changeChannel(id, input(in));
    }

    @DeleteMapping("/api/v1/alerts/channels/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteChannel(@PathVariable long id) {
        alerts.deleteChannel(id);
    }

    @PostMapping("/api/v1/alerts/channels/{id}/test")
    @Operation(summary = "Send a test notice to the channel now; answers whether it went out, else why not")
    AlertService.TestResult test(@PathVariable long id) {
        return alerts.test(id);
    }

    @GetMapping("/api/v1/alerts/rules")
    @Operation(summary = "Every rule with its settings: on/off, threshold (and what it counts), repeat interval, mute, "
            + "and the channels it notifies (none listed: every enabled channel)")
    List<AlertService.RuleView> rules() {
        return alerts.rules();
    }

    @PutMapping("/api/v1/alerts/rules")
    @Operation(summary = "Change the rules named in the list (others stay as they are); omitted fields keep their value; "
            + "mutedUntil mutes the rule's notices until then, unmute: true ends a mute")
    List<AlertService.RuleView> changeRules(@RequestBody List<RuleInput> in) {
        if (in == null) {
            throw new IllegalArgumentException("a list of rules is required");
        }
        return alerts.changeRules(in.stream().map(r -> new AlertService.RuleInput(r.rule(), r.enabled(), r.threshold(),
                r.repeatMinutes(), r.mutedUntil(), r.unmute(), r.channelIds())).toList());
    }

    private static AlertService.ChannelInput input(ChannelInput in) {
        return new AlertService.ChannelInput(in.name(), in.kind(), in.recipients(), in.url(), in.secret(), in.enabled());
    }
}
