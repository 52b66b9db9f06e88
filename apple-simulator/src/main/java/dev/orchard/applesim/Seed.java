package dev.orchard.applesim;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import tools.jackson.core.JacksonException;

/**
 * The simulator's seed file: locations with their assets, users and assignments. Missing {@code sToken}s and
 * {@code uId}s are generated in Apple's format.
 */
record Seed(List<SeedLocation> locations) {

    Seed {
        locations = locations == null ? List.of() : List.copyOf(locations);
    }

    record SeedLocation(String sToken, String orgName, String locationName, String countryCode, String uId,
                        String expiresAt, String defaultPlatform, List<SeedAsset> assets, List<SeedUser> users,
                        List<SeedAssignment> assignments) {
        SeedLocation {
            assets = assets == null ? List.of() : List.copyOf(assets);
            users = users == null ? List.of() : List.copyOf(users);
            assignments = assignments == null ? List.of() : List.copyOf(assignments);
        }
    }

    record SeedAsset(String adamId, String pricingParam, String productType, Integer totalCount,
                     Boolean deviceAssignable, Boolean revocable, List<String> supportedPlatforms, String name,
                     String bundleId, String version, List<String> countries, Boolean custom, Boolean free,
                     String externalVersionId, String minimumOsVersion) {
    }

    record SeedUser(String clientUserId, String email, String managedAppleId) {
    }

    record SeedAssignment(String adamId, String pricingParam, String serialNumber, String clientUserId) {
    }

    static Seed empty() {
        return new Seed(List.of());
    }

    static Seed read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read seed file " + file, e);
        }
    }

    static Seed read(InputStream in) {
        try {
            return SimJson.MAPPER.readValue(in, Seed.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("seed is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    static SeedLocation readLocation(byte[] json) {
        try {
            return SimJson.MAPPER.readValue(json, SeedLocation.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("location is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The sample organisation used by {@code --demo} and by the simulator when started without a seed. */
    static Seed demo() {
        try (InputStream in = Seed.class.getResourceAsStream("demo-seed.json")) {
            if (in == null) {
                throw new IllegalStateException("demo-seed.json is missing from the simulator jar");
            }
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
