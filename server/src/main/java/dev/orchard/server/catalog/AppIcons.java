package dev.orchard.server.catalog;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * App icons as the pages show them: fetched once from the artwork URL of the app's metadata (Apple's CDN, or the
 * simulator), kept in {@code app_icons}, and fetched again when the metadata names another URL. An app without
 * artwork, or whose artwork cannot be fetched, gets a generated icon (its initial on a colour of its own), so a
 * page never shows a broken image. A failed fetch is not tried again for ten minutes.
 */
@Component
public class AppIcons {

    /** An image to serve. */
    public record Icon(String contentType, byte[] bytes) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(AppIcons.class);
    private static final int MAX_BYTES = 1024 * 1024;
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(10);

    private final JdbcClient jdbc;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final Map<String, Instant> failedAt = new ConcurrentHashMap<>();

    AppIcons(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The app's icon: the cached artwork, the artwork fetched now, or a generated one. */
    public Icon icon(String adamId) {
        var meta = jdbc.sql("select name, icon_url from app_metadata where adam_id = ?").param(adamId)
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).optional();
        String name = meta.map(m -> m[0]).orElse(null);
        String url = meta.map(m -> m[1]).orElse(null);
        if (url == null || !(url.startsWith("https://") || url.startsWith("http://"))) {
            return generated(adamId, name);
        }
        return cached(adamId, url).or(() -> fetch(adamId, url)).orElseGet(() -> generated(adamId, name));
    }

    private Optional<Icon> cached(String adamId, String url) {
        return jdbc.sql("select content_type, bytes from app_icons where adam_id = ? and source_url = ?").params(adamId, url)
                .query((rs, n) -> new Icon(rs.getString(1), rs.getBytes(2))).optional();
    }

    private Optional<Icon> fetch(String adamId, String url) {
        Instant failed = failedAt.get(adamId);
        Instant now = clock.instant();
        if (failed != null && failed.plus(RETRY_AFTER_FAILURE).isAfter(now)) {
            return Optional.empty();
        }
        try {
            var response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            String type = response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
            byte[] bytes;
            try (var in = response.body()) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
            if (response.statusCode() != 200 || !type.startsWith("image/") || type.contains("svg") || bytes.length > MAX_BYTES) {
                throw new java.io.IOException("HTTP " + response.statusCode() + ", " + type + ", " + bytes.length + " bytes");
            }
            Timestamp ts = Timestamp.from(now);
            if (jdbc.sql("update app_icons set source_url = ?, content_type = ?, bytes = ?, fetched_at = ? where adam_id = ?")
                    .params(url, type, bytes, ts, adamId).update() == 0) {
                jdbc.sql("insert into app_icons (adam_id, source_url, content_type, bytes, fetched_at) values (?, ?, ?, ?, ?)")
                        .params(adamId, url, type, bytes, ts).update();
            }
            failedAt.remove(adamId);
            return Optional.of(new Icon(type, bytes));
        } catch (java.io.IOException | RuntimeException e) {
            LOG.info("Icon of app {} not fetched from {}: {}", adamId, url, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failedAt.put(adamId, now);
        return Optional.empty();
    }

    /** An SVG icon: the name's first letter (or the id's) on a colour derived from the store id. */
    static Icon generated(String adamId, String name) {
        String letter = name == null || name.isBlank() ? "#" : name.strip().substring(0, 1).toUpperCase(Locale.ROOT);
        if (!Character.isLetterOrDigit(letter.codePointAt(0))) {
            letter = "#";
        }
        int hue = Math.floorMod(adamId.hashCode(), 360);
        String svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 64 64\"><rect width=\"64\" height=\"64\" rx=\"14\" "
                + "fill=\"hsl(" + hue + ",45%,45%)\"/><text x=\"32\" y=\"42\" font-size=\"30\" text-anchor=\"middle\" "
                + "font-family=\"sans-serif\" fill=\"#fff\">" + letter + "</text></svg>";
        return new Icon("image/svg+xml", svg.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
