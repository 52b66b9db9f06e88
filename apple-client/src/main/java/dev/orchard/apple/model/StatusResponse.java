package dev.orchard.apple.model;

import java.util.List;

/**
 * Progress of an asynchronous event. {@code numCompleted} counts successful tasks only.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/statusresponse">Apple: StatusResponse</a>
 */
public record StatusResponse(
        EventStatus eventStatus,
        EventType eventType,
        Integer numCompleted,
        Integer numRequested,
        List<ErrorResponse> failures,
        MdmInfo mdmInfo,
        String tokenExpirationDate,
        String uId) implements AppleResponse {

    public StatusResponse {
        failures = failures == null ? List.of() : List.copyOf(failures);
    }
}
