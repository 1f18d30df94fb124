package dev.tally.cloud;

import dev.tally.api.ConfigurationException;
import dev.tally.spi.BackendConfig;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.model.StorageClass;

import java.net.URI;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3SettingsTest {

    private static S3Settings settings(String namespace, String... keyValues) {
        Map<String, String> map = new HashMap<>();
        map.put(S3Settings.BUCKET, "archive");
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return S3Settings.from(BackendConfig.of(map, InstantSource.system()), namespace);
    }

    @Test
    void defaultsSuitAwsWithTheDefaultCredentialsChain() {
        S3Settings s = settings("");
        assertThat(s.bucket()).isEqualTo("archive");
        assertThat(s.endpoint()).isEmpty();
        assertThat(s.region()).isEqualTo(Region.US_EAST_1);
        assertThat(s.pathStyle()).isFalse();
        assertThat(s.accessKey()).isEmpty();
        assertThat(s.root()).isEmpty();
        assertThat(s.createBucket()).isFalse();
        assertThat(s.multipartThreshold()).isEqualTo(16L << 20);
        assertThat(s.partSize()).isEqualTo(16L << 20);
        assertThat(s.coldStorageClass()).isEmpty();
        assertThat(s.readAhead()).isEqualTo(1 << 20);
    }

    @Test
    void anEndpointTurnsOnPathStyleUnlessTheSettingSaysOtherwise() {
        assertThat(settings("", S3Settings.ENDPOINT, "http://127.0.0.1:9000").pathStyle()).isTrue();
        assertThat(settings("", S3Settings.ENDPOINT, "https://s3.example.com", S3Settings.PATH_STYLE, "false").pathStyle())
                .isFalse();
        assertThat(settings("", S3Settings.ENDPOINT, "http://127.0.0.1:9000").endpoint())
                .contains(URI.create("http://127.0.0.1:9000"));
    }

    @Test
    void theRootIsThePrefixThenTheNamespace() {
        assertThat(settings("t1").root()).isEqualTo("t1/");
        assertThat(settings("", S3Settings.PREFIX, "/tally/prod/").root()).isEqualTo("tally/prod/");
        assertThat(settings("t1", S3Settings.PREFIX, "tally").root()).isEqualTo("tally/t1/");
    }

    @Test
    void sizesAndTheColdStorageClassAreParsed() {
        S3Settings s = settings("", S3Settings.MULTIPART_THRESHOLD, "64MB", S3Settings.PART_SIZE, "8MB",
                S3Settings.COLD_STORAGE_CLASS, "glacier_ir", S3Settings.READ_AHEAD, "256KB");
        assertThat(s.multipartThreshold()).isEqualTo(64L << 20);
        assertThat(s.partSize()).isEqualTo(8L << 20);
        assertThat(s.coldStorageClass()).contains(StorageClass.GLACIER_IR);
        assertThat(s.readAhead()).isEqualTo(256 << 10);
    }

    @Test
    void aMissingBucketIsNamed() {
        assertThatThrownBy(() -> S3Settings.from(BackendConfig.of(Map.of(), InstantSource.system()), ""))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(S3Settings.BUCKET);
    }

    @Test
    void wrongValuesFailNamingTheirKey() {
        Map<String, String> wrong = Map.of(
                S3Settings.BUCKET, "Not_A_Bucket",
                S3Settings.ENDPOINT, "127.0.0.1:9000",
                S3Settings.PATH_STYLE, "maybe",
                S3Settings.PREFIX, "../up",
                S3Settings.PART_SIZE, "1MB",
                S3Settings.MULTIPART_THRESHOLD, "6GB",
                S3Settings.COLD_STORAGE_CLASS, "FROZEN",
                S3Settings.READ_AHEAD, "1GB",
                S3Settings.CREATE_BUCKET, "sure");
        wrong.forEach((key, value) -> assertThatThrownBy(() -> settings("", key, value)).as(key)
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(key));
    }

    @Test
    void credentialsComeInPairs() {
        assertThatThrownBy(() -> settings("", S3Settings.ACCESS_KEY, "AKIA"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("missing '" + S3Settings.SECRET_KEY + "'");
        assertThatThrownBy(() -> settings("", S3Settings.SECRET_KEY, "s3cr3t"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("missing '" + S3Settings.ACCESS_KEY + "'");
    }

    @Test
    void theSecretNeverShowsInTheDescription() {
        S3Settings s = settings("", S3Settings.ACCESS_KEY, "AKIAEXAMPLE", S3Settings.SECRET_KEY, "very-secret");
        assertThat(s.toString()).doesNotContain("very-secret").doesNotContain("AKIAEXAMPLE");
        assertThat(s.describe()).doesNotContain("very-secret");
    }

    @Test
    void onlyKeysUnderAColdSegmentAreCold() {
        assertThat(S3ObjectStore.isCold("cold/p1/x")).isTrue();
        assertThat(S3ObjectStore.isCold("p1/cold/events/x")).isTrue();
        assertThat(S3ObjectStore.isCold("p1/events/x")).isFalse();
        assertThat(S3ObjectStore.isCold("p1/colder/x")).isFalse();
        assertThat(S3ObjectStore.isCold("p1/x-cold")).isFalse();
    }
}
