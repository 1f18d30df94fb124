package dev.tally.bench;

import com.github.erosb.jsonsKema.JsonParser;
import com.github.erosb.jsonsKema.SchemaLoader;
import com.github.erosb.jsonsKema.ValidationFailure;
import com.github.erosb.jsonsKema.Validator;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.tally.api.Event;
import dev.tally.engine.json.Json;
import dev.tally.testkit.EventGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Validates the benchmark's purchase properties (10% invalid) with networknt json-schema-validator (what the
 * engine uses) and with json-sKema, each starting from the event's property map as the engine has it.
 */
@Command(name = "schema", description = "JSON Schema validators on Tally's purchase schema")
final class SchemaBench implements Callable<Integer> {
    @Option(names = "--events", defaultValue = "1000000")
    int events = 1000000;

    @Override
    public Integer call() {
        EventGenerator workload = BenchMain.workload(5, "schema");
        List<Map<String, Object>> props = new ArrayList<>(100_000);
        for (int i = 0; i < 100_000; i++) {
            Event e = workload.nextAt(Instant.EPOCH);
            Map<String, Object> p = new HashMap<>(e.properties());
            if (i % 10 == 0) {
                p.put("amount", "free");
            }
            props.add(p);
        }
        Schema networknt = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Json.MAPPER.readTree(normalized()));
        Validator skema = Validator.forSchema(new SchemaLoader(new JsonParser(normalized()).parse()).load());
        for (int round = 0; round < 2; round++) {
            long invalid = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < events; i++) {
                invalid += networknt.validate(Json.toNode(props.get(i % props.size()))).isEmpty() ? 0 : 1;
            }
            double nRate = events / ((System.nanoTime() - t0) / 1e9);
            long invalid2 = 0;
            t0 = System.nanoTime();
            for (int i = 0; i < events; i++) {
                ValidationFailure f = skema.validate(new JsonParser(Json.write(props.get(i % props.size()))).parse());
                invalid2 += f == null ? 0 : 1;
            }
            double sRate = events / ((System.nanoTime() - t0) / 1e9);
            if (round == 1) {
                BenchMain.OUT.printf("schema validation of %,d purchase property maps (10%% invalid):%n", events);
                BenchMain.OUT.printf("  networknt 3.0.9 (map -> tree -> validate): %,.0f events/s (%d invalid)%n", nRate, invalid);
                BenchMain.OUT.printf("  json-sKema 0.32.0 (map -> JSON -> parse -> validate): %,.0f events/s (%d invalid)%n",
                        sRate, invalid2);
            }
        }
        return 0;
    }

    private static String normalized() {
        return """
                {"type":"object","required":["productId","amount","currency"],"properties":{
                  "productId":{"type":"string"},"amount":{"type":"number","minimum":0},
                  "currency":{"type":"string","enum":["USD","EUR"]}}}""";
    }
}
