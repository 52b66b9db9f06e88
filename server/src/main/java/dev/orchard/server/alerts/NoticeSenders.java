package dev.orchard.server.alerts;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Properties;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.stereotype.Component;

import tools.jackson.databind.json.JsonMapper;

/**
 * Sends one notice to one channel: e-mail through the configured SMTP server, webhooks as a JSON POST. A generic
 * webhook with a secret is signed: {@code X-Orchard-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">} with
 * {@code X-Orchard-Timestamp} (seconds), so a receiver can refuse replays. Nothing here retries: the delivery task
 * does, and an error says what went wrong without the URL or any secret.
 */
@Component
class NoticeSenders {

    /** A notice that did not go out, with a reason fit to show an administrator. */
    static final class NotSent extends RuntimeException {
        NotSent(String message) {
            super(message);
        }
    }

    private static final int BODY_CAP = 1024;

    private final AlertsProperties properties;
    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient http;

    NoticeSenders(AlertsProperties properties) {
        this.properties = properties;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** {@code url} and {@code secret}: the channel's, decrypted (null for e-mail). */
    void send(AlertChannel channel, String url, String secret, Notice notice) {
        switch (channel.kind()) {
            case EMAIL -> mail(channel.recipients(), notice);
            case WEBHOOK -> post(url, json.writeValueAsBytes(notice.json()), secret, notice);
            case SLACK -> post(url, json.writeValueAsBytes(notice.slack()), null, notice);
            case TEAMS -> post(url, json.writeValueAsBytes(notice.teams()), null, notice);
        }
    }

    private void mail(String recipients, Notice notice) {
        AlertsProperties.Mail m = properties.mail();
        if (m.host() == null) {
            throw new NotSent("no SMTP server is configured: set orchard.alerts.mail.host (and port, username, password)");
        }
        var sender = new JavaMailSenderImpl();
        sender.setHost(m.host());
        sender.setPort(m.port());
        sender.setUsername(m.username());
        sender.setPassword(m.password());
        sender.setProtocol(m.ssl() ? "smtps" : "smtp");
        Properties p = sender.getJavaMailProperties();
        String prefix = "mail." + (m.ssl() ? "smtps" : "smtp") + ".";
        p.put(prefix + "auth", Boolean.toString(m.username() != null));
        p.put(prefix + "starttls.enable", Boolean.toString(m.starttls() && !m.ssl()));
        p.put(prefix + "starttls.required", Boolean.toString(m.starttls() && !m.ssl()));
        p.put(prefix + "connectiontimeout", Long.toString(m.timeout().toMillis()));
        p.put(prefix + "timeout", Long.toString(m.timeout().toMillis()));
        p.put(prefix + "writetimeout", Long.toString(m.timeout().toMillis()));
        var message = new SimpleMailMessage();
        message.setFrom(m.from());
        message.setTo(recipients.split("\\s*,\\s*"));
        message.setSubject(notice.headline());
        message.setText(notice.text());
        try {
            sender.send(message);
        } catch (MailException e) {
            throw new NotSent("the SMTP server " + m.host() + ":" + m.port() + " did not take the e-mail: " + rootCause(e));
        }
    }

    private void post(String url, byte[] body, String secret, Notice notice) {
        var request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("User-Agent", "Orchard")
                .header("X-Orchard-Event", notice.event().name())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (secret != null) {
            String timestamp = Long.toString(notice.sentAt().getEpochSecond());
            request.header("X-Orchard-Timestamp", timestamp).header("X-Orchard-Signature", "sha256=" + sign(secret, timestamp, body));
        }
        String host = URI.create(url).getHost();
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                String answer = r.body() == null ? "" : r.body().length() > BODY_CAP ? r.body().substring(0, BODY_CAP) : r.body();
                throw new NotSent(host + " answered " + r.statusCode() + (answer.isBlank() ? "" : ": " + answer));
            }
        } catch (java.io.IOException e) {
            throw new NotSent(host + " could not be reached: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotSent("interrupted while sending to " + host);
        }
    }

    /** The signature a receiver recomputes: hex HMAC-SHA256 of the timestamp, a dot, and the body's bytes. */
    static String sign(String secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage().strip());
    }
}
