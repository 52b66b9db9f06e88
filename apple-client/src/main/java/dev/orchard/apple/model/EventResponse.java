package dev.orchard.apple.model;

/**
 * Apple's answer to an asynchronous request: the id to follow with {@code status} and notifications.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/eventresponse">Apple: EventResponse</a>
 */
public record EventResponse(String eventId, MdmInfo mdmInfo, String tokenExpirationDate, String uId)
        implements AppleResponse {
}
