package dev.tally.testkit.cloud;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * Records the requests every S3 client in the test JVM sends (registered as an SDK global interceptor in
 * {@code software/amazon/awssdk/global/handlers/execution.interceptors}), for what s3proxy does not show: it
 * ignores {@code x-amz-storage-class} on a copy, its multipart objects carry plain ETags, and it does not count
 * requests. It changes no request; a fault test may make chosen requests fail before they are sent
 * ({@link #failWhere}), as a broken connection would.
 */
public final class S3RequestRecorder implements ExecutionInterceptor {
    private static final Queue<SdkRequest> SENT = new ConcurrentLinkedQueue<>();
    private static volatile Predicate<SdkRequest> failing = request -> false;

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        SENT.add(request);
        if (failing.test(request)) {
            throw SdkClientException.create("injected failure of " + request.getClass().getSimpleName());
        }
    }

    /** The requests of {@code type} sent so far that match {@code filter}, oldest first. */
    static <T extends SdkRequest> List<T> sent(Class<T> type, Predicate<T> filter) {
        return SENT.stream().filter(type::isInstance).map(type::cast).filter(filter).toList();
    }

    /** Fails every request of {@code type} matching {@code filter} until the returned handle is closed. */
    static <T extends SdkRequest> AutoCloseable failWhere(Class<T> type, Predicate<T> filter) {
        failing = request -> type.isInstance(request) && filter.test(type.cast(request));
        return () -> failing = request -> false;
    }
}
