package dev.lanes;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Packages depend downward only, and nothing in the library blocks a carrier thread. */
class ArchitectureTest {

  private static final JavaClasses CORE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.lanes");

  @Test
  void packagesDependDownwardOnly() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .withOptionalLayers(true)
        .layer("registry").definedBy("dev.lanes.registry..")
        .layer("io").definedBy("dev.lanes.io..")
        .layer("nativelib").definedBy("dev.lanes.nativelib..")
        .layer("lanes").definedBy("dev.lanes")
        .layer("limit").definedBy("dev.lanes.limit..")
        .whereLayer("registry").mayNotBeAccessedByAnyLayer()
        .whereLayer("io").mayOnlyBeAccessedByLayers("registry")
        .whereLayer("nativelib").mayOnlyBeAccessedByLayers("registry")
        .whereLayer("lanes").mayOnlyBeAccessedByLayers("registry", "io", "nativelib")
        .whereLayer("limit").mayOnlyBeAccessedByLayers("registry", "io", "nativelib", "lanes")
        .check(CORE);
  }

  @Test
  void noSynchronizedMethodsAndNoObjectWait() {
    methods().that().areDeclaredInClassesThat().resideInAPackage("dev.lanes..")
        .should().notHaveModifier(JavaModifier.SYNCHRONIZED)
        .check(CORE);
    noClasses().should().callMethod(Object.class, "wait")
        .orShould().callMethod(Object.class, "wait", long.class)
        .check(CORE);
  }

  @Test
  void noSynchronizedBlocksInTheLibrarySource() throws IOException {
    // ArchUnit does not see synchronized blocks, so read the source.
    Path main = Paths.get("src/main/java");
    try (Stream<Path> files = Files.walk(main)) {
      List<String> offenders = files.filter(p -> p.toString().endsWith(".java"))
          .filter(ArchitectureTest::hasSynchronizedBlock)
          .map(Path::toString)
          .collect(Collectors.toList());
      assertThat(offenders).isEmpty();
    }
  }

  private static boolean hasSynchronizedBlock(Path file) {
    try {
      return Files.readAllLines(file).stream()
          .map(String::trim)
          .filter(line -> !line.startsWith("*") && !line.startsWith("//"))
          .anyMatch(line -> line.matches(".*\\bsynchronized\\s*\\(.*"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
