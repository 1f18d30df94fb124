package dev.tally.testkit.examples;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.testkit.TallyTest;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.tally.testkit.TallyAssertions.assertThat;

/**
 * Example: the same kind of test on the cloud profile — Kafka, Redis, PostgreSQL and S3 running in this JVM (the
 * embedded cloud stack, no Docker). The stack starts once per JVM, for the first test that needs it; each test's
 * engine lives in a namespace of its own (topics, Redis keys, PostgreSQL schema, S3 prefix), so tests are as
 * isolated as on the local profile. Switching profile is one annotation attribute, never code.
 */
@TallyTest(profile = TallyTest.Profile.CLOUD, schemas = "schemas/", metrics = "metrics/")
class CloudProfileExampleTest {

    @Test
    void revenueAndDedupOnKafkaRedisAndPostgres(Tally tally, TestClock clock) {
        Event order = purchase("order-1", "US", 25.0, clock);
        tally.ingest(order);
        tally.ingest(order);                                        // deduplicated in Redis
        tally.ingest(purchase("order-2", "DE", 10.0, clock));

        assertThat(tally).metric("revenue").groupedBy("country").containsEntry("US", 25.0).containsEntry("DE", 10.0);
        assertThat(tally).event("order-1").isDuplicate().hasCopies(1);
    }

    @Test
    void eachTestHasANamespaceOfItsOwn(Tally tally, TestClock clock) {
        clock.advance(Duration.ofMinutes(1));
        tally.ingest(purchase("order-1", "FR", 5.0, clock));        // the same id as the other test: not a duplicate

        assertThat(tally).event("order-1").isAccepted();
        assertThat(tally).metric("revenue").total().isEqualTo(5.0);
    }

    private static Event purchase(String id, String country, double amount, TestClock clock) {
        return Event.builder("purchase").eventId(id).userId("u-" + id).timestamp(clock.instant()).country(country)
                .device("mobile").property("productId", "sku-1").property("amount", amount)
                .property("currency", "USD").build();
    }
}
