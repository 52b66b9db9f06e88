package dev.orchard.apple;

/** Apple error numbers callers act on. Apple adds numbers without notice; callers must tolerate others. */
public final class ErrorNumbers {

    public static final int INTERNAL_ERROR = 9603;
    public static final int USER_NOT_FOUND = 9609;
    public static final int TOKEN_EXPIRED = 9621;
    public static final int INVALID_TOKEN = 9622;
    public static final int TOKEN_REVOKED = 9625;
    public static final int NOT_ALLOWED = 9637;
    public static final int MAINTENANCE = 9644;
    public static final int TOO_MANY_REQUESTS = 9646;
    public static final int BAD_PAGE_INDEX = 9650;
    public static final int NOT_REVOCABLE = 9706;
    public static final int NOT_DEVICE_ASSIGNABLE = 9707;
    public static final int EVENT_NOT_FOUND = 9708;
    public static final int NOT_ENOUGH_LICENSES = 9709;
    public static final int USER_ALREADY_EXISTS = 9716;
    public static final int INVALID_VERSION = 9721;
    public static final int BAD_AUTHORIZATION_HEADER = 9722;
    public static final int NOTIFICATION_URL_UNREACHABLE = 9728;
    public static final int SERVICE_UNAVAILABLE = 9729;

    private ErrorNumbers() {
    }
}
