package dev.orchard.applesim;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code client/config}: the location's settings, the owner's mdmInfo, and notification subscription with its test. */
final class ClientConfig {

    static final List<String> NOTIFICATION_TYPES = List.of("TEST_NOTIFICATION", "ASSET_MANAGEMENT", "USER_MANAGEMENT",
            "USER_ASSOCIATED", "ASSET_COUNT", "SUBSCRIPTION_MANAGEMENT", "SUBSCRIPTION_COUNT", "UNLIMITED_ASSET");

    private final Settings settings;
    private final Notifier notifier;

    ClientConfig(Settings settings, Notifier notifier) {
        this.settings = settings;
        this.notifier = notifier;
    }

    ObjectNode read(Location loc) {
        ObjectNode body = SimJson.object();
        body.put("countryISO2ACode", loc.countryCode);
        body.put("defaultPlatform", loc.defaultPlatform);
        body.put("locationName", loc.locationName);
        if (loc.notificationAuthToken != null) {
            body.put("notificationAuthToken", loc.notificationAuthToken);
        }
        if (loc.notificationUrl != null) {
            body.put("notificationUrl", loc.notificationUrl);
        }
        var types = body.putArray("subscribedNotificationTypes");
        loc.notificationTypes.forEach(types::add);
        body.put("websiteURL", loc.websiteUrl());
        return body;
    }

    /** Validates everything first (nothing changes on an error), tests the URL, then saves. */
    ObjectNode update(Location loc, JsonNode body) {
        String url = text(body, "notificationUrl");
        String token = text(body, "notificationAuthToken");
        if ((url == null) != (token == null)) {
            throw ErrorCatalog.error(9710);
        }
        int maxLength = settings.limit("maxNotificationLength");
        if (url != null && (url.length() > maxLength || token.length() > maxLength)) {
            throw ErrorCatalog.error(9711);
        }
        if (url != null && !acceptableUrl(url)) {
            throw ErrorCatalog.error(9712);
        }
        List<String> types = null;
        JsonNode typeNodes = body.get("notificationTypes");
        if (typeNodes != null && !typeNodes.isNull()) {
            if (!typeNodes.isArray()) {
                throw AppleError.badRequest(9602, "Invalid argument: notificationTypes must be an array");
            }
            types = new ArrayList<>();
            for (JsonNode t : typeNodes) {
                if (!NOTIFICATION_TYPES.contains(t.asString())) {
                    throw AppleError.badRequest(9602, "Invalid argument: unknown notification type " + t.asString());
                }
                types.add(t.asString());
            }
        }
        ObjectNode mdmInfo = null;
        JsonNode info = body.get("mdmInfo");
        if (info != null && !info.isNull()) {
            String id = text(info, "id");
            String name = text(info, "name");
            String metadata = text(info, "metadata");
            if (id == null || name == null || metadata == null) {
                throw ErrorCatalog.error(9723);
            }
            if (id.length() > settings.limit("maxMdmIdLength")) {
                throw ErrorCatalog.error(9724);
            }
            if (name.length() > settings.limit("maxMdmNameLength")) {
                throw ErrorCatalog.error(9725);
            }
            if (metadata.length() > settings.limit("maxMdmMetadataLength")) {
                throw ErrorCatalog.error(9713);
            }
            mdmInfo = SimJson.object().put("id", id).put("metadata", metadata).put("name", name);
        }
        if (url != null && !notifier.sendTest(loc, url, token)) {
            throw ErrorCatalog.error(9728);
        }
        synchronized (loc) {
            if (url != null) {
                loc.notificationUrl = url;
                loc.notificationAuthToken = token;
            }
            if (types != null) {
                loc.notificationTypes = List.copyOf(types);
            }
            if (mdmInfo != null) {
                loc.mdmInfo = mdmInfo;
            }
        }
        return read(loc);
    }

    private boolean acceptableUrl(String url) {
        try {
            URI uri = URI.create(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri.getHost() == null) {
                return false;
            }
            if ("https".equals(scheme)) {
                return true;
            }
            return "http".equals(scheme) && settings.allowHttpLoopbackNotifications
                    && (uri.getHost().equals("127.0.0.1") || uri.getHost().equals("localhost")
                    || uri.getHost().equals("[::1]"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }
}
