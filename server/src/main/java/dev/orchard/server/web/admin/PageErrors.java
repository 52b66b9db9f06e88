package dev.orchard.server.web.admin;

import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

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

    @ExceptionHandler({IllegalArgumentException.class, MissingServletRequestParameterException.class,
            MethodArgumentTypeMismatchException.class})
    @ResponseStatus(HttpStatus.BAD_REQUEST)
    String badRequest(Exception e, Model model) {
        model.addAttribute("title", "That did not work");
        model.addAttribute("message", e.getMessage() + ". Nothing was changed; go back and correct the form.");
        return "problem";
    }
}
