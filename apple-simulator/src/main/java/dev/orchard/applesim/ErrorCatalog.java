package dev.orchard.applesim;

import java.util.LinkedHashMap;
import java.util.Map;

/** Apple's v2 error numbers with their messages, as published in service/config {@code errorCodes}. */
final class ErrorCatalog {

    static final Map<Integer, String> MESSAGES = new LinkedHashMap<>();

    static {
        MESSAGES.put(9600, "Missing required argument");
        MESSAGES.put(9601, "Login required");
        MESSAGES.put(9602, "Invalid argument");
        MESSAGES.put(9603, "Internal error");
        MESSAGES.put(9604, "Result not found");
        MESSAGES.put(9609, "Registered user not found");
        MESSAGES.put(9616, "License already assigned");
        MESSAGES.put(9619, "License not associated");
        MESSAGES.put(9621, "The sToken has expired. Download a new token.");
        MESSAGES.put(9622, "Invalid authentication token");
        MESSAGES.put(9625, "The server has revoked the sToken.");
        MESSAGES.put(9634, "This feature or service is no longer available");
        MESSAGES.put(9637, "This request isn't allowed for facilitator accounts");
        MESSAGES.put(9644, "The service is in maintenance mode");
        MESSAGES.put(9646, "There have been too many requests recently for the organization. Retry the request later.");
        MESSAGES.put(9650, "Invalid pageIndex");
        MESSAGES.put(9700, "Too many assets in the request");
        MESSAGES.put(9701, "Too many clientUserIds in the request");
        MESSAGES.put(9702, "Too many serialNumbers in the request");
        MESSAGES.put(9703, "Duplicate assets in the request");
        MESSAGES.put(9704, "Duplicate clientUserIds in the request");
        MESSAGES.put(9705, "Duplicate serialNumbers in the request");
        MESSAGES.put(9706, "The asset isn't revocable");
        MESSAGES.put(9707, "The asset isn't device assignable");
        MESSAGES.put(9708, "Event not found");
        MESSAGES.put(9709, "There aren't enough assets available to complete this association");
        MESSAGES.put(9710, "Both notificationUrl and notificationAuthToken are required");
        MESSAGES.put(9711, "notificationUrl or notificationAuthToken is too long");
        MESSAGES.put(9712, "notificationUrl must be a valid HTTPS URL");
        MESSAGES.put(9713, "mdmInfo metadata is too long");
        MESSAGES.put(9714, "Too many users in the request");
        MESSAGES.put(9715, "Duplicate users in the request");
        MESSAGES.put(9716, "A registered user already exists with this clientUserId");
        MESSAGES.put(9717, "Invalid email");
        MESSAGES.put(9718, "At least one asset is required");
        MESSAGES.put(9719, "clientUserIds or serialNumbers are required");
        MESSAGES.put(9720, "At least one user is required");
        MESSAGES.put(9721, "Invalid versionId");
        MESSAGES.put(9722, "The request must have an authorization header that matches the format 'Bearer {sToken}'");
        MESSAGES.put(9723, "mdmInfo requires name, id and metadata");
        MESSAGES.put(9724, "mdmInfo id is too long");
        MESSAGES.put(9725, "mdmInfo name is too long");
        MESSAGES.put(9726, "Unsupported HTTP method");
        MESSAGES.put(9727, "Unsupported Content-Type; use application/json");
        MESSAGES.put(9728, "The notification URL is unreachable");
        MESSAGES.put(9729, "The service is temporarily unavailable");
    }

    private ErrorCatalog() {
    }

    static String message(int number) {
        return MESSAGES.getOrDefault(number, "Error " + number);
    }

    /** The HTTP status Apple documents for a synchronous error number. */
    static int httpStatus(int number) {
        return switch (number) {
            case 9601, 9621, 9622, 9625, 9722 -> 401;
            case 9603 -> 500;
            case 9634 -> 410;
            case 9637, 9647 -> 403;
            case 9646 -> 429;
            case 9726 -> 405;
            case 9727 -> 415;
            case 9729 -> 503;
            default -> 400;
        };
    }

    static AppleError error(int number) {
        return new AppleError(httpStatus(number), number, message(number));
    }
}
