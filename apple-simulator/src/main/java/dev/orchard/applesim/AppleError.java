package dev.orchard.applesim;

import java.util.Collection;

import tools.jackson.databind.node.ObjectNode;

/** An error the simulator answers with, in Apple's ErrorResponse shape and with Apple's HTTP status. */
final class AppleError extends RuntimeException {

    final int httpStatus;
    final int errorNumber;
    final ObjectNode errorInfo;
    final Integer retryAfterSeconds;

    AppleError(int httpStatus, int errorNumber, String message) {
        this(httpStatus, errorNumber, message, null, null);
    }

    AppleError(int httpStatus, int errorNumber, String message, ObjectNode errorInfo, Integer retryAfterSeconds) {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.errorNumber = errorNumber;
        this.errorInfo = errorInfo;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static AppleError badRequest(int number, String message) {
        return new AppleError(400, number, message);
    }

    static AppleError withInfo(int number, String message, String field, Collection<String> values) {
        ObjectNode info = SimJson.object();
        var array = info.putArray(field);
        values.forEach(array::add);
        return new AppleError(400, number, message, info, null);
    }

    ObjectNode body() {
        ObjectNode body = SimJson.object();
        if (errorInfo != null) {
            body.set("errorInfo", errorInfo);
        }
        body.put("errorMessage", getMessage());
        body.put("errorNumber", errorNumber);
        return body;
    }

}
