package dev.tally.testkit.cloud;

import software.amazon.awssdk.core.SdkRequest;
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
 * ignores {@code x-amz-storage-class} on a copy, and its multipart objects carry plain ETags. Passive: it changes
 * no request.
 */
public final class S3RequestRecorder implements ExecutionInterceptor {
    private static final Queue<SdkRequest> SENT = new ConcurrentLinkedQueue<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        SENT.add(context.request());
    }

    /** The requests of {@code type} sent so far that match {@code filter}, oldest first. */
    static <T extends SdkRequest> List<T> sent(Class<T> type, Predicate<T> filter) {
        return SENT.stream().filter(type::isInstance).map(type::cast).filter(filter).toList();
    }
}
