package dev.landcover.spark;

import dev.landcover.geo.ChipFolder;
import dev.landcover.pixels.support.AtomicFiles;
import dev.landcover.workflows.ChipExport;
import dev.landcover.workflows.ProgressListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;

/**
 * The task of one scene of {@link SparkMapping#chips}: skip it when its chip folder has an index
 * (and the request does not overwrite), else cut it with {@link ChipExport} into a local scratch
 * folder and publish every file through a temporary file and a rename, the index ({@code
 * chips.csv}) last: a folder without an index is an unfinished one, and a retried task writes it
 * again. A scene that cannot be read is a FAILED row; a failure to publish fails the task.
 */
final class ChipTask implements MapPartitionsFunction<String, ChipSummary> {
  private static final long serialVersionUID = 1L;

  private final SparkChipsRequest request;
  private final Map<String, String> hadoopConf;

  ChipTask(SparkChipsRequest request, Map<String, String> hadoopConf) {
    this.request = request;
    this.hadoopConf = hadoopConf;
  }

  @Override
  public Iterator<ChipSummary> call(Iterator<String> inputs) throws IOException {
    Configuration conf = new Configuration(false);
    hadoopConf.forEach(conf::set);
    List<ChipSummary> rows = new ArrayList<>();
    while (inputs.hasNext()) {
      rows.add(cut(inputs.next(), conf));
    }
    return rows.iterator();
  }

  private ChipSummary cut(String input, Configuration conf) throws IOException {
    String[] parts = input.split(",", -1);
    String image = parts[0];
    String labels = parts.length > 1 ? parts[1] : null;
    Path outDir = new Path(request.out());
    FileSystem out = HadoopOutputs.fileSystem(outDir, conf);
    Path folder = new Path(out.makeQualified(outDir), SceneTask.baseName(new Path(image)));
    Path index = new Path(folder, ChipFolder.INDEX);
    if (!request.overwrite() && out.exists(index)) {
      int rows = 0;
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(out.open(index), StandardCharsets.UTF_8))) {
        while (r.readLine() != null) {
          rows++;
        }
      }
      return new ChipSummary(
          image, labels, folder.toString(), "SKIPPED", Math.max(rows - 1, 0), -1, 0, null);
    }
    java.nio.file.Path scratch = Files.createTempDirectory("landcover-chips");
    try {
      ChipExport.Result result;
      java.nio.file.Path local = scratch.resolve("out");
      try {
        java.nio.file.Path localImage = SceneTask.localFile(new Path(image), conf, scratch);
        java.nio.file.Path localLabels =
            labels == null ? null : SceneTask.localFile(new Path(labels), conf, scratch);
        result =
            ChipExport.run(
                request.exportRequest(localImage, localLabels, local), ProgressListener.NONE);
      } catch (IOException | RuntimeException e) {
        return new ChipSummary(
            image,
            labels,
            null,
            "FAILED",
            0,
            -1,
            0,
            e.getMessage() == null ? e.toString() : e.getMessage());
      }
      java.nio.file.Path localIndex = local.resolve(ChipFolder.INDEX);
      List<java.nio.file.Path> files;
      try (Stream<java.nio.file.Path> s = Files.walk(local)) {
        files = s.filter(Files::isRegularFile).filter(f -> !f.equals(localIndex)).sorted().toList();
      }
      for (java.nio.file.Path f : files) {
        Path target = new Path(folder, local.relativize(f).toString().replace('\\', '/'));
        out.mkdirs(target.getParent());
        HadoopOutputs.write(out, target, o -> Files.copy(f, o));
      }
      HadoopOutputs.write(out, index, o -> Files.copy(localIndex, o));
      return new ChipSummary(
          image,
          labels,
          folder.toString(),
          "DONE",
          result.written(),
          result.examined(),
          result.seconds(),
          null);
    } finally {
      AtomicFiles.deleteTree(scratch);
    }
  }
}
