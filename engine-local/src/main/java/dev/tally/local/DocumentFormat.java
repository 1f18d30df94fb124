package dev.tally.local;

import dev.tally.spi.LogRecord;
import net.openhft.chronicle.bytes.Bytes;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Layout of one log document (one ingest batch): {@code appendedAt:int64, projectId, n:varint,
 * (eventId, length:varint, payload)*n}, strings as varint length + UTF-8. Stateless; readers are not
 * thread-safe.
 */
final class DocumentFormat {
    private DocumentFormat() {
    }

    static byte[] write(long appendedAt, String projectId, List<LogRecord> records) {
        byte[] project = projectId.getBytes(StandardCharsets.UTF_8);
        int size = 8 + 5 + project.length + 5;
        byte[][] ids = new byte[records.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = records.get(i).eventId().getBytes(StandardCharsets.UTF_8);
            size += 10 + ids[i].length + records.get(i).payload().length;
        }
        byte[] buf = new byte[size];
        int pos = 0;
        for (int i = 7; i >= 0; i--) {
            buf[pos++] = (byte) (appendedAt >>> (i * 8));
        }
        pos = bytes(buf, pos, project);
        pos = varint(buf, pos, records.size());
        for (int i = 0; i < ids.length; i++) {
            pos = bytes(buf, pos, ids[i]);
            pos = bytes(buf, pos, records.get(i).payload());
        }
        return pos == buf.length ? buf : java.util.Arrays.copyOf(buf, pos);
    }

    /** The {@code appendedAt} of a document, reading only its first eight bytes. */
    static long appendedAt(Bytes<?> in) {
        long t = 0;
        for (int i = 0; i < 8; i++) {
            t = (t << 8) | (in.readByte() & 0xFF);
        }
        return t;
    }

    static Reader read(Bytes<?> in) {
        byte[] buf = new byte[(int) in.readRemaining()];
        int off = 0;
        while (off < buf.length) { // a read may stop at a mapped chunk boundary
            int n = in.read(buf, off, buf.length - off);
            if (n <= 0) {
                throw new IllegalStateException("log document ended after " + off + " of " + buf.length + " bytes");
            }
            off += n;
        }
        return new Reader(buf);
    }

    private static int bytes(byte[] buf, int pos, byte[] value) {
        pos = varint(buf, pos, value.length);
        System.arraycopy(value, 0, buf, pos, value.length);
        return pos + value.length;
    }

    private static int varint(byte[] buf, int pos, int v) {
        while ((v & ~0x7F) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
        return pos;
    }

    /** Iterates the records of one document. */
    static final class Reader {
        private final byte[] buf;
        private final long appendedAt;
        private final String projectId;
        private int remaining;
        private int pos;

        Reader(byte[] buf) {
            this.buf = buf;
            long t = 0;
            for (int i = 0; i < 8; i++) {
                t = (t << 8) | (buf[i] & 0xFF);
            }
            this.appendedAt = t;
            this.pos = 8;
            this.projectId = string();
            this.remaining = varint();
        }

        long appendedAt() {
            return appendedAt;
        }

        String projectId() {
            return projectId;
        }

        boolean hasNext() {
            return remaining > 0;
        }

        String nextEventId() {
            remaining--;
            return string();
        }

        byte[] payload() {
            int len = varint();
            byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + len);
            pos += len;
            return out;
        }

        void skipPayload() {
            int len = varint(); // not "pos += varint()": that would add to pos as it was before the varint
            pos += len;
        }

        private String string() {
            int len = varint();
            String s = new String(buf, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        private int varint() {
            int result = 0;
            for (int shift = 0; shift < 32; shift += 7) {
                byte b = buf[pos++];
                result |= (b & 0x7F) << shift;
                if (b >= 0) {
                    return result;
                }
            }
            throw new IllegalStateException("malformed log document");
        }
    }
}
