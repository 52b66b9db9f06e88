package dev.orchard.apple;

import java.time.Instant;
import java.util.Optional;

import dev.orchard.apple.model.ErrorInfo;

/**
 * Apple answered with an error: a non-2xx status, or a 2xx whose body carries an {@code errorNumber}. Carries
 * what a caller needs to decide: HTTP status, Apple's error number, message and affected targets, and the time
 * given by {@code Retry-After} (both its delta-seconds and HTTP-date forms).
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/handling-error-responses">Apple: Handling error responses</a>
 */
public final class AppleApiException extends AppleException {

    private final String endpoint;
    private final int httpStatus;
    private final Integer errorNumber;
    private final String errorMessage;
    private final ErrorInfo errorInfo;
    private final Instant retryAt;

    public AppleApiException(String endpoint, int httpStatus, Integer errorNumber, String errorMessage,
                             ErrorInfo errorInfo, Instant retryAt, String bodyExcerpt) {
        super(describe(endpoint, httpStatus, errorNumber, errorMessage, retryAt, bodyExcerpt), null);
        this.endpoint = endpoint;
        this.httpStatus = httpStatus;
        this.errorNumber = errorNumber;
        this.errorMessage = errorMessage;
        this.errorInfo = errorInfo;
        this.retryAt = retryAt;
    }

    private static String describe(String endpoint, int status, Integer number, String message, Instant retryAt,
                                   String bodyExcerpt) {
        var sb = new StringBuilder(endpoint).append(": HTTP ").append(status);
        if (number != null) {
            sb.append(", Apple error ").append(number);
        }
        if (message != null && !message.isBlank()) {
            sb.append(" (").append(ResponseBodies.cap(message)).append(')');
        } else if (bodyExcerpt != null && !bodyExcerpt.isBlank()) {
            sb.append(": ").append(bodyExcerpt);
        }
        if (retryAt != null) {
            sb.append(", retry after ").append(retryAt);
        }
        return sb.toString();
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** Apple's {@code errorNumber}, when the body had one. */
    public Optional<Integer> errorNumber() {
        return Optional.ofNullable(errorNumber);
    }

    public Optional<String> errorMessage() {
        return Optional.ofNullable(errorMessage);
    }

    public Optional<ErrorInfo> errorInfo() {
        return Optional.ofNullable(errorInfo);
    }

    /** When Apple said the request may be retried ({@code Retry-After}); empty when it said nothing. */
    public Optional<Instant> retryAt() {
        return Optional.ofNullable(retryAt);
    }

    public boolean is(int number) {
        return errorNumber != null && errorNumber == number;
    }

    /** Apple asks us to slow down or wait: 429 / 9646, 503 / 9729. */
    public boolean isRateLimited() {
        return httpStatus == 429 || httpStatus == 503 || is(ErrorNumbers.TOO_MANY_REQUESTS)
                || is(ErrorNumbers.SERVICE_UNAVAILABLE);
    }

    public boolean isTokenExpired() {
        return is(ErrorNumbers.TOKEN_EXPIRED);
    }

    public boolean isTokenRevoked() {
        return is(ErrorNumbers.TOKEN_REVOKED);
    }

    /** The token is not usable as sent: legacy 9622 or a malformed Authorization header, 9722. */
    public boolean isInvalidToken() {
        return is(ErrorNumbers.INVALID_TOKEN) || is(ErrorNumbers.BAD_AUTHORIZATION_HEADER);
    }

    public boolean isNotEnoughLicenses() {
        return is(ErrorNumbers.NOT_ENOUGH_LICENSES);
    }

    /** The {@code sinceVersionId} is unknown to Apple: start a full read. */
    public boolean isUnknownVersion() {
        return is(ErrorNumbers.INVALID_VERSION);
    }

    public boolean isUnknownUser() {
        return is(ErrorNumbers.USER_NOT_FOUND);
    }

    public boolean isNotDeviceAssignable() {
        return is(ErrorNumbers.NOT_DEVICE_ASSIGNABLE);
    }

    public boolean isNotRevocable() {
        return is(ErrorNumbers.NOT_REVOCABLE);
    }

    public boolean isMaintenance() {
        return is(ErrorNumbers.MAINTENANCE);
    }

    public boolean isBadPageIndex() {
        return is(ErrorNumbers.BAD_PAGE_INDEX);
    }

    /** A server-side failure worth retrying later (5xx other than the rate-limit ones, or 9603). */
    public boolean isServerError() {
        return httpStatus >= 500 || is(ErrorNumbers.INTERNAL_ERROR);
    }
}
