package dev.orchard.apple;

/** The v2 endpoints: their path under the base URL and their key in {@code service/config → urls}. */
public enum Endpoint {
    SERVICE_CONFIG("service/config", null),
    CLIENT_CONFIG("client/config", "clientConfig"),
    GET_ASSETS("assets", "getAssets"),
    GET_ASSIGNMENTS("assignments", "getAssignments"),
    ASSOCIATE_ASSETS("assets/associate", "associateAssets"),
    DISASSOCIATE_ASSETS("assets/disassociate", "disassociateAssets"),
    REVOKE_ASSETS("assets/revoke", "revokeAssets"),
    GET_USERS("users", "getUsers"),
    CREATE_USERS("users/create", "createUsers"),
    UPDATE_USERS("users/update", "updateUsers"),
    RETIRE_USERS("users/retire", "retireUsers"),
    EVENT_STATUS("status", "eventStatus");

    private final String path;
    private final String urlKey;

    Endpoint(String path, String urlKey) {
        this.path = path;
        this.urlKey = urlKey;
    }

    /** Path relative to the v2 base URL, for example {@code assets/associate}. */
    public String path() {
        return path;
    }

    /** Key of this endpoint in {@code service/config → urls}, or null for service/config itself. */
    public String urlKey() {
        return urlKey;
    }
}
