package dev.orchard.server.web.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.lang.reflect.Type;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

/**
 * JSON bodies must be plain UTF-8: one starting with a byte-order mark is refused with a 400 that says so, instead of
 * being read as if it were not there (a BOM usually means a tool re-encoded the file; CSV imports accept and drop it,
 * because Excel writes one).
 */
@ControllerAdvice(basePackages = "dev.orchard.server.web.api")
class StrictJsonBodies extends RequestBodyAdviceAdapter {

    /** A JSON body that starts with a byte-order mark. */
    static final class ByteOrderMarkException extends HttpMessageNotReadableException {
        ByteOrderMarkException(HttpInputMessage message) {
            super("The JSON body starts with a byte-order mark (U+FEFF); send UTF-8 JSON without one.", message);
        }
    }

    @Override
    public boolean supports(MethodParameter parameter, Type targetType, Class<? extends HttpMessageConverter<?>> converterType) {
        return converterType.getSimpleName().contains("Json");
    }

    @Override
    public HttpInputMessage beforeBodyRead(HttpInputMessage message, MethodParameter parameter, Type targetType,
                                           Class<? extends HttpMessageConverter<?>> converterType) throws IOException {
        PushbackInputStream in = new PushbackInputStream(message.getBody(), 3);
        byte[] start = in.readNBytes(3);
        if (start.length == 3 && (start[0] & 0xff) == 0xEF && (start[1] & 0xff) == 0xBB && (start[2] & 0xff) == 0xBF) {
            throw new ByteOrderMarkException(message);
        }
        in.unread(start);
        return new HttpInputMessage() {
            @Override
            public InputStream getBody() {
                return in;
            }

            @Override
            public HttpHeaders getHeaders() {
                return message.getHeaders();
            }
        };
    }
}
