/**
 * A typed client for Apple's "Apps and Books for Organizations" API v2 (App and Book Management):
 * one method per endpoint on {@link dev.orchard.apple.AppsAndBooksClient}, wire records in
 * {@link dev.orchard.apple.model}, lazy pagination, errors classified by {@link dev.orchard.apple.AppleApiException},
 * request splitting within {@link dev.orchard.apple.ServiceLimits}, and app metadata lookups.
 *
 * <p>The client never sleeps through a long {@code Retry-After} and keeps no per-account state: retry, blocking
 * and throttling belong to the caller (Orchard's per-account gateway).
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/app-book-and-subscription-management">Apple: App and Book Management</a>
 */
package dev.orchard.apple;
