package dev.orchard.server.web.admin;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The login page and the page shown when a role does not allow an action. */
@Controller
class PagesSupport {

    @GetMapping("/login")
    String login() {
        return "login";
    }

    @org.springframework.web.bind.annotation.RequestMapping("/denied")
    String denied() {
        return "denied";
    }
}
