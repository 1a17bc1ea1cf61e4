package dev.ricochet.bench;

import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelConsumerOptions.CommitMode;
import io.confluent.parallelconsumer.ParallelConsumerOptions.ProcessingOrder;
import io.confluent.parallelconsumer.ParallelStreamProcessor;
import io.confluent.parallelconsumer.internal.DrainingCloseable.DrainingMode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The io-bound scenario's Parallel Consumer side: KEY ordering, {@code maxConcurrency} records in
 * flight, and a handler that sleeps the scenario's delay per record (Parallel Consumer runs the
 * handler on a pool of {@code maxConcurrency} threads, so a blocking sleep is how a handler calling
 * a slow service looks there). Reads the topic from the beginning with a fresh group until the
 * expected count of records is handled, then prints one line of JSON on standard output: the rate
 * from the first to the last record handled, the process's CPU time per record over that span and
 * its peak resident memory; the same fields as the Node sides report.
 *
 * <p>Arguments: {@code --brokers host:port --topic T --group-id G --records N --delay-ms D
 * --max-concurrency M --timeout-ms T}.
 */
public final class ParallelConsumerSide {
  private ParallelConsumerSide() {}

  public static void main(String[] arguments) throws Exception {
    Map<String, String> options = parse(arguments);
    String brokers = required(options, "brokers");
    String topic = required(options, "topic");
    String groupId = required(options, "group-id");
    long records = Long.parseLong(required(options, "records"));
    long delayMilliseconds = Long.parseLong(required(options, "delay-ms"));
    int maxConcurrency = Integer.parseInt(required(options, "max-concurrency"));
    long timeoutMilliseconds = Long.parseLong(required(options, "timeout-ms"));

    Properties properties = new Properties();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "parallel-consumer-" + groupId);
    // Parallel Consumer commits itself, and refuses a consumer that auto-commits.
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 30_000);
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);

    ParallelConsumerOptions<byte[], byte[]> parallelOptions =
        ParallelConsumerOptions.<byte[], byte[]>builder()
            .consumer(new KafkaConsumer<>(properties))
            .ordering(ProcessingOrder.KEY)
            .maxConcurrency(maxConcurrency)
            // Its default commit mode, named: commits from the consumer's thread, asynchronously.
            .commitMode(CommitMode.PERIODIC_CONSUMER_ASYNCHRONOUS)
            .build();
    ParallelStreamProcessor<byte[], byte[]> processor =
        ParallelStreamProcessor.createEosStreamProcessor(parallelOptions);

    Meter meter = new Meter(records);
    processor.subscribe(List.of(topic));
    processor.poll(
        context -> {
          try {
            Thread.sleep(delayMilliseconds);
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handling", interrupted);
          }
          meter.record();
        });
    boolean finished = meter.done.await(timeoutMilliseconds, TimeUnit.MILLISECONDS);
    if (!finished) {
      System.err.printf("only %d of %d records were handled in time%n", meter.count.get(), records);
      System.exit(1);
    }
    System.out.println(meter.resultJson());
    System.out.flush();
    processor.close(Duration.ofSeconds(10), DrainingMode.DONT_DRAIN);
    System.exit(0);
  }

  /** Counts records and times the span from the first to the expected-th, as the Node meter does. */
  private static final class Meter {
    final long expected;
    final AtomicLong count = new AtomicLong();
    final CountDownLatch done = new CountDownLatch(1);
    volatile long startedAtNanos;
    volatile long cpuAtStartNanos;
    volatile long finishedAtNanos;
    volatile long cpuSpentNanos;

    Meter(long expected) {
      this.expected = expected;
    }

    void record() {
      long now = System.nanoTime();
      long counted = count.incrementAndGet();
      // The CPU time is read at the ends of the span alone: a read costs a system call.
      if (counted == 1) {
        startedAtNanos = now;
        cpuAtStartNanos = processCpuNanos();
      }
      if (counted == expected) {
        finishedAtNanos = now;
        cpuSpentNanos = processCpuNanos() - cpuAtStartNanos;
        done.countDown();
      }
    }

    String resultJson() throws IOException {
      double seconds = (finishedAtNanos - startedAtNanos) / 1e9;
      return String.format(
          Locale.ROOT,
          "{\"records\":%d,\"seconds\":%.6f,\"recordsPerSecond\":%.3f,"
              + "\"cpuMicrosecondsPerRecord\":%.3f,\"peakResidentBytes\":%d}",
          expected,
          seconds,
          expected / seconds,
          cpuSpentNanos / 1e3 / expected,
          peakResidentBytes());
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** VmHWM from /proc/self/status (Linux): the most this process was ever resident. */
  private static long peakResidentBytes() throws IOException {
    Matcher match =
        Pattern.compile("^VmHWM:\\s+(\\d+) kB$", Pattern.MULTILINE)
            .matcher(Files.readString(Path.of("/proc/self/status")));
    if (!match.find()) {
      throw new IOException("/proc/self/status has no VmHWM line");
    }
    return Long.parseLong(match.group(1)) * 1024;
  }

  private static Map<String, String> parse(String[] arguments) {
    Map<String, String> options = new HashMap<>();
    for (int index = 0; index + 1 < arguments.length; index += 2) {
      if (!arguments[index].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got " + arguments[index]);
      }
      options.put(arguments[index].substring(2), arguments[index + 1]);
    }
    return options;
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value;
  }
}
