package dev.tally.engine.archive;

import dev.tally.api.Event;
import dev.tally.api.EventContext;
import dev.tally.engine.codec.PropertyText;
import dev.tally.engine.codec.StoredEvent;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

import java.util.Map;

/**
 * Writes archive rows straight from a {@link StoredEvent} into Parquet's columns. The file is the one
 * {@code AvroParquetWriter} wrote with {@link ArchiveLayout#SCHEMA} — the same Parquet schema (converted from the
 * Avro schema by Parquet's own converter), the same {@code parquet.avro.schema} footer entry, the same map and
 * list layout — so every reader (Avro, DuckDB, the rollups) reads old and new files alike. What it saves is the
 * per-row Avro detour: a {@code GenericRecord}, a map of rendered properties and a list per event, and the
 * schema-driven dispatch of {@code AvroWriteSupport}, which was about a third of the archiver's time.
 * Not thread-safe: one per writer.
 */
final class EventWriteSupport extends WriteSupport<StoredEvent> {
    /** The Parquet form of {@link ArchiveLayout#SCHEMA}, with Parquet-Avro's default (two-level) lists. */
    static final MessageType PARQUET_SCHEMA =
            new AvroSchemaConverter(new PlainParquetConfiguration()).convert(ArchiveLayout.SCHEMA);
    private static final Map<String, String> FOOTER = Map.of(
            "parquet.avro.schema", ArchiveLayout.SCHEMA.toString(),
            "writer.model.name", "avro");
    private static final String MAP_ENTRY = "key_value";
    private static final String LIST_ELEMENT = "array";

    private RecordConsumer out;

    @Override
    public WriteContext init(Configuration configuration) {
        return new WriteContext(PARQUET_SCHEMA, FOOTER);
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(PARQUET_SCHEMA, FOOTER);
    }

    @Override
    public String getName() {
        return "avro";
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.out = recordConsumer;
    }

    @Override
    public void write(StoredEvent se) {
        Event e = se.event();
        out.startMessage();
        string("event_id", 0, e.eventId());
        string("user_id", 1, e.userId());
        string("event_type", 2, e.eventType());
        int64("timestamp", 3, e.timestamp().toEpochMilli());
        int64("ingested_at", 4, se.ingestedAt().toEpochMilli());
        out.startField("properties", 5);
        out.startGroup();
        boolean anyNumber = false;
        if (!e.properties().isEmpty()) {
            out.startField(MAP_ENTRY, 0);
            for (Map.Entry<String, Object> p : e.properties().entrySet()) {
                out.startGroup();
                string("key", 0, p.getKey());
                string("value", 1, PropertyText.render(p.getValue()));
                out.endGroup();
                anyNumber |= PropertyText.isNumber(p.getValue());
            }
            out.endField(MAP_ENTRY, 0);
        }
        out.endGroup();
        out.endField("properties", 5);
        out.startField("context", 6);
        context(e.context());
        out.endField("context", 6);
        out.startField("numeric_properties", 7);
        out.startGroup();
        if (anyNumber) {
            out.startField(LIST_ELEMENT, 0);
            for (Map.Entry<String, Object> p : e.properties().entrySet()) {
                if (PropertyText.isNumber(p.getValue())) {
                    out.addBinary(Binary.fromString(p.getKey()));
                }
            }
            out.endField(LIST_ELEMENT, 0);
        }
        out.endGroup();
        out.endField("numeric_properties", 7);
        out.endMessage();
    }

    private void context(EventContext c) {
        out.startGroup();
        string("ip", 0, c.ip());
        string("user_agent", 1, c.userAgent());
        string("country", 2, c.country());
        string("device", 3, c.device());
        out.startField("extra", 4);
        out.startGroup();
        if (!c.extra().isEmpty()) {
            out.startField(MAP_ENTRY, 0);
            for (Map.Entry<String, String> x : c.extra().entrySet()) {
                out.startGroup();
                string("key", 0, x.getKey());
                string("value", 1, x.getValue());
                out.endGroup();
            }
            out.endField(MAP_ENTRY, 0);
        }
        out.endGroup();
        out.endField("extra", 4);
        out.endGroup();
    }

    /** An optional string field: absent when {@code null}. */
    private void string(String name, int index, String value) {
        if (value != null) {
            out.startField(name, index);
            out.addBinary(Binary.fromString(value));
            out.endField(name, index);
        }
    }

    private void int64(String name, int index, long value) {
        out.startField(name, index);
        out.addLong(value);
        out.endField(name, index);
    }
}
