package dev.tally.cloud.flink;

import dev.tally.engine.aggregate.MetricPlan;
import dev.tally.spi.Aggregate;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * The engine's {@link Aggregate} as a Flink {@link AggregateFunction}: a window's accumulator is the same mergeable
 * value (count, sum, min, max, HLL sketch) the in-process aggregator keeps, folded with
 * {@link MetricPlan#add}, so both runtimes store the same bytes.
 *
 * <p>{@link #getResult} hands out the accumulator itself, not a copy: the result goes to the chained sink, which
 * only reads it on the task's thread (object reuse is on in this job), and a copy per element would cost a sketch
 * copy each time.
 */
final class ContributionAggregate implements AggregateFunction<Contribution, Aggregate, Aggregate> {
    private static final long serialVersionUID = 1L;

    @Override
    public Aggregate createAccumulator() {
        return Aggregate.empty();
    }

    @Override
    public Aggregate add(Contribution c, Aggregate accumulator) {
        MetricPlan.add(accumulator, c.user(), c.value());
        return accumulator;
    }

    @Override
    public Aggregate getResult(Aggregate accumulator) {
        return accumulator;
    }

    @Override
    public Aggregate merge(Aggregate a, Aggregate b) {
        a.merge(b);
        return a;
    }
}
