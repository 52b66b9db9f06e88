package dev.orchard.apple;

/**
 * The data set changed while its pages were read (the {@code versionId} differs from the first page's). Thrown
 * only by walks that asked for it with {@link PageWalk#failOnVersionChange()}; the default walk records the change
 * and carries on, as Apple's guidance says.
 */
public final class VersionChangedException extends RuntimeException {

    private final String firstVersionId;
    private final String newVersionId;
    private final int pageIndex;

    public VersionChangedException(String firstVersionId, String newVersionId, int pageIndex) {
        super("versionId changed from " + firstVersionId + " to " + newVersionId + " at page " + pageIndex);
        this.firstVersionId = firstVersionId;
        this.newVersionId = newVersionId;
        this.pageIndex = pageIndex;
    }

    public String firstVersionId() {
        return firstVersionId;
    }

    public String newVersionId() {
        return newVersionId;
    }

    public int pageIndex() {
        return pageIndex;
    }
}
