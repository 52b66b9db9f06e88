package dev.orchard.server.system;

import java.io.IOException;
import java.net.URI;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/**
 * RFC 9457 problem documents with Orchard's stable {@code type} URIs ({@code https://orchard.dev/problems/<slug>}).
 * The slug is the contract clients match on; title and detail are for people.
 */
public final class Problems {

    public static final String BASE = "https://orchard.dev/problems/";

    private Problems() {
    }

    public static ProblemDetail of(HttpStatus status, String slug, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(BASE + slug));
        problem.setTitle(title);
        return problem;
    }

    /** Writes a problem outside Spring MVC (security filters). */
    static void write(HttpServletResponse response, HttpStatus status, String slug, String title, String detail)
            throws IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getWriter().write("{\"type\":\"" + BASE + slug + "\",\"title\":\"" + title + "\",\"status\":"
                + status.value() + ",\"detail\":\"" + detail.replace("\"", "'") + "\"}");
    }
}
