package dev.orchard.server.web.admin;

import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

import dev.orchard.server.accounts.AccountProblem;
import dev.orchard.server.system.NotFoundException;

/** UI errors as pages that say what to do next, never a stack trace. */
@ControllerAdvice(basePackages = "dev.orchard.server.web.admin")
class PageErrors {

    @ExceptionHandler(NotFoundException.class)
    @ResponseStatus(HttpStatus.NOT_FOUND)
    String notFound(NotFoundException e, Model model) {
        model.addAttribute("title", "Not found");
        model.addAttribute("message", e.getMessage() + ". It may have been deleted; go back to the list.");
        return "problem";
    }

    /** An account that is not there (deleted, or a mistyped id) is a 404 like any other record; the rest cannot be done now. */
    @ExceptionHandler(AccountProblem.class)
    String accountProblem(AccountProblem e, Model model, jakarta.servlet.http.HttpServletResponse response) {
        if (e.kind() == AccountProblem.Kind.NOT_FOUND) {
            response.setStatus(HttpStatus.NOT_FOUND.value());
            model.addAttribute("title", "Not found");
            model.addAttribute("message", e.getMessage() + ". It may have been deleted; go back to the list.");
        } else {
            response.setStatus(HttpStatus.CONFLICT.value());
            model.addAttribute("title", "That did not work");
            model.addAttribute("message", e.getMessage() + ". Nothing was changed.");
        }
        return "problem";
    }

    @ExceptionHandler({IllegalArgumentException.class, MissingServletRequestParameterException.class,
            MethodArgumentTypeMismatchException.class})
    @ResponseStatus(HttpStatus.BAD_REQUEST)
    String badRequest(Exception e, Model model) {
        model.addAttribute("title", "That did not work");
        model.addAttribute("message", reason(e));
        return "problem";
    }

    /** In the words of the form or address, not of Java's conversion ("Failed to convert value of type …"). */
    private static String reason(Exception e) {
        if (e instanceof MethodArgumentTypeMismatchException m) {
            return "'" + m.getValue() + "' is not a valid " + m.getName() + ". Check the address, or go back to the list.";
        }
        if (e instanceof MissingServletRequestParameterException m) {
            return "The request lacks " + m.getParameterName() + ". Nothing was changed; go back and fill in the form.";
        }
        return e.getMessage() + ". Nothing was changed; go back and correct the form.";
    }
}
