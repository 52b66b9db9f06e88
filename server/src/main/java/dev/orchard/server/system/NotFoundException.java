package dev.orchard.server.system;

/** Something the request names does not exist (404 in the API). */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
