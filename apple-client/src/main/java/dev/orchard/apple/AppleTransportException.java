package dev.orchard.apple;

/** The request did not get a readable answer: connection refused or dropped, timeout, unparseable body. */
public final class AppleTransportException extends AppleException {

    private final String endpoint;

    public AppleTransportException(String endpoint, String message, Throwable cause) {
        super(endpoint + ": " + message, cause);
        this.endpoint = endpoint;
    }

    @Override
    public String endpoint() {
        return endpoint;
    }
}
