package dev.tally.testkit.cloud;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.jclouds.filesystem.reference.FilesystemConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * An S3-compatible server in this JVM, for tests and {@code tally stack}: <a href="https://github.com/gaul/s3proxy">
 * s3proxy</a> (Jetty) over its {@code filesystem-nio2} blob store, so objects are files under the work directory
 * and survive {@link #stop()}/{@link #restart()} — what degradation tests need. No Docker, no network beyond
 * 127.0.0.1.
 *
 * <p>It creates no bucket: {@link #settings()} names bucket {@value #BUCKET} with {@code tally.s3.create-bucket=true},
 * so the backend creates it on first open, as it would in a fresh account. Requests must be signed (AWS signature
 * v2 or v4) with the fixed test credentials in {@link #settings()}, so the client's signing is exercised too.
 *
 * <p>Limits of s3proxy 2.6 worth knowing: clients must not send the SDK's default flexible checksums (the cloud
 * backend sets {@code WHEN_REQUIRED}); a storage class is kept for PUT and multipart uploads but ignored on
 * CopyObject; a single non-chunked PUT may be at most 128 MB.
 *
 * <p>Thread-safe (methods synchronize).
 */
public final class EmbeddedS3 implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3.class);
    /** The bucket {@link #settings()} points at. */
    public static final String BUCKET = "tally";
    private static final String ACCESS_KEY = "tally-test";
    private static final String SECRET_KEY = "tally-test-secret";

    private final Path dataDir;
    private int port;
    private BlobStoreContext context;
    private S3Proxy proxy;
    private boolean closed;

    private EmbeddedS3(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Starts a fresh server on a free port of 127.0.0.1, keeping its objects under {@code workDir/s3}. */
    public static EmbeddedS3 start(Path workDir) {
        Path dataDir = workDir.resolve("s3");
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the S3 data directory " + dataDir, e);
        }
        EmbeddedS3 s3 = new EmbeddedS3(dataDir);
        s3.startOn(0);
        return s3;
    }

    private void startOn(int wantedPort) {
        long started = System.nanoTime();
        Properties properties = new Properties();
        properties.setProperty(FilesystemConstants.PROPERTY_BASEDIR, dataDir.toAbsolutePath().toString());
        context = ContextBuilder.newBuilder("filesystem-nio2").credentials("identity", "credential").overrides(properties).build(BlobStoreContext.class);
        proxy = S3Proxy.builder()
                .blobStore(new FlatKeys(context.getBlobStore()))
                .endpoint(URI.create("http://127.0.0.1:" + wantedPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        try {
            proxy.start();
        } catch (Exception e) {
            context.close();
            throw new IllegalStateException("s3proxy did not start on port " + wantedPort, e);
        }
        port = proxy.getPort();
        LOG.info("embedded S3 (s3proxy, files under {}) started on port {} in {} ms", dataDir, port,
                (System.nanoTime() - started) / 1_000_000);
    }

    /** The endpoint clients use, {@code http://127.0.0.1:PORT}. */
    public synchronized URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /**
     * The {@code tally.s3.*} settings that point the cloud backend at this server: endpoint, region, path-style
     * addressing, the test credentials, bucket {@value #BUCKET} and {@code create-bucket=true}.
     */
    public synchronized Map<String, String> settings() {
        return Map.of(
                "tally.s3.endpoint", endpoint().toString(),
                "tally.s3.region", "us-east-1",
                "tally.s3.path-style", "true",
                "tally.s3.access-key", ACCESS_KEY,
                "tally.s3.secret-key", SECRET_KEY,
                "tally.s3.bucket", BUCKET,
                "tally.s3.create-bucket", "true");
    }

    /** Stops the server (clients get connection errors); keeps its objects and its port for {@link #restart()}. */
    public synchronized void stop() {
        if (proxy == null) {
            return;
        }
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("s3proxy on port " + port + " did not stop", e);
        } finally {
            proxy = null;
            context.close();
            context = null;
        }
        LOG.info("embedded S3 on port {} stopped", port);
    }

    /** Starts a stopped server again on the same port, with the objects it had. */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("embedded S3 was closed");
        }
        stop();
        startOn(port);
    }

    /** Stops the server and deletes its objects. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        LocalFiles.deleteTree(dataDir);
    }

    /**
     * S3 keys are flat, files are not: after {@code a/b} is written, {@code a} is a directory. s3proxy's filesystem
     * stores answer DELETE of such a key with HTTP 500 (nio2) or after a 10 s stall (jclouds filesystem), where S3
     * answers 204 and deletes nothing; this makes it S3's no-op.
     */
    private static final class FlatKeys extends ForwardingBlobStore {
        FlatKeys(BlobStore delegate) {
            super(delegate);
        }

        @Override
        public void removeBlob(String container, String name) {
            if (delegate().blobExists(container, name)) {
                super.removeBlob(container, name);
            }
        }
    }
}
