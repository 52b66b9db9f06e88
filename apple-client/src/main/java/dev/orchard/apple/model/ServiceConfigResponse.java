package dev.orchard.apple.model;

import java.util.List;
import java.util.Map;

/**
 * Apple's service configuration: error codes, request limits, notification types and endpoint URLs. Apple says
 * the limits and URLs can change and should be re-read every 5 minutes.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/serviceconfigresponse">Apple: ServiceConfigResponse</a>
 */
public record ServiceConfigResponse(
        List<ErrorResponse> errorCodes,
        Map<String, Integer> limits,
        List<String> notificationTypes,
        Map<String, String> urls) {

    public ServiceConfigResponse {
        errorCodes = errorCodes == null ? List.of() : List.copyOf(errorCodes);
        limits = limits == null ? Map.of() : Map.copyOf(limits);
        notificationTypes = notificationTypes == null ? List.of() : List.copyOf(notificationTypes);
        urls = urls == null ? Map.of() : Map.copyOf(urls);
    }
}
