package dev.syncwire.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * Runs the JMH benchmarks of one class from its own {@code main}, so that it can print one table of its
 * own. JMH's progress goes to stderr (stdout carries only the table); the forked JVM inherits this one's
 * options, so it is pinned and sized like it. {@code --quick} shortens warm-up and measurement for a smoke
 * run; without it the class's own {@code @Warmup} and {@code @Measurement} apply.
 */
final class Jmh {
  private Jmh() {
  }

  static Collection<RunResult> run(Class<?> benchmarks, boolean quick) {
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include("^" + Pattern.quote(benchmarks.getName()) + "\\.")
        .shouldFailOnError(true);
    if (quick) {
      options.warmupIterations(1).warmupTime(TimeValue.milliseconds(500))
          .measurementIterations(2).measurementTime(TimeValue.milliseconds(500));
    }
    try {
      return new Runner(options.build(), OutputFormatFactory.createFormatInstance(System.err, VerboseMode.NORMAL))
          .run();
    } catch (RunnerException e) {
      throw new IllegalStateException("JMH failed: " + e.getMessage(), e);
    }
  }

  /** The benchmark method's name of a result, e.g. {@code jsonEncode}. */
  static String method(RunResult result) {
    String benchmark = result.getParams().getBenchmark();
    return benchmark.substring(benchmark.lastIndexOf('.') + 1);
  }
}
