package dev.tally.cloud;

import dev.tally.api.ConfigurationException;
import dev.tally.api.InvalidRequestException;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.ObjectKeys;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.StorageClass;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code tally.s3.*} settings of {@link S3ObjectStore}, read and checked once, at construction, so that a wrong
 * or missing key fails the backend's start with a message naming it rather than the first archive upload hours
 * later. {@link #root()} is where this store's keys live in the bucket: {@code [prefix/][namespace/]}.
 *
 * <p>The secret key is held only to build the client; {@link #toString()} never shows it.
 */
record S3Settings(String bucket, Optional<URI> endpoint, Region region, boolean pathStyle,
                  Optional<String> accessKey, Optional<String> secretKey, String root, boolean createBucket,
                  long multipartThreshold, long partSize, Optional<StorageClass> coldStorageClass, int readAhead) {

    static final String BUCKET = "tally.s3.bucket";
    static final String ENDPOINT = "tally.s3.endpoint";
    static final String REGION = "tally.s3.region";
    static final String PATH_STYLE = "tally.s3.path-style";
    static final String ACCESS_KEY = "tally.s3.access-key";
    static final String SECRET_KEY = "tally.s3.secret-key";
    static final String PREFIX = "tally.s3.prefix";
    static final String CREATE_BUCKET = "tally.s3.create-bucket";
    static final String MULTIPART_THRESHOLD = "tally.s3.multipart-threshold";
    static final String PART_SIZE = "tally.s3.part-size";
    static final String COLD_STORAGE_CLASS = "tally.s3.cold-storage-class";
    static final String READ_AHEAD = "tally.s3.read-ahead";

    /** S3's smallest part (all but the last) and largest part or single PUT. */
    static final long MIN_PART = 5L << 20;
    static final long MAX_PART = 5L << 30;
    /** S3's most parts in one multipart upload. */
    static final int MAX_PARTS = 10_000;

    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]");

    static S3Settings from(BackendConfig config, String namespace) {
        String bucket = config.required(BUCKET);
        if (!BUCKET_NAME.matcher(bucket).matches()) {
            throw new ConfigurationException("setting '" + BUCKET + "' must be an S3 bucket name (3-63 lowercase letters, "
                    + "digits, '.' and '-'), got '" + bucket + "'");
        }
        Optional<URI> endpoint = config.string(ENDPOINT).map(S3Settings::endpoint);
        Region region = Region.of(config.string(REGION).orElse("us-east-1"));
        boolean pathStyle = config.bool(PATH_STYLE, endpoint.isPresent());
        Optional<String> accessKey = config.string(ACCESS_KEY);
        Optional<String> secretKey = config.string(SECRET_KEY);
        if (accessKey.isPresent() != secretKey.isPresent()) {
            throw new ConfigurationException("settings '" + ACCESS_KEY + "' and '" + SECRET_KEY
                    + "' go together: missing '" + (accessKey.isPresent() ? SECRET_KEY : ACCESS_KEY) + "'");
        }
        long threshold = config.bytes(MULTIPART_THRESHOLD, 16L << 20);
        if (threshold < 1 || threshold > MAX_PART) {
            throw new ConfigurationException("setting '" + MULTIPART_THRESHOLD + "' must be between 1B and 5GB, got '"
                    + config.get(MULTIPART_THRESHOLD) + "'");
        }
        long partSize = config.bytes(PART_SIZE, 16L << 20);
        if (partSize < MIN_PART || partSize > MAX_PART) {
            throw new ConfigurationException("setting '" + PART_SIZE + "' must be between 5MB and 5GB (S3's part limits), got '"
                    + config.get(PART_SIZE) + "'");
        }
        long readAhead = config.bytes(READ_AHEAD, 1L << 20);
        if (readAhead < 1 || readAhead > (256L << 20)) {
            throw new ConfigurationException("setting '" + READ_AHEAD + "' must be between 1B and 256MB, got '"
                    + config.get(READ_AHEAD) + "'");
        }
        Optional<StorageClass> cold = config.string(COLD_STORAGE_CLASS).map(S3Settings::storageClass);
        return new S3Settings(bucket, endpoint, region, pathStyle, accessKey, secretKey, root(config, namespace),
                config.bool(CREATE_BUCKET, false), threshold, partSize, cold, (int) readAhead);
    }

    private static URI endpoint(String raw) {
        try {
            URI uri = new URI(raw);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new URISyntaxException(raw, "needs http:// or https:// and a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigurationException("setting '" + ENDPOINT + "' must be an http(s) URL like http://127.0.0.1:9000, got '"
                    + raw + "'");
        }
    }

    private static StorageClass storageClass(String raw) {
        StorageClass sc = StorageClass.fromValue(raw.toUpperCase(java.util.Locale.ROOT));
        if (sc == null || sc == StorageClass.UNKNOWN_TO_SDK_VERSION) {
            throw new ConfigurationException("setting '" + COLD_STORAGE_CLASS + "' must be an S3 storage class such as "
                    + "STANDARD_IA, GLACIER_IR or DEEP_ARCHIVE, got '" + raw + "'");
        }
        return sc;
    }

    /** {@code prefix/namespace/}, either part optional; {@code ""} when both are absent. */
    private static String root(BackendConfig config, String namespace) {
        String prefix = config.string(PREFIX).map(p -> strip(p, '/')).orElse("");
        if (!prefix.isEmpty()) {
            try {
                ObjectKeys.check(prefix);
            } catch (InvalidRequestException e) {
                throw new ConfigurationException("setting '" + PREFIX + "' must be '/'-separated segments of letters, "
                        + "digits, '=', '_', '-' and '.', not starting with '.', got '" + config.get(PREFIX) + "'");
            }
        }
        StringBuilder root = new StringBuilder();
        if (!prefix.isEmpty()) {
            root.append(prefix).append('/');
        }
        if (!namespace.isEmpty()) {
            root.append(namespace).append('/');
        }
        return root.toString();
    }

    private static String strip(String s, char c) {
        int from = 0;
        int to = s.length();
        while (from < to && s.charAt(from) == c) {
            from++;
        }
        while (to > from && s.charAt(to - 1) == c) {
            to--;
        }
        return s.substring(from, to);
    }

    /** A client for these settings; the caller closes it (which closes its HTTP connection pool too). */
    S3Client newClient() {
        AwsCredentialsProvider credentials = accessKey.isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey.get(), secretKey.orElseThrow()))
                : DefaultCredentialsProvider.builder().build();
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(Apache5HttpClient.builder())
                .region(region)
                .credentialsProvider(credentials)
                .forcePathStyle(pathStyle)
                // Only where S3 requires them: S3-compatible stores (s3proxy 2.x, older MinIO, Ceph) refuse the
                // newer default checksum headers. Bodies in transit stay protected by TLS against AWS.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        endpoint.ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** Where the store is, for messages and logs: the endpoint (or "AWS region"), bucket and root; no secrets. */
    String describe() {
        return "s3://" + bucket + "/" + root + " at " + endpoint.map(URI::toString).orElse("AWS " + region.id());
    }

    @Override
    public String toString() {
        return "S3Settings[" + describe() + ", pathStyle=" + pathStyle + ", accessKey=" + accessKey.map(k -> "set").orElse("default chain")
                + ", createBucket=" + createBucket + ", multipartThreshold=" + multipartThreshold + ", partSize=" + partSize
                + ", coldStorageClass=" + coldStorageClass.map(StorageClass::toString).orElse("none") + ", readAhead=" + readAhead + "]";
    }
}
