package dev.orchard.apple.model;

import java.util.List;

/** The envelope shared by Apple's paginated responses. {@code nextPageIndex} is absent on the last page. */
public interface PagedResponse<T> extends AppleResponse {

    List<T> items();

    Integer currentPageIndex();

    Integer nextPageIndex();

    Integer size();

    Integer totalPages();

    String versionId();
}
