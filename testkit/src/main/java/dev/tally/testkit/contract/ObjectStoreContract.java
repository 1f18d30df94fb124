package dev.tally.testkit.contract;

import dev.tally.api.InvalidRequestException;
import dev.tally.spi.ObjectStore;
import dev.tally.spi.ObjectStore.ObjectInfo;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The contract of {@link ObjectStore}: immutable blobs by {@code /}-separated key, where the Parquet archive
 * lives.
 *
 * <p>What it pins down: a put is read back byte for byte and a second put replaces it; a missing key reads as
 * empty; {@link ObjectStore#list} returns exactly the keys starting with the prefix, in key order, with their
 * sizes; a move makes the object appear at the target and disappear from the source; a delete removes it and
 * deleting a missing key is no error; a key that is only a prefix of other keys (a "directory") is no object,
 * so it reads as missing and deleting or moving it leaves the objects under it alone; objects survive a clean reopen; and keys that could leave the store's
 * namespace ({@code ..} segments, absolute paths, the empty key) are refused with an
 * {@link InvalidRequestException} by every operation, before anything is touched.
 */
public abstract class ObjectStoreContract extends BackendContract {
    /** Keys every backend must refuse: they escape the namespace or name nothing. */
    protected static final List<String> ESCAPING_KEYS = List.of("../x", "/abs", "a/../../b", "", "..", "a/..",
            "a/../b");

    private ObjectStore objects() {
        return backend.objects();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Nested
    @DisplayName("put and get")
    class PutAndGet {
        @Test
        void aPutObjectIsReadBackByteForByte() {
            byte[] content = new byte[70_000];
            for (int i = 0; i < content.length; i++) {
                content[i] = (byte) (i * 31);
            }
            objects().put("archive/p1/2024/01/15/part-0.parquet", content);
            assertThat(objects().get("archive/p1/2024/01/15/part-0.parquet")).hasValueSatisfying(
                    read -> assertThat(read).isEqualTo(content));
        }

        @Test
        void anEmptyObjectIsStoredAndReadBackEmpty() {
            objects().put("empty", new byte[0]);
            assertThat(objects().get("empty")).hasValueSatisfying(read -> assertThat(read).isEmpty());
        }

        @Test
        void aMissingKeyReadsAsEmpty() {
            assertThat(objects().get("no/such/object")).isEmpty();
        }

        @Test
        void aSecondPutReplacesTheObject() {
            objects().put("a/b.txt", bytes("first, and longer"));
            objects().put("a/b.txt", bytes("second"));
            assertThat(objects().get("a/b.txt")).hasValueSatisfying(read -> assertThat(read).isEqualTo(bytes("second")));
            assertThat(objects().list("a/")).extracting(ObjectInfo::key, ObjectInfo::size)
                    .containsExactly(tuple("a/b.txt", 6L));
        }

        @Test
        void keysWithDotsEqualsSignsAndDashesAreOrdinaryKeys() {
            objects().put("project=p1/date=2024-01-15/part_0.v1.parquet", bytes("x"));
            assertThat(objects().get("project=p1/date=2024-01-15/part_0.v1.parquet")).isPresent();
        }
    }

    @Nested
    @DisplayName("files and positioned reads")
    class FilesAndChannels {
        @Test
        void aPublishedFileIsReadBackByteForByteAndTheSourceIsConsumed(@TempDir Path dir) throws IOException {
            byte[] content = new byte[300_000];
            new Random(7).nextBytes(content);
            Path source = dir.resolve("upload.bin");
            Files.write(source, content);
            objects().putFile("p1/events/part-00000.parquet", source);
            assertThat(source).doesNotExist();
            assertThat(objects().get("p1/events/part-00000.parquet")).hasValueSatisfying(
                    read -> assertThat(read).isEqualTo(content));
            assertThat(objects().list("p1/")).extracting(ObjectInfo::key, ObjectInfo::size)
                    .containsExactly(tuple("p1/events/part-00000.parquet", 300_000L));
        }

        @Test
        void aChannelReadsAnyRangeOfAnObject() throws IOException {
            byte[] content = new byte[100_000];
            new Random(11).nextBytes(content);
            objects().put("blob", content);
            try (SeekableByteChannel ch = objects().open("blob")) {
                assertThat(ch.size()).isEqualTo(100_000L);
                ByteBuffer tail = ByteBuffer.allocate(8);
                ch.position(99_992);
                while (tail.hasRemaining() && ch.read(tail) > 0) {
                    // read to the end
                }
                assertThat(tail.array()).isEqualTo(Arrays.copyOfRange(content, 99_992, 100_000));
                ByteBuffer middle = ByteBuffer.allocate(5000);
                ch.position(40_000);
                while (middle.hasRemaining() && ch.read(middle) > 0) {
                    // read the range
                }
                assertThat(middle.array()).isEqualTo(Arrays.copyOfRange(content, 40_000, 45_000));
                assertThat(ch.read(ByteBuffer.allocate(1).position(1))).isZero();
                ch.position(100_000);
                assertThat(ch.read(ByteBuffer.allocate(4))).isEqualTo(-1);
            }
        }

        @Test
        void openingAMissingObjectFailsWithNoSuchFile() {
            assertThatThrownBy(() -> objects().open("no/such")).isInstanceOf(NoSuchFileException.class);
        }

        @Test
        void aLocalFileIfOfferedHoldsTheObject() throws IOException {
            objects().put("a/b", bytes("local"));
            Optional<Path> file = objects().localFile("a/b");
            if (file.isPresent()) {
                assertThat(Files.readAllBytes(file.get())).isEqualTo(bytes("local"));
            }
            assertThat(objects().localFile("a/missing")).isEmpty();
        }
    }

    @Nested
    @DisplayName("list")
    class ListByPrefix {
        @Test
        void listReturnsTheKeysUnderAPrefixInKeyOrderWithTheirSizes() {
            objects().put("hot/p1/b", bytes("bb"));
            objects().put("hot/p1/a", bytes("a"));
            objects().put("hot/p1/c/d", bytes("ddd"));
            objects().put("hot/p2/a", bytes("x"));
            objects().put("cold/p1/a", bytes("y"));
            assertThat(objects().list("hot/p1/")).extracting(ObjectInfo::key, ObjectInfo::size)
                    .containsExactly(tuple("hot/p1/a", 1L), tuple("hot/p1/b", 2L), tuple("hot/p1/c/d", 3L));
        }

        @Test
        void aPrefixNeedNotEndAtASegment() {
            objects().put("logs/2024-01-15/a", bytes("1"));
            objects().put("logs/2024-01-16/a", bytes("2"));
            objects().put("logs/2024-02-01/a", bytes("3"));
            objects().put("logsbook", bytes("4"));
            assertThat(objects().list("logs/2024-01")).extracting(ObjectInfo::key)
                    .containsExactly("logs/2024-01-15/a", "logs/2024-01-16/a");
            assertThat(objects().list("logs")).extracting(ObjectInfo::key)
                    .containsExactly("logs/2024-01-15/a", "logs/2024-01-16/a", "logs/2024-02-01/a", "logsbook");
        }

        @Test
        void theEmptyPrefixListsEverythingInKeyOrder() {
            objects().put("b/1", bytes("1"));
            objects().put("a/2", bytes("2"));
            objects().put("c", bytes("3"));
            assertThat(objects().list("")).extracting(ObjectInfo::key).containsExactly("a/2", "b/1", "c");
        }

        @Test
        void aPrefixWithNothingUnderItListsNothing() {
            objects().put("a/1", bytes("1"));
            assertThat(objects().list("b/")).isEmpty();
            assertThat(objects().list("a/1/")).isEmpty();
            assertThat(objects().list("")).hasSize(1);
        }

        @Test
        void listedObjectsHaveAModificationTime() {
            objects().put("a/1", bytes("1"));
            assertThat(objects().list("a/")).singleElement().satisfies(i -> assertThat(i.lastModified()).isNotNull());
        }
    }

    @Nested
    @DisplayName("move and delete")
    class MoveAndDelete {
        @Test
        void aMovedObjectIsAtItsTargetAndGoneFromItsSource() {
            objects().put("hot/p1/part-0", bytes("data"));
            objects().move("hot/p1/part-0", "cold/p1/2024/part-0");
            assertThat(objects().get("hot/p1/part-0")).isEmpty();
            assertThat(objects().get("cold/p1/2024/part-0")).hasValueSatisfying(
                    read -> assertThat(read).isEqualTo(bytes("data")));
            assertThat(objects().list("")).extracting(ObjectInfo::key).containsExactly("cold/p1/2024/part-0");
        }

        @Test
        void aDeletedObjectIsGone() {
            objects().put("a/1", bytes("1"));
            objects().put("a/2", bytes("2"));
            objects().delete("a/1");
            assertThat(objects().get("a/1")).isEmpty();
            assertThat(objects().list("a/")).extracting(ObjectInfo::key).containsExactly("a/2");
        }

        @Test
        void deletingAMissingKeyIsNotAnError() {
            objects().delete("never/written");
            objects().put("x", bytes("1"));
            objects().delete("x");
            objects().delete("x");
            assertThat(objects().get("x")).isEmpty();
        }

        @Test
        void aKeyCanBeWrittenAgainAfterItWasDeleted() {
            objects().put("x", bytes("1"));
            objects().delete("x");
            objects().put("x", bytes("2"));
            assertThat(objects().get("x")).hasValueSatisfying(read -> assertThat(read).isEqualTo(bytes("2")));
        }
    }

    @Nested
    @DisplayName("keys that are only prefixes of other keys")
    class PrefixOnlyKeys {
        @Test
        void getOfAKeyThatIsOnlyAPrefixOfOthersReadsAsMissing() {
            objects().put("hot/p1/part-0", bytes("data"));
            assertThat(objects().get("hot")).isEmpty();
            assertThat(objects().get("hot/p1")).isEmpty();
        }

        @Test
        void deletingAKeyThatIsOnlyAPrefixIsNotAnErrorAndKeepsTheObjectsUnderIt() {
            objects().put("hot/p1/part-0", bytes("data"));
            objects().delete("hot/p1");
            objects().delete("hot");
            assertThat(objects().list("")).extracting(ObjectInfo::key).containsExactly("hot/p1/part-0");
        }

        @Test
        void movingAKeyThatIsOnlyAPrefixMovesNoObject() {
            objects().put("hot/p1/part-0", bytes("data"));
            objects().put("hot/p1/part-1", bytes("more"));
            // Moving a missing object may fail or do nothing, but it must not carry other objects along.
            catchThrowable(() -> objects().move("hot/p1", "cold/p1"));
            assertThat(objects().list("")).extracting(ObjectInfo::key)
                    .containsExactly("hot/p1/part-0", "hot/p1/part-1");
        }
    }

    @Nested
    @DisplayName("keys that escape the store")
    class EscapingKeys {
        @TestFactory
        Stream<DynamicTest> putOfAnEscapingKeyIsRefused() {
            return ESCAPING_KEYS.stream().map(key -> DynamicTest.dynamicTest("put(\"" + key + "\")", () -> {
                assertThatThrownBy(() -> objects().put(key, bytes("evil"))).isInstanceOf(InvalidRequestException.class);
                assertThat(objects().list("")).isEmpty();
            }));
        }

        @TestFactory
        Stream<DynamicTest> getOfAnEscapingKeyIsRefused() {
            return ESCAPING_KEYS.stream().map(key -> DynamicTest.dynamicTest("get(\"" + key + "\")",
                    () -> assertThatThrownBy(() -> objects().get(key)).isInstanceOf(InvalidRequestException.class)));
        }

        @TestFactory
        Stream<DynamicTest> deleteOfAnEscapingKeyIsRefused() {
            return ESCAPING_KEYS.stream().map(key -> DynamicTest.dynamicTest("delete(\"" + key + "\")",
                    () -> assertThatThrownBy(() -> objects().delete(key)).isInstanceOf(InvalidRequestException.class)));
        }

        @TestFactory
        Stream<DynamicTest> moveFromOrToAnEscapingKeyIsRefusedAndLeavesTheSource() {
            return ESCAPING_KEYS.stream().map(key -> DynamicTest.dynamicTest("move(\"" + key + "\")", () -> {
                objects().put("safe", bytes("kept"));
                assertThatThrownBy(() -> objects().move("safe", key)).isInstanceOf(InvalidRequestException.class);
                assertThatThrownBy(() -> objects().move(key, "safe2")).isInstanceOf(InvalidRequestException.class);
                assertThat(objects().get("safe")).hasValueSatisfying(read -> assertThat(read).isEqualTo(bytes("kept")));
                assertThat(objects().list("")).extracting(ObjectInfo::key).containsExactly("safe");
            }));
        }

        @Test
        void listUnderAnEscapingPrefixIsRefused() {
            for (String prefix : List.of("../", "../x", "/abs", "a/../../b")) {
                assertThatThrownBy(() -> objects().list(prefix)).as(prefix).isInstanceOf(InvalidRequestException.class);
            }
        }
    }

    @Nested
    @DisplayName("durability across a reopen")
    class Durability {
        @Test
        void objectsSurviveAReopen() {
            objects().put("a/1", bytes("one"));
            objects().put("a/2", bytes("two"));
            objects().move("a/2", "b/2");
            reopenBackend();
            assertThat(objects().get("a/1")).hasValueSatisfying(read -> assertThat(read).isEqualTo(bytes("one")));
            assertThat(objects().list("")).extracting(ObjectInfo::key).containsExactly("a/1", "b/2");
        }
    }
}
