package dev.kairos.factory.core.api;

import java.util.List;

/**
 * Something asked for is not supported: a distro, a model, an architecture, an output kind for a
 * given image. The message lists what is supported, and so does {@link #supported()}.
 */
public class UnsupportedTargetException extends KairosException {
  private static final long serialVersionUID = 1L;
  /** The kind of thing asked for. */
  private final String what;
  /** The value asked for. */
  private final String value;
  /** The values that would have worked. */
  private final List<String> supported;

  /**
   * @param what the kind of thing, e.g. "distro", "model", "architecture"
   * @param value the value that was asked for
   * @param supported the values that would have worked
   */
  public UnsupportedTargetException(String what, String value, List<String> supported) {
    // the value may come from an image (an os-release ID): quoted through ImageText
    super("unsupported " + what + " " + ImageText.quote(value) + "; supported: " + String.join(", ", supported));
    this.what = what;
    this.value = value;
    this.supported = List.copyOf(supported);
  }

  /** The kind of thing, e.g. {@code model}. */
  public String what() {
    return what;
  }

  /** The value that was asked for, e.g. {@code rpi5}. */
  public String value() {
    return value;
  }

  /** The values that would have worked. */
  public List<String> supported() {
    return supported;
  }
}
