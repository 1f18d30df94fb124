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
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(TallyExtension.PerTest.class)
public @interface TallyTest {
}
