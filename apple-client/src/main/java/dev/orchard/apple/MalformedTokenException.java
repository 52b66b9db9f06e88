package dev.orchard.apple;

/** The text given as a content token is not an Apple sToken. The message never contains the token. */
public final class MalformedTokenException extends IllegalArgumentException {

    public MalformedTokenException(String reason) {
        super("not an Apple content token (.vpptoken): " + reason);
    }
}
