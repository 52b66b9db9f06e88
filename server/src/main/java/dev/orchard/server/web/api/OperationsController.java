package dev.orchard.server.web.api;

import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.operations.Operations;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The outbox of Apple operations: state, targets, retry and cancel. */
@RestController
@Tag(name = "Apple operations")
class OperationsController {

    private final Operations operations;

    OperationsController(Operations operations) {
        this.operations = operations;
    }

    @GetMapping("/api/v1/operations")
    @Operation(summary = "Apple operations, newest first, paged with after/next; targets: how many targets are in each state")
    Page operations(@RequestParam(required = false) Long accountId, @RequestParam(required = false) String state,
                    @RequestParam(required = false) String after, @RequestParam(defaultValue = "100") int limit) {
        Paging.check(limit);
        var items = operations.list(accountId, state, Paging.id(after), limit);
        return new Page(items, Paging.next(items, limit, Operations.OperationView::id), operations.summary());
    }

    /** A page of operations ({@code next} null on the last) and how many targets are in each state. */
    record Page(java.util.List<Operations.OperationView> items, String next, Map<String, Object> targets) {
    }

    @GetMapping("/api/v1/operations/{id}")
    Operations.Detail operation(@PathVariable long id) {
        return operations.get(id, 1000);
    }

    @GetMapping("/api/v1/operations/queued")
    @Operation(summary = "Targets queued and not sent yet (for example reclaims in their grace period), paged with after/next")
    Paging.Page<Operations.TargetView> queued(@RequestParam(required = false) Long accountId,
                                              @RequestParam(required = false) String after,
                                              @RequestParam(defaultValue = "100") int limit) {
        Paging.check(limit);
        return Paging.of(operations.queued(accountId, Paging.id(after), limit), limit, Operations.TargetView::id);
    }

    @PostMapping("/api/v1/operations/{id}/retry")
    @Operation(summary = "Send a failed or stuck operation's targets again")
    Retried retry(@PathVariable long id) {
        return new Retried(id, operations.retry(id));
    }

    /** How many of the operation's targets are sent again. */
    record Retried(long operationId, int requeued) {
    }

    /** A queued target that will not be sent. */
    record Cancelled(long targetId, boolean cancelled) {
    }

    @PostMapping("/api/v1/operations/targets/{id}/cancel")
    @Operation(summary = "Cancel a queued target (an assignment is dropped, a reclaim keeps the license); 409 once it was claimed for sending")
    Cancelled cancel(@PathVariable long id) {
        operations.cancelTarget(id);
        return new Cancelled(id, true);
    }
}
