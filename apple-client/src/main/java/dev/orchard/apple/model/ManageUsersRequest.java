package dev.orchard.apple.model;

import java.util.List;

/**
 * Body of {@code users/create}, {@code users/update} and {@code users/retire}.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/manageusersrequest">Apple: ManageUsersRequest</a>
 */
public record ManageUsersRequest(List<RequestUser> users) {

    public ManageUsersRequest {
        users = users == null ? List.of() : List.copyOf(users);
        if (users.isEmpty()) {
            throw new IllegalArgumentException("at least one user is required (Apple 9720)");
        }
        ManageAssetsRequest.requireUnique(users.stream().map(RequestUser::clientUserId).toList(),
                "users (Apple 9715)");
    }
}
