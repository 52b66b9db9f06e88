package dev.orchard.server.system;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The first filter every request meets, before authentication: a body declared larger than its endpoint class
 * allows ({@link LimitsProperties}) is answered 413 without reading a byte of it; a body that grows past the limit
 * while streaming (chunked) stops being read at the limit and is answered 413; and the bodies being received at
 * once are bounded together: a request that would pass {@code orchard.limits.in-flight} is answered 503 with
 * {@code Retry-After} before it is read.
 */
public final class BodyLimitFilter extends OncePerRequestFilter {

    /** Thrown from the request stream when a body passes its limit; answered 413 (here or by the API's errors). */
    public static final class BodyTooLargeException extends IOException {
        private final long limit;

        BodyTooLargeException(long limit) {
            super("the request body is larger than " + limit + " bytes");
            this.limit = limit;
        }

        public long limit() {
            return limit;
        }

        /** The body-too-large cause of a failure, if that is what it was. */
        public static java.util.Optional<BodyTooLargeException> in(Throwable failure) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof BodyTooLargeException b) {
                    return java.util.Optional.of(b);
                }
            }
            return java.util.Optional.empty();
        }
    }

    /** The problem answered for a body over its limit. */
    public static org.springframework.http.ProblemDetail problem(long limit) {
        return Problems.of(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Request too large", detail(limit));
    }

    private static String detail(long limit) {
        return "This endpoint takes at most " + limit + " bytes; send less (split bulk uploads), or raise orchard.limits.*";
    }

    private final LimitsProperties limits;
    private final Semaphore inFlightKb;
    private final AtomicLong bytesRead = new AtomicLong();

    public BodyLimitFilter(LimitsProperties limits) {
        this.limits = limits;
        this.inFlightKb = new Semaphore((int) Math.min(Integer.MAX_VALUE, limits.inFlight().toKilobytes()));
    }

    /** Request body bytes read through this filter since start (tests read it to show nothing oversized was read). */
    public long bytesRead() {
        return bytesRead.get();
    }

    /** Request body bytes reserved by requests being received now. */
    public long inFlightBytes() {
        return (limits.inFlight().toKilobytes() - inFlightKb.availablePermits()) * 1024;
    }

    /** The limit for a request, by its endpoint class. */
    long limitFor(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.startsWith("/apple/notifications/") || path.startsWith("/mdm/")) {
            return limits.webhookBody().toBytes();
        }
        if ("POST".equals(request.getMethod()) && (path.equals("/api/v1/devices") || path.equals("/api/v1/users")
                || path.matches("/api/v1/groups/[^/]+/members"))) {
            return limits.bulkBody().toBytes();
        }
        if (path.startsWith("/api/")) {
            return limits.apiBody().toBytes();
        }
        return limits.formBody().toBytes();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        boolean chunked = request.getHeader("Transfer-Encoding") != null;
        if (declared <= 0 && !chunked) {
            chain.doFilter(request, response);
            return;
        }
        long limit = limitFor(request);
        if (declared > limit) {
            tooLarge(response, limit);
            return;
        }
        int reserve = (int) Math.max(1, ((declared > 0 ? declared : limit) + 1023) / 1024);
        if (!inFlightKb.tryAcquire(reserve)) {
            response.setHeader("Retry-After", "1");
            Problems.write(response, HttpStatus.SERVICE_UNAVAILABLE, "busy", "Busy",
                    "Too many request bodies are being received at once; send again in a second.");
            return;
        }
        var limited = new Limited(request, limit);
        try {
            chain.doFilter(limited, response);
        } catch (ServletException | IOException | RuntimeException e) {
            if (!limited.exceeded || response.isCommitted()) {
                throw e;
            }
        } finally {
            bytesRead.addAndGet(limited.count); // counted before the reservation ends: nothing in flight = all counted
            inFlightKb.release(reserve);
        }
        if (limited.exceeded && !response.isCommitted()) {
            response.reset();
            tooLarge(response, limit);
        }
    }

    private static void tooLarge(HttpServletResponse response, long limit) throws IOException {
        response.setHeader("Connection", "close");
        Problems.write(response, HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Request too large", detail(limit));
    }

    /** The request with a stream that counts and stops at the limit. */
    private static final class Limited extends HttpServletRequestWrapper {
        private final long limit;
        private long count;
        private boolean exceeded;
        private ServletInputStream stream;
        private BufferedReader reader;

        Limited(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        int n = read(one, 0, 1);
                        return n < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (exceeded) {
                            throw new BodyTooLargeException(limit);
                        }
                        // never ask for more than one byte past the limit: that byte proves the body too large
                        int n = in.read(b, off, (int) Math.min(len, limit - count + 1));
                        if (n > 0) {
                            count += n;
                        }
                        if (count > limit) {
                            exceeded = true;
                            throw new BodyTooLargeException(limit);
                        }
                        return n;
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            if (reader == null) {
                String encoding = getCharacterEncoding();
                Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
                reader = new BufferedReader(new InputStreamReader(getInputStream(), charset));
            }
            return reader;
        }
    }
}
