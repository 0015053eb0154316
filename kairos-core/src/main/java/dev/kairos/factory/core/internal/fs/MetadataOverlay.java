package dev.kairos.factory.core.internal.fs;

import dev.kairos.factory.core.api.fs.FileType;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps, fakeroot-style, the metadata fields that the backing store of a root cannot hold: owners
 * on jimfs or without root, setuid/setgid/sticky bits, device nodes and FIFOs (kept as empty
 * placeholder files), extended attributes. Keyed by the backing file's identity, so that every
 * hardlink of a file shares one record, as inodes do.
 */
public final class MetadataOverlay {
  /** The overridden fields of one file; {@code null} means "take it from the backing store". */
  public static final class Record {
    public Integer mode;
    public Integer uid;
    public Integer gid;
    public FileType specialType;
    public int deviceMajor;
    public int deviceMinor;
    /** The whole set of extended attributes when the store could not take it. */
    public TreeMap<String, byte[]> xattrs;
  }

  private final Map<Object, Record> records = new ConcurrentHashMap<>();

  /** The record of {@code key}, or {@code null}. */
  public Record get(Object key) {
    return records.get(key);
  }

  /** The record of {@code key}, created empty if there is none. */
  public Record edit(Object key) {
    return records.computeIfAbsent(key, k -> new Record());
  }

  /** Sets the record of {@code key}, replacing any. */
  public void put(Object key, Record record) {
    records.put(key, record);
  }

  public void forget(Object key) {
    records.remove(key);
  }

  public int size() {
    return records.size();
  }
}
