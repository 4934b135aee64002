package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every command's {@code --help} prints as written. Picocli passes each description line through
 * {@code String.format}; a bare {@code %} (such as "20% of") makes it print a warning on stderr and
 * show the raw line, so every description line of every command, option and parameter must be a
 * valid format string.
 */
class HelpTextTest {
  @Test
  void everyDescriptionIsAValidFormatString() {
    List<String> problems = new ArrayList<>();
    visit(LandcoverCommand.commandLine(), problems);
    assertEquals(List.of(), problems);
  }

  private static void visit(CommandLine command, List<String> problems) {
    CommandSpec spec = command.getCommandSpec();
    String name = spec.qualifiedName();
    check(name, spec.usageMessage().description(), problems);
    check(name, spec.usageMessage().footer(), problems);
    for (ArgSpec arg : spec.args()) {
      check(name + " " + arg.paramLabel(), arg.description(), problems);
    }
    command.getSubcommands().values().forEach(c -> visit(c, problems));
  }

  private static void check(String where, String[] lines, List<String> problems) {
    for (String line : lines) {
      try {
        String.format(Locale.ROOT, line);
      } catch (IllegalFormatException e) {
        problems.add(where + ": " + e + " in \"" + line + "\"");
      }
    }
  }
}
