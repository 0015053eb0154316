package dev.kairos.factory.core.api;

/**
 * An operation would have read or written outside the image root, or could not resolve a path
 * inside it (a symlink loop, a hardlink that points out, a non-directory used as a directory).
 * Nothing was written when this is thrown.
 */
public class UnsafePathException extends KairosException {
  private static final long serialVersionUID = 1L;
  /** The refused path or entry name, unescaped. */
  private final String path;

  /**
   * @param path the in-image path (or archive entry name) that was refused, as given; the message
   *     shows it through {@link ImageText#escape(CharSequence)}
   * @param reason why it was refused, for humans
   */
  public UnsafePathException(String path, String reason) {
    super(ImageText.escape(path) + ": " + reason); // the path may come from an image: escaped, capped
    this.path = path;
  }

  /** The in-image path or entry name that was refused, exactly as it was given. */
  public String path() {
    return path;
  }
}
