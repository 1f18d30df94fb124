package dev.tally.cloud;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cloud backend is a thin adapter: it implements the SPI over its stores and reuses the shared JDBC code, but
 * knows nothing of the engine's internals (one engine: validation, windowing, rollups, query planning live once in
 * engine-api) and never writes to the standard streams.
 */
class CloudArchitectureTest {
    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("dev.tally.cloud");
    }

    @Test
    void importsTheBackend() {
        assertThat(production.contain(CloudBackend.class)).isTrue();
    }

    @Test
    void backendAdaptersDoNotReachIntoTheEngine() {
        noClasses().that().resideInAPackage("dev.tally.cloud")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tally.engine..", "dev.tally.local..",
                        "dev.tally.http..", "dev.tally.testkit..")
                .because("backends implement dev.tally.spi; the engine's logic is shared, not copied or reached into")
                .check(production);
    }

    @Test
    void noStandardStreams() {
        NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS.check(production);
    }
}
