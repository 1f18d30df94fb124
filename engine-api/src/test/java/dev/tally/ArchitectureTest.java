package dev.tally;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;
import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the public API, the SPI and the engine free of backend and transport dependencies. */
class ArchitectureTest {
    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("dev.tally");
    }

    @Test
    void importsProductionClassesOnly() {
        assertThat(production.containPackage("dev.tally.api")).isTrue();
        assertThat(production.contain(ArchitectureTest.class)).isFalse();
    }

    @Test
    void api_dependsOnlyOnJavaAndItself() {
        ArchRule rule = classes().that().resideInAPackage("dev.tally.api..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.tally.api..")
                .because("the public API is what users compile against; it must pull in nothing");

        rule.check(production);
    }

    @Test
    void api_knowsNothingOfSpiEngineOrBackends() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.tally.api..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tally.spi..", "dev.tally.engine..",
                        "dev.tally.local..", "dev.tally.cloud..", "dev.tally.http..", "dev.tally.testkit..");

        rule.check(production);
    }

    @Test
    void spi_dependsOnlyOnApiJavaDataSketchesAndSlf4j() {
        ArchRule rule = classes().that().resideInAPackage("dev.tally.spi..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.tally.api..",
                        "dev.tally.spi..", "org.apache.datasketches..", "org.slf4j..")
                .because("backend authors implement the SPI and should not inherit the engine's dependencies");

        rule.check(production);
    }

    @Test
    void jdbc_dependsOnlyOnApiSpiJavaJacksonAndSlf4j() {
        ArchRule rule = classes().that().resideInAPackage("dev.tally.jdbc..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.tally.api..",
                        "dev.tally.spi..", "dev.tally.jdbc..", "tools.jackson..", "org.slf4j..")
                .because("the shared JDBC catalog and warehouse serve every SQL backend; database specifics belong "
                        + "in each backend's SqlDialect");

        rule.check(production);
    }

    @Test
    void engine_doesNotDependOnBackendsOrTheirLibraries() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.tally.engine..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.tally.local..", "dev.tally.cloud..", "dev.tally.http..", "dev.tally.testkit..",
                        "net.openhft..", "org.h2..", "com.github.benmanes..", "org.apache.kafka..", "io.lettuce..",
                        "org.postgresql..", "software.amazon..", "org.apache.flink..")
                .because("backends plug in through the SPI; the engine must run with any of them");

        rule.check(production);
    }

    @Test
    void noProductionClassWritesToStandardStreams() {
        NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS.check(production);
    }
}
