package dev.tally.cloud.flink;

import dev.tally.spi.Aggregate;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink state and network form of an {@link Aggregate}: its own byte form ({@link Aggregate#toBytes()}),
 * length-prefixed, the same bytes the window store keeps. Without it Flink would fall back to Kryo and
 * serialize the sketch's internals field by field.
 */
public final class AggregateSerializer extends TypeSerializerSingleton<Aggregate> {
    public static final AggregateSerializer INSTANCE = new AggregateSerializer();
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public Aggregate createInstance() {
        return Aggregate.empty();
    }

    @Override
    public Aggregate copy(Aggregate from) {
        return from.copy();
    }

    @Override
    public Aggregate copy(Aggregate from, Aggregate reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Aggregate record, DataOutputView target) throws IOException {
        byte[] bytes = record.toBytes();
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    @Override
    public Aggregate deserialize(DataInputView source) throws IOException {
        byte[] bytes = new byte[source.readInt()];
        source.readFully(bytes);
        return Aggregate.fromBytes(bytes);
    }

    @Override
    public Aggregate deserialize(Aggregate reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int length = source.readInt();
        target.writeInt(length);
        target.write(source, length);
    }

    @Override
    public TypeSerializerSnapshot<Aggregate> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer from a checkpoint or savepoint; public with a no-arg constructor, as Flink needs. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Aggregate> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
