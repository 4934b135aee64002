package dev.landcover.networks.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Adam with a fixed learning rate whose state (first and second moments per parameter, step count)
 * can be written to a checkpoint and read back, so that a resumed run continues exactly where it
 * stopped. The update is DJL's {@code Adam} (same engine kernel, same bias correction); what DJL's
 * class lacks is access to its state. Parameters are known by their canonical tensor names, which
 * stay the same across processes (DJL's parameter ids do not).
 */
public final class ResumableAdam extends Optimizer {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;

  private final float learningRate;
  private final Map<String, String> nameOfId;
  private final Map<String, NDArray> means = new HashMap<>();
  private final Map<String, NDArray> variances = new HashMap<>();
  private final Map<String, Integer> updates = new HashMap<>();
  private int step;

  /**
   * @param learningRate the fixed learning rate
   * @param nameOfId canonical tensor name of each trainable parameter id
   */
  public ResumableAdam(float learningRate, Map<String, String> nameOfId) {
    super(Optimizer.adam());
    this.learningRate = learningRate;
    this.nameOfId = Map.copyOf(nameOfId);
  }

  @Override
  public synchronized void update(String parameterId, NDArray weight, NDArray grad) {
    String name = nameOfId.getOrDefault(parameterId, parameterId);
    int count = updates.merge(name, 1, Integer::sum);
    step = Math.max(step, count);
    // Bias correction by the parameter's own update count, as PyTorch's Adam keeps a step per
    // parameter: equal to the global step unless some parameters were frozen for a while.
    double coef1 = 1.0 - Math.pow(BETA1, count);
    double coef2 = 1.0 - Math.pow(BETA2, count);
    float corrected = (float) (learningRate * Math.sqrt(coef2) / coef1);
    NDArray mean = means.computeIfAbsent(name, k -> detached(weight.zerosLike()));
    NDArray variance = variances.computeIfAbsent(name, k -> detached(weight.zerosLike()));
    weight
        .getNDArrayInternal()
        .adamUpdate(
            new NDList(weight, grad, mean, variance),
            new NDList(weight),
            learningRate,
            corrected,
            getWeightDecay(),
            rescaleGrad,
            clipGrad,
            BETA1,
            BETA2,
            EPSILON,
            true,
            false);
  }

  private static NDArray detached(NDArray a) {
    a.detach();
    return a;
  }

  /**
   * Writes the step count, the moments and each parameter's update count (DJL's NDList format,
   * arrays named step, m:NAME, v:NAME and n:NAME).
   */
  public synchronized void save(OutputStream out, NDManager manager) throws IOException {
    NDList list = new NDList();
    NDArray steps = manager.create(new int[] {step});
    steps.setName("step");
    list.add(steps);
    for (Map.Entry<String, NDArray> e : means.entrySet()) {
      NDArray m = e.getValue().duplicate();
      m.attach(manager);
      m.setName("m:" + e.getKey());
      list.add(m);
      NDArray v = variances.get(e.getKey()).duplicate();
      v.attach(manager);
      v.setName("v:" + e.getKey());
      list.add(v);
      NDArray n = manager.create(new int[] {updates.get(e.getKey())});
      n.setName("n:" + e.getKey());
      list.add(n);
    }
    list.encode(out);
  }

  /** Reads what {@link #save} wrote; every parameter then continues from its saved moments. */
  public synchronized void load(InputStream in, NDManager manager) throws IOException {
    NDList list = NDList.decode(manager, in);
    Map<String, Integer> counts = new HashMap<>();
    for (NDArray a : list) {
      String name = a.getName();
      if (name.equals("step")) {
        step = a.toIntArray()[0];
      } else if (name.startsWith("n:")) {
        counts.put(name.substring(2), a.toIntArray()[0]);
      } else {
        NDArray copy = detached(a.duplicate());
        (name.startsWith("m:") ? means : variances).put(name.substring(2), copy);
      }
    }
    for (String name : means.keySet()) {
      // checkpoints written before update counts were stored: every parameter took every step
      updates.put(name, counts.getOrDefault(name, step));
    }
  }
}
