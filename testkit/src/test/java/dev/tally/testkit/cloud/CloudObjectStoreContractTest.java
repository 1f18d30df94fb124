package dev.tally.testkit.cloud;

import dev.tally.cloud.CloudStorageException;
import dev.tally.cloud.S3ObjectStore;
import dev.tally.spi.Backend;
import dev.tally.spi.Catalog;
import dev.tally.spi.DedupIndex;
import dev.tally.spi.EventLog;
import dev.tally.spi.ObjectStore;
import dev.tally.spi.ObjectStore.ObjectInfo;
import dev.tally.spi.ResultCache;
import dev.tally.spi.StreamRuntime;
import dev.tally.spi.Warehouse;
import dev.tally.spi.WindowStore;
import dev.tally.testkit.TestClock;
import dev.tally.testkit.contract.ObjectStoreContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * {@link ObjectStoreContract} on {@link S3ObjectStore} against one s3proxy per JVM ({@link S3TestServer}), a fresh
 * namespace per test; plus what only S3 has: multipart uploads, ranged reads through the read-ahead block, cold
 * storage classes, listings past one page, a missing bucket and a server that goes away.
 */
class CloudObjectStoreContractTest extends ObjectStoreContract {
    private static final Logger LOG = LoggerFactory.getLogger(CloudObjectStoreContractTest.class);

    @Override
    protected Backend openBackend(Path dir, TestClock clock) {
        S3ObjectStore objects = S3ObjectStore.open(S3TestServer.config(dir, clock, Map.of()));
        return new PartialBackend().objects(objects).closing(objects);
    }

    /** Opens another store in this test's namespace with {@code extra} settings; closed after the test. */
    private final List<S3ObjectStore> extraStores = new ArrayList<>();

    private S3ObjectStore store(Map<String, String> extra) {
        S3ObjectStore store = S3ObjectStore.open(S3TestServer.config(dir, clock, extra));
        extraStores.add(store);
        return store;
    }

    @AfterEach
    void closeExtraStores() {
        extraStores.forEach(S3ObjectStore::close);
    }

    /** A raw client on the test server, to look at what the store left in the bucket. */
    private static S3Client rawClient() {
        Map<String, String> s = S3TestServer.get().settings();
        return S3Client.builder()
                .httpClientBuilder(Apache5HttpClient.builder())
                .endpointOverride(S3TestServer.get().endpoint())
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(s.get("tally.s3.access-key"), s.get("tally.s3.secret-key"))))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    private String bucketKey(String key) {
        return S3TestServer.namespace(dir) + "/" + key;
    }

    private static byte[] random(int size, long seed) {
        byte[] content = new byte[size];
        new Random(seed).nextBytes(content);
        return content;
    }

    private static void readFully(SeekableByteChannel ch, long position, ByteBuffer into) throws IOException {
        ch.position(position);
        while (into.hasRemaining()) {
            if (ch.read(into) < 0) {
                throw new IOException("end of channel at " + ch.position());
            }
        }
    }

    @Nested
    @DisplayName("S3 specifics")
    class S3Specifics {
        @Test
        void aFileAboveTheThresholdIsUploadedInPartsAndReadBackByteForByte() throws IOException {
            S3ObjectStore store = store(Map.of("tally.s3.multipart-threshold", "5MB", "tally.s3.part-size", "5MB"));
            byte[] content = random(12 * 1024 * 1024 + 123, 1);
            Path source = Files.write(dir.resolve("big.parquet"), content);

            store.putFile("p1/events/big.parquet", source);

            assertThat(source).doesNotExist();
            assertThat(store.get("p1/events/big.parquet")).hasValueSatisfying(read -> assertThat(read).isEqualTo(content));
            assertThat(store.list("p1/")).extracting(ObjectInfo::size).containsExactly((long) content.length);
            String key = bucketKey("p1/events/big.parquet");
            assertThat(S3RequestRecorder.sent(UploadPartRequest.class, part -> part.key().equals(key)))
                    .extracting(UploadPartRequest::partNumber, UploadPartRequest::contentLength)
                    .containsExactly(tuple(1, 5L << 20), tuple(2, 5L << 20), tuple(3, content.length - (10L << 20)));
            try (S3Client raw = rawClient()) {
                assertThat(raw.listMultipartUploads(b -> b.bucket(EmbeddedS3.BUCKET).prefix(key)).uploads()).isEmpty();
            }
        }

        @Test
        void aFailedPartAbortsTheUploadAndKeepsTheSource() throws Exception {
            S3ObjectStore store = store(Map.of("tally.s3.multipart-threshold", "5MB", "tally.s3.part-size", "5MB"));
            Path source = Files.write(dir.resolve("big.parquet"), random(11 << 20, 8));
            String key = bucketKey("p1/events/failed.parquet");

            try (AutoCloseable failing = S3RequestRecorder.failWhere(UploadPartRequest.class,
                    part -> part.key().equals(key) && part.partNumber() == 2)) {
                assertThatThrownBy(() -> store.putFile("p1/events/failed.parquet", source))
                        .isInstanceOf(CloudStorageException.class).hasMessageContaining(key);
            }

            assertThat(source).exists();
            assertThat(S3RequestRecorder.sent(AbortMultipartUploadRequest.class, abort -> abort.key().equals(key))).hasSize(1);
            assertThat(store.list("p1/")).isEmpty();
            try (S3Client raw = rawClient()) {
                assertThat(raw.listMultipartUploads(b -> b.bucket(EmbeddedS3.BUCKET).prefix(key)).uploads()).isEmpty();
            }
            store.putFile("p1/events/failed.parquet", source); // a retry succeeds
            assertThat(store.list("p1/")).extracting(ObjectInfo::size).containsExactly(11L << 20);
        }

        @Test
        void aFooterReadCostsOneRequestAndARandomReadFetchesLittleMoreThanItAsks() throws IOException {
            int size = 3 << 20;
            backend.objects().put("part.parquet", random(size, 9));
            String key = bucketKey("part.parquet");
            try (SeekableByteChannel ch = backend.objects().open("part.parquet")) {
                readFully(ch, size - 8, ByteBuffer.allocate(8)); // footer length
                readFully(ch, size - 8 - 40_000, ByteBuffer.allocate(40_000)); // footer
                assertThat(S3RequestRecorder.sent(GetObjectRequest.class, get -> get.key().equals(key)))
                        .extracting(GetObjectRequest::range).containsExactly("bytes=" + (size - (1 << 20)) + "-" + (size - 1));

                readFully(ch, 100_000, ByteBuffer.allocate(1000)); // a page header far away: 64 KB, not a block
                readFully(ch, 101_000, ByteBuffer.allocate(64_546)); // reading on past that: a whole block
                assertThat(S3RequestRecorder.sent(GetObjectRequest.class, get -> get.key().equals(key)))
                        .extracting(GetObjectRequest::range)
                        .endsWith("bytes=100000-165535", "bytes=165536-" + (165_536 + (1 << 20) - 1));
            }
        }

        @Test
        void positionedReadsAcrossReadAheadBlocksReturnTheRightBytes() throws IOException {
            S3ObjectStore store = store(Map.of("tally.s3.read-ahead", "64KB"));
            int size = 1_000_000;
            byte[] content = random(size, 2);
            store.put("blob", content);
            Random random = new Random(3);
            try (SeekableByteChannel ch = store.open("blob")) {
                assertThat(ch.size()).isEqualTo(size);
                // the Parquet pattern: footer length, footer, then column chunks, some straddling block edges
                List<long[]> ranges = new ArrayList<>(List.of(new long[]{size - 8, 8}, new long[]{size - 5000, 4992},
                        new long[]{65_000, 2_000}, new long[]{0, 200_000}, new long[]{131_000, 65_536},
                        new long[]{size - 1, 1}, new long[]{10, 10}));
                for (int i = 0; i < 40; i++) {
                    int length = 1 + random.nextInt(150_000);
                    ranges.add(new long[]{random.nextInt(size - length), length});
                }
                for (long[] r : ranges) {
                    ByteBuffer into = r[1] % 2 == 0 ? ByteBuffer.allocate((int) r[1]) : ByteBuffer.allocateDirect((int) r[1]);
                    readFully(ch, r[0], into);
                    byte[] read = new byte[(int) r[1]];
                    into.flip().get(read);
                    assertThat(read).as("bytes %d..%d", r[0], r[0] + r[1])
                            .isEqualTo(Arrays.copyOfRange(content, (int) r[0], (int) (r[0] + r[1])));
                }
                assertThat(ch.position(size).read(ByteBuffer.allocate(1))).isEqualTo(-1);
            }
        }

        @Test
        void aChannelFailsRatherThanMixVersionsWhenTheObjectIsReplaced() throws IOException {
            S3ObjectStore store = store(Map.of("tally.s3.read-ahead", "1KB"));
            store.put("blob", random(10_000, 4));
            try (SeekableByteChannel ch = store.open("blob")) {
                readFully(ch, 0, ByteBuffer.allocate(100));
                store.put("blob", random(10_000, 5));
                assertThatThrownBy(() -> readFully(ch, 5_000, ByteBuffer.allocate(100)))
                        .isInstanceOf(IOException.class).hasMessageContaining("replaced");
            }
        }

        @Test
        void aMoveUnderAColdSegmentGetsTheColdStorageClass() {
            S3ObjectStore store = store(Map.of("tally.s3.cold-storage-class", "STANDARD_IA"));
            store.put("p1/events/part-0.parquet", "hot".getBytes());
            store.put("p1/events/part-1.parquet", "warm".getBytes());

            store.move("p1/events/part-0.parquet", "p1/cold/events/part-0.parquet");
            store.move("p1/events/part-1.parquet", "p1/elsewhere/part-1.parquet");

            assertThat(store.get("p1/cold/events/part-0.parquet")).hasValueSatisfying(
                    read -> assertThat(read).isEqualTo("hot".getBytes()));
            // s3proxy 2.6 drops the storage class of a copy, so check what the store asked S3 for
            assertThat(S3RequestRecorder.sent(CopyObjectRequest.class,
                    copy -> copy.destinationKey().equals(bucketKey("p1/cold/events/part-0.parquet"))))
                    .singleElement().satisfies(copy -> assertThat(copy.storageClass()).isEqualTo(StorageClass.STANDARD_IA));
            assertThat(S3RequestRecorder.sent(CopyObjectRequest.class,
                    copy -> copy.destinationKey().equals(bucketKey("p1/elsewhere/part-1.parquet"))))
                    .singleElement().satisfies(copy -> assertThat(copy.storageClass()).isNull());
            assertThat(store.list("p1/")).extracting(ObjectInfo::key)
                    .containsExactly("p1/cold/events/part-0.parquet", "p1/elsewhere/part-1.parquet");
        }

        @Test
        void listingReadsEveryPageInKeyOrder() {
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 1_050; i++) {
                String key = "many/" + String.format("%05d", (i * 7919) % 1_050);
                backend.objects().put(key, new byte[]{(byte) i});
                keys.add(key);
            }
            backend.objects().put("other/x", new byte[1]);
            keys.sort(null);
            assertThat(backend.objects().list("many/")).extracting(ObjectInfo::key).containsExactlyElementsOf(keys);
        }

        @Test
        void aMissingBucketFailsTheOpenNamingItAndTheSetting() {
            Map<String, String> settings = new HashMap<>(S3TestServer.get().settings());
            settings.put("tally.s3.bucket", "no-such-bucket");
            settings.put("tally.s3.create-bucket", "false");
            assertThatThrownBy(() -> S3ObjectStore.open(dev.tally.spi.BackendConfig.of(settings, clock)))
                    .isInstanceOf(CloudStorageException.class)
                    .hasMessageContaining("no-such-bucket").hasMessageContaining("tally.s3.bucket")
                    .hasMessageContaining("tally.s3.create-bucket");
        }

        @Test
        void aStoppedServerFailsOperationsNamingTheObjectAndKeepsDataForItsRestart() throws IOException {
            backend.objects().put("kept", "still here".getBytes());
            Path source = Files.write(dir.resolve("pending.bin"), new byte[1000]);
            S3TestServer.get().stop();
            try {
                assertThatThrownBy(() -> backend.objects().putFile("p1/part-0", source))
                        .isInstanceOf(CloudStorageException.class).hasMessageContaining("p1/part-0");
                assertThat(source).as("a failed upload keeps its source").exists();
            } finally {
                S3TestServer.get().restart();
            }
            assertThat(backend.objects().get("kept")).hasValueSatisfying(read -> assertThat(read).isEqualTo("still here".getBytes()));
            backend.objects().putFile("p1/part-0", source);
            assertThat(backend.objects().list("p1/")).extracting(ObjectInfo::key).containsExactly("p1/part-0");
        }

        /** Not a test of behaviour: the numbers in docs/cloud-s3.md. Run with {@code -Dtally.bench=true}. */
        @Test
        @EnabledIfSystemProperty(named = "tally.bench", matches = "true")
        void throughputOfALargeUploadAndOfRandomReads() throws IOException {
            byte[] content = random(64 << 20, 6);
            Path source = Files.write(dir.resolve("64mb.bin"), content);
            long t0 = System.nanoTime();
            backend.objects().putFile("bench/64mb.bin", source);
            double uploadSeconds = (System.nanoTime() - t0) / 1e9;
            Random random = new Random(7);
            int reads = 200;
            long t1 = System.nanoTime();
            try (SeekableByteChannel ch = backend.objects().open("bench/64mb.bin")) {
                for (int i = 0; i < reads; i++) {
                    long at = random.nextInt(content.length - 65_536);
                    ByteBuffer into = ByteBuffer.allocate(65_536);
                    readFully(ch, at, into);
                    assertThat(into.array()[0]).isEqualTo(content[(int) at]);
                }
            }
            double readSeconds = (System.nanoTime() - t1) / 1e9;
            LOG.info("putFile 64 MB: {} s ({} MB/s); {} random 64 KB reads: {} ms each ({} MB/s)",
                    String.format("%.2f", uploadSeconds), String.format("%.0f", 64 / uploadSeconds), reads,
                    String.format("%.1f", readSeconds * 1000 / reads), String.format("%.1f", reads / 16.0 / readSeconds));
        }
    }

}
