package dev.lanes.nativelib;

/**
 * What a native library spends its calls doing, which sets how many worker threads its lane gets.
 *
 * <pre>{@code
 * NativeLane zlib = NativeLane.builder("zlib").profile(NativeProfile.CPU_BOUND).build();
 * }</pre>
 */
public enum NativeProfile {
  /** Computing: one worker per processor this JVM may use (its container's CPU quota). */
  CPU_BOUND(1),
  /** Mostly waiting on I/O inside native code: four workers per processor. */
  IO_BOUND(4);

  private final int threadsPerProcessor;

  NativeProfile(int threadsPerProcessor) {
    this.threadsPerProcessor = threadsPerProcessor;
  }

  /** The worker threads this profile starts with on this machine. */
  public int threads() {
    return threadsPerProcessor * Runtime.getRuntime().availableProcessors();
  }
}
