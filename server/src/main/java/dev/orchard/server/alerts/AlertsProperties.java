package dev.orchard.server.alerts;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Alerts: how often the rules are evaluated, how deliveries are retried, how long resolved alerts are kept, and the
 * SMTP server e-mail channels send through. The SMTP password comes from the environment
 * ({@code ORCHARD_ALERTS_MAIL_PASSWORD}) and is never logged.
 *
 * @param evaluateInterval how often every rule is evaluated (at least 10 s)
 * @param maxAttempts      attempts per notice before it is given up (FAILED), waits doubling from 30 s up to 1 h
 * @param keepResolved     how long resolved alerts (and their deliveries) are kept; zero keeps them forever
 * @param mail             the SMTP server
 */
@ConfigurationProperties("orchard.alerts")
public record AlertsProperties(Duration evaluateInterval, Integer maxAttempts, Duration keepResolved, Mail mail) {

    /**
     * @param host     SMTP server; unset means e-mail channels fail with a clear error
     * @param port     25 / 587 (STARTTLS) / 465 (implicit TLS); default 587
     * @param username SMTP user, when the server needs authentication
     * @param password SMTP password (environment only)
     * @param starttls upgrade the connection with STARTTLS, required (default true); false sends in clear text
     * @param ssl      implicit TLS from the first byte (port 465)
     * @param from     the sender address
     * @param timeout  connect, read and write timeout
     */
    public record Mail(String host, Integer port, String username, String password, Boolean starttls, Boolean ssl, String from,
                       Duration timeout) {
        public Mail {
            port = port == null ? 587 : port;
            starttls = starttls == null ? Boolean.TRUE : starttls;
            ssl = ssl == null ? Boolean.FALSE : ssl;
            from = from == null || from.isBlank() ? "orchard@localhost" : from.strip();
            timeout = timeout == null ? Duration.ofSeconds(20) : timeout;
            host = host == null || host.isBlank() ? null : host.strip();
            username = username == null || username.isBlank() ? null : username;
        }
    }

    public AlertsProperties {
        evaluateInterval = evaluateInterval == null ? Duration.ofMinutes(1) : evaluateInterval;
        maxAttempts = maxAttempts == null ? 8 : maxAttempts;
        keepResolved = keepResolved == null ? Duration.ofDays(90) : keepResolved;
        mail = mail == null ? new Mail(null, null, null, null, null, null, null, null) : mail;
        if (evaluateInterval.compareTo(Duration.ofSeconds(10)) < 0) {
            throw new IllegalArgumentException("orchard.alerts.evaluate-interval must be at least 10 seconds");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("orchard.alerts.max-attempts must be at least 1");
        }
    }
}
