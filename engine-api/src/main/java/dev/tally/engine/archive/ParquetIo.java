package dev.tally.engine.archive;

import dev.tally.engine.codec.StoredEvent;
import org.apache.avro.generic.GenericData;
import org.apache.hadoop.conf.Configuration;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.HadoopFreeReadOptions;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.io.SeekableInputStream;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Parquet files without Hadoop: writers over a local spool file, readers over any seekable channel (a local
 * file, or an object store's ranged reads). Stateless.
 */
public final class ParquetIo {
    private ParquetIo() {
    }

    /** A Snappy-compressed archive writer into {@code file} (created or replaced). */
    public static ParquetWriter<StoredEvent> writer(Path file, long rowGroupBytes) throws IOException {
        return new EventWriterBuilder(new LocalOutputFile(file))
                .withConf(new PlainParquetConfiguration())
                .withCodecFactory(new SnappyCodecs())
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withRowGroupSize(rowGroupBytes)
                .withDictionaryEncoding(true)
                // Unique or high-cardinality columns: a dictionary hardly shrinks them, and filling one (a hash
                // lookup per value, until it overflows) was the archiver's largest cost. Without these four the
                // archive writes ~35 % faster for ~10 % larger files (tally-bench history, docs/benchmarks.md).
                .withDictionaryEncoding("event_id", false)
                .withDictionaryEncoding("timestamp", false)
                .withDictionaryEncoding("user_id", false)
                .withDictionaryEncoding("properties.key_value.value", false)
                .build();
    }

    /** Builds writers of {@link EventWriteSupport}: archive rows straight from stored events. */
    private static final class EventWriterBuilder extends ParquetWriter.Builder<StoredEvent, EventWriterBuilder> {
        EventWriterBuilder(OutputFile file) {
            super(file);
        }

        @Override
        protected EventWriterBuilder self() {
            return this;
        }

        @Override
        protected WriteSupport<StoredEvent> getWriteSupport(Configuration conf) {
            return new EventWriteSupport();
        }

        @Override
        protected WriteSupport<StoredEvent> getWriteSupport(ParquetConfiguration conf) {
            return new EventWriteSupport();
        }
    }

    /** A reader of archive rows from a channel the source opens (once per stream Parquet asks for). */
    public static RowReader reader(ChannelSource source) throws IOException {
        return new RowReader(new ChannelInputFile(source));
    }

    /** Reads a file's rows in order, row group by row group, as Avro records. Not thread-safe. */
    public static final class RowReader implements Closeable {
        private final ParquetFileReader file;
        private final MessageColumnIO columns;
        private final RecordMaterializer<GenericRecord> materializer;
        private RecordReader<GenericRecord> rows;
        private long left;

        RowReader(InputFile input) throws IOException {
            PlainParquetConfiguration conf = new PlainParquetConfiguration();
            this.file = ParquetFileReader.open(input, HadoopFreeReadOptions.create(new SnappyCodecs(), conf));
            try {
                MessageType schema = file.getFooter().getFileMetaData().getSchema();
                Map<String, String> meta = file.getFooter().getFileMetaData().getKeyValueMetaData();
                Map<String, Set<String>> metaSets = new HashMap<>();
                meta.forEach((k, v) -> metaSets.put(k, Set.of(v)));
                AvroReadSupport<GenericRecord> support = new AvroReadSupport<>(GenericData.get());
                ReadSupport.ReadContext context = support.init(new InitContext(conf, metaSets, schema));
                this.materializer = support.prepareForRead(conf, meta, schema, context);
                this.columns = new ColumnIOFactory().getColumnIO(context.getRequestedSchema(), schema);
            } catch (RuntimeException e) {
                file.close();
                throw e;
            }
        }

        /** The next row, or {@code null} at the end. */
        public GenericRecord read() throws IOException {
            while (left == 0) {
                PageReadStore pages = file.readNextRowGroup();
                if (pages == null) {
                    return null;
                }
                left = pages.getRowCount();
                rows = columns.getRecordReader(pages, materializer);
            }
            left--;
            return rows.read();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    /** Opens a fresh channel over the same bytes. */
    @FunctionalInterface
    public interface ChannelSource {
        SeekableByteChannel open() throws IOException;
    }

    private record LocalOutputFile(Path file) implements OutputFile {
        @Override
        public PositionOutputStream create(long blockSizeHint) throws IOException {
            return createOrOverwrite(blockSizeHint);
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
            OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            return new PositionOutputStream() {
                private long pos;

                @Override
                public long getPos() {
                    return pos;
                }

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    pos++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    pos += len;
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }

                @Override
                public void close() throws IOException {
                    out.close();
                }
            };
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }

        @Override
        public String getPath() {
            return file.toString();
        }
    }

    private static final class ChannelInputFile implements InputFile {
        private final ChannelSource source;
        private long length = -1;

        ChannelInputFile(ChannelSource source) {
            this.source = source;
        }

        @Override
        public long getLength() throws IOException {
            if (length < 0) {
                try (SeekableByteChannel ch = source.open()) {
                    length = ch.size();
                }
            }
            return length;
        }

        @Override
        public SeekableInputStream newStream() throws IOException {
            return new ChannelInputStream(source.open());
        }
    }

    /** A seekable stream over a channel, with a small read-ahead buffer for Parquet's many short reads. */
    private static final class ChannelInputStream extends SeekableInputStream {
        private final SeekableByteChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).flip();
        private long bufferStart;

        ChannelInputStream(SeekableByteChannel channel) {
            this.channel = channel;
        }

        @Override
        public long getPos() {
            return bufferStart + buffer.position();
        }

        @Override
        public void seek(long newPos) throws IOException {
            if (newPos >= bufferStart && newPos <= bufferStart + buffer.limit()) {
                buffer.position((int) (newPos - bufferStart));
                return;
            }
            bufferStart = newPos;
            buffer.clear().flip();
        }

        private boolean fill() throws IOException {
            long pos = getPos();
            buffer.clear();
            channel.position(pos);
            int n = channel.read(buffer);
            buffer.flip();
            bufferStart = pos;
            return n > 0;
        }

        @Override
        public int read() throws IOException {
            if (!buffer.hasRemaining() && !fill()) {
                return -1;
            }
            return buffer.get() & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!buffer.hasRemaining() && !fill()) {
                return -1;
            }
            int n = Math.min(len, buffer.remaining());
            buffer.get(b, off, n);
            return n;
        }

        @Override
        public void readFully(byte[] bytes) throws IOException {
            readFully(bytes, 0, bytes.length);
        }

        @Override
        public void readFully(byte[] bytes, int start, int len) throws IOException {
            readFully(ByteBuffer.wrap(bytes, start, len));
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (!dst.hasRemaining()) {
                return 0;
            }
            if (buffer.hasRemaining()) {
                int n = Math.min(dst.remaining(), buffer.remaining());
                ByteBuffer slice = buffer.slice(buffer.position(), n);
                dst.put(slice);
                buffer.position(buffer.position() + n);
                return n;
            }
            if (dst.remaining() >= buffer.capacity()) {
                long pos = getPos();
                channel.position(pos);
                int n = channel.read(dst);
                if (n > 0) {
                    bufferStart = pos + n;
                    buffer.clear().flip();
                }
                return n;
            }
            if (!fill()) {
                return -1;
            }
            return read(dst);
        }

        @Override
        public void readFully(ByteBuffer dst) throws IOException {
            while (dst.hasRemaining()) {
                if (read(dst) < 0) {
                    throw new EOFException("unexpected end of Parquet data at " + getPos());
                }
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

}
