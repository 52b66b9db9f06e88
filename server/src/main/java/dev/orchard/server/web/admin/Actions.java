package dev.orchard.server.web.admin;

import java.util.function.Supplier;

import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.orchard.server.accounts.AccountProblem;
import dev.orchard.server.accounts.AccountUnavailableException;
import dev.orchard.server.system.ConflictException;
import dev.orchard.server.system.NotFoundException;

/**
 * How a form's action ends: the change runs, then the browser is redirected (post/redirect/get) with a message that
 * says what happened, or what to do when it could not happen. Bad input never changes anything: the services
 * validate before they write.
 */
final class Actions {

    private Actions() {
    }

    static String run(RedirectAttributes flash, String target, Supplier<String> action) {
        try {
            flash.addFlashAttribute("ok", action.get());
        } catch (IllegalArgumentException | IllegalStateException | ConflictException | NotFoundException
                 | AccountProblem | AccountUnavailableException e) {
            flash.addFlashAttribute("error", e.getMessage());
        } catch (dev.orchard.server.accounts.AccountBlockedException e) {
            flash.addFlashAttribute("error", "Apple asked Orchard to wait until " + e.until() + "; try again then.");
        }
        return "redirect:" + target;
    }

    /**
     * A confirmation carries the count its preview showed: a different count now means something changed meanwhile,
     * so nothing is done ({@code what}: "reclaimed", "adopted") and the page says so.
     */
    static void sameAsPreviewed(long expected, long now, String what) {
        if (now != expected) {
            throw new IllegalStateException("The number of licenses changed from " + expected + " to " + now
                    + " since the preview; nothing was " + what + ". Look again and confirm.");
        }
    }

    /** A form field of ids, one per line or separated by commas or spaces: each once, in the order given. */
    static java.util.List<String> ids(String text) {
        return text == null ? java.util.List.of() : java.util.Arrays.stream(text.split("[,\\s]+")).map(String::strip)
                .filter(s -> !s.isEmpty()).distinct().toList();
    }

    /** A form field with nothing in it is absent. */
    static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
