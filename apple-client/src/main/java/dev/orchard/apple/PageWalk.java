package dev.orchard.apple;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import dev.orchard.apple.model.PagedResponse;

/**
 * A lazy walk over one of Apple's paginated lists: each page is fetched only when the previous one has been
 * consumed, so memory stays bounded by one page whatever the list's size.
 *
 * <ul>
 *   <li>Follows {@code nextPageIndex} and stops when Apple leaves it out; {@code totalPages} may change on the
 *       way and is only reported.</li>
 *   <li>Keeps the <b>first</b> page's {@code versionId} ({@link #firstVersionId()}): Apple says to use it as the
 *       base of the next incremental read even if the data changed during the walk.</li>
 *   <li>Reports a mid-walk version change through {@link #versionChanged()}, or fails with
 *       {@link VersionChangedException} when asked to by {@link #failOnVersionChange()}.</li>
 * </ul>
 * A walk is single-use. It may start at a later page to resume an interrupted read.
 *
 * @param <T> the item type
 * @param <P> the page type
 */
public final class PageWalk<T, P extends PagedResponse<T>> implements Iterable<P> {

    private final String endpoint;
    private final IntFunction<P> fetch;
    private final int startPage;
    private boolean failOnVersionChange;
    private boolean started;
    private String firstVersionId;
    private String lastVersionId;
    private boolean versionChanged;
    private int pagesFetched;
    private long itemsFetched;
    private Integer lastTotalPages;

    /**
     * A walk whose pages come from {@code fetch} (for example through a rate-limiting gateway) instead of this
     * library's client; {@code endpoint} names it in errors.
     */
    public static <T, P extends PagedResponse<T>> PageWalk<T, P> of(String endpoint, IntFunction<P> fetch, int startPage) {
        return new PageWalk<>(endpoint, fetch, startPage);
    }

    PageWalk(String endpoint, IntFunction<P> fetch, int startPage) {
        if (startPage < 0) {
            throw new IllegalArgumentException("startPage must be >= 0");
        }
        this.endpoint = endpoint;
        this.fetch = Objects.requireNonNull(fetch);
        this.startPage = startPage;
    }

    /** Makes the walk throw {@link VersionChangedException} at the first page whose version differs. */
    public PageWalk<T, P> failOnVersionChange() {
        this.failOnVersionChange = true;
        return this;
    }

    @Override
    public Iterator<P> iterator() {
        if (started) {
            throw new IllegalStateException("a PageWalk can be iterated only once");
        }
        started = true;
        return new Iterator<>() {
            private Integer next = startPage;

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public P next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                int index = next;
                P page = fetch.apply(index);
                record(page, index);
                Integer following = page.nextPageIndex();
                if (following != null && following <= index) {
                    throw new AppleTransportException(endpoint,
                            "nextPageIndex " + following + " does not advance past page " + index, null);
                }
                next = following;
                return page;
            }
        };
    }

    private void record(P page, int index) {
        pagesFetched++;
        itemsFetched += page.items().size();
        lastTotalPages = page.totalPages();
        String version = page.versionId();
        if (pagesFetched == 1) {
            firstVersionId = version;
        } else if (!Objects.equals(version, firstVersionId)) {
            versionChanged = true;
            if (failOnVersionChange) {
                throw new VersionChangedException(firstVersionId, version, index);
            }
        }
        lastVersionId = version;
    }

    /** The pages, fetched lazily. */
    public Stream<P> pages() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED), false);
    }

    /** Every item of every page, fetched lazily. */
    public Stream<T> items() {
        return pages().flatMap(p -> p.items().stream());
    }

    /** The first fetched page's {@code versionId}: the base for the next incremental read. */
    public String firstVersionId() {
        return firstVersionId;
    }

    public String lastVersionId() {
        return lastVersionId;
    }

    public boolean versionChanged() {
        return versionChanged;
    }

    public int pagesFetched() {
        return pagesFetched;
    }

    public long itemsFetched() {
        return itemsFetched;
    }

    /** {@code totalPages} as reported by the most recent page, or null before the first. */
    public Integer lastTotalPages() {
        return lastTotalPages;
    }
}
