package dev.orchard.applesim;

import java.util.Objects;

/**
 * One license held by a serial number or a clientUserId. Identity is (asset, target); {@code seq} is the change
 * sequence at which it was last written, so incremental reads can find it.
 */
final class SimAssignment {

    final SimAsset asset;
    final String serialNumber;
    final String clientUserId;
    long seq;

    SimAssignment(SimAsset asset, String serialNumber, String clientUserId) {
        this.asset = asset;
        this.serialNumber = serialNumber;
        this.clientUserId = clientUserId;
    }

    boolean isDevice() {
        return serialNumber != null;
    }

    String target() {
        return serialNumber != null ? serialNumber : clientUserId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SimAssignment a && a.asset == asset && Objects.equals(a.serialNumber, serialNumber)
                && Objects.equals(a.clientUserId, clientUserId);
    }

    @Override
    public int hashCode() {
        return (System.identityHashCode(asset) * 31 + Objects.hashCode(serialNumber)) * 31
                + Objects.hashCode(clientUserId);
    }
}
