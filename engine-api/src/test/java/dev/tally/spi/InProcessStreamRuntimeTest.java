package dev.tally.spi;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class InProcessStreamRuntimeTest {

    /** A leadership a test flips; counts entered steps so the test can see none runs while following. */
    private static final class Switch implements Leadership {
        final AtomicBoolean leading = new AtomicBoolean();
        final AtomicInteger inside = new AtomicInteger();

        @Override
        public boolean enter() {
            if (!leading.get()) {
                return false;
            }
            inside.incrementAndGet();
            return true;
        }

        @Override
        public void exit() {
            inside.decrementAndGet();
        }

        @Override
        public boolean isLeader() {
            return leading.get();
        }

        @Override
        public void close() {
        }
    }

    /** Records steps and follows; each call releases one permit of the matching semaphore. */
    private static final class Job implements StreamRuntime.StreamJob {
        final Semaphore steps = new Semaphore(0);
        final Semaphore follows = new Semaphore(0);
        final AtomicBoolean failNext = new AtomicBoolean();
        final CountDownLatch recovered = new CountDownLatch(1);

        @Override
        public String name() {
            return "test-job";
        }

        @Override
        public boolean step() {
            if (failNext.getAndSet(false)) {
                throw new IllegalStateException("boom");
            }
            steps.release();
            return true;
        }

        @Override
        public void recover() {
            recovered.countDown();
        }

        @Override
        public void follow() {
            follows.release();
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void jobStepsOnlyWhileLeadingAndFollowsOtherwise() throws InterruptedException {
        Switch leadership = new Switch();
        Job job = new Job();
        try (StreamRuntime.Handle handle = new InProcessStreamRuntime(leadership).start(job)) {
            assertThat(job.follows.tryAcquire(2, 5, TimeUnit.SECONDS)).as("follows while another instance leads").isTrue();
            assertThat(job.steps.availablePermits()).isZero();

            leadership.leading.set(true);
            assertThat(job.steps.tryAcquire(3, 5, TimeUnit.SECONDS)).as("steps once it leads").isTrue();

            leadership.leading.set(false);
            job.follows.drainPermits();
            assertThat(job.follows.tryAcquire(2, 5, TimeUnit.SECONDS)).as("follows again after losing the lead").isTrue();
            job.steps.drainPermits();
            assertThat(job.follows.tryAcquire(1, 5, TimeUnit.SECONDS)).isTrue();
            assertThat(job.steps.availablePermits()).as("no step after the lead was lost").isZero();
            assertThat(handle.isRunning()).isTrue();
        }
        assertThat(leadership.inside.get()).as("every entered step exited").isZero();
    }

    @Test
    void failingStepExitsTheLeadershipAndRecovers() throws InterruptedException {
        Switch leadership = new Switch();
        leadership.leading.set(true);
        Job job = new Job();
        job.failNext.set(true);
        try (StreamRuntime.Handle handle = new InProcessStreamRuntime(leadership).start(job)) {
            assertThat(job.recovered.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(job.steps.tryAcquire(2, 5, TimeUnit.SECONDS)).as("retries after recovering").isTrue();
            assertThat(handle.lastFailure()).isEmpty();
        }
        assertThat(leadership.inside.get()).isZero();
    }

    @Test
    void defaultRuntimeAlwaysLeads() throws InterruptedException {
        Job job = new Job();
        try (StreamRuntime.Handle ignored = new InProcessStreamRuntime().start(job)) {
            assertThat(job.steps.tryAcquire(2, 5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(job.follows.availablePermits()).isZero();
    }
}
