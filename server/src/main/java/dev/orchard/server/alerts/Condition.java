package dev.orchard.server.alerts;

/**
 * A cause that holds now: what an open alert stands for. {@code subject} names the cause within its rule (an account,
 * a pool, an MDM server); a change of {@code stage} (30 → 14 days left, expired → revoked) notifies again.
 */
public record Condition(AlertRule rule, String subject, Severity severity, String stage, String title, String detail,
                        String link) {

    /** How urgent: a WARNING can wait for office hours, a CRITICAL stops licensing somewhere. */
    public enum Severity {
        WARNING, CRITICAL
    }

    public Condition {
        title = cap(title, 300);
        detail = cap(detail, 2000);
    }

    /** One key per cause, unique among open alerts. */
    String key() {
        return rule + ":" + subject;
    }

    private static String cap(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
