package dev.orchard.apple.model;

import java.util.List;

/**
 * One page of users.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/getusersresponse">Apple: GetUsersResponse</a>
 */
public record GetUsersResponse(
        List<ResponseUser> users,
        Integer currentPageIndex,
        Integer nextPageIndex,
        Integer size,
        Integer totalPages,
        String versionId,
        MdmInfo mdmInfo,
        String tokenExpirationDate,
        String uId) implements PagedResponse<ResponseUser> {

    public GetUsersResponse {
        users = users == null ? List.of() : users;
    }

    @Override
    public List<ResponseUser> items() {
        return users;
    }
}
