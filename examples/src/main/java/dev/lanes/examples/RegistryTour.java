package dev.lanes.examples;

import dev.lanes.Lane;
import dev.lanes.Priority;
import dev.lanes.io.Classification;
import dev.lanes.io.DeviceProbe;
import dev.lanes.nativelib.NativeLane;
import dev.lanes.nativelib.NativeProfile;
import dev.lanes.registry.LaneRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.zip.Deflater;

/**
 * How a service sets up its lanes: it asks the registry for the lane of each path's device, sized
 * by what the device is, and for a worker pool per native library.
 *
 * <pre>
 * mvn -q -pl examples -am -DskipTests package exec:java -Dexec.mainClass=dev.lanes.examples.RegistryTour
 * </pre>
 */
public final class RegistryTour {

  private RegistryTour() {}

  public static void main(String[] args) throws Exception {
    List<Path> paths = args.length > 0
        ? java.util.Arrays.stream(args).map(Paths::get).toList()
        : List.of(Paths.get(System.getProperty("java.io.tmpdir")), Paths.get("/"),
            Paths.get("/dev/shm"), Paths.get(System.getProperty("user.home")));
    DeviceProbe probe = DeviceProbe.system();
    try (LaneRegistry lanes = LaneRegistry.create()) {
      System.out.println("Devices:");
      for (Path path : paths) {
        Classification c = probe.classification(path);
        Lane lane = lanes.forPath(path);
        System.out.printf("  %-22s %-13s lane %-18s limit %3d   (%s)%n", path, c.deviceClass(),
            lane.name(), lane.limit(), c.reason());
      }

      Path file = Files.createTempFile("lanes-tour", ".bin");
      try {
        lanes.files().write(file, new byte[1 << 20], Priority.BACKGROUND);
        byte[] back = lanes.files().readAllBytes(file, Priority.CRITICAL);
        System.out.printf("%nWrote and read %d KiB of %s through %s.%n", back.length >> 10, file,
            lanes.forPath(file).name());
      } finally {
        Files.deleteIfExists(file);
      }

      NativeLane zlib = lanes.forNativeLibrary("zlib", NativeProfile.CPU_BOUND);
      int packed = zlib.call(Priority.NORMAL, () -> {
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[1 << 20]);
        deflater.finish();
        int n = deflater.deflate(new byte[1 << 16]);
        deflater.end();
        return n;
      });
      System.out.printf("zlib on %d worker thread(s) packed 1 MiB of zeros into %d bytes.%n",
          zlib.threads(), packed);
      System.out.printf("%nLanes: %s%n", lanes.lanes());
    }
  }
}
