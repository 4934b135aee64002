package dev.landcover.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Files written through Hadoop's FileSystem API that appear complete or not at all: the content
 * goes to a hidden temporary file beside the target ({@code .NAME.RANDOM.tmp}), which is then
 * renamed onto the target. On local and POSIX-like file systems the rename replaces the target
 * atomically. HDFS and object stores refuse to rename onto an existing file: there the old target
 * is deleted first, so for a moment it is absent (never partial). Local file systems are written
 * without Hadoop's {@code .crc} side files.
 */
final class HadoopOutputs {
  /** Writes content to a stream. */
  @FunctionalInterface
  interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  private HadoopOutputs() {}

  /** The file system of {@code path}, without checksum side files when it is a local one. */
  static FileSystem fileSystem(Path path, org.apache.hadoop.conf.Configuration conf)
      throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    return fs instanceof ChecksumFileSystem c ? c.getRawFileSystem() : fs;
  }

  /** Writes {@code target} through a temporary file, replacing an existing target. */
  static void write(FileSystem fs, Path target, Content content) throws IOException {
    Path tmp =
        new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FSDataOutputStream out = fs.create(tmp, true)) {
        content.writeTo(out);
      }
      if (!fs.rename(tmp, target)) {
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
          throw new IOException("Cannot move " + tmp + " onto " + target);
        }
      }
    } finally {
      if (fs.exists(tmp)) {
        fs.delete(tmp, false);
      }
    }
  }
}
