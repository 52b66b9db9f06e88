package dev.orchard.server.alerts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

/** The alert_channels table. URLs and secrets are handled as ciphertexts here; {@link AlertService} encrypts them. */
@Repository
class AlertChannels {

    private final JdbcClient jdbc;

    AlertChannels(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<AlertChannel> all() {
        return jdbc.sql("select * from alert_channels order by name").query(AlertChannels::map).list();
    }

    Optional<AlertChannel> find(long id) {
        return jdbc.sql("select * from alert_channels where id = ?").param(id).query(AlertChannels::map).optional();
    }

    /** The channel's stored URL and secret ciphertexts (either may be null). */
    record Sealed(String url, String secret) {
    }

    Sealed sealed(long id) {
        return jdbc.sql("select url_ciphertext, secret_ciphertext from alert_channels where id = ?").param(id)
                .query((rs, n) -> new Sealed(rs.getString(1), rs.getString(2))).optional().orElse(new Sealed(null, null));
    }

    long insert(String name, AlertChannel.Kind kind, String recipients, String url, String urlHint, String secret,
                boolean enabled, Instant now) {
        var keys = new GeneratedKeyHolder();
        jdbc.sql("insert into alert_channels (name, kind, recipients, url_ciphertext, url_hint, secret_ciphertext, enabled, "
                        + "created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(name, kind.name(), recipients, url, urlHint, secret, enabled, Timestamp.from(now), Timestamp.from(now))
                .update(keys, "id");
        return keys.getKey().longValue();
    }

    /** A null recipients, URL or secret keeps the stored one. */
    void update(long id, String name, String recipients, String url, String urlHint, String secret, boolean enabled, Instant now) {
        jdbc.sql("update alert_channels set name = ?, recipients = coalesce(?, recipients), url_ciphertext = coalesce(?, "
                        + "url_ciphertext), url_hint = coalesce(?, url_hint), secret_ciphertext = coalesce(?, secret_ciphertext), "
                        + "enabled = ?, updated_at = ? where id = ?")
                .params(name, recipients, url, urlHint, secret, enabled, Timestamp.from(now), id).update();
    }

    boolean nameTaken(String name, long exceptId) {
        return jdbc.sql("select count(*) from alert_channels where lower(name) = lower(?) and id <> ?").params(name, exceptId)
                .query(Integer.class).single() > 0;
    }

    boolean delete(long id) {
        return jdbc.sql("delete from alert_channels where id = ?").param(id).update() == 1;
    }

    private static AlertChannel map(ResultSet rs, int n) throws SQLException {
        return new AlertChannel(rs.getLong("id"), rs.getString("name"), AlertChannel.Kind.valueOf(rs.getString("kind")),
                rs.getString("recipients"), rs.getString("url_hint"), rs.getString("secret_ciphertext") != null,
                rs.getBoolean("enabled"), rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }
}
