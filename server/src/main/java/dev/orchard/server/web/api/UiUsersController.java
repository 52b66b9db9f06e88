package dev.orchard.server.web.api;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.system.LoginThrottle;
import dev.orchard.server.system.Problems;
import dev.orchard.server.system.Role;
import dev.orchard.server.system.UiUsers;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The people who sign in to the admin UI, and the sign-in locks after repeated failures. Admins only. */
@RestController
@RequestMapping("/api/v1/ui-users")
@Tag(name = "UI users and sign-in locks")
class UiUsersController {

    record CreateUser(@NotBlank @Size(max = 100) String username, @NotBlank @Size(min = 12, max = 200) String password,
                      @NotNull String role) {
        @Override
        public String toString() {
            return "CreateUser[username=" + username + ", role=" + role + "]";
        }
    }

    private final UiUsers users;
    private final LoginThrottle throttle;

    UiUsersController(UiUsers users, LoginThrottle throttle) {
        this.users = users;
        this.throttle = throttle;
    }

    @GetMapping
    @Operation(summary = "List UI users and their roles")
    List<dev.orchard.server.system.UiUsers.UiUser> list() {
        return users.list();
    }

    @PostMapping
    @Operation(summary = "Add a UI user (password of 12 to 200 characters)")
    @ApiResponse(responseCode = "201", description = "Added")
    ResponseEntity<Created> create(@Valid @RequestBody CreateUser body) {
        users.create(body.username(), body.password(), Role.parse(body.role()));
        return ResponseEntity.created(URI.create("/api/v1/ui-users/" + body.username().strip()))
                .body(new Created(body.username().strip(), Role.parse(body.role()).name()));
    }

    /** The user as added. */
    record Created(String username, String role) {
    }

    @DeleteMapping("/{username}")
    @Operation(summary = "Remove a UI user (the last admin stays)")
    @ApiResponse(responseCode = "204", description = "Removed")
    ResponseEntity<Void> delete(@PathVariable String username) {
        users.delete(username);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/locks")
    @Operation(summary = "User names and source addresses locked after repeated failed sign-ins")
    List<LoginThrottle.Lock> locks() {
        return throttle.locks();
    }

    @DeleteMapping("/locks/{kind}/{value}")
    @Operation(summary = "Lift a sign-in lock (kind 'user' or 'address'); audited")
    @ApiResponse(responseCode = "204", description = "Unlocked")
    ResponseEntity<Object> unlock(@PathVariable String kind, @PathVariable String value) {
        if (!throttle.unlock(kind, value)) {
            return ResponseEntity.status(404).body(Problems.of(HttpStatus.NOT_FOUND, "not-found", "Not found",
                    "no sign-in lock for " + kind + " " + value));
        }
        return ResponseEntity.noContent().build();
    }
}
