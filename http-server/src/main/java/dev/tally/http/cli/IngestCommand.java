package dev.tally.http.cli;

import dev.tally.api.TallyException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code tally ingest FILE.jsonl|-}: sends one event per line to a running server in batches
 * ({@code POST /v1/events/batch}), with a progress line (events, rate, ETA) on standard error. Safe to
 * re-run after an interruption: events already accepted come back as duplicates. Retries 429/503 after
 * {@code Retry-After}.
 *
 * <p>Exit codes: 0 every event accepted or a duplicate, 3 some events rejected (their line numbers and
 * reasons are printed), 1 the server could not be reached or refused the requests, 2 usage error.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Sends events from a JSON Lines file (or - for standard input) to a Tally server in batches.")
class IngestCommand implements Callable<Integer> {
    static final int SOME_REJECTED = 3;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "JSON Lines file of events, or - for standard input")
    String file;

    @Mixin
    ServerClient server;

    @Option(names = "--batch-size", defaultValue = "500", description = "events per request (default: ${DEFAULT-VALUE})")
    int batchSize;

    /** The route each batch goes to. */
    String path() {
        return "/v1/events/batch";
    }

    @Override
    public Integer call() throws Exception {
        if (batchSize < 1 || batchSize > 10_000) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--batch-size must be 1..10000");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long totalBytes = file.equals("-") ? -1 : Files.size(Path.of(file));
        Progress progress = new Progress(err, totalBytes);
        Totals totals = new Totals();
        try (InputStream raw = file.equals("-") ? System.in : Files.newInputStream(Path.of(file));
             BufferedReader lines = new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8))) {
            List<String> batch = new ArrayList<>(batchSize);
            List<Long> lineNumbers = new ArrayList<>(batchSize);
            long lineNumber = 0;
            long bytes = 0;
            String line;
            while ((line = lines.readLine()) != null) {
                lineNumber++;
                bytes += line.length() + 1;
                if (line.isBlank()) {
                    continue;
                }
                batch.add(line);
                lineNumbers.add(lineNumber);
                if (batch.size() == batchSize) {
                    send(batch, lineNumbers, totals, out);
                    progress.update(totals.sent, bytes);
                    batch.clear();
                    lineNumbers.clear();
                }
            }
            if (!batch.isEmpty()) {
                send(batch, lineNumbers, totals, out);
                progress.update(totals.sent, bytes);
            }
        }
        progress.done();
        out.printf("sent %d events: %d accepted, %d duplicates, %d rejected%n",
                totals.sent, totals.accepted, totals.duplicates, totals.rejected);
        out.flush();
        return totals.rejected > 0 ? SOME_REJECTED : TallyCli.OK;
    }

    private void send(List<String> batch, List<Long> lineNumbers, Totals totals, PrintWriter out) {
        StringBuilder body = new StringBuilder(batch.size() * 200).append("{\"events\":[");
        for (int i = 0; i < batch.size(); i++) {
            body.append(i == 0 ? "" : ",").append(batch.get(i));
        }
        body.append("]}");
        ServerClient.Response response = server.send("POST", path(), body.toString());
        if (response.status() == 400 && batch.size() > 1) {
            // The server refused the body as a whole (e.g. a line that is not JSON): send line by line, so the
            // good lines still go in and the bad one is named.
            for (int i = 0; i < batch.size(); i++) {
                send(List.of(batch.get(i)), List.of(lineNumbers.get(i)), totals, out);
            }
            return;
        }
        if (response.status() == 400) {
            totals.sent++;
            totals.rejected++;
            out.printf("line %d: rejected: %s%n", lineNumbers.get(0), response.errorMessage());
            return;
        }
        if (!response.ok()) {
            throw new TallyException("server answered " + response.status() + ": " + response.errorMessage());
        }
        JsonNode json = response.json();
        totals.sent += batch.size();
        totals.accepted += json.path("accepted").asLong();
        totals.duplicates += json.path("duplicates").asLong();
        for (JsonNode r : json.path("rejected")) {
            totals.rejected++;
            StringBuilder why = new StringBuilder();
            for (JsonNode e : r.path("errors")) {
                why.append(why.length() == 0 ? "" : "; ").append(e.path("path").asString()).append(": ")
                        .append(e.path("message").asString());
            }
            out.printf("line %d: rejected: %s%n", lineNumbers.get(r.path("index").asInt()), why);
        }
    }

    private static final class Totals {
        long sent;
        long accepted;
        long duplicates;
        long rejected;
    }

    /** One line on standard error, redrawn at most twice a second: events, rate, and ETA when the size is known. */
    private static final class Progress {
        private final PrintWriter err;
        private final long totalBytes;
        private final long started = System.nanoTime();
        private long lastDrawn;

        Progress(PrintWriter err, long totalBytes) {
            this.err = err;
            this.totalBytes = totalBytes;
        }

        void update(long events, long bytes) {
            long now = System.nanoTime();
            if (now - lastDrawn < 500_000_000L) {
                return;
            }
            lastDrawn = now;
            double seconds = Math.max(1e-3, (now - started) / 1e9);
            double rate = events / seconds;
            String eta = "";
            if (totalBytes > 0 && bytes > 0) {
                double left = seconds * (totalBytes - Math.min(bytes, totalBytes)) / bytes;
                eta = String.format(Locale.ROOT, ", %3.0f%%, ETA %.0fs", 100.0 * Math.min(bytes, totalBytes) / totalBytes, left);
            }
            err.printf(Locale.ROOT, "\r%,d events, %,.0f events/s%s   ", events, rate, eta);
            err.flush();
        }

        void done() {
            if (lastDrawn != 0) {
                err.println();
                err.flush();
            }
        }
    }
}
