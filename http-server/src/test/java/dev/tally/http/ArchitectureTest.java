package dev.tally.http;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The HTTP layer uses the API and picks a backend by name: never a backend class, never engine internals. */
class ArchitectureTest {
    private static final JavaClasses HTTP = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tally.http");

    @Test
    void http_neverUsesABackendClass() {
        noClasses().that().resideInAPackage("dev.tally.http..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tally.local..", "dev.tally.cloud..")
                .check(HTTP);
    }

    @Test
    void http_usesNoEngineInternals() {
        noClasses().that().resideInAPackage("dev.tally.http..")
                .should().dependOnClassesThat().resideInAPackage("dev.tally.engine..")
                .check(HTTP);
    }
}
