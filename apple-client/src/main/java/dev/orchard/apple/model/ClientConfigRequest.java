package dev.orchard.apple.model;

import java.util.List;

/**
 * Body of {@code POST client/config}. {@code notificationTypes} is the complete set (it replaces the previous
 * one); URL and auth token go together; {@code mdmInfo} needs all three fields.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/clientconfigrequest">Apple: ClientConfigRequest</a>
 */
public record ClientConfigRequest(
        List<String> notificationTypes,
        String notificationUrl,
        String notificationAuthToken,
        MdmInfo mdmInfo) {

    /** Claims the location without changing notification settings. */
    public static ClientConfigRequest claim(MdmInfo mdmInfo) {
        return new ClientConfigRequest(null, null, null, mdmInfo);
    }

    @Override
    public String toString() {
        return "ClientConfigRequest[notificationTypes=" + notificationTypes + ", notificationUrl=" + notificationUrl
                + ", notificationAuthToken=" + (notificationAuthToken == null ? null : "***") + ", mdmInfo=" + mdmInfo + "]";
    }
}
