package dev.tally.cloud.flink;

import dev.tally.cloud.EventTopics;
import dev.tally.engine.aggregate.AggregationJob;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;

/**
 * The cloud profile's real-time aggregation as a Flink DataStream job: what {@link AggregationJob} does inside an
 * engine, spread over Kafka partitions and Flink parallelism, with the same metric plans, lateness rule and
 * {@code Aggregate} values, writing the same Redis windows. Engines that leave aggregation to it run with
 * {@code tally.aggregator.runtime=external}.
 *
 * <pre>
 * KafkaSource(&lt;ns.&gt;events.*)  event-time watermarks, bounded out-of-orderness = allowed lateness
 *   → PublishProgress (chained)   last offsets read; published as the "aggregator" checkpoint once a
 *                                 Flink checkpoint that covers them completes
 *   → keyBy(project) RouteEvents  the in-process lateness rule; late events → RejectionSink (rejected listing);
 *                                 on-time ones → one Contribution per matching metric and window size
 *   → keyBy(project, metric, dimensions) window(1m/5m/1h tumbling, event time) aggregate(Aggregate)
 *       fires on every element → WindowStoreSink (chained): latest value per window, written at each checkpoint
 * </pre>
 *
 * <p>Checkpointing is on (at-least-once is enough: windows are overwritten whole, so records replayed after a
 * restore rewrite the same values). A job started without a checkpoint reads the log from its earliest retained
 * record and so rebuilds every window it can see.
 */
public final class AggregationFlinkJob {
    /** The job's name in Flink. */
    public static final String NAME = "tally-aggregation";
    private static final Logger LOG = LoggerFactory.getLogger(AggregationFlinkJob.class);
    private static final OutputTag<Contribution> LATE_FOR_WINDOW =
            new OutputTag<>("late-for-window", Types.POJO(Contribution.class)) {
            };

    private AggregationFlinkJob() {
    }

    /**
     * Adds the job to {@code env} (its parallelism applies) and turns on checkpointing and object reuse.
     *
     * @param settings the cloud backend's {@code tally.*} settings, as the engines use them
     * @throws dev.tally.api.ConfigurationException for a missing or wrong setting, naming it
     */
    public static void define(StreamExecutionEnvironment env, Map<String, String> settings) {
        JobSettings job = new JobSettings(settings);
        EventTopics topics = job.topics();
        env.enableCheckpointing(job.checkpointInterval.toMillis());
        // The window values reach the chained sink by reference instead of as copies (see ContributionAggregate).
        env.getConfig().enableObjectReuse();

        KafkaSource<LogEntry> source = KafkaSource.<LogEntry>builder()
                .setBootstrapServers(topics.bootstrapServers())
                .setTopicPattern(topics.topicPattern())
                .setGroupId(topics.group(AggregationJob.CONSUMER + "-flink"))
                .setProperties(properties(topics, job))
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new EventDeserializer())
                .build();
        WatermarkStrategy<LogEntry> watermarks = WatermarkStrategy
                .<LogEntry>forBoundedOutOfOrderness(Duration.ofMillis(job.latenessMillis))
                .withTimestampAssigner((entry, recordTime) -> entry.eventMillis())
                .withIdleness(job.idleTimeout);

        SingleOutputStreamOperator<Contribution> routed = env.fromSource(source, watermarks, "tally-events")
                .uid("tally-events")
                .map(new PublishProgress(job)).uid("tally-progress").name("publish progress")
                .keyBy(LogEntry::projectId)
                .process(new RouteEvents(job), TypeInformation.of(Contribution.class))
                .uid("tally-route").name("route events");
        routed.getSideOutput(RouteEvents.LATE)
                .sinkTo(new RejectionSink(job)).uid("tally-rejections").name("record late events");

        SingleOutputStreamOperator<WindowValue> windows = routed
                .keyBy(Contribution::series)
                .window(new SeriesWindows())
                .allowedLateness(Duration.ofMillis(job.latenessMillis))
                .sideOutputLateData(LATE_FOR_WINDOW)
                .aggregate(new ContributionAggregate(), new EmitWindow(), AggregateTypeInfo.INSTANCE,
                        AggregateTypeInfo.INSTANCE, TypeInformation.of(WindowValue.class))
                .uid("tally-windows").name("windows");
        windows.sinkTo(new WindowStoreSink(job)).uid("tally-window-store").name("window store");
        windows.getSideOutput(LATE_FOR_WINDOW)
                .map(AggregationFlinkJob::reportLateForWindow).uid("tally-window-late").name("late for window")
                .sinkTo(new DiscardingSink<>());
    }

    /**
     * Builds and starts the job on {@code env} (for a local environment: a MiniCluster in this JVM).
     *
     * @return the running job's client (cancel it to stop the job)
     */
    public static JobClient start(StreamExecutionEnvironment env, Map<String, String> settings) throws Exception {
        long started = System.nanoTime();
        define(env, settings);
        JobClient client = env.executeAsync(NAME);
        LOG.info("Flink aggregation job {} submitted in {} ms (parallelism {})", client.getJobID(),
                Duration.ofNanos(System.nanoTime() - started).toMillis(), env.getParallelism());
        return client;
    }

    /**
     * Records of a project come in log order, so {@link RouteEvents} passes nothing the windows would find late,
     * except where one source split carries several projects whose times diverge by more than the allowed lateness
     * (a shared topic). Such a contribution misses its real-time window (the rollup still counts the event).
     */
    private static Contribution reportLateForWindow(Contribution c) {
        LOG.warn("a contribution of project {} to metric {} came after its {} window starting at {} was closed",
                c.series().projectId(), c.series().metric(), dev.tally.spi.WindowSize.values()[c.size()].wireName(),
                java.time.Instant.ofEpochMilli(c.start()));
        return c;
    }

    private static java.util.Properties properties(EventTopics topics, JobSettings job) {
        java.util.Properties props = new java.util.Properties();
        props.putAll(topics.consumerProperties());
        props.setProperty("partition.discovery.interval.ms",
                Long.toString(job.config().duration("tally.kafka.topic-discovery-interval", Duration.ofSeconds(1))
                        .toMillis()));
        props.setProperty("commit.offsets.on.checkpoint", "true");
        return props;
    }
}
