package dev.tally.spi;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WindowKeyTest {

    private static WindowKey key(List<String> dimensions) {
        return new WindowKey("shop", "revenue", WindowSize.FIVE_MINUTES, 300_000L, dimensions);
    }

    @Test
    void dimensionsKey_startsWithTheCount() {
        assertThat(key(List.of("DE", "mobile")).dimensionsKey()).isEqualTo("2\u001fDE\u001fmobile");
        assertThat(key(List.of("DE")).dimensionsKey()).isEqualTo("1\u001fDE");
    }

    @Test
    void zeroDimensions_encodeAsZeroAndDecodeToEmpty() {
        assertThat(key(List.of()).dimensionsKey()).isEqualTo("0");
        assertThat(WindowKey.decodeDimensions("0")).isEmpty();
    }

    @Test
    void decode_isTheInverseOfEncode() {
        List<List<String>> cases = List.of(
                List.of(),
                List.of("DE"),
                List.of("DE", "mobile", "purchase", "EUR"),
                List.of(""),
                List.of("", ""),
                List.of("", "x", ""),
                List.of("a,b", "ü 😀", "1"),
                List.of(WindowKey.NULL_VALUE, WindowKey.OTHER_VALUE));
        for (List<String> dims : cases) {
            String encoded = WindowKey.encodeDimensions(dims);
            assertThat(WindowKey.decodeDimensions(encoded)).as("%s", dims).isEqualTo(dims);
            assertThat(key(dims).dimensionsKey()).isEqualTo(encoded);
        }
    }

    @Test
    void emptyStringDimension_isDistinctFromNoDimension() {
        assertThat(WindowKey.encodeDimensions(List.of(""))).isNotEqualTo(WindowKey.encodeDimensions(List.of()));
        assertThat(WindowKey.encodeDimensions(List.of("", "")))
                .isNotEqualTo(WindowKey.encodeDimensions(List.of("")));
    }

    @Test
    void accessors_returnTheParts() {
        WindowKey k = key(List.of("DE"));

        assertThat(k.projectId()).isEqualTo("shop");
        assertThat(k.metric()).isEqualTo("revenue");
        assertThat(k.size()).isEqualTo(WindowSize.FIVE_MINUTES);
        assertThat(k.start()).isEqualTo(300_000L);
        assertThat(k.dimensions()).containsExactly("DE");
    }

    @Test
    void dimensions_areCopiedAndImmutable() {
        java.util.ArrayList<String> dims = new java.util.ArrayList<>(List.of("DE"));
        WindowKey k = key(dims);

        dims.add("mobile");

        assertThat(k.dimensions()).containsExactly("DE");
        assertThatThrownBy(() -> k.dimensions().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void equality_coversEveryPart() {
        WindowKey k = key(List.of("DE"));

        assertThat(k).isEqualTo(key(List.of("DE"))).hasSameHashCodeAs(key(List.of("DE")));
        assertThat(k).isNotEqualTo(key(List.of("FR")));
        assertThat(k).isNotEqualTo(key(List.of()));
        assertThat(k).isNotEqualTo(new WindowKey("other", "revenue", WindowSize.FIVE_MINUTES, 300_000L, List.of("DE")));
        assertThat(k).isNotEqualTo(new WindowKey("shop", "orders", WindowSize.FIVE_MINUTES, 300_000L, List.of("DE")));
        assertThat(k).isNotEqualTo(new WindowKey("shop", "revenue", WindowSize.ONE_MINUTE, 300_000L, List.of("DE")));
        assertThat(k).isNotEqualTo(new WindowKey("shop", "revenue", WindowSize.FIVE_MINUTES, 0L, List.of("DE")));
    }

    @Test
    void nullParts_areRefused() {
        assertThatThrownBy(() -> new WindowKey(null, "m", WindowSize.ONE_MINUTE, 0, List.of()))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> key(java.util.Arrays.asList("DE", null)))
                .as("absent values are stored as NULL_VALUE").isInstanceOf(NullPointerException.class);
    }

    @Test
    void toString_namesMetricSizeStartDimensionsAndProject() {
        assertThat(key(List.of("DE"))).hasToString("metric:revenue:5m:300000[DE]@shop");
    }
}
