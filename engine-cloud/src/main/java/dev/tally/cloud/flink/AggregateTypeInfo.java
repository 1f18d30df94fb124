package dev.tally.cloud.flink;

import dev.tally.spi.Aggregate;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink type information for {@link Aggregate}, serialized by {@link AggregateSerializer}. */
public final class AggregateTypeInfo extends TypeInformation<Aggregate> {
    public static final AggregateTypeInfo INSTANCE = new AggregateTypeInfo();
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<Aggregate> getTypeClass() {
        return Aggregate.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<Aggregate> createSerializer(SerializerConfig config) {
        return AggregateSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "Aggregate";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AggregateTypeInfo;
    }

    @Override
    public int hashCode() {
        return Aggregate.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof AggregateTypeInfo;
    }
}
