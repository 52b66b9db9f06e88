package dev.orchard.apple.model;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A location's configuration: country, store platform, name, owner and notification settings.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/clientconfigresponse">Apple: ClientConfigResponse</a>
 */
public record ClientConfigResponse(
        @JsonProperty("countryISO2ACode") String countryISO2ACode,
        String defaultPlatform,
        String locationName,
        MdmInfo mdmInfo,
        String notificationAuthToken,
        String notificationUrl,
        List<String> subscribedNotificationTypes,
        String tokenExpirationDate,
        @JsonProperty("uId") String uId,
        @JsonProperty("websiteURL") String websiteURL) implements AppleResponse {

    public ClientConfigResponse {
        subscribedNotificationTypes = subscribedNotificationTypes == null ? List.of()
                : List.copyOf(subscribedNotificationTypes);
    }

    @Override
    public String toString() {
        return "ClientConfigResponse[uId=" + uId + ", locationName=" + locationName + ", country=" + countryISO2ACode
                + ", mdmInfo=" + mdmInfo + ", notificationUrl=" + notificationUrl + "]";
    }
}
