package dev.orchard.server.web.api;

import java.util.List;
import java.util.function.Function;

/**
 * The API's one paging style: every list is keyset-paged in its own order (ids, serials, user ids; newest first where
 * the list says so). A request asks for up to {@code limit} items (1–1000) {@code after} the cursor it got as
 * {@code next} with the previous page; the last page answers {@code next} null.
 */
final class Paging {

    private Paging() {
    }

    /** One page: its items and the cursor of the next page, null on the last. */
    record Page<T>(List<T> items, String next) {
    }

    static void check(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be 1 to 1000");
        }
    }

    /** The page of {@code items} asked for with {@code limit}: full, so another may follow, or the last. */
    static <T> Page<T> of(List<T> items, int limit, Function<T, Object> cursor) {
        return new Page<>(items, next(items, limit, cursor));
    }

    static <T> String next(List<T> items, int limit, Function<T, Object> cursor) {
        return items.size() < limit ? null : String.valueOf(cursor.apply(items.get(items.size() - 1)));
    }

    /** An id cursor: none (0, the first page) or the {@code next} of the previous page. */
    static long id(String after) {
        if (after == null || after.isBlank()) {
            return 0;
        }
        try {
            long id = Long.parseLong(after.strip());
            if (id < 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("after must be the 'next' of the previous page, not '" + after + "'");
        }
    }
}
