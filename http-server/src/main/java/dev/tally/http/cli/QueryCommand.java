package dev.tally.http.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code tally query METRIC --from --to ...}: {@code GET /v1/metrics/{name}}, printed as JSON. */
@Command(name = "query", mixinStandardHelpOptions = true, description = "Queries a metric of a running server.")
final class QueryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ServerClient server;

    @Parameters(index = "0", paramLabel = "METRIC")
    String metric;

    @Option(names = "--from", required = true, description = "start: ISO-8601 instant or a date (inclusive)")
    String from;

    @Option(names = "--to", required = true, description = "end: ISO-8601 instant or a date (exclusive)")
    String to;

    @Option(names = "--granularity", defaultValue = "all", description = "1m, 5m, 1h, 1d or all (default: ${DEFAULT-VALUE})")
    String granularity;

    @Option(names = "--group-by", split = ",", description = "dimensions to group by, comma separated")
    List<String> groupBy = new ArrayList<>();

    @Option(names = "--filter", description = "dimension:value, repeatable")
    List<String> filters = new ArrayList<>();

    @Option(names = "--timezone", description = "time zone of day buckets, e.g. Europe/Berlin")
    String timezone;

    @Override
    public Integer call() {
        StringBuilder q = new StringBuilder("/v1/metrics/").append(ServerClient.encode(metric))
                .append("?startTime=").append(ServerClient.encode(from))
                .append("&endTime=").append(ServerClient.encode(to))
                .append("&granularity=").append(ServerClient.encode(granularity));
        if (!groupBy.isEmpty()) {
            q.append("&groupBy=").append(ServerClient.encode(String.join(",", groupBy)));
        }
        for (String f : filters) {
            q.append("&filter=").append(ServerClient.encode(f));
        }
        if (timezone != null) {
            q.append("&timezone=").append(ServerClient.encode(timezone));
        }
        return server.print(spec, "GET", q.toString(), null);
    }
}
