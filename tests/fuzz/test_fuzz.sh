#!/bin/sh
# A short fuzzing run for CI: builds the libFuzzer targets (make fuzz-build, into build/fuzz/)
# and gives each a fixed number of runs over a temporary copy of its seed corpus, so nothing
# is ever written into the repository. A target that crashes, trips a sanitizer or breaks one
# of its properties fails: its reproducer is kept under build/fuzz/crashes/<target>/ and shown
# in hex. `make fuzz` is the long run.
#
#   FUZZ_RUNS     executions per target (default 50000)
#   FUZZ_SEED     libFuzzer's random seed (default 1: the same inputs on every CI run)
#   FUZZ_TARGETS  targets to run (default: every tests/fuzz/fuzz_*.c)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD:-$root/build/fuzz}
runs=${FUZZ_RUNS:-50000}
seed=${FUZZ_SEED:-1}
targets=${FUZZ_TARGETS:-$(cd "$here" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')}

passed=0
failed=0
total=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/socin-fuzz-ci.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail_all () {
    for t in $targets; do
        echo "FAIL - $t: $1"
        failed=$((failed + 1))
    done
    echo "$passed passed, $failed failed"
    exit 1
}

# libFuzzer comes with clang (and, on Debian, libclang-rt-14-dev): `make deps` installs both.
if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
    fail_all "clang is not installed (make deps installs clang and libclang-rt-14-dev)"
fi
printf 'int LLVMFuzzerTestOneInput (const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput (const unsigned char *d, unsigned long n) { return 0; }\n' >"$tmp/probe.c"
if ! "${FUZZ_CC:-clang}" -fsanitize=fuzzer,address,undefined -o "$tmp/probe" "$tmp/probe.c" >"$tmp/probe.log" 2>&1; then
    cat "$tmp/probe.log"
    fail_all "clang cannot link libFuzzer (-fsanitize=fuzzer): install libclang-rt-14-dev (make deps does)"
fi
# A make of its own (not a sub-make of `make test`'s jobserver), two jobs for two cores.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$root" --no-print-directory -j2 fuzz-build \
    >"$tmp/build.log" 2>&1; then
    tail -n 40 "$tmp/build.log"
    fail_all "make fuzz-build failed"
fi
if grep -Eq '^[^ ]+:[0-9]+:[0-9]+: warning:' "$tmp/build.log"; then
    grep -E '^[^ ]+:[0-9]+:[0-9]+: warning:' "$tmp/build.log"
    fail_all "make fuzz-build printed warnings"
fi

for t in $targets; do
    bin=$build/fuzz_$t
    if [ ! -x "$bin" ]; then
        echo "FAIL - $t: $bin was not built"
        failed=$((failed + 1))
        continue
    fi
    mkdir -p "$tmp/$t" "$build/crashes/$t"
    [ -d "$here/corpus/$t" ] && cp -R "$here/corpus/$t/." "$tmp/$t/"
    log=$tmp/$t.log
    start=$(date +%s)
    "$bin" -runs="$runs" -seed="$seed" -timeout=25 -rss_limit_mb=2048 \
        -artifact_prefix="$build/crashes/$t/" "$tmp/$t" >"$log" 2>&1
    rc=$?
    n=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    if [ "$rc" -eq 0 ] && [ -n "$n" ] && [ -z "$crash" ]; then
        echo "ok - $t ran $n executions without a crash ($(($(date +%s) - start))s)"
        passed=$((passed + 1))
        total=$((total + n))
    else
        echo "FAIL - $t (exit $rc) after ${n:-?} executions"
        grep -E 'ERROR|runtime error|property broken|not valid UTF-8|SUMMARY' "$log" | head -n 5 | sed 's/^/    /'
        grep -E -A 2 'property broken|not valid UTF-8' "$log" | head -n 6 | sed 's/^/    /'
        if [ -n "$crash" ] && [ -f "$crash" ]; then
            echo "    reproducer: $crash ($(wc -c <"$crash") bytes; replay: $bin $crash)"
            od -An -tx1 -v "$crash" | head -n 16 | sed 's/^/    /'
        else
            tail -n 20 "$log" | sed 's/^/    /'
        fi
        failed=$((failed + 1))
    fi
done
echo "total: $total executions over $passed targets"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
