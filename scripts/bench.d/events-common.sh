# Sourced by 10-ringbuf and 20-perfbuf (not executable, so scripts/bench does not run it): builds
# the producers (events.bpf.c) and the libbpf reference consumer (events.c) once into $BENCH_WORK
# and runs dev.jbcc.bench.events.EventBench, which alternates Java and C repetitions.
#   BENCH_REPS   repetitions per case and side (default 7); the medians are printed
#   BENCH_SCALE  multiplies the record counts (default 1)
#   BENCH_PIN    CONSUMER,PRODUCER CPUs both sides pin their two threads to (default 0,1 with two
#                CPUs or more; empty: no pinning), exported to both as EVENTS_PIN
set -euo pipefail
C_DIR="$REPO/jbcc-bench/src/main/c"
# The benchmark's ring, and each CPU's perf ring: the same bytes on both sides.
BUFFER_BYTES=$((4 * 1024 * 1024))

build_events() {
    local lock="$BENCH_WORK/events.lock"
    (
        flock 9
        if [ ! -x "$BENCH_WORK/events" ]; then
            clang-19 -target bpf -O2 -g -I/usr/include/$(gcc -print-multiarch) \
                -c "$C_DIR/events.bpf.c" -o "$BENCH_WORK/events.bpf.o"
            gcc -O2 -Wall -o "$BENCH_WORK/events" "$C_DIR/events.c" -lbpf -lelf -lz -lpthread
        fi
    ) 9>"$lock"
}

# run_events ring|perf: prints the figures, then '#misses' and one line per missed target.
run_events() {
    build_events
    local pin=""
    [ "$(nproc)" -ge 2 ] && pin=0,1
    EVENTS_PIN=${BENCH_PIN-$pin} "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$BENCH_CP" dev.jbcc.bench.events.EventBench \
        "$1" "$BENCH_WORK/events.bpf.o" "$BENCH_WORK/events" "${BENCH_REPS:-7}" "$BUFFER_BYTES"
}

# print_figures OUTPUT WHY: the code block of figures, then the list of missed targets (or none)
# followed by WHY, the measured reasons and what would close the gap.
print_figures() {
    local out=$1 why=$2
    echo '```'
    sed '/^#misses$/,$d' <<<"$out"
    echo '```'
    echo
    local misses
    misses=$(sed '1,/^#misses$/d' <<<"$out")
    if [ -z "$misses" ]; then
        echo "Targets (≥ 1.0× C events/s, no drops where C drops none): all met in this run."
    else
        echo "Missed targets in this run:"
        echo
        sed 's/^/- /' <<<"$misses"
        echo
        echo "$why"
    fi
}
