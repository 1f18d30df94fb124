package dev.tally.engine.archive;

import dev.tally.api.Event;
import dev.tally.api.EventContext;
import dev.tally.engine.codec.PropertyText;
import dev.tally.engine.codec.StoredEvent;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.HadoopFreeReadOptions;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The direct writer makes the files Parquet-Avro made: same schema and footer, and every row reads back as the
 * same event, whatever mix of nulls, empty maps, numbers and nested values an event carries.
 */
class EventWriteSupportTest {
    private static final Instant TS = Instant.parse("2024-01-15T13:04:05.123Z");

    @TempDir
    Path dir;

    @Test
    void writesWhatParquetAvroWrote() throws IOException {
        List<StoredEvent> events = sample();
        Path direct = dir.resolve("direct.parquet");
        try (ParquetWriter<StoredEvent> w = ParquetIo.writer(direct, 1 << 20)) {
            for (StoredEvent e : events) {
                w.write(e);
            }
        }
        Path avro = dir.resolve("avro.parquet");
        try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(avro))
                .withSchema(ArchiveLayout.SCHEMA).withConf(new PlainParquetConfiguration())
                .withDataModel(GenericData.get()).build()) {
            for (StoredEvent e : events) {
                w.write(avroRecord(e));
            }
        }

        FileMetaData directMeta = footer(direct);
        FileMetaData avroMeta = footer(avro);
        assertThat(directMeta.getSchema()).isEqualTo(avroMeta.getSchema());
        assertThat(directMeta.getKeyValueMetaData()).containsAllEntriesOf(avroMeta.getKeyValueMetaData());

        List<GenericRecord> fromDirect = rows(direct);
        List<GenericRecord> fromAvro = rows(avro);
        assertThat(fromDirect).hasSameSizeAs(events);
        for (int i = 0; i < events.size(); i++) {
            assertThat(fromDirect.get(i).toString()).as("row %d", i).isEqualTo(fromAvro.get(i).toString());
            assertThat(ArchiveLayout.toEvent(fromDirect.get(i))).as("row %d", i).isEqualTo(archived(events.get(i).event()));
        }
    }

    private static List<StoredEvent> sample() {
        Map<String, Object> rich = new LinkedHashMap<>();
        rich.put("amount", 19.99);
        rich.put("quantity", 3L);
        rich.put("big", new BigDecimal("12345678901234567890.5"));
        rich.put("sku", "sku-ü-1");
        rich.put("gift", Boolean.TRUE);
        rich.put("tags", List.of("a", "b"));
        rich.put("nothing", null);
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("campaign", "spring");
        extra.put("empty", null);
        List<StoredEvent> events = new ArrayList<>();
        events.add(new StoredEvent("p", new Event("e-1", "purchase", "u-1", TS, rich,
                new EventContext("10.0.0.1", "curl/8", "US", "mobile", extra)), TS.plusSeconds(1), false));
        events.add(new StoredEvent("p", new Event("e-2", "page_view", null, TS, Map.of(), EventContext.EMPTY),
                TS.plusSeconds(2), true));
        events.add(new StoredEvent("p", new Event("e-3", "signup", "u-3", TS.plusMillis(7),
                Map.of("plan", "pro"), new EventContext(null, null, "DE", null, Map.of())), TS.plusSeconds(3), false));
        return events;
    }

    /** An event as the archive gives it back: numbers stay numbers, every other value becomes its text. */
    private static Event archived(Event e) {
        Map<String, Object> props = new LinkedHashMap<>();
        e.properties().forEach((k, v) -> props.put(k, PropertyText.isNumber(v) ? v : PropertyText.render(v)));
        return new Event(e.eventId(), e.eventType(), e.userId(), e.timestamp(), props, e.context());
    }

    /** What the archiver wrote before the direct writer: the Avro record of an event. */
    private static GenericRecord avroRecord(StoredEvent se) {
        Event e = se.event();
        GenericData.Record r = new GenericData.Record(ArchiveLayout.SCHEMA);
        r.put(0, e.eventId());
        r.put(1, e.userId());
        r.put(2, e.eventType());
        r.put(3, e.timestamp().toEpochMilli());
        r.put(4, se.ingestedAt().toEpochMilli());
        Map<String, String> props = new LinkedHashMap<>();
        List<String> numeric = new ArrayList<>();
        e.properties().forEach((k, v) -> {
            props.put(k, PropertyText.render(v));
            if (PropertyText.isNumber(v)) {
                numeric.add(k);
            }
        });
        r.put(5, props);
        EventContext c = e.context();
        GenericData.Record ctx = new GenericData.Record(ArchiveLayout.CONTEXT);
        ctx.put(0, c.ip());
        ctx.put(1, c.userAgent());
        ctx.put(2, c.country());
        ctx.put(3, c.device());
        ctx.put(4, c.extra());
        r.put(6, ctx);
        r.put(7, numeric);
        return r;
    }

    private static FileMetaData footer(Path file) throws IOException {
        try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file),
                HadoopFreeReadOptions.create(new SnappyCodecs(), new PlainParquetConfiguration()))) {
            return r.getFooter().getFileMetaData();
        }
    }

    private static List<GenericRecord> rows(Path file) throws IOException {
        List<GenericRecord> out = new ArrayList<>();
        try (ParquetIo.RowReader r = ParquetIo.reader(() -> FileChannel.open(file))) {
            for (GenericRecord row = r.read(); row != null; row = r.read()) {
                out.add(row);
            }
        }
        return out;
    }
}
