#!/usr/bin/env bash
# Coverage-guided fuzzing of one input format with AFL++ and SharpFuzz.
#   scripts/fuzz.sh FORMAT [SECONDS]     (default 600 s; FORMAT: scripts/fuzz.sh --list)
# Needs AFL++ (scripts/setup.sh --fuzz); installs SharpFuzz's instrumenter into .fuzz/tools itself.
# Builds tests/fuzz/Research.Fuzz into .fuzz/build, instruments the project's libraries and the
# parsers they use (YamlDotNet, ImageSharp) there, writes the seed corpora once, then runs afl-fuzz
# and prints its figures as `name value` lines. Findings stay in .fuzz/findings/FORMAT (ignored);
# replay one with `dotnet .fuzz/plain/Research.Fuzz.dll FORMAT FILE`, and commit it under
# tests/fuzz/regressions/FORMAT/ once fixed (the test suite replays them without AFL). A crash that the
# replay does not reproduce (it may need the capped heap or earlier inputs' state): run with
# RESEARCH_FUZZ_CRASH_LOG=FILE, and each crash's exception is appended there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fuzz="$root/.fuzz"
plain="$fuzz/plain"   # as built: seeds, the list of formats, replays
build="$fuzz/build"   # the same, instrumented: only afl-fuzz runs it (it maps AFL's coverage memory)
stamp="$fuzz/build.stamp"
# The working tree's sources (edits not yet committed included) decide whether to rebuild.
sources="$(cd "$root" && git ls-files -z src tests/fuzz | xargs -0 sha256sum 2>/dev/null | sha256sum | cut -c1-16)"
prepare() {
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sources" ] && return 0
  echo "fuzz: building and instrumenting the harness" >&2
  mkdir -p "$fuzz"
  rm -rf "$plain" "$build" "$fuzz/seeds" "$stamp"
  dotnet build "$root/tests/fuzz/Research.Fuzz" -c Release -o "$plain" --nologo -v quiet >/dev/null
  dotnet "$plain/Research.Fuzz.dll" seeds "$fuzz/seeds" >&2
  cp -r "$plain" "$build"
  if [ ! -x "$fuzz/tools/sharpfuzz" ]; then
    dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$fuzz/tools" >/dev/null
  fi
  for dll in Research.Core Research.Torch Research.Models Research.Training Research.Search Research.Experiments YamlDotNet SixLabors.ImageSharp; do
    "$fuzz/tools/sharpfuzz" "$build/$dll.dll" >/dev/null
  done
  echo "$sources" > "$stamp"
}
if [ "${1:-}" = "--list" ] || [ $# -lt 1 ]; then
  prepare
  dotnet "$plain/Research.Fuzz.dll" formats
  [ $# -ge 1 ] || exit 2
  exit 0
fi
format="$1"
seconds="${2:-600}"
command -v afl-fuzz >/dev/null || { echo "fuzz: afl-fuzz not found; run scripts/setup.sh --fuzz (Debian's afl++)" >&2; exit 2; }
prepare
[ -d "$fuzz/seeds/$format" ] || { echo "fuzz: no seeds for '$format'"; dotnet "$plain/Research.Fuzz.dll" formats; exit 2; } >&2

out="$fuzz/findings/$format"
mkdir -p "$fuzz/findings"
# A resumed campaign continues its queue ("-i -"); a new one starts from the seeds.
input="$fuzz/seeds/$format"
[ -f "$out/default/fuzzer_stats" ] && input="-"
# The managed heap is capped (1 GiB) so that a header asking for 2^60 bytes is an OutOfMemoryException, which the
# harness counts as a crash; AFL's own limit would break .NET's address-space reservations.
export DOTNET_GCHeapHardLimit=0x40000000
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
afl-fuzz -V "$seconds" -i "$input" -o "$out" -t 10000 -m none -- dotnet "$build/Research.Fuzz.dll" "$format" > "$fuzz/$format.afl.log" 2>&1 || {
  echo "fuzz: afl-fuzz failed; the end of its log:" >&2
  tail -n 30 "$fuzz/$format.afl.log" >&2
  exit 1
}
stats="$out/default/fuzzer_stats"
echo "format $format"
for key in run_time execs_done execs_per_sec corpus_count edges_found total_edges saved_crashes saved_hangs stability; do
  awk -F' *: *' -v k="$key" '$1 == k { print k, $2 }' "$stats"
done
echo "findings $out/default"
