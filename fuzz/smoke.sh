#!/usr/bin/env bash
# Short CI smoke run of every fuzz target (see fuzz/README.md): builds the targets, then runs
# each for FUZZ_SMOKE_SECONDS (default 15) from the committed seeds in fuzz/corpus/<target>/,
# with new inputs going to a temporary directory so the committed corpus never grows.
#
# Installs cargo-fuzz if missing (`cargo install cargo-fuzz --locked`). Exits non-zero if any
# target crashes (panic, abort, failed invariant), hangs (-timeout) or runs out of memory; the
# failing input is kept in fuzz/artifacts/<target>/ and its path and log tail are printed.
#
# Environment: FUZZ_SMOKE_SECONDS (per target), FUZZ_TOOLCHAIN (default: nightly when rustup
# has it, else stable; `-s none` needs no nightly-only flag), FUZZ_TARGETS (space-separated
# subset).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."   # cargo-fuzz finds fuzz/ from the repository root
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

seconds="${FUZZ_SMOKE_SECONDS:-15}"
read -r -a targets <<<"${FUZZ_TARGETS:-json_body tokens attestation user_agent rp}"
start=$(date +%s)

toolchain="${FUZZ_TOOLCHAIN:-}"
if [[ -z "$toolchain" ]]; then
  if rustup run nightly rustc --version >/dev/null 2>&1; then
    toolchain=nightly
  else
    toolchain=stable
    echo "fuzz/smoke.sh: no nightly toolchain; using stable (fine for -s none, no sanitizers)" >&2
  fi
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz/smoke.sh: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi

echo "fuzz/smoke.sh: building targets with +$toolchain (-s none)" >&2
cargo "+$toolchain" fuzz build -s none
built=$(date +%s)
# Run the binaries just built (what `cargo fuzz run` would run), so every target is tested
# from the same build even if the tree changes meanwhile.
triple="$(rustc "+$toolchain" -vV | sed -n 's/^host: //p')"
bin_dir="fuzz/target/$triple/release"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

failed=()
for t in "${targets[@]}"; do
  mkdir -p "$work/corpus/$t" "fuzz/artifacts/$t"
  log="$work/$t.log"
  if "$bin_dir/$t" -artifact_prefix="fuzz/artifacts/$t/" -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$work/corpus/$t" "fuzz/corpus/$t" \
      >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    echo "fuzz $t: ok, ${runs:-?} runs, ${rate:-?} exec/s"
  else
    failed+=("$t")
    echo "fuzz $t: FAILED — log tail:"
    grep -v -e '^#[0-9]' -e 'NEW_FUNC' "$log" | tail -n 60
    ls -1 "fuzz/artifacts/$t/" 2>/dev/null | sed "s|^|  artifact: fuzz/artifacts/$t/|" || true
    echo "  reproduce: cargo +$toolchain fuzz run -s none $t fuzz/artifacts/$t/<file>"
  fi
done

end=$(date +%s)
echo "fuzz/smoke.sh: build $((built - start)) s, runs $((end - built)) s, total $((end - start)) s"
echo "fuzz: $((${#targets[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
if ((${#failed[@]})); then
  echo "fuzz/smoke.sh: failed: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
