package dev.tally.cloud;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.NoSuchFileException;

/**
 * A read-only {@link SeekableByteChannel} over one S3 object, made of ranged GETs. Columnar readers seek a lot
 * and read a little (Parquet: the 8-byte footer length, then the footer, then column chunks), and an S3 request
 * costs milliseconds, so small reads go through one buffered block. A read within the object's last block fetches
 * that whole tail block, so the footer length and the footer itself cost one request. A read that continues where
 * the previous one ended fetches a whole read-ahead block (sequential scans); one that jumps elsewhere fetches only
 * what it asks for, at least {@value #MIN_RANDOM_FETCH} bytes (random access does not pay for a block it will not
 * use). A read at least a block long goes straight into the caller's buffer.
 *
 * <p>Every GET carries {@code If-Match} with the ETag the object had when the channel was opened, so a channel
 * never mixes bytes of two versions of a key: if the object is replaced or deleted meanwhile, reads fail. The
 * size comes from that same HEAD. Thread-safe (methods synchronize); not meant for concurrent use.
 */
final class S3ReadChannel implements SeekableByteChannel {
    /** The least a read away from the previous one fetches: below this, request overhead dominates. */
    static final int MIN_RANDOM_FETCH = 64 * 1024;

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final long size;
    private final String eTag;
    private final int blockSize;

    private byte[] block;
    private long blockStart;
    private int blockLength;
    private long position;
    /** Where the previous read ended; a read starting here is sequential. */
    private long previousEnd;
    private boolean open = true;

    S3ReadChannel(S3Client s3, String bucket, String key, long size, String eTag, int blockSize) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.size = size;
        this.eTag = eTag;
        this.blockSize = blockSize;
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (position >= size) {
            return -1;
        }
        if (position < blockStart || position >= blockStart + blockLength) {
            if (dst.remaining() >= blockSize) {
                int n = (int) Math.min(dst.remaining(), size - position);
                ByteBuffer target = dst.duplicate();
                target.limit(target.position() + n);
                fetch(position, n, target);
                dst.position(dst.position() + n);
                position += n;
                previousEnd = position;
                return n;
            }
            fillBlockAt(position, dst.remaining());
        }
        int offset = (int) (position - blockStart);
        int n = Math.min(dst.remaining(), blockLength - offset);
        dst.put(block, offset, n);
        position += n;
        previousEnd = position;
        return n;
    }

    /**
     * Loads the block holding {@code pos}: the whole tail when {@code pos} is in the last block, a whole block from
     * {@code pos} for a sequential read, else just {@code wanted} bytes (at least {@link #MIN_RANDOM_FETCH}).
     */
    private void fillBlockAt(long pos, int wanted) throws IOException {
        long start;
        long length;
        if (pos >= size - blockSize) {
            start = Math.max(0, size - blockSize);
            length = size - start;
        } else {
            start = pos;
            length = pos == previousEnd ? blockSize : Math.min(blockSize, Math.max(wanted, MIN_RANDOM_FETCH));
        }
        length = Math.min(length, size - start);
        if (block == null) {
            block = new byte[(int) Math.min(blockSize, size)];
        }
        blockLength = 0; // invalid until the fetch succeeds
        fetch(start, (int) length, ByteBuffer.wrap(block, 0, (int) length));
        blockStart = start;
        blockLength = (int) length;
    }

    /** Reads bytes {@code [start, start + length)} of the object into {@code target}, filling it exactly. */
    private void fetch(long start, int length, ByteBuffer target) throws IOException {
        GetObjectRequest request = GetObjectRequest.builder().bucket(bucket).key(key)
                .range("bytes=" + start + "-" + (start + length - 1)).ifMatch(eTag).build();
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(request)) {
            ReadableByteChannel body = Channels.newChannel(in);
            while (target.hasRemaining()) {
                if (body.read(target) < 0) {
                    throw new EOFException("s3://" + bucket + "/" + key + ": range at " + start + " ended after "
                            + (length - target.remaining()) + " of " + length + " bytes");
                }
            }
        } catch (NoSuchKeyException e) {
            throw (IOException) new NoSuchFileException("s3://" + bucket + "/" + key, null,
                    "deleted while open").initCause(e);
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                throw new IOException("s3://" + bucket + "/" + key + " was replaced while open (ETag " + eTag
                        + " no longer matches)", e);
            }
            throw new IOException("s3://" + bucket + "/" + key + ": ranged GET failed: " + S3ObjectStore.describe(e), e);
        } catch (SdkException e) {
            throw new IOException("s3://" + bucket + "/" + key + ": ranged GET failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized long position() throws IOException {
        ensureOpen();
        return position;
    }

    @Override
    public synchronized SeekableByteChannel position(long newPosition) throws IOException {
        ensureOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        position = newPosition;
        return this;
    }

    @Override
    public synchronized long size() throws IOException {
        ensureOpen();
        return size;
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public synchronized boolean isOpen() {
        return open;
    }

    @Override
    public synchronized void close() {
        open = false;
        block = null;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
