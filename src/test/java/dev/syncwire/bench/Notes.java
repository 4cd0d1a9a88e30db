package dev.syncwire.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The footer's remarks on one target: failures, loss, client-bound figures, and how disturbed the windows were. */
final class Notes {
  private Notes() {
  }

  static List<String> on(Target target, FanOutWorkload.Result fanOut, IdleConnectionsWorkload.Result idle,
                         ConnectionStormWorkload.Result storm, double clientBoundShare) {
    List<String> notes = new ArrayList<>();
    String name = target.name();
    if (fanOut != null) {
      fanOutNotes(notes, name, fanOut, clientBoundShare);
    }
    if (idle != null && (idle.failures() > 0 || !idle.problems().isEmpty())) {
      notes.add(name + " idle connections: " + idle.failures() + " failed to join"
          + (idle.problems().isEmpty() ? "" : "; " + idle.problems()));
    }
    if (storm != null && storm.failures() > 0) {
      notes.add(name + " storm: " + storm.failures() + " clients failed (" + storm.firstFailure() + ")");
    }
    if (storm != null && storm.cpu().clientShare() > clientBoundShare) {
      notes.add(String.format("%s storm: the load generator used %.0f%% of its core: the rate is partly"
          + " client-bound; server CPU per ready client is the steadier figure.", name,
          100 * storm.cpu().clientShare()));
    }
    contention(notes, name, fanOut, storm);
    return notes;
  }

  private static void fanOutNotes(List<String> notes, String name, FanOutWorkload.Result fanOut,
                                  double clientBoundShare) {
    if (fanOut.failure() != null) {
      notes.add(name + " fan-out failed: " + fanOut.failure());
      return;
    }
    if (fanOut.max() != null && fanOut.max().clientCpuShare() > clientBoundShare) {
      notes.add(String.format("%s: the load generator used %.0f%% of its core at the maximum: client-bound,"
          + " the server may go higher.", name, 100 * fanOut.max().clientCpuShare()));
    } else if (fanOut.firstFailed() != null && fanOut.firstFailed().clientCpuShare() > clientBoundShare) {
      notes.add(String.format("%s: the load generator used %.0f%% of its core at the first rate that did not"
              + " hold (%,.0f deliveries/s, server at %.0f%%): the maximum may be partly client-bound.",
          name, 100 * fanOut.firstFailed().clientCpuShare(), fanOut.firstFailed().offeredDeliveriesPerSecond(),
          100 * fanOut.firstFailed().serverCpuShare()));
    }
    if (!fanOut.lossFree()) {
      notes.add(name + " fan-out integrity: " + fanOut.lost() + " lost, " + fanOut.duplicates() + " duplicated, "
          + fanOut.orderBreaks() + " out of order" + (fanOut.problems().isEmpty() ? "" : "; " + fanOut.problems()));
    }
  }

  /** How much of the pinned CPUs other work took during the windows behind the table's figures. */
  private static void contention(List<String> notes, String name, FanOutWorkload.Result fanOut,
                                 ConnectionStormWorkload.Result storm) {
    List<CpuWindow.Measured> windows = new ArrayList<>();
    if (fanOut != null && fanOut.failure() == null) {
      Stream.of(fanOut.max(), fanOut.light(), fanOut.high(), fanOut.halfMax())
          .filter(p -> p != null).forEach(p -> windows.add(p.cpu()));
    }
    if (storm != null) {
      windows.add(storm.cpu());
    }
    if (windows.isEmpty()) {
      return;
    }
    double serverSide = windows.stream().mapToDouble(CpuWindow.Measured::serverCpuOthersShare).max().orElse(0);
    double clientSide = windows.stream().mapToDouble(CpuWindow.Measured::clientCpuOthersShare).max().orElse(0);
    notes.add(String.format("%s: other work took up to %.0f%% of the server's CPU and %.0f%% of the load"
        + " generator's CPU during the windows behind its figures.", name, 100 * serverSide, 100 * clientSide));
  }
}
