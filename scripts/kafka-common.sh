# Sourced by scripts/kafka and scripts/kafka-cluster: what both need to run a broker from the
# Maven jars. The sourcing script sets root, infra and libs, and defines fail.

kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$infra/pom.xml"; }

# The pid in pid file $1 if that process is alive.
running_pid_in() {
  [[ -f "$1" ]] || return 1
  local pid
  pid="$(cat "$1")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

require_java() {
  command -v java >/dev/null || fail "java not found: the local broker needs Java 17+ (or set KAFKA_BROKERS, or use Docker)"
  local major
  major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1)"
  [[ "${major:-0}" -ge 17 ]] || fail "Java $major found; Kafka $(kafka_version) needs Java 17 or newer"
}

fetch_jars() {
  local version stamp
  version="$(kafka_version)"
  stamp="$libs/.kafka-$version"
  [[ -f "$stamp" ]] && return 0
  command -v mvn >/dev/null || fail "mvn not found: Maven fetches the Kafka jars from Maven Central"
  echo "kafka: fetching Apache Kafka $version jars with Maven"
  rm -rf "$libs"
  mvn -q -B -f "$infra/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs" || fail "mvn could not fetch the Kafka jars"
  touch "$stamp"
}

random_cluster_id() { java -cp "$libs/*" kafka.tools.StorageTool random-uuid; }

# Starts a broker JVM with config $1, heap $2, logs dir $3, output to $4; prints its pid.
# setsid: the broker must outlive the shell (and the npm process) that started it.
launch_broker() {
  setsid java "-Xms$2" "-Xmx$2" -XX:+UseG1GC -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$infra/log4j2.yaml" "-Dkafka.logs.dir=$3" \
    -cp "$libs/*" kafka.Kafka "$1" >"$4" 2>&1 < /dev/null &
  echo $!
}

# SIGTERM (a controlled shutdown) for pid $1, then SIGKILL if it is still there after 30 s.
terminate() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  echo "kafka: pid $pid still running after 30s, sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
}
