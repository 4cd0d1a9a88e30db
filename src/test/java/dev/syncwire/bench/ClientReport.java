package dev.syncwire.bench;

import dev.syncwire.bench.ClientFigures.OutboxCase;
import dev.syncwire.bench.ClientFigures.Subscriber;
import dev.syncwire.bench.ClientFigures.SubscriberRun;
import dev.syncwire.bench.ClientFigures.Window;
import dev.syncwire.bench.ResultTable.Cell;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The client workload's tables, a column per subscriber and per outbox, and the footer's notes. */
final class ClientReport {
  /** A probe above this share of its core limits what it applies. */
  private static final double BOUND_SHARE = 0.9;

  private ClientReport() {
  }

  static String tables(ClientWorkload.Sizes sizes, ClientFigures.Result r) {
    return applying(sizes, r.subscribers()).render() + "\n" + outbox(sizes, r.outbox()).render();
  }

  private static ResultTable applying(ClientWorkload.Sizes sizes, List<SubscriberRun> runs) {
    ResultTable t = new ResultTable(runs.stream().map(s -> s.subscriber().label).toList(), null);
    t.section("Applying: 1 subscriber, 1 channel, " + Payload.SIZE + " B payloads published at a fixed rate");
    for (int i = 0; i < sizes.rates().size(); i++) {
      int k = i;
      String at = String.format("@ %,.0f publications/s", sizes.rates().get(i));
      t.add(at + ": client CPU per applied publication (us, lower is better)",
          fixed(runs, k, w -> Cell.of(w.probeMicrosPerApplied(), "%.1f")));
      t.add("  client CPU (% of its core)", fixed(runs, k, w -> Cell.of(100 * w.probeShare(), "%.0f")));
      t.add("  publish-to-apply p50 / p99 (ms)", fixed(runs, k, w -> Cell.missing(String.format("%.2f / %.2f",
          w.p50() / 1e3, w.p99() / 1e3))));
      t.add("  all applied in order within 2 s", fixed(runs, k, w -> Cell.missing(w.complete() ? "yes"
          : w.verdict())));
    }
    t.section("Highest rate applied in order: rising rates until one does not hold");
    t.add("highest rate held: all applied in order within 2 s, p99 <= 50 ms (publications/s)",
        atMax(runs, true, w -> Cell.of(w.offered(), "%,.0f")));
    t.add("  client CPU per applied publication there (us)", atMax(runs, false, w -> Cell.of(w.probeMicrosPerApplied(),
        "%.1f")));
    t.add("  client / node / publisher CPU there (% of one core)", atMax(runs, false, w -> Cell.missing(String.format(
        "%.0f / %.0f / %.0f", 100 * w.probeShare(), 100 * w.cpu().serverShare(), 100 * w.cpu().clientShare()))));
    t.add("  p50 / p99 there (ms)", atMax(runs, false, w -> Cell.missing(String.format("%.2f / %.2f", w.p50() / 1e3,
        w.p99() / 1e3))));
    t.add("next rate: offered / applied per s, verdict", runs.stream().map(s -> {
      Window w = s.firstFailed();
      return w == null ? Cell.missing(s.ladder().isEmpty() ? "-" : "all held")
          : Cell.missing(String.format("%,.0f / %,.0f, %s", w.offered(), w.appliedPerSecond(), w.verdict()));
    }).toArray(Cell[]::new));
    t.add("  client / node / publisher CPU at that rate (% of one core)", runs.stream().map(s -> {
      Window w = s.firstFailed();
      return w == null ? Cell.missing("-") : Cell.missing(String.format("%.0f / %.0f / %.0f", 100 * w.probeShare(),
          100 * w.cpu().serverShare(), 100 * w.cpu().clientShare()));
    }).toArray(Cell[]::new));
    t.section(String.format("Draining a backlog: %,d publications queued at the node while the client's JVM was"
        + " stopped, applied as fast as it goes", ClientWorkload.BACKLOG));
    t.add("applied/s, from the resume to the last one (higher is better)",
        drain(runs, w -> Cell.of(w.appliedPerSecond(), "%,.0f")));
    t.add("  client CPU per applied publication (us)", drain(runs, w -> Cell.of(w.probeMicrosPerApplied(), "%.1f")));
    t.add("  client / node CPU (% of one core)", drain(runs, w -> Cell.missing(String.format("%.0f / %.0f",
        100 * w.probeShare(), 100 * w.cpu().serverShare()))));
    t.add("  all applied in order", drain(runs, w -> Cell.missing(w.complete() ? "yes" : w.verdict())));
    t.section("Integrity: every applied publication's seq checked, every window");
    t.add("applied / missing / repeated / resets and reconnects", runs.stream().map(s -> {
      List<Window> all = s.all();
      return Cell.missing(String.format("%,d / %d / %d / %d", all.stream().mapToLong(Window::applied).sum(),
          all.stream().mapToLong(Window::missing).sum(), all.stream().mapToLong(Window::repeated).sum(),
          all.stream().mapToLong(Window::interruptions).sum()));
    }).toArray(Cell[]::new));
    return t;
  }

  private static Cell[] fixed(List<SubscriberRun> runs, int i, Function<Window, Cell> f) {
    return runs.stream().map(s -> s.fixed().size() > i ? f.apply(s.fixed().get(i))
        : Cell.missing(s.failure() != null ? "failed" : "-")).toArray(Cell[]::new);
  }

  private static Cell[] drain(List<SubscriberRun> runs, Function<Window, Cell> f) {
    return runs.stream().map(s -> s.drain() != null ? f.apply(s.drain())
        : Cell.missing(s.failure() != null ? "failed" : "-")).toArray(Cell[]::new);
  }

  /** The figures at the highest rate held; {@code first}: the row that says so when none held. */
  private static Cell[] atMax(List<SubscriberRun> runs, boolean first, Function<Window, Cell> f) {
    return runs.stream().map(s -> {
      Window w = s.atMax();
      if (w != null) {
        return f.apply(w);
      }
      return Cell.missing(s.failure() != null ? "failed" : s.ladder().isEmpty() || !first ? "-"
          : String.format("< %,.0f", s.ladder().get(0).offered()));
    }).toArray(Cell[]::new);
  }

  private static ResultTable outbox(ClientWorkload.Sizes sizes, List<OutboxCase> cases) {
    ResultTable t = new ResultTable(List.of("outbox in memory", "durable outbox (offlineStore)"), null);
    t.section(String.format("Publishing through the outbox: %,d publications of %d B over WebSocket, %d kept pending",
        sizes.outboxCount(), Payload.SIZE, ClientWorkload.OUTBOX_WINDOW));
    for (int maxInFlight : ClientWorkload.MAX_IN_FLIGHT) {
      t.add("maxInFlight " + maxInFlight + ": acked publishes/s (higher is better)",
          outboxCells(cases, maxInFlight, c -> Cell.of(c.acksPerSecond(), "%,.0f")));
      t.add("  client CPU per publish (us, lower is better)",
          outboxCells(cases, maxInFlight, c -> Cell.of(c.probeMicrosPerPublish(), "%.1f")));
      t.add("  client CPU (% of its core)",
          outboxCells(cases, maxInFlight, c -> Cell.of(100 * c.probeShare(), "%.0f")));
      t.add("  node CPU per publish (us)",
          outboxCells(cases, maxInFlight, c -> Cell.of(c.serverMicrosPerPublish(), "%.1f")));
    }
    t.add("store file after the run (KiB)", outboxCells(cases, ClientWorkload.MAX_IN_FLIGHT.get(1),
        c -> c.durable() ? Cell.of(c.fileBytes() / 1024.0, "%,.0f") : Cell.missing("-")));
    return t;
  }

  private static Cell[] outboxCells(List<OutboxCase> cases, int maxInFlight, Function<OutboxCase, Cell> f) {
    Cell[] cells = new Cell[2];
    for (int i = 0; i < 2; i++) {
      boolean durable = i == 1;
      OutboxCase c = cases.stream().filter(x -> x.durable() == durable && x.maxInFlight() == maxInFlight)
          .findFirst().orElse(null);
      cells[i] = c == null ? Cell.missing("-") : c.run() == null ? Cell.missing("failed")
          : !c.valid() ? Cell.missing("void") : f.apply(c);
    }
    return cells;
  }

  /** How the figures were made, what limited them, and what voided any. */
  static List<String> notes(ClientWorkload.Sizes sizes, ClientFigures.Result r) {
    List<String> notes = new ArrayList<>();
    notes.add("Each client runs in a JVM of its own (" + String.join(" ", ClientJvm.JVM_OPTIONS) + ", one event loop"
        + " and two workers as the client makes by default), pinned to the load generator's CPU: "
        + String.join(", ", r.probes()) + ". Its CPU time comes from /proc: every thread of that JVM (the client's"
        + " event loop, GC, JIT) over the window, divided by the publications it applied or published.");
    notes.add(String.format("Applying: the publisher (one WebSocket on the load generator, no keys) sends each"
        + " publication when due, on a 1 ms timer and as acks arrive, carrying its due time; latency runs from"
        + " there to the subscriber's callback. Per subscriber a fresh channel, a %.0f s warm-up at %,.0f/s, then"
        + " each rate a %.0f s run-in and a %.0f s window; the ladder %.0f s and %.0f s. The callback reads the seq"
        + " and the payload's due time: the client's from the Publication, the raw subscriber's by scanning the"
        + " frame's text, as the fan-out's subscribers do. The node runs with limits.outboundBufferBytes=16 MiB."
        + " A ladder rate that does not hold gets one more try. The backlog: the client's JVM is stopped (SIGSTOP),"
        + " %,d publications are published at %,.0f/s and acknowledged, then it is resumed (SIGCONT); done twice,"
        + " the second measured. It reads large chunks then, so its rate is an upper bound of what pushes arriving"
        + " one by one allow.",
        sizes.warmUpSeconds(), sizes.warmUpRate(), sizes.runInSeconds(), sizes.seconds(), sizes.ladderRunInSeconds(),
        sizes.ladderSeconds(), ClientWorkload.BACKLOG, ClientWorkload.BACKLOG_RATE));
    notes.add("On loopback the kernel's receiving work runs in the sender's context: what the node writes to a"
        + " subscriber is received on the node's CPU time, so the client's figures are its own work from the read"
        + " system call on.");
    notes.add(String.format("Publishing: the application calls publish() again as each future completes, so"
        + " pending() stays at %d; the client sends up to maxInFlight of them and keeps the rest in its outbox. Each"
        + " case is a client JVM of its own: runs of %,d publications for %.0f s of warm-up, then the measured ones;"
        + " acks/s is the client's own time from the first publish to the last ack. The durable outbox is an MVStore"
        + " file in the results folder, deleted after the run, committed after every add and every remove with the"
        + " client's default (no fsync of its own; MVStore still syncs the file each time it shrinks it). Every ack"
        + " is checked: a seq of its own, none missing between the first and the last, none marked duplicate.",
        ClientWorkload.OUTBOX_WINDOW, ClientWorkload.OUTBOX_WARM_UP_RUN, sizes.outboxWarmUpSeconds()));
    for (SubscriberRun s : r.subscribers()) {
      if (s.failure() != null) {
        notes.add(s.subscriber().label + ": " + s.failure());
      }
      Window max = s.atMax();
      Window next = s.firstFailed();
      if (next != null && next.probeShare() > BOUND_SHARE) {
        notes.add(String.format("%s: at %,.0f/s the client used %.0f%% of its core: its own limit.",
            s.subscriber().label, next.offered(), 100 * next.probeShare()));
      } else if (next != null) {
        notes.add(String.format("%s: at %,.0f/s the client used %.0f%% of its core, the node %.0f%% of its own and"
            + " the publisher %.0f%% of the client's: the setup's limit rather than the client's (see the backlog"
            + " rows for the client's own).", s.subscriber().label, next.offered(), 100 * next.probeShare(),
            100 * next.cpu().serverShare(), 100 * next.cpu().clientShare()));
      }
      if (max != null && next == null) {
        notes.add(s.subscriber().label + ": every rate of the ladder held.");
      }
      if (!s.retried().isEmpty()) {
        notes.add(String.format("%s: run again after a first try that did not hold: %s.", s.subscriber().label,
            String.join(", ", s.retried().stream().map(w -> String.format("%,.0f/s (%s)", w.offered(), w.verdict()))
                .toList())));
      }
    }
    overhead(r.subscribers(), sizes).ifPresent(notes::add);
    for (OutboxCase c : r.outbox()) {
      if (!c.valid()) {
        notes.add((c.durable() ? "durable" : "in-memory") + " outbox, maxInFlight " + c.maxInFlight() + ": "
            + (c.run() == null ? c.failure() : c.problems()));
      }
    }
    notes.add(contention(r));
    return notes;
  }

  /** The library's own cost: the client's CPU per publication over the raw subscriber's, at the highest fixed rate. */
  private static Optional<String> overhead(List<SubscriberRun> runs, ClientWorkload.Sizes sizes) {
    int k = sizes.rates().size() - 1;
    SubscriberRun raw = runs.stream().filter(s -> s.subscriber() == Subscriber.RAW).findFirst().orElse(null);
    if (raw == null || raw.fixed().size() <= k) {
      return Optional.empty();
    }
    double base = raw.fixed().get(k).probeMicrosPerApplied();
    List<String> parts = new ArrayList<>();
    for (SubscriberRun s : runs) {
      if (s != raw && s.fixed().size() > k) {
        double us = s.fixed().get(k).probeMicrosPerApplied();
        parts.add(String.format("%s %+.1f us (%.1fx)", s.subscriber().label, us - base, us / base));
      }
    }
    return Optional.of(String.format("At %,.0f/s, against the raw subscriber's %.1f us per publication: %s.",
        sizes.rates().get(k), base, String.join("; ", parts)));
  }

  private static String contention(ClientFigures.Result r) {
    List<CpuWindow.Measured> cpus = new ArrayList<>();
    double clientOthers = 0;
    for (SubscriberRun s : r.subscribers()) {
      for (Window w : s.all()) {
        cpus.add(w.cpu());
        clientOthers = Math.max(clientOthers, w.othersOnClientCpu());
      }
    }
    for (OutboxCase c : r.outbox()) {
      if (c.cpu() != null) {
        cpus.add(c.cpu());
        clientOthers = Math.max(clientOthers, Math.max(0, c.cpu().clientCpuOthersShare() - c.probeShare()));
      }
    }
    double serverOthers = cpus.stream().mapToDouble(CpuWindow.Measured::serverCpuOthersShare).max().orElse(0);
    return String.format("Other work took up to %.0f%% of the node's CPU and %.0f%% of the load generator's (besides"
        + " the publisher and the client) during the measured windows.", 100 * serverOthers, 100 * clientOthers);
  }
}
