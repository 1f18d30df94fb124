package dev.tally.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads the request body into memory up to a limit (413 beyond it, at once when Content-Length says so).
 * Unlike Vert.x's BodyHandler it runs after the key check, so an unauthenticated client cannot make the
 * server buffer megabytes; the check pauses the request while it looks the key up.
 */
final class BodyReader implements Handler<RoutingContext> {
    private static final String BODY_KEY = "tally.body";

    private final long limit;

    BodyReader(long limit) {
        this.limit = limit;
    }

    static String text(RoutingContext ctx) {
        Buffer body = ctx.get(BODY_KEY);
        return body == null ? "" : body.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        boolean streamed = request.version() == HttpVersion.HTTP_2 || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
        if (request.isEnded() || length == null && !streamed) {
            ctx.next();
            return;
        }
        long declared = -1;
        if (length != null) {
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                ctx.fail(400);
                return;
            }
        }
        if (declared > limit) {
            ctx.fail(tooLarge());
            return;
        }
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))
                && request.version() != HttpVersion.HTTP_1_0) {
            request.response().writeContinue();
        }
        Buffer body = Buffer.buffer((int) Math.max(256, Math.min(declared, 64 * 1024)));
        boolean[] failed = {false};
        request.handler(chunk -> {
            if (failed[0]) {
                return;
            }
            if (body.length() + (long) chunk.length() > limit) {
                failed[0] = true;
                ctx.fail(tooLarge());
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(t -> {
            if (!failed[0]) {
                failed[0] = true;
                ctx.fail(400);
            }
        });
        request.endHandler(v -> {
            if (!failed[0]) {
                ctx.put(BODY_KEY, body);
                ctx.next();
            }
        });
        request.resume();
    }

    private HttpFailure tooLarge() {
        return new HttpFailure(413, "payload_too_large", "request body larger than " + limit + " bytes", List.of(), null);
    }
}
