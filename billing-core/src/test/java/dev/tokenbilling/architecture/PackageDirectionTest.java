package dev.tokenbilling.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps billing-core's packages pointing one way: errors at the bottom, then the model, then the
 * SPIs and API packages, then the implementations in {@code internal}, with {@code TokenBilling} (the
 * composition root) on top. Nothing but the root may reach into {@code internal}.
 */
class PackageDirectionTest {

    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.tokenbilling");
    }

    @Test
    void shouldLayerPackagesFromErrorsUpToTheCompositionRoot() {
        layeredArchitecture()
                .consideringOnlyDependenciesInAnyPackage("dev.tokenbilling..")
                .layer("error")
                .definedBy("dev.tokenbilling.error..")
                .layer("model")
                .definedBy("dev.tokenbilling.model..")
                .layer("spi")
                .definedBy("dev.tokenbilling.store..", "dev.tokenbilling.payment..", "dev.tokenbilling.hook..")
                .layer("api")
                .definedBy(
                        "dev.tokenbilling.service..",
                        "dev.tokenbilling.webhook..",
                        "dev.tokenbilling.reconcile..",
                        "dev.tokenbilling.stripe..",
                        "dev.tokenbilling.doctor..")
                .layer("internal")
                .definedBy("dev.tokenbilling.internal..")
                .layer("root")
                .definedBy("dev.tokenbilling")
                .whereLayer("root")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("internal")
                .mayOnlyBeAccessedByLayers("root")
                .whereLayer("api")
                .mayOnlyBeAccessedByLayers("internal", "root", "spi")
                .whereLayer("spi")
                .mayOnlyBeAccessedByLayers("api", "internal", "root")
                .whereLayer("model")
                .mayOnlyBeAccessedByLayers("spi", "api", "internal", "root")
                .check(core);
    }

    @Test
    void shouldKeepEveryPackageOutOfDependencyCycles() {
        slices().matching("dev.tokenbilling.(*)..").should().beFreeOfCycles().check(core);
    }

    @Test
    void shouldKeepTheErrorPackageFreeOfEverythingElse() {
        noClasses()
                .that()
                .resideInAPackage("dev.tokenbilling.error..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.tokenbilling.model..",
                        "dev.tokenbilling.store..",
                        "dev.tokenbilling.payment..",
                        "dev.tokenbilling.hook..",
                        "dev.tokenbilling.service..",
                        "dev.tokenbilling.internal..")
                .check(core);
    }
}
