package dev.tally.jdbc;

import dev.tally.spi.Checkpoint;
import dev.tally.spi.LogPosition;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The {@code consumer_checkpoints} table: each consumer's log position and watermarks, written inside the
 * transaction that stores what the consumer produced, so both always agree.
 */
public final class ConsumerCheckpoints {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Upsert TABLE = new Upsert("consumer_checkpoints",
            List.of("consumer", "position", "watermarks", "updated_at"), List.of("consumer"));

    private ConsumerCheckpoints() {
    }

    /** Saves a consumer's checkpoint within the caller's transaction. */
    public static void save(Connection c, SqlDialect dialect, Checkpoint checkpoint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(dialect.upsert(TABLE))) {
            ps.setString(1, checkpoint.consumer());
            ps.setString(2, checkpoint.position().encode());
            ps.setString(3, JSON.writeValueAsString(checkpoint.watermarks()));
            ps.setObject(4, OffsetDateTime.now(ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    /** A consumer's saved position, {@link LogPosition#NONE} before its first save. */
    public static LogPosition position(Connection c, String consumer) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT position FROM consumer_checkpoints WHERE consumer = ?")) {
            ps.setString(1, consumer);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? LogPosition.parse(rs.getString(1)) : LogPosition.NONE;
            }
        }
    }
}
