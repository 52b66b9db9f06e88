package dev.orchard.apple.model;

import java.util.List;

/**
 * One page of assignments.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/getassignmentsresponse">Apple: GetAssignmentsResponse</a>
 */
public record GetAssignmentsResponse(
        List<Assignment> assignments,
        Integer currentPageIndex,
        Integer nextPageIndex,
        Integer size,
        Integer totalPages,
        String versionId,
        MdmInfo mdmInfo,
        String tokenExpirationDate,
        String uId) implements PagedResponse<Assignment> {

    public GetAssignmentsResponse {
        assignments = assignments == null ? List.of() : assignments;
    }

    @Override
    public List<Assignment> items() {
        return assignments;
    }
}
