package dev.orchard.server.web.api;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import dev.orchard.server.accounts.Account;
import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountProblem;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.system.Installation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/** License accounts: add from a token (JSON or a .vpptoken upload), list, edit, renew, take over, refresh, delete. */
@RestController
@RequestMapping("/api/v1/accounts")
@Tag(name = "Accounts", description = "Apple license accounts (content tokens)")
class AccountsController {

    /** Adding an account from JSON. */
    record AddAccount(@Size(max = 200) String name, @NotBlank @Size(max = 8192) String sToken, @Min(0) Integer priority,
                      Boolean takeOver) {
        @Override
        public String toString() {
            return "AddAccount[name=" + name + ", priority=" + priority + ", takeOver=" + takeOver + "]";
        }
    }

    /** Editable fields; absent ones stay as they are. */
    record UpdateAccount(@Size(min = 1, max = 200) String name, @Min(0) Integer priority) {
    }

    /** A renewed token for the same location. */
    record RenewToken(@NotBlank @Size(max = 8192) String sToken) {
        @Override
        public String toString() {
            return "RenewToken[***]";
        }
    }

    private final AccountService accounts;
    private final Installation installation;
    private final Clock clock;

    AccountsController(AccountService accounts, Installation installation, Clock clock) {
        this.accounts = accounts;
        this.installation = installation;
        this.clock = clock;
    }

    @GetMapping
    @Operation(summary = "List accounts in priority order")
    List<AccountView> list() {
        return accounts.list().stream().map(this::view).toList();
    }

    @GetMapping("/{id}")
    @Operation(summary = "One account")
    AccountView get(@PathVariable long id) {
        return view(accounts.get(new AccountId(id)));
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Add an account from a content token (sToken text)",
            description = "Validates the token with Apple, refuses a location already registered, and claims it. "
                    + "A location managed by another MDM is refused unless takeOver is true.")
    @ApiResponse(responseCode = "201", description = "Added; Location names the account")
    ResponseEntity<AccountView> add(@Valid @RequestBody AddAccount body) {
        return created(accounts.add(body.name(), body.sToken(), body.priority(), Boolean.TRUE.equals(body.takeOver())));
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(summary = "Add an account by uploading its .vpptoken file")
    @ApiResponse(responseCode = "201", description = "Added; Location names the account")
    ResponseEntity<AccountView> upload(@RequestPart("token") MultipartFile token,
                                       @RequestParam(required = false) String name,
                                       @RequestParam(required = false) Integer priority,
                                       @RequestParam(defaultValue = "false") boolean takeOver) {
        return created(accounts.add(name, text(token), priority, takeOver));
    }

    @PatchMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Rename or reprioritise an account (lower priority numbers are used first)")
    AccountView update(@PathVariable long id, @Valid @RequestBody UpdateAccount body) {
        return view(accounts.update(new AccountId(id), body.name(), body.priority()));
    }

    @PutMapping(path = "/{id}/token", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Renew the token in place (must be for the same location)")
    AccountView renew(@PathVariable long id, @Valid @RequestBody RenewToken body) {
        return view(accounts.renew(new AccountId(id), body.sToken()));
    }

    @PutMapping(path = "/{id}/token", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(summary = "Renew the token in place by uploading the new .vpptoken file")
    AccountView renewUpload(@PathVariable long id, @RequestPart("token") MultipartFile token) {
        return view(accounts.renew(new AccountId(id), text(token)));
    }

    @PostMapping("/{id}/claim")
    @Operation(summary = "Take the location back from another MDM")
    AccountView claim(@PathVariable long id) {
        return view(accounts.takeOver(new AccountId(id)));
    }

    @PostMapping("/{id}/refresh")
    @ApiResponse(responseCode = "202", description = "Queued; runs when Apple allows")
    @Operation(summary = "Re-read the account's configuration, owner and expiry from Apple (queued)")
    ResponseEntity<AccountView> refresh(@PathVariable long id) {
        AccountId account = new AccountId(id);
        accounts.requestRefresh(account);
        return ResponseEntity.accepted().body(view(accounts.get(account)));
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Delete an account",
            description = "Refused while the account holds licenses Orchard assigned, unless revokeLicenses=true: "
                    + "then they are revoked at Apple first and the answer is 202 while that happens.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "202", description = "Its licenses are being revoked at Apple; the account goes once they are")
    ResponseEntity<Void> delete(@PathVariable long id, @RequestParam(defaultValue = "false") boolean revokeLicenses) {
        boolean deleted = accounts.delete(new AccountId(id), revokeLicenses);
        return deleted ? ResponseEntity.noContent().build() : ResponseEntity.accepted().build();
    }

    private ResponseEntity<AccountView> created(Account account) {
        return ResponseEntity.created(URI.create("/api/v1/accounts/" + account.id())).body(view(account));
    }

    private AccountView view(Account account) {
        return AccountView.of(account, clock.instant(), accounts.expiryWarningDays(), installation.id());
    }

    private static String text(MultipartFile file) {
        if (file.isEmpty()) {
            throw new AccountProblem(AccountProblem.Kind.INVALID_TOKEN, "the uploaded token file is empty");
        }
        try {
            return new String(file.getBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AccountProblem(AccountProblem.Kind.INVALID_TOKEN, "the uploaded token file could not be read");
        }
    }
}
