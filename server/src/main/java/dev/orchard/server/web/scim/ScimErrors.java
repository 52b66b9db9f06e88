package dev.orchard.server.web.scim;

import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.orchard.server.system.ConflictException;
import dev.orchard.server.system.NotFoundException;

/** SCIM's errors are its own documents (RFC 7644 §3.12), not RFC 9457 problems; bad input changes nothing. */
@RestControllerAdvice(assignableTypes = ScimController.class)
class ScimErrors {

    @ExceptionHandler(ScimController.ScimException.class)
    ResponseEntity<Object> scim(ScimController.ScimException e) {
        return answer(e.status, e.scimType, e.getMessage());
    }

    @ExceptionHandler(NotFoundException.class)
    ResponseEntity<Object> notFound(NotFoundException e) {
        return answer(404, null, e.getMessage());
    }

    @ExceptionHandler(ConflictException.class)
    ResponseEntity<Object> conflict(ConflictException e) {
        return answer(409, "uniqueness", e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<Object> invalid(IllegalArgumentException e) {
        return answer(400, "invalidValue", e.getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Object> unreadable(HttpMessageNotReadableException e) {
        return answer(400, "invalidSyntax", "the body is not a JSON object");
    }

    private static ResponseEntity<Object> answer(int status, String scimType, String detail) {
        return ResponseEntity.status(status).contentType(ScimController.SCIM).body(ScimResources.error(status, scimType, detail));
    }
}
