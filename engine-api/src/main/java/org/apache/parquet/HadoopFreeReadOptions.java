package org.apache.parquet;

import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.format.converter.ParquetMetadataConverter;

import java.util.HashMap;

/**
 * Read options built without Hadoop. {@code ParquetReadOptions.Builder} always creates a Hadoop codec
 * factory and reads defaults through Hadoop's {@code mapreduce} classes, which would drag the Hadoop client
 * (tens of MB) into every Tally deployment just to read our own files; the options' constructor is
 * package-private, hence this one class in Parquet's package. Pinned to the Parquet version in the parent
 * POM; {@code ArchiveRoundTripTest} fails if a Parquet upgrade changes the constructor.
 */
public final class HadoopFreeReadOptions {
    private HadoopFreeReadOptions() {
    }

    public static ParquetReadOptions create(CompressionCodecFactory codecs, ParquetConfiguration conf) {
        return new ParquetReadOptions(
                false, // useSignedStringMinMax
                true, // useStatsFilter
                true, // useDictionaryFilter
                true, // useRecordFilter
                true, // useColumnIndexFilter
                true, // usePageChecksumVerification
                false, // useBloomFilter
                false, // useOffHeapDecryptBuffer
                false, // useHadoopVectoredIo
                FilterCompat.NOOP,
                ParquetMetadataConverter.NO_FILTER,
                codecs,
                new HeapByteBufferAllocator(),
                8 << 20,
                new HashMap<>(),
                null,
                null,
                conf);
    }
}
