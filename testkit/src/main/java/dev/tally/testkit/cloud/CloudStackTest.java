package dev.tally.testkit.cloud;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a test class against the embedded cloud stack (Kafka, Redis, PostgreSQL, S3 in this JVM, no Docker):
 * parameters of type {@link EmbeddedCloudStack} receive the run's shared stack. The first class to ask starts it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(CloudStackExtension.class)
public @interface CloudStackTest {
}
