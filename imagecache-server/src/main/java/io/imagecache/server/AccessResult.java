package io.imagecache.server;

/** How a request was answered, as the access log names it. */
public enum AccessResult {
  HIT("hit"), MISS("miss"), JOINED("joined"), PASS_THROUGH("pass-through"), PROXIED("proxied"),
  LOCAL("local"), ERROR("error");

  private final String label;

  AccessResult(String label) {
    this.label = label;
  }

  /** The word in the log line: {@code hit}, {@code pass-through}, … */
  public String label() {
    return label;
  }
}
