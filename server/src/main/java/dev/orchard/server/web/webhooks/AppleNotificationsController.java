package dev.orchard.server.web.webhooks;

import java.nio.charset.StandardCharsets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.apple.AppleNotifications;
import dev.orchard.apple.model.AppleNotification;
import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.sync.NotificationInbox;
import dev.orchard.server.sync.NotificationProcessor;
import dev.orchard.server.system.Problems;

/**
 * Where Apple posts notifications for an account ({@code notificationUrl} set when the account was claimed):
 * {@code Authorization: Bearer <the account's secret>} is checked in constant time (403 otherwise), bad JSON is
 * a 400, and the notification is stored, de-duplicated, before the 200.
 */
@RestController
class AppleNotificationsController {

    private static final Logger LOG = LoggerFactory.getLogger(AppleNotificationsController.class);

    private final AccountService accounts;
    private final NotificationInbox inbox;
    private final NotificationProcessor processor;

    AppleNotificationsController(AccountService accounts, NotificationInbox inbox, NotificationProcessor processor) {
        this.accounts = accounts;
        this.inbox = inbox;
        this.processor = processor;
    }

    @PostMapping("/apple/notifications/{accountKey}")
    ResponseEntity<ProblemDetail> receive(@PathVariable String accountKey,
                                          @RequestHeader(name = "Authorization", required = false) String authorization,
                                          @RequestBody(required = false) byte[] body) {
        String secret = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
        var account = accounts.authenticateNotification(accountKey, secret);
        if (account.isEmpty()) {
            return ResponseEntity.status(403).body(Problems.of(HttpStatus.FORBIDDEN, "forbidden", "Not allowed",
                    "unknown notification URL or wrong secret"));
        }
        AppleNotification notification;
        try {
            notification = AppleNotifications.parse(body == null ? new byte[0] : body);
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().body(Problems.of(HttpStatus.BAD_REQUEST, "malformed-notification",
                    "Malformed notification", e.getMessage()));
        }
        AccountId id = account.get();
        String location = accounts.get(id).locationUid();
        if (notification.uId() == null || !notification.uId().equals(location)) {
            String reason = "uId " + notification.uId() + " is not this account's location " + location;
            inbox.reject(id, notification, new String(body, StandardCharsets.UTF_8), reason);
            LOG.warn("Apple notification {} for account {} rejected, nothing changed: {}", notification.notificationId(), id, reason);
            return ResponseEntity.status(HttpStatus.UNPROCESSABLE_CONTENT).body(Problems.of(HttpStatus.UNPROCESSABLE_CONTENT, "rejected-notification",
                    "Notification rejected", reason + "; it was stored for inspection and changed nothing"));
        }
        boolean fresh = inbox.accept(id, notification, new String(body, StandardCharsets.UTF_8));
        LOG.debug("Apple notification {} {} for account {}{}", notification.notificationType(),
                notification.notificationId(), id, fresh ? "" : " (duplicate, ignored)");
        if (fresh) {
            processor.processAccount(id); // stored and committed above; a failure here is retried by the account's worker
        }
        return ResponseEntity.ok().build();
    }
}
