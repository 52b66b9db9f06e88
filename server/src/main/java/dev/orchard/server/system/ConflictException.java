package dev.orchard.server.system;

/** The request clashes with the current state, for example a name already taken (409 in the API). */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
