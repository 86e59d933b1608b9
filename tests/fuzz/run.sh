#!/bin/sh
# tests/fuzz/run.sh [SECONDS]: build every fuzz target with clang
# (-fsanitize=fuzzer,address,undefined) in its own build folder and run
# each for SECONDS (default 15), seeded from tests/data (seed.py). Fails
# when any target crashes, leaks, hangs or breaks a promise; the input
# is left in $build/crashes/ (add it to tests/data/fuzz-regressions/).
# README "Fuzzing" says how to run them for hours. Warnings are not errors
# here: -Werror is for the gcc build, whose warnings clang words otherwise.
#   FIXIT_FUZZ_BUILD  build folder (default: build-fuzz at the top)
#   FIXIT_FUZZ_ONLY   run only these targets (space separated)
#   CC                the compiler (default: clang)
set -eu
secs=${1:-15}
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${FIXIT_FUZZ_BUILD:-$top/build-fuzz}
jobs=$(nproc 2>/dev/null || echo 2)

# libFuzzer is in libclang-rt-14-dev on Debian 12, only recommended by clang
mkdir -p "$build"
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
	'{ return (int)(n && d[0] == 0); }' >"$build/probe.c"
if ! "${CC:-clang}" -fsanitize=fuzzer,address "$build/probe.c" \
    -o "$build/probe" >"$build/probe.log" 2>&1; then
	cat "$build/probe.log"
	echo "run.sh: ${CC:-clang} cannot build a libFuzzer target" \
	    "(Debian: apt-get install clang libclang-rt-14-dev)"
	exit 1
fi

cmake -S "$top" -B "$build" -DCMAKE_C_COMPILER="${CC:-clang}" \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DFIXIT_FUZZ=ON \
	-DFIXIT_SANITIZE=address -DFIXIT_WERROR=OFF >/dev/null
cmake --build "$build" --target fuzz -j "$jobs" >"$build/fuzz-build.log" 2>&1 ||
	{ tail -40 "$build/fuzz-build.log"; exit 1; }

# seeds anew from tests/data each run; the corpus grows across runs
rm -rf "$build/seeds"
python3 "$top/tests/fuzz/seed.py" "$top/tests/data" "$build/seeds"
mkdir -p "$build/crashes"

targets=${FIXIT_FUZZ_ONLY:-$(cd "$build/tests/fuzz" && ls fuzz_* |
	sed 's/^fuzz_//')}
failed=""
for t in $targets; do
	mkdir -p "$build/corpus/$t" "$build/seeds/$t"
	echo "fuzz: $t for ${secs}s"
	if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    "$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$build/crashes/$t-" \
	    "$build/corpus/$t" "$build/seeds/$t" >"$build/fuzz-$t.log" 2>&1
	then
		tail -60 "$build/fuzz-$t.log"
		failed="$failed $t"
	fi
	grep -E '^stat::number_of_executed_units|^stat::new_units_added' \
	    "$build/fuzz-$t.log" | tr '\n' ' '
	echo
done
if [ -n "$failed" ]; then
	echo "fuzz: FAILED:$failed (inputs in $build/crashes/)"
	exit 1
fi
echo "fuzz: $(echo $targets | wc -w) targets, ${secs}s each, no crash"
