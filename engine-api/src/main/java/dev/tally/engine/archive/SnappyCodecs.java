package dev.tally.engine.archive;

import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Snappy (and uncompressed) page codecs straight over snappy-java. Parquet's own codec factory goes through
 * Hadoop's codec classes and configuration; this one needs no Hadoop at all. One instance per writer or
 * reader (compressors keep a reusable buffer).
 */
final class SnappyCodecs implements CompressionCodecFactory {

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        check(codec);
        return new BytesInputCompressor() {
            private byte[] buffer = new byte[0];

            @Override
            public BytesInput compress(BytesInput input) throws IOException {
                if (codec == CompressionCodecName.UNCOMPRESSED) {
                    return input;
                }
                byte[] raw = input.toByteArray();
                int max = Snappy.maxCompressedLength(raw.length);
                if (buffer.length < max) {
                    buffer = new byte[max];
                }
                int length = Snappy.compress(raw, 0, raw.length, buffer, 0);
                return BytesInput.from(buffer, 0, length);
            }

            @Override
            public CompressionCodecName getCodecName() {
                return codec;
            }

            @Override
            public void release() {
                buffer = new byte[0];
            }
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        check(codec);
        return new BytesInputDecompressor() {
            @Override
            public BytesInput decompress(BytesInput input, int uncompressedSize) throws IOException {
                if (codec == CompressionCodecName.UNCOMPRESSED) {
                    return input;
                }
                byte[] compressed = input.toByteArray();
                byte[] out = new byte[uncompressedSize];
                int n = Snappy.uncompress(compressed, 0, compressed.length, out, 0);
                if (n != uncompressedSize) {
                    throw new IOException("corrupt Snappy page: " + n + " bytes instead of " + uncompressedSize);
                }
                return BytesInput.from(out);
            }

            @Override
            public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                    throws IOException {
                byte[] compressed = new byte[compressedSize];
                input.get(compressed);
                if (codec == CompressionCodecName.UNCOMPRESSED) {
                    output.put(compressed);
                    return;
                }
                byte[] out = new byte[uncompressedSize];
                Snappy.uncompress(compressed, 0, compressedSize, out, 0);
                output.put(out);
            }

            @Override
            public void release() {
            }
        };
    }

    @Override
    public void release() {
    }

    private static void check(CompressionCodecName codec) {
        if (codec != CompressionCodecName.SNAPPY && codec != CompressionCodecName.UNCOMPRESSED) {
            throw new IllegalArgumentException("the archive reads and writes Snappy pages only, not " + codec);
        }
    }
}
