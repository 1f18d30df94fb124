package dev.tally.cloud;

import dev.tally.spi.LogRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpoolingEventLogCodecTest {

    @Test
    void batch_roundTripsThroughTheSpoolFormat() throws IOException {
        List<LogRecord> records = List.of(
                new LogRecord("acme", "e-1", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
                new LogRecord("acme", "é-2", new byte[0]));

        SpoolingEventLog.Batch back = SpoolingEventLog.decode(SpoolingEventLog.encode("acme", records));

        assertThat(back.projectId()).isEqualTo("acme");
        assertThat(back.records()).hasSize(2);
        assertThat(back.records().get(0).eventId()).isEqualTo("e-1");
        assertThat(back.records().get(0).payload()).isEqualTo(records.get(0).payload());
        assertThat(back.records().get(1).eventId()).isEqualTo("é-2");
        assertThat(back.records().get(1).payload()).isEmpty();
    }

    @Test
    void damagedFile_failsItsChecksum() throws IOException {
        byte[] content = SpoolingEventLog.encode("acme", List.of(new LogRecord("acme", "e-1", new byte[] {1, 2, 3})));
        content[content.length / 2] ^= 0x40;

        assertThatThrownBy(() -> SpoolingEventLog.decode(content)).isInstanceOf(IOException.class)
                .hasMessageContaining("checksum");
    }

    @Test
    void truncatedFile_isRefused() {
        assertThatThrownBy(() -> SpoolingEventLog.decode(new byte[5])).isInstanceOf(IOException.class)
                .hasMessageContaining("truncated");
    }
}
