package dev.orchard.server.web.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import dev.orchard.server.accounts.AccountBlockedException;
import dev.orchard.server.accounts.AccountProblem;
import dev.orchard.server.accounts.AccountUnavailableException;
import dev.orchard.server.system.ConflictException;
import dev.orchard.server.system.NotFoundException;
import dev.orchard.server.system.Problems;

/**
 * Every API error as an RFC 9457 problem with a stable {@code type}; the detail says what to do next. Unexpected
 * failures become a 500 without internals (they are logged).
 */
@RestControllerAdvice(basePackages = {"dev.orchard.server.web.api", "dev.orchard.server.web.webhooks"})
class ApiErrors extends ResponseEntityExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    private final Clock clock;

    ApiErrors(Clock clock) {
        this.clock = clock;
    }

    @ExceptionHandler(AccountProblem.class)
    ResponseEntity<ProblemDetail> accountProblem(AccountProblem e) {
        var headers = new HttpHeaders();
        ProblemDetail p = switch (e.kind()) {
            case INVALID_TOKEN -> Problems.of(HttpStatus.BAD_REQUEST, "invalid-token", "Not a content token", e.getMessage());
            case TOKEN_EXPIRED -> Problems.of(HttpStatus.UNPROCESSABLE_CONTENT, "token-expired", "Token expired", e.getMessage());
            case TOKEN_REVOKED -> Problems.of(HttpStatus.UNPROCESSABLE_CONTENT, "token-revoked", "Token revoked", e.getMessage());
            case TOKEN_REJECTED -> Problems.of(HttpStatus.UNPROCESSABLE_CONTENT, "token-rejected", "Token rejected by Apple", e.getMessage());
            case LOCATION_ALREADY_REGISTERED -> with(Problems.of(HttpStatus.CONFLICT, "location-already-registered",
                    "Location already registered", e.getMessage()), "accountId", e.detail());
            case CLAIMED_BY_OTHER_MDM -> with(Problems.of(HttpStatus.CONFLICT, "claimed-by-other-mdm",
                    "Location managed by another MDM", e.getMessage()), "owner", e.detail());
            case DIFFERENT_LOCATION -> Problems.of(HttpStatus.CONFLICT, "different-location", "Token of another location", e.getMessage());
            case HAS_LICENSES -> with(Problems.of(HttpStatus.CONFLICT, "account-has-licenses", "Account holds licenses",
                    e.getMessage()), "licenses", e.detail());
            case NOT_FOUND -> Problems.of(HttpStatus.NOT_FOUND, "not-found", "Not found", e.getMessage());
            case APPLE_UNAVAILABLE -> {
                if (e.detail() instanceof Instant retryAt) {
                    headers.set(HttpHeaders.RETRY_AFTER, Long.toString(secondsUntil(retryAt)));
                }
                yield Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "apple-unavailable", "Apple unavailable", e.getMessage());
            }
            case INVALID_INPUT -> Problems.of(HttpStatus.BAD_REQUEST, "invalid-input", "Invalid input", e.getMessage());
        };
        return ResponseEntity.status(p.getStatus()).headers(headers).body(p);
    }

    @ExceptionHandler(AccountBlockedException.class)
    ResponseEntity<ProblemDetail> blocked(AccountBlockedException e) {
        ProblemDetail p = Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "account-blocked", "Apple asked Orchard to wait",
                "Apple asked Orchard to wait before calling it again for account " + e.account()
                        + "; queued work resumes by itself at " + e.until());
        p.setProperty("accountId", e.account().value());
        p.setProperty("blockedUntil", e.until().toString());
        return ResponseEntity.status(503).header(HttpHeaders.RETRY_AFTER, Long.toString(secondsUntil(e.until()))).body(p);
    }

    @ExceptionHandler(AccountUnavailableException.class)
    ResponseEntity<ProblemDetail> unavailable(AccountUnavailableException e) {
        ProblemDetail p = Problems.of(HttpStatus.CONFLICT, "account-unavailable", "Account unavailable", e.getMessage());
        p.setProperty("accountId", e.account().value());
        p.setProperty("state", e.state().name());
        return ResponseEntity.status(409).body(p);
    }

    @ExceptionHandler(NotFoundException.class)
    ResponseEntity<ProblemDetail> notFound(NotFoundException e) {
        return ResponseEntity.status(404).body(Problems.of(HttpStatus.NOT_FOUND, "not-found", "Not found", e.getMessage()));
    }

    @ExceptionHandler(ConflictException.class)
    ResponseEntity<ProblemDetail> conflict(ConflictException e) {
        return ResponseEntity.status(409).body(Problems.of(HttpStatus.CONFLICT, "conflict", "Conflict", e.getMessage()));
    }

    @ExceptionHandler({IllegalArgumentException.class, MethodArgumentTypeMismatchException.class})
    ResponseEntity<ProblemDetail> badArgument(Exception e) {
        String detail = e instanceof MethodArgumentTypeMismatchException m
                ? "'" + m.getName() + "' has an invalid value" : e.getMessage();
        ProblemDetail p = Problems.of(HttpStatus.BAD_REQUEST, "invalid-input", "Invalid input", detail);
        if (e instanceof dev.orchard.server.system.Fields.InvalidFieldException f) {
            p.setProperty("errors", List.of(Map.of("field", f.field(), "message", f.getMessage())));
        } else if (e instanceof MethodArgumentTypeMismatchException m) {
            p.setProperty("errors", List.of(Map.of("field", m.getName(), "message", detail)));
        }
        return ResponseEntity.badRequest().body(p);
    }

    /** A value the database refused (too long for its column, say): the input was bad, nothing was written. */
    @ExceptionHandler(org.springframework.dao.DataIntegrityViolationException.class)
    ResponseEntity<ProblemDetail> refusedByDatabase(org.springframework.dao.DataIntegrityViolationException e) {
        LOG.warn("A write was refused by the database (the edge checks should have caught it): {}", e.getMostSpecificCause().toString());
        return ResponseEntity.badRequest().body(Problems.of(HttpStatus.BAD_REQUEST, "invalid-input", "Invalid input",
                "A value is too long or not of the allowed form; nothing was changed."));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        LOG.error("Unexpected error in the API", e);
        return ResponseEntity.internalServerError().body(Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error",
                "Internal error", "Something went wrong on the server; the administrator can find details in the log."));
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        ProblemDetail p = Problems.of(HttpStatus.BAD_REQUEST, "invalid-input", "Invalid input", "Some fields are invalid.");
        List<Map<String, String>> errors = ex.getBindingResult().getFieldErrors().stream()
                .map(f -> Map.of("field", f.getField(), "message", String.valueOf(f.getDefaultMessage()))).toList();
        p.setProperty("errors", errors);
        return ResponseEntity.badRequest().body(p);
    }

    /** Spring's own errors (bad JSON, wrong method, missing part, …) keep their status and get a stable type. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode status, WebRequest request) {
        var tooLarge = dev.orchard.server.system.BodyLimitFilter.BodyTooLargeException.in(ex);
        if (tooLarge.isPresent()) {
            return ResponseEntity.status(413).header(HttpHeaders.CONNECTION, "close")
                    .body(dev.orchard.server.system.BodyLimitFilter.problem(tooLarge.get().limit()));
        }
        ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail p
                && (p.getType() == null || "about:blank".equals(p.getType().toString()))) {
            p.setType(java.net.URI.create(Problems.BASE + slug(status)));
            if (status.value() == 400 && ex instanceof org.springframework.http.converter.HttpMessageNotReadableException) {
                describeUnreadable(ex, p);
            }
        }
        return response;
    }

    /** Says which field of the JSON was wrong, and how, without echoing the body. */
    private static void describeUnreadable(Exception ex, ProblemDetail p) {
        if (ex instanceof StrictJsonBodies.ByteOrderMarkException) {
            p.setDetail(ex.getMessage());
            return;
        }
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof tools.jackson.core.JacksonException j && !j.getPath().isEmpty()) {
                String field = j.getPath().stream().map(r -> r.getPropertyName() != null ? r.getPropertyName()
                        : "[" + r.getIndex() + "]").collect(java.util.stream.Collectors.joining(".")).replace(".[", "[");
                String message = t instanceof tools.jackson.databind.exc.UnrecognizedPropertyException
                        ? "unknown field" : t instanceof tools.jackson.databind.exc.MismatchedInputException
                        ? "wrong type or form" : "not readable";
                p.setDetail("'" + field + "': " + message + ".");
                p.setProperty("errors", List.of(Map.of("field", field, "message", message)));
                return;
            }
        }
        p.setDetail("The request body is not valid JSON of the expected shape.");
    }

    private static String slug(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> "malformed-request";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            default -> "http-" + status.value();
        };
    }

    private long secondsUntil(Instant until) {
        return Math.max(1, Duration.between(clock.instant(), until).toSeconds() + 1);
    }

    private static ProblemDetail with(ProblemDetail p, String name, Object value) {
        if (value != null) {
            p.setProperty(name, value);
        }
        return p;
    }
}
