package dev.lanes.algorithms;

/** Argument checks that name the setting and the value, for the algorithm builders. */
final class Checks {

  private Checks() {}

  static double percentile(double quantile) {
    if (!(quantile > 0 && quantile < 1)) {
      throw new IllegalArgumentException(
          "percentile must be between 0 and 1 exclusive, was " + quantile);
    }
    return quantile;
  }

  static double tolerance(double tolerance) {
    if (!(tolerance > 1) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException("tolerance must be greater than 1, was " + tolerance);
    }
    return tolerance;
  }

  static double backoff(String setting, double backoff) {
    if (!(backoff > 0 && backoff < 1)) {
      throw new IllegalArgumentException(
          setting + " must be between 0 and 1 exclusive, was " + backoff);
    }
    return backoff;
  }

  static double fraction(String setting, double value) {
    if (!(value > 0 && value <= 1)) {
      throw new IllegalArgumentException(setting + " must be in (0, 1], was " + value);
    }
    return value;
  }

  static int atLeastOne(String setting, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(setting + " must be at least 1, was " + value);
    }
    return value;
  }

  static double positive(String setting, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(setting + " must be positive, was " + value);
    }
    return value;
  }
}
