package dev.tally.engine.archive;

import dev.tally.api.Event;
import dev.tally.api.EventContext;
import dev.tally.engine.codec.PropertyText;
import dev.tally.spi.Warehouse.StorageClass;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where and how raw events are archived — the same in every profile. Keys:
 * {@code <project>/events/year=YYYY/month=MM/day=DD/hour=HH/part-NNNNN.parquet} while hot, the same under
 * {@code <project>/cold/events/...} once retention moved them. Columns are the seed's:
 * {@code event_id, user_id, event_type, timestamp, ingested_at, properties (map), context (struct)}, plus
 * {@code numeric_properties}, the keys whose values were numbers, so events read back aggregate exactly as
 * they did in real time. Stateless.
 */
public final class ArchiveLayout {
    public static final Schema CONTEXT = SchemaBuilder.record("context").namespace("dev.tally.archive").fields()
            .optionalString("ip")
            .optionalString("user_agent")
            .optionalString("country")
            .optionalString("device")
            .name("extra").type().map().values().nullable().stringType().noDefault()
            .endRecord();

    public static final Schema SCHEMA = SchemaBuilder.record("event").namespace("dev.tally.archive").fields()
            .requiredString("event_id")
            .optionalString("user_id")
            .requiredString("event_type")
            .name("timestamp").type(timestampMillis()).noDefault()
            .name("ingested_at").type(timestampMillis()).noDefault()
            .name("properties").type().map().values().nullable().stringType().noDefault()
            .name("context").type(CONTEXT).noDefault()
            .name("numeric_properties").type().array().items().stringType().noDefault()
            .endRecord();

    private static final Pattern PART = Pattern.compile(".*/part-(\\d{5,})\\.parquet");

    private ArchiveLayout() {
    }

    private static Schema timestampMillis() {
        return LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    }

    /** {@code year=2024/month=01/day=15/hour=13} for the UTC hour starting at {@code hour}. */
    public static String partition(Instant hour) {
        ZonedDateTime t = hour.atZone(ZoneOffset.UTC);
        return String.format("year=%04d/month=%02d/day=%02d/hour=%02d", t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), t.getHour());
    }

    /** The day part of a partition, the seed's {@code file_partition}: {@code year=2024/month=01/day=15}. */
    public static String dayPartition(Instant hour) {
        String p = partition(hour);
        return p.substring(0, p.lastIndexOf('/'));
    }

    public static String key(String projectId, Instant hour, int part, StorageClass storageClass) {
        return projectId + (storageClass == StorageClass.COLD ? "/cold" : "") + "/events/" + partition(hour)
                + String.format("/part-%05d.parquet", part);
    }

    /** The part number of a key made by {@link #key}, or -1. */
    public static int partOf(String key) {
        Matcher m = PART.matcher(key);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The cold key of a hot key. */
    public static String coldKey(String hotKey) {
        int slash = hotKey.indexOf('/');
        return hotKey.substring(0, slash) + "/cold" + hotKey.substring(slash);
    }

    public static long hourOf(long epochMillis) {
        return Math.floorDiv(epochMillis, 3_600_000L) * 3_600_000L;
    }

    /** The event of an archive row (properties typed back: numbers as numbers, everything else as text). */
    public static Event toEvent(GenericRecord r) {
        Map<?, ?> rawProps = (Map<?, ?>) r.get(5);
        List<?> numeric = (List<?>) r.get(7);
        Map<String, Object> props = new HashMap<>(Math.max(4, rawProps.size() * 2));
        for (Map.Entry<?, ?> p : rawProps.entrySet()) {
            props.put(p.getKey().toString(), p.getValue() == null ? null : p.getValue().toString());
        }
        for (Object k : numeric) {
            String key = k.toString();
            Object v = props.get(key);
            if (v != null) {
                props.put(key, PropertyText.parseNumber((String) v));
            }
        }
        GenericRecord ctx = (GenericRecord) r.get(6);
        Map<?, ?> rawExtra = (Map<?, ?>) ctx.get(4);
        Map<String, String> extra = new LinkedHashMap<>();
        rawExtra.forEach((k, v) -> extra.put(k.toString(), v == null ? null : v.toString()));
        EventContext context = new EventContext(str(ctx.get(0)), str(ctx.get(1)), str(ctx.get(2)), str(ctx.get(3)),
                extra);
        return new Event(str(r.get(0)), str(r.get(2)), str(r.get(1)), Instant.ofEpochMilli((Long) r.get(3)), props,
                context);
    }

    private static String str(Object o) {
        return o == null ? null : o instanceof Utf8 u ? u.toString() : o.toString();
    }
}
