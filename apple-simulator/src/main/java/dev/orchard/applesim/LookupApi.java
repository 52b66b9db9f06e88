package dev.orchard.applesim;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Locale;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The two metadata lookups: Apple's content metadata lookup (MZStorePlatform {@code wa/lookup}, custom apps only
 * with the owning location's sToken in the {@code itvt} cookie) and the public iTunes {@code lookup}. Both answer
 * per storefront: an app not sold in the country has no result.
 */
final class LookupApi {

    static final String CONTENT_PATH = "/WebObjects/MZStorePlatform.woa/wa/lookup";
    static final String STORE_PATH = "/lookup";

    private final Registry registry;
    private volatile URI baseUri;

    LookupApi(Registry registry) {
        this.registry = registry;
    }

    void baseUri(URI uri) {
        this.baseUri = uri;
    }

    static final String ARTWORK_PATH = "/artwork/";

    /**
     * The artwork the lookups point to ({@code /artwork/{adamId}/{w}x{h}bb.png}): a PNG of the asked size (at most
     * 512), its colours derived from the store id, so each app has its own recognisable icon. Unknown ids are 404.
     */
    void artwork(Exchange ex) throws IOException {
        String[] parts = ex.path.substring(ARTWORK_PATH.length()).split("/");
        SimAsset.CatalogEntry e = parts.length == 2 ? registry.catalog(parts[0]) : null;
        java.util.regex.Matcher size = java.util.regex.Pattern.compile("(\\d{1,4})x(\\d{1,4})bb\\.(png|jpg)").matcher(
                parts.length == 2 ? parts[1] : "");
        if (e == null || !size.matches()) {
            ex.send(404, SimJson.object().put("error", "no artwork " + ex.path));
            return;
        }
        int px = Math.max(16, Math.min(512, Integer.parseInt(size.group(1))));
        int hash = e.adamId().hashCode();
        var image = new java.awt.image.BufferedImage(px, px, java.awt.image.BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setColor(java.awt.Color.getHSBColor((hash & 0xff) / 255f, 0.55f, 0.75f));
        g.fillRect(0, 0, px, px);
        g.setColor(java.awt.Color.getHSBColor(((hash >> 8) & 0xff) / 255f, 0.35f, 0.95f));
        g.fillOval(px / 5, px / 5, px * 3 / 5, px * 3 / 5);
        g.dispose();
        var out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", out);
        ex.send(200, "image/png", out.toByteArray());
    }

    void content(Exchange ex) throws IOException {
        String cc = ex.query.getOrDefault("cc", "us").toUpperCase(Locale.ROOT);
        Location owner = tokenFromCookie(ex.header("Cookie"));
        ObjectNode body = SimJson.object();
        ObjectNode results = body.putObject("results");
        for (String id : ex.query.getOrDefault("id", "").split(",")) {
            SimAsset.CatalogEntry e = registry.catalog(id.strip());
            if (e == null || !availableIn(e, cc) || (e.custom() && !registry.owns(owner, e.adamId()))) {
                continue;
            }
            ObjectNode r = results.putObject(e.adamId());
            r.put("artistName", "Simulated Developer");
            r.putObject("artwork").put("url", baseUri + "artwork/" + e.adamId() + "/{w}x{h}bb.{f}")
                    .put("width", 1024).put("height", 1024);
            r.put("bundleId", e.bundleId());
            ArrayNode families = r.putArray("deviceFamilies");
            deviceFamilies(e.platforms()).forEach(families::add);
            r.put("id", e.adamId());
            r.put("isB2BCustomApp", e.custom());
            r.put("isVppDeviceBasedLicensingEnabled", e.deviceAssignable());
            r.put("kind", kind(e));
            r.put("minimumOSVersion", e.minimumOsVersion());
            r.put("name", e.name());
            ObjectNode offer = r.putArray("offers").addObject();
            offer.put("type", "get");
            offer.putObject("version").put("display", e.version()).put("externalId", e.externalVersionId());
            r.put("url", baseUri + "app/" + e.adamId());
        }
        body.put("version", 2);
        body.put("isAuthenticated", false);
        ObjectNode meta = body.putObject("meta");
        meta.putObject("storefront").put("cc", cc);
        meta.putObject("language").put("tag", "en-us");
        ex.send(200, body);
    }

    void store(Exchange ex) throws IOException {
        String cc = ex.query.getOrDefault("country", "us").toUpperCase(Locale.ROOT);
        ObjectNode body = SimJson.object();
        ArrayNode results = body.putArray("results");
        for (String id : ex.query.getOrDefault("id", "").split(",")) {
            SimAsset.CatalogEntry e = registry.catalog(id.strip());
            if (e == null || e.custom() || !availableIn(e, cc)) {
                continue;
            }
            ObjectNode r = results.addObject();
            r.put("artistName", "Simulated Developer");
            for (int size : new int[] {60, 100, 512}) {
                r.put("artworkUrl" + size, baseUri + "artwork/" + e.adamId() + "/" + size + "x" + size + "bb.png");
            }
            r.put("bundleId", e.bundleId());
            r.put("kind", e.book() ? "ebook" : "software");
            r.put("minimumOsVersion", e.minimumOsVersion());
            ArrayNode devices = r.putArray("supportedDevices");
            deviceFamilies(e.platforms()).forEach(devices::add);
            r.put("trackId", Long.parseLong(e.adamId().replaceAll("\\D", "0")));
            r.put("trackName", e.name());
            r.put("version", e.version());
        }
        body.put("resultCount", results.size());
        ex.send(200, body);
    }

    private Location tokenFromCookie(String cookie) {
        if (cookie == null) {
            return null;
        }
        for (String part : cookie.split(";")) {
            String p = part.strip();
            if (p.startsWith("itvt=")) {
                return registry.byToken(p.substring(5));
            }
        }
        return null;
    }

    private static boolean availableIn(SimAsset.CatalogEntry e, String cc) {
        return e.countries().isEmpty() || e.countries().contains(cc);
    }

    private static String kind(SimAsset.CatalogEntry e) {
        if (e.book()) {
            return "ebook";
        }
        return e.platforms().equals(List.of("macOS")) ? "mac-software" : "iosSoftware";
    }

    private static List<String> deviceFamilies(List<String> platforms) {
        var families = new java.util.ArrayList<String>();
        for (String p : platforms) {
            switch (p) {
                case "iOS" -> {
                    families.add("iphone");
                    families.add("ipad");
                }
                case "macOS" -> families.add("mac");
                case "tvOS" -> families.add("tvos");
                case "watchOS" -> families.add("watch");
                case "visionOS" -> families.add("realityDevice");
                default -> families.add(p.toLowerCase(Locale.ROOT));
            }
        }
        return families;
    }
}
