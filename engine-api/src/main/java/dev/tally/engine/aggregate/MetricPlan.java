package dev.tally.engine.aggregate;

import dev.tally.api.Aggregation;
import dev.tally.api.Event;
import dev.tally.api.MetricDefinition;
import dev.tally.engine.codec.PropertyText;
import dev.tally.spi.Aggregate;
import dev.tally.spi.WindowKey;

import java.util.List;

/**
 * A metric definition compiled for the hot path: which events it takes, how it reads their dimension
 * values and numeric value. Shared by the real-time aggregator and the batch rollup. Immutable.
 */
public final class MetricPlan {
    public static final String EVENT_COUNT = "event_count";
    public static final String UNIQUE_USERS = "unique_users";
    public static final List<MetricDefinition> BUILT_INS = List.of(
            MetricDefinition.count(EVENT_COUNT, null, "eventType"),
            MetricDefinition.of(UNIQUE_USERS, null, Aggregation.UNIQUE, null));

    private final MetricDefinition definition;
    private final String[] dimensionProperties;
    private final int[] dimensionKinds;

    private static final int EVENT_TYPE = 0;
    private static final int COUNTRY = 1;
    private static final int DEVICE = 2;
    private static final int PROPERTY = 3;

    public MetricPlan(MetricDefinition definition) {
        this.definition = definition;
        List<String> dims = definition.dimensions();
        dimensionProperties = new String[dims.size()];
        dimensionKinds = new int[dims.size()];
        for (int i = 0; i < dims.size(); i++) {
            String d = dims.get(i);
            switch (d) {
                case "eventType" -> dimensionKinds[i] = EVENT_TYPE;
                case "country" -> dimensionKinds[i] = COUNTRY;
                case "device" -> dimensionKinds[i] = DEVICE;
                default -> {
                    dimensionKinds[i] = PROPERTY;
                    dimensionProperties[i] = d.substring("properties.".length());
                }
            }
        }
    }

    public static boolean isBuiltIn(String name) {
        return EVENT_COUNT.equals(name) || UNIQUE_USERS.equals(name);
    }

    public MetricDefinition definition() {
        return definition;
    }

    public String name() {
        return definition.name();
    }

    public boolean matches(Event e) {
        return definition.eventType() == null || definition.eventType().equals(e.eventType());
    }

    /** The event's values of this metric's dimensions, in definition order. */
    public List<String> dimensionValues(Event e) {
        int n = dimensionKinds.length;
        if (n == 0) {
            return List.of();
        }
        String[] values = new String[n];
        for (int i = 0; i < n; i++) {
            String v = switch (dimensionKinds[i]) {
                case EVENT_TYPE -> e.eventType();
                case COUNTRY -> e.context().country();
                case DEVICE -> e.context().device();
                default -> PropertyText.render(e.properties().get(dimensionProperties[i]));
            };
            values[i] = v == null ? WindowKey.NULL_VALUE : v.indexOf('\u001f') >= 0 ? v.replace('\u001f', ' ') : v;
        }
        return List.of(values);
    }

    /** Folds one event into an aggregate. */
    public void apply(Aggregate a, Event e) {
        add(a, user(e), value(e));
    }

    /**
     * The user this event adds to a distinct count, or {@code null} (not a distinct-count metric, or no user).
     * With {@link #value} and {@link #add}, what {@link #apply} does in parts, for a runtime that ships an event's
     * contribution to another machine rather than the event.
     */
    public String user(Event e) {
        return definition.aggregation() == Aggregation.UNIQUE ? e.userId() : null;
    }

    /** The finite numeric value this event adds to sum/avg/min/max, or {@code NaN} when it adds none. */
    public double value(Event e) {
        Aggregation agg = definition.aggregation();
        if (agg.needsProperty() && e.properties().get(definition.property()) instanceof Number num) {
            double d = num.doubleValue();
            if (Double.isFinite(d)) {
                return d;
            }
        }
        return Double.NaN;
    }

    /** Folds one event's contribution, as read by {@link #user} and {@link #value}, into an aggregate. */
    public static void add(Aggregate a, String user, double value) {
        a.addEvent();
        if (user != null) {
            a.addUser(user);
        }
        if (!Double.isNaN(value)) {
            a.addValue(value);
        }
    }
}
