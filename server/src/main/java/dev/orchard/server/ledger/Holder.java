package dev.orchard.server.ledger;

import dev.orchard.server.inventory.ClientUserId;
import dev.orchard.server.inventory.SerialNumber;

/** Who a license is for: a device (device-based license) or a user (user-based license), never both, never neither. */
public sealed interface Holder permits Holder.Device, Holder.User {

    /** A device, by its serial number. */
    record Device(SerialNumber serial) implements Holder {
        public Device {
            java.util.Objects.requireNonNull(serial, "serial");
        }

        @Override
        public String value() {
            return serial.value();
        }

        @Override
        public String column() {
            return "serial_number";
        }

        @Override
        public String toString() {
            return "device " + value();
        }
    }

    /** A user, by the id Orchard names them with to Apple. */
    record User(ClientUserId id) implements Holder {
        public User {
            java.util.Objects.requireNonNull(id, "id");
        }

        @Override
        public String value() {
            return id.value();
        }

        @Override
        public String column() {
            return "client_user_id";
        }

        @Override
        public String toString() {
            return "user " + value();
        }
    }

    /** The serial number or the clientUserId. */
    String value();

    /** The ledger's column that holds {@link #value()}. */
    String column();

    static Holder device(String serialNumber) {
        return new Device(new SerialNumber(serialNumber));
    }

    static Holder user(String clientUserId) {
        return new User(new ClientUserId(clientUserId));
    }

    /** The holder of a row that names exactly one of a serial number and a clientUserId. */
    static Holder of(String serialNumber, String clientUserId) {
        if ((serialNumber == null) == (clientUserId == null)) {
            throw new IllegalArgumentException("a license is for a device or for a user: serial " + serialNumber + ", user " + clientUserId);
        }
        return serialNumber != null ? device(serialNumber) : user(clientUserId);
    }
}
