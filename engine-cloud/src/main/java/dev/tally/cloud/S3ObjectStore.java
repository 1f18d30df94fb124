package dev.tally.cloud;

import dev.tally.api.InvalidRequestException;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.ObjectKeys;
import dev.tally.spi.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateBucketConfiguration;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.StorageClass;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The raw-event archive on S3 or any S3-compatible store (MinIO, Ceph, s3proxy, …), with the AWS SDK v2
 * synchronous client over the Apache HttpClient 5 transport.
 *
 * <p>Keys map to {@code [tally.s3.prefix/][namespace/]key} in {@code tally.s3.bucket}, so one bucket can hold many
 * deployments (or one per test); listings return keys without that root. Every S3 PUT, multipart completion and
 * copy becomes visible atomically, which gives {@link ObjectStore}'s "never partially" for free. Files at or above
 * {@code tally.s3.multipart-threshold} are uploaded in parts read straight from the file (nothing is buffered in
 * memory, a failed upload is aborted so no parts linger and cost money). {@link #move} is a server-side copy and a
 * delete — S3 has no rename — and gives the target {@code tally.s3.cold-storage-class} when it lies under a
 * {@code cold/} segment, which is how retention's hot-to-cold move lands in a cheaper class. {@link #open} reads
 * through {@link S3ReadChannel} (ranged GETs with read-ahead).
 *
 * <p>Errors from S3 become {@link CloudStorageException}s that name the bucket, the key and S3's error code; invalid
 * keys are refused with {@link InvalidRequestException} before any request. Thread-safe: the S3 client is, and
 * the store holds no other mutable state. {@link #close()} closes the client and its connection pool.
 */
public final class S3ObjectStore implements ObjectStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(S3ObjectStore.class);
    /** The largest object a single CopyObject may copy; above it, {@link #move} copies in parts. */
    static final long MAX_SINGLE_COPY = 5L << 30;

    private final S3Settings settings;
    private final S3Client s3;
    private final String bucket;
    private final String root;

    S3ObjectStore(BackendConfig config, String namespace) {
        this.settings = S3Settings.from(config, namespace);
        this.bucket = settings.bucket();
        this.root = settings.root();
        long started = System.nanoTime();
        this.s3 = settings.newClient();
        try {
            checkBucket();
        } catch (RuntimeException e) {
            s3.close();
            throw e;
        }
        LOG.info("S3 object store on {} ready in {} ms", settings.describe(), (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * Opens the store alone, outside a {@link CloudBackend}, with the namespace from {@code tally.cloud.namespace}:
     * for tools and tests that need only the object store.
     */
    public static S3ObjectStore open(BackendConfig config) {
        return new S3ObjectStore(config, CloudBackend.namespace(config));
    }

    /**
     * Fails fast on a missing bucket (creating it when {@code tally.s3.create-bucket} is on) or refused credentials.
     * An unreachable endpoint with {@code create-bucket} off is only logged: the archive spools and retries, so a
     * store that is down at start must not keep ingestion from starting.
     */
    private void checkBucket() {
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            createOrFail(e);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                createOrFail(e);
            } else {
                throw new CloudStorageException("cannot use bucket '" + bucket + "' (setting '" + S3Settings.BUCKET + "') on "
                        + settings.describe() + ": " + describe(e), e);
            }
        } catch (SdkClientException e) {
            if (settings.createBucket()) {
                throw new CloudStorageException("cannot reach " + settings.describe() + " to create bucket '" + bucket
                        + "': " + e.getMessage(), e);
            }
            LOG.warn("S3 store {} not reachable at start ({}); archive uploads will retry", settings.describe(), e.getMessage());
        }
    }

    private void createOrFail(S3Exception missing) {
        if (!settings.createBucket()) {
            throw new CloudStorageException("bucket '" + bucket + "' (setting '" + S3Settings.BUCKET + "') does not exist on "
                    + settings.describe() + "; create it, or set '" + S3Settings.CREATE_BUCKET + "=true'", missing);
        }
        try {
            String region = settings.region().id();
            s3.createBucket(b -> {
                b.bucket(bucket);
                if (!"us-east-1".equals(region)) {
                    b.createBucketConfiguration(CreateBucketConfiguration.builder().locationConstraint(region).build());
                }
            });
            LOG.info("created bucket '{}' on {}", bucket, settings.describe());
        } catch (BucketAlreadyOwnedByYouException e) {
            LOG.debug("bucket '{}' created concurrently by another instance", bucket);
        } catch (SdkException e) {
            throw failure("create bucket", "", e);
        }
    }

    @Override
    public void put(String key, byte[] content) {
        String full = full(key);
        try {
            s3.putObject(b -> b.bucket(bucket).key(full), RequestBody.fromBytes(content));
        } catch (SdkException e) {
            throw failure("put", full, e);
        }
    }

    @Override
    public void putFile(String key, Path source) {
        String full = full(key);
        long size;
        try {
            size = Files.size(source);
        } catch (IOException e) {
            throw new CloudStorageException("cannot publish " + source + " as s3://" + bucket + "/" + full
                    + ": cannot read the source file", e);
        }
        try {
            if (size < settings.multipartThreshold()) {
                s3.putObject(b -> b.bucket(bucket).key(full), RequestBody.fromFile(source));
            } else {
                multipart(full, null, size, (uploadId, part, offset, length) -> s3.uploadPart(
                        b -> b.bucket(bucket).key(full).uploadId(uploadId).partNumber(part).contentLength(length),
                        RequestBody.fromContentProvider(fileRange(source, offset, length), length,
                                "application/octet-stream")).eTag());
            }
        } catch (SdkException e) {
            throw failure("upload of " + source + " (" + size + " bytes) to", full, e);
        }
        try {
            Files.deleteIfExists(source);
        } catch (IOException e) {
            throw new CloudStorageException("published s3://" + bucket + "/" + full + " but cannot delete the source file "
                    + source, e);
        }
    }

    @Override
    public Optional<byte[]> get(String key) {
        String full = full(key);
        try {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(full)).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw failure("get", full, e);
        }
    }

    @Override
    public SeekableByteChannel open(String key) throws IOException {
        String full = full(key);
        HeadObjectResponse head = head(full).orElseThrow(() -> new NoSuchFileException(key));
        return new S3ReadChannel(s3, bucket, full, head.contentLength(), head.eTag(), settings.readAhead());
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        String full = root + ObjectKeys.checkPrefix(prefix);
        List<ObjectInfo> out = new ArrayList<>();
        try {
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket).prefix(full).build();
            for (S3Object o : s3.listObjectsV2Paginator(request).contents()) {
                if (!o.key().endsWith("/")) { // "folder" markers some S3 tools create are no objects
                    out.add(new ObjectInfo(o.key().substring(root.length()), o.size(), o.lastModified()));
                }
            }
        } catch (SdkException e) {
            throw failure("list", full, e);
        }
        // S3 lists in UTF-8 byte order, which for the ASCII keys ObjectKeys allows is String order; compatible
        // stores do not all promise it.
        out.sort(Comparator.comparing(ObjectInfo::key));
        return out;
    }

    @Override
    public void move(String fromKey, String toKey) {
        String from = full(fromKey);
        String to = full(toKey);
        if (from.equals(to)) {
            return;
        }
        HeadObjectResponse head = head(from).orElseThrow(() -> new CloudStorageException("cannot move s3://" + bucket + "/"
                + from + ": no such object", new NoSuchFileException(fromKey)));
        StorageClass storageClass = isCold(toKey) ? settings.coldStorageClass().orElse(null) : null;
        try {
            if (head.contentLength() <= MAX_SINGLE_COPY) {
                s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket).destinationKey(to)
                        .copySourceIfMatch(head.eTag()).metadataDirective(MetadataDirective.COPY).storageClass(storageClass));
            } else {
                multipart(to, storageClass, head.contentLength(), (uploadId, part, offset, length) -> s3.uploadPartCopy(
                        b -> b.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket).destinationKey(to)
                                .copySourceIfMatch(head.eTag()).uploadId(uploadId).partNumber(part)
                                .copySourceRange("bytes=" + offset + "-" + (offset + length - 1))).copyPartResult().eTag());
            }
        } catch (SdkException e) {
            throw failure("copy of s3://" + bucket + "/" + from + " to", to, e);
        }
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(from));
        } catch (SdkException e) {
            throw failure("delete (after copying it to " + to + ") of", from, e);
        }
    }

    @Override
    public void delete(String key) {
        String full = full(key);
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(full)); // S3 answers 204 for a missing key too
        } catch (NoSuchKeyException e) {
            // some compatible stores answer 404; missing is fine
        } catch (SdkException e) {
            throw failure("delete", full, e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    /** Retention moves archive files to {@code <project>/cold/...}; such targets get the cold storage class. */
    static boolean isCold(String key) {
        return key.startsWith("cold/") || key.contains("/cold/");
    }

    /** The bucket key of {@code key}: checked, under this store's root, within S3's 1,024-character limit. */
    private String full(String key) {
        String full = root + ObjectKeys.check(key);
        if (full.length() > ObjectKeys.MAX_LENGTH) {
            throw new InvalidRequestException("key", "invalid_key", "object key '" + key + "' is too long: with the store's root '"
                    + root + "' it has " + full.length() + " characters, S3 allows " + ObjectKeys.MAX_LENGTH);
        }
        return full;
    }

    private Optional<HeadObjectResponse> head(String full) {
        try {
            return Optional.of(s3.headObject(b -> b.bucket(bucket).key(full)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) { // HEAD has no body, so some stores' 404 carries no NoSuchKey code
                return Optional.empty();
            }
            throw failure("head", full, e);
        } catch (SdkException e) {
            throw failure("head", full, e);
        }
    }

    /** Writes one part and returns its ETag. */
    @FunctionalInterface
    private interface PartWriter {
        String write(String uploadId, int partNumber, long offset, long length);
    }

    /**
     * One multipart upload of {@code size} bytes to {@code full}, part by part in order; aborted on any failure so
     * that no orphaned parts stay billed in the bucket.
     */
    private void multipart(String full, StorageClass storageClass, long size, PartWriter writer) {
        // S3 allows 10,000 parts: a larger object gets larger parts.
        long partSize = Math.max(settings.partSize(), -Math.floorDiv(-size, S3Settings.MAX_PARTS));
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(full).storageClass(storageClass)).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long offset = 0; offset < size; offset += partSize, number++) {
                long length = Math.min(partSize, size - offset);
                parts.add(CompletedPart.builder().partNumber(number).eTag(writer.write(uploadId, number, offset, length)).build());
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(full).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
            LOG.debug("multipart upload of s3://{}/{}: {} bytes in {} parts", bucket, full, size, parts.size());
        } catch (RuntimeException | Error e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(full).uploadId(uploadId));
            } catch (RuntimeException abort) {
                e.addSuppressed(abort);
                LOG.warn("cannot abort multipart upload {} of s3://{}/{}; a bucket lifecycle rule should clean it up",
                        uploadId, bucket, full);
            }
            throw e;
        }
    }

    /** A stream provider over {@code [offset, offset + length)} of a file: a fresh stream per (re)try of a part. */
    private static ContentStreamProvider fileRange(Path file, long offset, long length) {
        return () -> {
            try {
                return new FileRangeStream(FileChannel.open(file, StandardOpenOption.READ), offset, length);
            } catch (IOException e) {
                throw SdkClientException.create("cannot read " + file, e);
            }
        };
    }

    /** Reads a byte range of a file with positioned reads, so several parts never share a file position. */
    private static final class FileRangeStream extends InputStream {
        private final FileChannel file;
        private long position;
        private final long end;

        FileRangeStream(FileChannel file, long offset, long length) {
            this.file = file;
            this.position = offset;
            this.end = offset + length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (position >= end) {
                return -1;
            }
            int n = file.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
            if (n < 0) {
                throw new IOException("file shrank while uploading: expected data up to byte " + end);
            }
            position += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    private CloudStorageException failure(String action, String full, SdkException e) {
        return new CloudStorageException("S3 " + action + " s3://" + bucket + "/" + full + " failed: " + describe(e)
                + (e instanceof SdkClientException ? " (endpoint " + settings.describe() + ")" : ""), e);
    }

    /** S3's error code and HTTP status when S3 answered, else the client's message (connection refused, …). */
    static String describe(SdkException e) {
        if (e instanceof S3Exception s3e && s3e.awsErrorDetails() != null) {
            return s3e.awsErrorDetails().errorCode() + " (HTTP " + s3e.statusCode() + "): " + s3e.awsErrorDetails().errorMessage();
        }
        return e.getMessage();
    }
}
