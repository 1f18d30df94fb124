package dev.tally.http;

import dev.tally.api.Granularity;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.MetricQuery;
import dev.tally.api.Violation;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code GET /v1/metrics/{name}?startTime&endTime&granularity&groupBy&filter&timezone} into a
 * {@link MetricQuery}, naming every problem at once.
 *
 * <ul>
 *   <li>{@code startTime}, {@code endTime} (required): an instant ({@code 2024-01-15T10:00:00Z}, with an offset,
 *       or epoch milliseconds), a local date-time (read in {@code timezone}) or a date. A date means its whole
 *       day in {@code timezone}: {@code startTime=2024-01-01&endTime=2024-01-31} is all of January.</li>
 *   <li>{@code granularity}: {@code 1m}, {@code 5m}, {@code 1h}, {@code 1d} or {@code all} (default).</li>
 *   <li>{@code groupBy=a,b} (or repeated), {@code filter=dimension:value} (repeatable), {@code timezone=Area/City}
 *       (default UTC).</li>
 * </ul>
 */
final class MetricQueryParams {
    static final String[] NAMES = {"startTime", "endTime", "granularity", "groupBy", "filter", "timezone"};

    private MetricQueryParams() {
    }

    static MetricQuery parse(String metric, QueryParams params) {
        List<Violation> problems = new ArrayList<>();
        ZoneId zone = ZoneOffset.UTC;
        String tz = single(params, "timezone", problems);
        if (tz != null && !tz.isBlank()) {
            try {
                zone = ZoneId.of(tz.trim());
            } catch (DateTimeException e) {
                problems.add(new Violation("timezone", "invalid_value",
                        "unknown time zone '" + HttpJson.shorten(tz) + "'; use a region like Europe/Paris or an offset like +05:30"));
            }
        }
        Instant from = time(params, "startTime", zone, false, problems);
        Instant to = time(params, "endTime", zone, true, problems);
        Granularity granularity = Granularity.ALL;
        String g = single(params, "granularity", problems);
        if (g != null && !g.isBlank()) {
            try {
                granularity = Granularity.parse(g.trim());
            } catch (InvalidRequestException e) {
                problems.addAll(e.violations());
            }
        }
        List<String> groupBy = new ArrayList<>();
        for (String value : params.all("groupBy")) {
            for (String d : value.split(",")) {
                if (!d.isBlank() && !groupBy.contains(d.trim())) {
                    groupBy.add(d.trim());
                }
            }
        }
        Map<String, String> filters = new LinkedHashMap<>();
        for (String f : params.all("filter")) {
            int colon = f.indexOf(':');
            if (colon <= 0) {
                problems.add(new Violation("filter", "invalid_format",
                        "filter must be dimension:value, got '" + HttpJson.shorten(f) + "'"));
                continue;
            }
            String dimension = f.substring(0, colon).trim();
            String value = f.substring(colon + 1);
            String previous = filters.putIfAbsent(dimension, value);
            if (previous != null && !previous.equals(value)) {
                problems.add(new Violation("filter", "conflict",
                        "dimension '" + HttpJson.shorten(dimension) + "' filtered on two different values"));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return new MetricQuery(metric, from, to, granularity, groupBy, filters, zone);
    }

    private static String single(QueryParams params, String name, List<Violation> problems) {
        try {
            return params.single(name);
        } catch (InvalidRequestException e) {
            problems.addAll(e.violations());
            return null;
        }
    }

    private static Instant time(QueryParams params, String name, ZoneId zone, boolean end, List<Violation> problems) {
        String raw = single(params, name, problems);
        if (raw == null || raw.isBlank()) {
            if (problems.stream().noneMatch(v -> v.path().equals(name))) {
                problems.add(new Violation(name, "required", name + " is required (ISO-8601 instant or date)"));
            }
            return null;
        }
        // a '+' of an offset arrives as a space when the client did not escape it
        String s = raw.trim().replace(' ', '+');
        try {
            if (s.chars().allMatch(Character::isDigit) && s.length() <= 15) {
                return Instant.ofEpochMilli(Long.parseLong(s));
            }
            if (s.indexOf('T') < 0 && s.indexOf('t') < 0) {
                LocalDate date = LocalDate.parse(s);
                return (end ? date.plusDays(1) : date).atStartOfDay(zone).toInstant();
            }
            for (Parser p : PARSERS) {
                try {
                    return p.parse(s, zone);
                } catch (DateTimeException ignored) {
                    // next form
                }
            }
            throw new DateTimeException("no form matched");
        } catch (DateTimeException | ArithmeticException e) {
            problems.add(new Violation(name, "invalid_format", name + " must be an ISO-8601 instant "
                    + "(2024-01-15T10:00:00Z) or date (2024-01-15), got '" + HttpJson.shorten(raw) + "'"));
            return null;
        }
    }

    private interface Parser {
        Instant parse(String s, ZoneId zone);
    }

    private static final Parser[] PARSERS = {
            (s, zone) -> Instant.parse(s),
            (s, zone) -> OffsetDateTime.parse(s).toInstant(),
            (s, zone) -> ZonedDateTime.parse(s).toInstant(),
            (s, zone) -> LocalDateTime.parse(s).atZone(zone).toInstant(),
    };
}
