package dev.tally.http.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code tally metric define|list}: metric definitions of a running server. */
@Command(name = "metric", mixinStandardHelpOptions = true, description = "Defines and lists metrics.",
        subcommands = {MetricCommand.Define.class, MetricCommand.ListMetrics.class})
final class MetricCommand {

    @Command(name = "define", mixinStandardHelpOptions = true,
            description = "Defines a metric (count, sum, avg, min, max or unique) over an event type.")
    static final class Define implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ServerClient server;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Option(names = "--aggregation", required = true, description = "count, sum, avg, min, max or unique")
        String aggregation;
        @Option(names = "--event-type", description = "only events of this type (default: all types)")
        String eventType;
        @Option(names = "--property", description = "the numeric property for sum, avg, min, max")
        String property;
        @Option(names = "--dimensions", split = ",", description = "eventType, country, device or properties.<name>")
        List<String> dimensions = new ArrayList<>();

        @Override
        public Integer call() {
            ObjectNode body = ServerClient.JSON.createObjectNode();
            body.put("name", name);
            body.put("aggregation", aggregation);
            if (eventType != null) {
                body.put("eventType", eventType);
            }
            if (property != null) {
                body.put("property", property);
            }
            dimensions.forEach(body.putArray("dimensions")::add);
            return server.print(spec, "POST", "/v1/metrics", ServerClient.JSON.writeValueAsString(body));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the project's metrics.")
    static final class ListMetrics implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ServerClient server;

        @Override
        public Integer call() {
            return server.print(spec, "GET", "/v1/metrics", null);
        }
    }
}
