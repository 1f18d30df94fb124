package dev.tally.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ZipfSamplerTest {

    @ParameterizedTest
    @CsvSource({"10, 1.0", "10, 0.5", "50, 2.0", "1, 1.0", "3, 1.0000000001"})
    void frequencies_matchTheZipfProbabilities(int n, double exponent) {
        ZipfSampler sampler = new ZipfSampler(n, exponent);
        SplittableRandom random = new SplittableRandom(42);
        int draws = 200_000;
        int[] counts = new int[n + 1];
        for (int i = 0; i < draws; i++) {
            counts[sampler.sample(random)]++;
        }
        double norm = 0;
        for (int k = 1; k <= n; k++) {
            norm += Math.pow(k, -exponent);
        }
        for (int k = 1; k <= Math.min(n, 10); k++) {
            double expected = Math.pow(k, -exponent) / norm;
            assertThat(counts[k] / (double) draws).as("P(rank %d)", k).isCloseTo(expected, within(0.005));
        }
        assertThat(counts[0]).as("rank 0 never drawn").isZero();
    }

    @Test
    void largePopulations_needNoMemoryPerElement() {
        ZipfSampler sampler = new ZipfSampler(Integer.MAX_VALUE, 1.1);
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 10_000; i++) {
            assertThat(sampler.sample(random)).isBetween(1, Integer.MAX_VALUE);
        }
    }

    @Test
    void invalidParameters_areNamed() {
        assertThatThrownBy(() -> new ZipfSampler(0, 1)).hasMessageContaining("at least one element");
        assertThatThrownBy(() -> new ZipfSampler(5, 0)).hasMessageContaining("exponent");
        assertThatThrownBy(() -> new ZipfSampler(5, Double.NaN)).hasMessageContaining("exponent");
    }
}
