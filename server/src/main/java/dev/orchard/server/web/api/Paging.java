package dev.orchard.server.web.api;

/** The API's page size rule. */
final class Paging {

    private Paging() {
    }

    static void check(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be 1 to 1000");
        }
    }
}
