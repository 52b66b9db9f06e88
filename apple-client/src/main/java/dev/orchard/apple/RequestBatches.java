package dev.orchard.apple;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

import dev.orchard.apple.model.Asset;
import dev.orchard.apple.model.ManageAssetsRequest;
import dev.orchard.apple.model.ManageUsersRequest;
import dev.orchard.apple.model.RequestUser;
import dev.orchard.apple.model.RevokeAssetsRequest;

/**
 * Splits a large associate, disassociate, revoke or users request into the fewest Apple requests that stay
 * within {@link ServiceLimits}. Duplicates are dropped first (Apple rejects them with 9703–9705, 9715).
 *
 * <p>For assets × targets the minimum is ⌈assets / maxAssets⌉ × max(⌈serials / maxSerialNumbers⌉,
 * ⌈users / maxClientUserIds⌉): Apple's examples put serials and users in one request, so each request carries
 * one chunk of each. When {@code mixTargets} is false (a stricter reading some clients follow) serials and users
 * travel in separate requests.
 */
public final class RequestBatches {

    private RequestBatches() {
    }

    /** Every asset for every target, in the fewest requests; serial numbers and users share requests. */
    public static List<ManageAssetsRequest> manageAssets(Collection<Asset> assets, Collection<String> serialNumbers,
                                                         Collection<String> clientUserIds, ServiceLimits limits) {
        return manageAssets(assets, serialNumbers, clientUserIds, limits, true);
    }

    public static List<ManageAssetsRequest> manageAssets(Collection<Asset> assets, Collection<String> serialNumbers,
                                                         Collection<String> clientUserIds, ServiceLimits limits,
                                                         boolean mixTargets) {
        List<List<Asset>> assetChunks = chunks(assets, limits.maxAssets());
        List<List<String>> serialChunks = chunks(serialNumbers, limits.maxSerialNumbers());
        List<List<String>> userChunks = chunks(clientUserIds, limits.maxClientUserIds());
        var requests = new ArrayList<ManageAssetsRequest>();
        for (List<Asset> assetChunk : assetChunks) {
            if (mixTargets) {
                int n = Math.max(serialChunks.size(), userChunks.size());
                for (int i = 0; i < n; i++) {
                    requests.add(new ManageAssetsRequest(assetChunk,
                            i < userChunks.size() ? userChunks.get(i) : null,
                            i < serialChunks.size() ? serialChunks.get(i) : null));
                }
            } else {
                serialChunks.forEach(s -> requests.add(ManageAssetsRequest.devices(assetChunk, s)));
                userChunks.forEach(u -> requests.add(ManageAssetsRequest.users(assetChunk, u)));
            }
        }
        return requests;
    }

    /** Revoke of every revocable asset from these targets, within the revoke limits. */
    public static List<RevokeAssetsRequest> revoke(Collection<String> serialNumbers, Collection<String> clientUserIds,
                                                   ServiceLimits limits) {
        List<List<String>> serialChunks = chunks(serialNumbers, limits.maxRevokeSerialNumbers());
        List<List<String>> userChunks = chunks(clientUserIds, limits.maxRevokeClientUserIds());
        int n = Math.max(serialChunks.size(), userChunks.size());
        var requests = new ArrayList<RevokeAssetsRequest>(n);
        for (int i = 0; i < n; i++) {
            requests.add(new RevokeAssetsRequest(i < userChunks.size() ? userChunks.get(i) : null,
                    i < serialChunks.size() ? serialChunks.get(i) : null));
        }
        return requests;
    }

    /** Users create, update or retire within {@code maxUsers}; a later entry for the same id wins. */
    public static List<ManageUsersRequest> users(Collection<RequestUser> users, ServiceLimits limits) {
        var byId = new java.util.LinkedHashMap<String, RequestUser>();
        users.forEach(u -> byId.put(u.clientUserId(), u));
        return chunks(byId.values(), limits.maxUsers()).stream().map(ManageUsersRequest::new).toList();
    }

    static <T> List<List<T>> chunks(Collection<T> values, int size) {
        if (values == null || values.isEmpty()) {
            return List.of();
        }
        List<T> unique = new ArrayList<>(new LinkedHashSet<>(values));
        var chunks = new ArrayList<List<T>>((unique.size() + size - 1) / size);
        for (int from = 0; from < unique.size(); from += size) {
            chunks.add(List.copyOf(unique.subList(from, Math.min(unique.size(), from + size))));
        }
        return chunks;
    }
}
