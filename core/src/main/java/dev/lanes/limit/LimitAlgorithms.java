package dev.lanes.limit;

import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Finds {@link LimitAlgorithmProvider}s on the class path by name.
 *
 * <pre>{@code
 * LimitAlgorithm gradient = LimitAlgorithms.create("gradient").orElseThrow();
 * System.out.println(LimitAlgorithms.names());   // [aimd, fixed, gradient, vegas, ...]
 * }</pre>
 */
public final class LimitAlgorithms {

  private LimitAlgorithms() {}

  /** Returns the provider registered under {@code name}, if there is one. */
  public static Optional<LimitAlgorithmProvider> provider(String name) {
    for (LimitAlgorithmProvider provider : providers()) {
      if (provider.name().equals(name)) {
        return Optional.of(provider);
      }
    }
    return Optional.empty();
  }

  /** Returns a fresh algorithm registered under {@code name}, if there is one. */
  public static Optional<LimitAlgorithm> create(String name) {
    return provider(name).map(LimitAlgorithmProvider::create);
  }

  /** Returns the names of every provider on the class path, sorted. */
  public static SortedSet<String> names() {
    SortedSet<String> names = new TreeSet<>();
    providers().forEach(provider -> names.add(provider.name()));
    return names;
  }

  private static ServiceLoader<LimitAlgorithmProvider> providers() {
    // Prefer the context class loader, which sees the application's class path in containers;
    // fall back to ours when it cannot see this interface at all.
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null && sees(context)) {
      return ServiceLoader.load(LimitAlgorithmProvider.class, context);
    }
    return ServiceLoader.load(LimitAlgorithmProvider.class, LimitAlgorithms.class.getClassLoader());
  }

  private static boolean sees(ClassLoader loader) {
    try {
      return Class.forName(LimitAlgorithmProvider.class.getName(), false, loader)
          == LimitAlgorithmProvider.class;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
