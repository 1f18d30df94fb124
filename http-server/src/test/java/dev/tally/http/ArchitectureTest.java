package dev.tally.http;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.tally.engine.ingest.EventJsonParser;
import dev.tally.engine.ingest.ParsedEvent;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The HTTP layer uses the API and picks a backend by name: never a backend class, hardly any engine internals. */
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
    void http_usesNoEngineInternalsButTheWireParser() {
        noClasses().that().resideInAPackage("dev.tally.http..")
                .should().dependOnClassesThat(resideInAPackage("dev.tally.engine..")
                        .and(not(belongToAnyOf(EventJsonParser.class, EventJsonParser.Body.class, ParsedEvent.class))))
                .check(HTTP);
    }
}
