package dev.tally.api;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Input limits applied to every event before anything else. Every breach is a {@link Violation}, never an
 * exception.
 *
 * @param maxEventBytes      encoded size of one event
 * @param maxProperties      number of top-level properties
 * @param maxDepth           nesting depth of property values (1 = flat)
 * @param maxStringLength    characters in any string value or key
 * @param maxBatchSize       events in one batch call
 * @param maxFutureSkew      how far ahead of the engine clock a timestamp may be
 */
public record Limits(int maxEventBytes, int maxProperties, int maxDepth, int maxStringLength, int maxBatchSize,
                     Duration maxFutureSkew) {

    public static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:\\-]{0,63}");
    public static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_.\\-]{0,99}");
    public static final Pattern PROJECT_ID = Pattern.compile("[a-z0-9][a-z0-9_\\-]{0,49}");
    public static final int MAX_USER_ID_LENGTH = 128;

    public static Limits defaults() {
        return new Limits(32 * 1024, 200, 5, 4096, 10_000, Duration.ofMinutes(5));
    }

    public Limits {
        if (maxEventBytes < 256 || maxProperties < 1 || maxDepth < 1 || maxStringLength < 16 || maxBatchSize < 1
                || maxFutureSkew == null || maxFutureSkew.isNegative()) {
            throw new ConfigurationException("limits out of range: " + this);
        }
    }
}
