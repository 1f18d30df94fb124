package dev.tally.http.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

import java.util.concurrent.Callable;

/**
 * {@code tally sql "SELECT ..." [--from --to --limit]}: {@code POST /v1/query}, the answer printed as JSON
 * (columns, rows, whether they were cut off, and notes on what was read).
 */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = "Runs one read-only SQL query over the project's archived raw events (table: events).")
final class SqlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ServerClient server;

    @Parameters(index = "0", paramLabel = "SQL", description = "one SELECT, e.g. \"SELECT event_type, count(*) FROM events GROUP BY 1\"")
    String sql;

    @Option(names = "--from", description = "only events at or after: ISO-8601 instant or a date (UTC midnight)")
    String from;

    @Option(names = "--to", description = "only events before: ISO-8601 instant or a date (UTC midnight, exclusive)")
    String to;

    @Option(names = "--limit", description = "return at most this many rows (default: the server's maximum)")
    Integer limit;

    @Override
    public Integer call() {
        ObjectNode body = ServerClient.JSON.createObjectNode();
        body.put("sql", sql);
        if (from != null) {
            body.put("from", from);
        }
        if (to != null) {
            body.put("to", to);
        }
        if (limit != null) {
            body.put("limit", limit);
        }
        return server.print(spec, "POST", "/v1/query", ServerClient.JSON.writeValueAsString(body));
    }
}
