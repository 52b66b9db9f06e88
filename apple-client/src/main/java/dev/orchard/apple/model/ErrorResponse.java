package dev.orchard.apple.model;

/**
 * Apple's error body, also used for each entry of {@code failures} in a status response.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/errorresponse">Apple: ErrorResponse</a>
 */
public record ErrorResponse(Integer errorNumber, String errorMessage, ErrorInfo errorInfo) {
}
