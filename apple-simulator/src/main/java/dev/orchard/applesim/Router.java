package dev.orchard.applesim;

import java.io.IOException;
import java.time.Clock;

import com.sun.net.httpserver.HttpHandler;

/** Wraps every handler: Apple errors become Apple-shaped answers, unexpected ones a 500/9603, and each request is logged. */
final class Router {

    interface Handler {
        void handle(Exchange ex) throws Exception;
    }

    private static final System.Logger LOG = System.getLogger(Router.class.getName());

    private final RequestLog log;
    private final Clock clock;

    Router(RequestLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    HttpHandler wrap(Handler handler) {
        return http -> {
            long started = System.nanoTime();
            var ex = new Exchange(http);
            var logged = new java.util.concurrent.atomic.AtomicBoolean();
            // logged as the answer goes out (a client holding its answer finds the request logged), else at the end
            ex.beforeAnswer = () -> {
                if (logged.compareAndSet(false, true)) {
                    log.record(new RequestLog.Entry(clock.instant(), ex.method, ex.path, ex.rawQuery, ex.status, ex.uId,
                            (System.nanoTime() - started) / 1_000_000, ex.subjects));
                }
            };
            try {
                handler.handle(ex);
            } catch (AppleError e) {
                ex.sendError(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ex.drop();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "simulator failed on " + ex.method + " " + ex.path, e);
                try {
                    ex.sendError(new AppleError(500, 9603, ErrorCatalog.message(9603)));
                } catch (IOException ignored) {
                    // the client went away
                }
            } finally {
                http.close();
                ex.beforeAnswer.run(); // a dropped connection or an answer that failed before it went
            }
        };
    }
}
