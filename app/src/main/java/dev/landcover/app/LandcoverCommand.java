package dev.landcover.app;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The top-level {@code landcover} command. */
@Command(
    name = "landcover",
    mixinStandardHelpOptions = true,
    versionProvider = LandcoverCommand.Version.class,
    description = "Turns multiband GeoTIFF scenes into image chips and landcover maps.",
    subcommands = {
      InfoCommand.class,
      ChipsCommand.class,
      PredictCommand.class,
      AssessCommand.class,
      VectorizeCommand.class,
      SieveCommand.class,
      LabelsCommand.class,
      AlignCommand.class,
      TrainCommand.class,
      ModelCommand.class,
      TestdataCommand.class,
      BenchCommand.class,
      SparkCommand.class,
      DoctorCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:data error (unreadable input, unwritable output)",
      "2:usage error"
    })
final class LandcoverCommand implements Runnable {
  @Option(
      names = {"-v", "--verbose"},
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces of errors and more detail.")
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new LandcoverCommand());
    ExitCodes handler = new ExitCodes();
    cli.setExecutionExceptionHandler(handler);
    cli.setParameterExceptionHandler(handler);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.registerConverter(Path.class, new Converters.PathConverter());
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version from the jar manifest, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = LandcoverCommand.class.getPackage().getImplementationVersion();
      return new String[] {"landcover " + (v == null ? "development" : v)};
    }
  }
}
