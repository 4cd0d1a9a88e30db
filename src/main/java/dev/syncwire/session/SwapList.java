package dev.syncwire.session;

import java.util.Arrays;

/**
 * An unordered list with O(1) add and remove, for members that remember their own index. Iterate it
 * backwards: removing the current member during iteration is then safe.
 */
final class SwapList<T extends SwapList.Member> {
  /** A member of at most one list at a time. */
  interface Member {
    int listIndex();

    void listIndex(int index);
  }

  private Object[] items = new Object[4];
  private int size;

  void add(T item) {
    if (size == items.length) {
      items = Arrays.copyOf(items, size * 2);
    }
    item.listIndex(size);
    items[size++] = item;
  }

  /** Removes {@code item} if it is in this list. */
  void remove(T item) {
    int i = item.listIndex();
    if (i < 0 || i >= size || items[i] != item) {
      return;
    }
    int last = --size;
    if (i != last) {
      @SuppressWarnings("unchecked")
      T moved = (T) items[last];
      items[i] = moved;
      moved.listIndex(i);
    }
    items[last] = null;
    item.listIndex(-1);
  }

  @SuppressWarnings("unchecked")
  T get(int i) {
    return (T) items[i];
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }
}
