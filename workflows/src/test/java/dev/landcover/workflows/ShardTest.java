package dev.landcover.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShardTest {
  @Test
  void theShardIsTheSha256OfTheFileNameModN() {
    // Expected values from Python: int.from_bytes(hashlib.sha256(name.encode()).digest()[:8],
    // "big") % n
    assertEquals(0, Shard.of(Path.of("a.tif"), 2));
    assertEquals(1, Shard.of(Path.of("a.tif"), 3));
    assertEquals(4, Shard.of(Path.of("a.tif"), 5));
    assertEquals(1, Shard.of(Path.of("g.tif"), 2));
    assertEquals(2, Shard.of(Path.of("c.tif"), 5));
    assertEquals(1, Shard.of(Path.of("scene_03.tif"), 2));
    assertEquals(4, Shard.of(Path.of("scene_03.tif"), 5));
    assertEquals(0, Shard.of(Path.of("scene_04.tif"), 5));
    assertEquals(2, Shard.of(Path.of("S2A_T33UVP_20240601.tif"), 3));
  }

  @Test
  void sharesAreDisjointCompleteAndStableWhenScenesAreAddedOrMoved() {
    List<Path> scenes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      scenes.add(Path.of("/data/tiles/tile_" + i + ".tif"));
    }
    for (int n : new int[] {1, 2, 3, 7}) {
      Set<Path> seen = new HashSet<>();
      for (int i = 0; i < n; i++) {
        for (Path p : new Shard(i, n).select(scenes)) {
          assertTrue(seen.add(p), p + " in two shards of " + n);
        }
      }
      assertEquals(new HashSet<>(scenes), seen);
    }
    Shard first = new Shard(1, 3);
    List<Path> before = first.select(scenes.subList(0, 100));
    List<Path> after = first.select(scenes);
    assertEquals(before, after.subList(0, before.size()));
    assertTrue(
        first.contains(Path.of("/mnt/other/place/tile_" + 7 + ".tif"))
            == before.stream().anyMatch(p -> p.getFileName().toString().equals("tile_7.tif")));
  }

  @Test
  void badSharesAreRefusedWithTheValue() {
    assertEquals(new Shard(2, 4), Shard.parse("2/4"));
    for (String bad : new String[] {"4/4", "-1/2", "1", "a/b", "1/0", "1/2/3"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Shard.parse(bad));
      assertTrue(e.getMessage().contains("--shard"), e.getMessage());
    }
  }
}
