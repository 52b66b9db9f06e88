package dev.orchard.server.alerts;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One notice as people read it, in each channel's format: e-mail text, Orchard's own JSON, Slack's Block Kit and
 * Teams' Adaptive Card. {@code link} is absolute when {@code orchard.public-url} is set.
 */
record Notice(AlertStore.Event event, Long alertId, AlertRule rule, String subject, Condition.Severity severity, String title,
              String detail, String link, Instant raisedAt, Instant resolvedAt, Instant sentAt) {

    static Notice of(Alert a, AlertStore.Event event, URI publicUrl, Instant now) {
        return new Notice(event, a.id(), a.rule(), a.subject(), a.severity(), a.title(), a.detail(), absolute(a.link(), publicUrl),
                a.raisedAt(), a.resolvedAt(), now);
    }

    static Notice test(String channel, URI publicUrl, Instant now) {
        return new Notice(AlertStore.Event.TEST, null, null, "channel " + channel, Condition.Severity.WARNING,
                "Test notice from Orchard", "This is a test of the alert channel '" + channel + "'. If you read it, alerts "
                + "reach you here.", absolute("/alerts", publicUrl), now, null, now);
    }

    private static String absolute(String link, URI publicUrl) {
        if (link == null || publicUrl == null) {
            return link;
        }
        String base = publicUrl.toString().endsWith("/") ? publicUrl.toString().substring(0, publicUrl.toString().length() - 1)
                : publicUrl.toString();
        return base + link;
    }

    /** "[Orchard] RESOLVED: …", the e-mail subject and the first line elsewhere. */
    String headline() {
        String what = switch (event) {
            case RAISED -> severity == Condition.Severity.CRITICAL ? "CRITICAL" : "WARNING";
            case ESCALATED -> "NOW " + severity;
            case REPEATED -> "STILL " + severity;
            case RESOLVED -> "RESOLVED";
            case TEST -> "TEST";
        };
        return "[Orchard] " + what + ": " + title;
    }

    String text() {
        var b = new StringBuilder(event == AlertStore.Event.RESOLVED ? "Resolved: the cause of this alert is gone.\n\n" : "")
                .append(detail).append("\n\n");
        if (rule != null) {
            b.append("Rule: ").append(rule).append(" (").append(subject).append(")\n");
        }
        b.append("Raised: ").append(raisedAt).append('\n');
        if (resolvedAt != null) {
            b.append("Resolved: ").append(resolvedAt).append('\n');
        }
        if (link != null) {
            b.append("Open: ").append(link).append('\n');
        }
        return b.toString();
    }

    /** Orchard's own JSON (generic webhooks). */
    Map<String, Object> json() {
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("id", alertId);
        alert.put("rule", rule == null ? null : rule.name());
        alert.put("subject", subject);
        alert.put("severity", severity.name());
        alert.put("title", title);
        alert.put("detail", detail);
        alert.put("link", link);
        alert.put("raisedAt", raisedAt.toString());
        alert.put("resolvedAt", resolvedAt == null ? null : resolvedAt.toString());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event.name());
        body.put("sentAt", sentAt.toString());
        body.put("alert", alert);
        return body;
    }

    /** A Slack incoming-webhook message: a plain fallback text and blocks. */
    Map<String, Object> slack() {
        String section = slackEscape(event == AlertStore.Event.RESOLVED ? "Resolved. " + detail : detail)
                + (link == null || !link.startsWith("http") ? "" : "\n<" + link + "|Open in Orchard>");
        return Map.of("text", slackEscape(headline()), "blocks", List.of(
                Map.of("type", "header", "text", Map.of("type", "plain_text", "text", cap(headline(), 150))),
                Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text", cap(section, 3000)))));
    }

    /** A Teams workflow-webhook message: one Adaptive Card. */
    Map<String, Object> teams() {
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
        card.put("type", "AdaptiveCard");
        card.put("version", "1.4");
        card.put("body", List.of(
                Map.of("type", "TextBlock", "size", "Medium", "weight", "Bolder", "wrap", true, "text", headline(),
                        "color", event == AlertStore.Event.RESOLVED ? "Good"
                                : severity == Condition.Severity.CRITICAL ? "Attention" : "Warning"),
                Map.of("type", "TextBlock", "wrap", true, "text", detail)));
        if (link != null && link.startsWith("http")) {
            card.put("actions", List.of(Map.of("type", "Action.OpenUrl", "title", "Open in Orchard", "url", link)));
        }
        Map<String, Object> attachment = new LinkedHashMap<>();
        attachment.put("contentType", "application/vnd.microsoft.card.adaptive");
        attachment.put("content", card);
        return Map.of("type", "message", "attachments", List.of(attachment));
    }

    private static String slackEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String cap(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
