package dev.landcover.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module structure, checked on the compiled classes of every module: one concern per module,
 * dependencies pointing one way (pixels <- geo, networks <- workflows <- spark <- app), Spark and
 * Hadoop used by the spark module only, and internal packages used only inside their module.
 */
class ArchitectureTest {
  private static JavaClasses landcover;

  @BeforeAll
  static void importClasses() {
    landcover =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.landcover");
  }

  @Test
  void everyModuleIsImported() {
    for (String pkg :
        new String[] {
          "dev.landcover.pixels",
          "dev.landcover.geo",
          "dev.landcover.geo.internal.tiff",
          "dev.landcover.networks",
          "dev.landcover.networks.internal",
          "dev.landcover.workflows",
          "dev.landcover.testdata",
          "dev.landcover.vectors",
          "dev.landcover.vectors.internal",
          "dev.landcover.spark",
          "dev.landcover.app"
        }) {
      org.junit.jupiter.api.Assertions.assertTrue(
          landcover.containPackage(pkg), pkg + " was not imported: the rules would check nothing");
    }
  }

  @Test
  void pixelsKnowNeitherFilesNorNetworks() {
    noClasses()
        .that()
        .resideInAPackage("dev.landcover.pixels..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "ai.djl..",
            "org.apache.sis..",
            "org.opengis..",
            "com.fasterxml..",
            "dev.landcover.geo..",
            "dev.landcover.networks..",
            "dev.landcover.vectors..",
            "dev.landcover.workflows..",
            "dev.landcover.testdata..",
            "dev.landcover.app..",
            "org.locationtech..")
        .check(landcover);
  }

  @Test
  void theEarthLayerKnowsNoNetworks() {
    noClasses()
        .that()
        .resideInAPackage("dev.landcover.geo..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "ai.djl..",
            "dev.landcover.networks..",
            "dev.landcover.vectors..",
            "dev.landcover.workflows..",
            "dev.landcover.testdata..",
            "dev.landcover.app..")
        .check(landcover);
  }

  @Test
  void vectorsKnowNeitherNetworksNorUseCases() {
    noClasses()
        .that()
        .resideInAPackage("dev.landcover.vectors..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "ai.djl..",
            "dev.landcover.networks..",
            "dev.landcover.workflows..",
            "dev.landcover.testdata..",
            "dev.landcover.app..")
        .check(landcover);
  }

  @Test
  void onlyTheVectorsModuleKnowsVectorFormatsAndGeometry() {
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.landcover.vectors..", "dev.landcover.app..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.locationtech..", "org.sqlite..")
        .check(landcover);
  }

  @Test
  void networksKnowNoGeography() {
    noClasses()
        .that()
        .resideInAPackage("dev.landcover.networks..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.sis..",
            "org.opengis..",
            "dev.landcover.geo..",
            "dev.landcover.vectors..",
            "dev.landcover.workflows..",
            "dev.landcover.testdata..",
            "dev.landcover.app..")
        .check(landcover);
  }

  @Test
  void useCasesKnowNoCommandLine() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.landcover.workflows..", "dev.landcover.testdata..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.landcover.app..", "picocli..")
        .check(landcover);
  }

  @Test
  void onlyTheCommandLineUsesPicocli() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.landcover.app..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("picocli..")
        .check(landcover);
  }

  @Test
  void onlyTheSparkModuleKnowsSparkAndOnlyTheCommandLineKnowsTheSparkModule() {
    // Spark is a provided dependency: any other module using it would fail without a cluster.
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.landcover.spark..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.spark..", "org.apache.hadoop..", "scala..")
        .check(landcover);
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.landcover.pixels..",
            "dev.landcover.geo..",
            "dev.landcover.networks..",
            "dev.landcover.workflows..",
            "dev.landcover.testdata..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.landcover.spark..")
        .check(landcover);
    noClasses()
        .that()
        .resideInAPackage("dev.landcover.spark..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.landcover.app..", "dev.landcover.testdata..")
        .check(landcover);
  }

  @Test
  void internalPackagesAreUsedOnlyInsideTheirModule() {
    classes()
        .that()
        .resideInAPackage("dev.landcover.geo.internal..")
        .should()
        .onlyBeAccessed()
        .byClassesThat()
        .resideInAPackage("dev.landcover.geo..")
        .check(landcover);
    classes()
        .that()
        .resideInAPackage("dev.landcover.networks.internal..")
        .should()
        .onlyBeAccessed()
        .byClassesThat()
        .resideInAPackage("dev.landcover.networks..")
        .check(landcover);
    classes()
        .that()
        .resideInAPackage("dev.landcover.vectors.internal..")
        .should()
        .onlyBeAccessed()
        .byClassesThat()
        .resideInAPackage("dev.landcover.vectors..")
        .check(landcover);
  }

  @Test
  void modulesHaveNoCycles() {
    slices().matching("dev.landcover.(*)..").should().beFreeOfCycles().check(landcover);
  }
}
