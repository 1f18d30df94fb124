package dev.tally.testkit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives each test a fresh local {@code Tally} on a temporary directory, with a {@link TestClock}; declare
 * parameters of type {@code Tally} or {@code TestClock} to receive them. Same as registering
 * {@code TallyExtension.local()}.
 *
 * <p>{@link #schemas()} and {@link #metrics()} name classpath locations (usually folders under
 * {@code src/test/resources}) whose files are registered in every engine before the test runs:
 * <pre>{@code
 * @TallyTest(schemas = "schemas/", metrics = "metrics/")
 * class CheckoutTest { ... }
 * }</pre>
 * A bad file fails the test with a {@link TestResourceException} naming the file. On a {@code @Nested} class the
 * nearest annotation (its own, else the enclosing class's) applies.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(TallyExtension.PerTest.class)
public @interface TallyTest {
    /** Folders (or single files) of {@code <eventType>.json} JSON Schemas; see {@link ResourceDefinitions}. */
    String[] schemas() default {};

    /** Folders (or single files) of metric definitions in the {@code POST /v1/metrics} shape. */
    String[] metrics() default {};

    /**
     * The backend every test's engine runs on: {@link Profile#LOCAL} (default) or {@link Profile#CLOUD} on the
     * embedded cloud stack, a namespace per test (see {@link TallyExtension#cloud()}).
     */
    Profile profile() default Profile.LOCAL;

    /** The backends a test engine can run on. */
    enum Profile {
        /** Chronicle Queue, H2 and a local directory, on a temporary directory. */
        LOCAL("local"),
        /** Kafka, Redis, PostgreSQL and S3 of the JVM's shared embedded cloud stack, in a fresh namespace. */
        CLOUD("cloud");

        private final String backend;

        Profile(String backend) {
            this.backend = backend;
        }

        /** The backend's name for {@code Tally.builder().backend(...)}. */
        public String backend() {
            return backend;
        }
    }
}
