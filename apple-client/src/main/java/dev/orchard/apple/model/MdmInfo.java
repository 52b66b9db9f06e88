package dev.orchard.apple.model;

/**
 * The MDM that claims a location: Apple echoes it on every response so an MDM can see a takeover.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/mdminfo">Apple: MdmInfo</a>
 */
public record MdmInfo(String id, String name, String metadata) {
}
