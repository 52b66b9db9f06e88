package dev.orchard.apple;

/**
 * Any failure talking to Apple. {@link AppleApiException} is an answer from Apple; {@link AppleTransportException}
 * means no usable answer arrived. Messages never contain a token and at most 1 KiB of a response body.
 */
public abstract sealed class AppleException extends RuntimeException
        permits AppleApiException, AppleTransportException {

    protected AppleException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The endpoint (for example {@code assets/associate}) whose call failed. */
    public abstract String endpoint();
}
