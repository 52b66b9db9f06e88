package dev.orchard.server.web.admin;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The login page (password and single sign-on) and the page shown when a role does not allow an action. */
@Controller
class PagesSupport {

    private final dev.orchard.server.system.OidcLogin oidc;

    PagesSupport(dev.orchard.server.system.OidcLogin oidc) {
        this.oidc = oidc;
    }

    /** The password form (unless single sign-on is the only way in) and the single sign-on button when configured. */
    @GetMapping("/login")
    String login(org.springframework.ui.Model model) {
        model.addAttribute("sso", oidc.enabled() ? oidc.buttonText() : null);
        model.addAttribute("localLogin", oidc.localLogin());
        return "login";
    }

    @org.springframework.web.bind.annotation.RequestMapping("/denied")
    String denied() {
        return "denied";
    }
}
