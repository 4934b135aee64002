package dev.landcover.networks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.landcover.networks.internal.TensorValues;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A UNet's tensors in an {@code .npz} file under canonical names (see {@link UNetBlock}), in
 * PyTorch's layouts: the file {@code tools/unet_pytorch.py export} writes from a PyTorch model and
 * the one a model bundle carries. Transposed up-step weights are stored as PyTorch's {@code
 * ConvTranspose2d} weight {@code [in, out, 2, 2]}.
 */
public final class UNetWeights {
  private UNetWeights() {}

  /**
   * Loads {@code npz} into an initialized block.
   *
   * @throws IOException naming the file and the first missing, unexpected or misshapen tensor
   */
  public static void load(UNetBlock block, Path npz) throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDList arrays;
      try {
        arrays = NDList.decode(manager, Files.readAllBytes(npz));
      } catch (RuntimeException e) {
        throw new IOException(npz + ": not a readable .npz weights file: " + e.getMessage(), e);
      }
      Map<String, NDArray> byName = new HashMap<>();
      for (NDArray a : arrays) {
        byName.put(a.getName(), a);
      }
      Map<String, Parameter> tensors = block.canonicalTensors();
      TreeSet<String> unexpected = new TreeSet<>(byName.keySet());
      unexpected.removeAll(tensors.keySet());
      if (!unexpected.isEmpty()) {
        throw new IOException(
            npz
                + ": tensors the UNet configuration does not have: "
                + unexpected
                + " (is the configuration the model's?)");
      }
      for (Map.Entry<String, Parameter> e : tensors.entrySet()) {
        NDArray source = byName.get(e.getKey());
        if (source == null) {
          throw new IOException(npz + ": missing tensor '" + e.getKey() + "'");
        }
        NDArray target = e.getValue().getArray();
        if (isTransposedWeight(block, e.getKey())) {
          Shape s = source.getShape();
          if (s.dimension() != 4 || s.get(2) != 2 || s.get(3) != 2) {
            throw new IOException(
                npz
                    + ": tensor '"
                    + e.getKey()
                    + "' has shape "
                    + s
                    + " where a ConvTranspose2d weight [in, out, 2, 2] was expected");
          }
          source = source.transpose(1, 2, 3, 0).reshape(4 * s.get(1), s.get(0), 1, 1);
        }
        if (!source.getShape().equals(target.getShape())) {
          throw new IOException(
              npz
                  + ": tensor '"
                  + e.getKey()
                  + "' has shape "
                  + source.getShape()
                  + " where the configuration needs "
                  + target.getShape());
        }
        TensorValues.overwrite(target, source.toType(target.getDataType(), false).toFloatArray());
      }
    }
  }

  /** Writes the block's tensors to {@code npz} (which {@link #load} and numpy read). */
  public static void save(UNetBlock block, Path npz) throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      List<NDArray> arrays = new ArrayList<>();
      for (Map.Entry<String, Parameter> e : block.canonicalTensors().entrySet()) {
        NDArray a = manager.create(e.getValue().getArray().toFloatArray(), e.getValue().getShape());
        if (isTransposedWeight(block, e.getKey())) {
          Shape s = a.getShape();
          long out = s.get(0) / 4;
          a = a.reshape(out, 2, 2, s.get(1)).transpose(3, 0, 1, 2);
        }
        a.setName(e.getKey());
        arrays.add(a);
      }
      try (OutputStream os = Files.newOutputStream(npz)) {
        new NDList(arrays).encode(os, NDList.Encoding.NPZ);
      }
    }
  }

  private static boolean isTransposedWeight(UNetBlock block, String name) {
    return block.config().upStep() == UNetConfig.UpStep.TRANSPOSED
        && name.matches("up\\d+\\.weight");
  }
}
