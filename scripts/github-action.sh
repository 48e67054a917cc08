#!/usr/bin/env bash
# The shell part of action.yml, runnable (and tested) outside GitHub:
#   INPUT_CHARTS      charts to check; empty: every chart with a file changed since the base
#   INPUT_BASE_REF    the ref to compare with (a branch name, origin/NAME, or a commit)
#   INPUT_VALUES      values files (-f) for every chart
#   INPUT_ARGS        more chartguard arguments (split on whitespace)
#   INPUT_FAIL_ON     error | warning | info | none
#   INPUT_VERSION     the chartguard version to run with npx (default: the action's own)
#   CHARTGUARD        a chartguard command to use instead of npx (tests, self-hosted runners)
# Writes to $GITHUB_OUTPUT: charts, exit-code, sarif-file, plan-file; the plan also goes to
# $GITHUB_STEP_SUMMARY. Always exits 0 itself, so that the SARIF upload and the comment run;
# the action's last step fails on exit-code.
set -euo pipefail

action_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/chartguard"
rm -rf "$out_dir" && mkdir -p "$out_dir"
sarif_file="$out_dir/chartguard.sarif"
plan_file="$out_dir/plan.md"
fail_on="${INPUT_FAIL_ON:-error}"
github_output="${GITHUB_OUTPUT:-/dev/null}"

output() { printf '%s=%s\n' "$1" "$2" >>"$github_output"; }
multiline_output() { { printf '%s<<CHARTGUARD_EOF\n' "$1"; printf '%s\n' "$2"; printf 'CHARTGUARD_EOF\n'; } >>"$github_output"; }
warn() { echo "::warning::chartguard: $*"; }

if [ -n "${CHARTGUARD:-}" ]; then
  read -r -a chartguard <<<"$CHARTGUARD"
else
  version="${INPUT_VERSION:-}"
  if [ -z "$version" ]; then version="$(node -p "require('$action_dir/package.json').version")"; fi
  chartguard=(npx --yes "chartguard@$version")
fi

# The base: a commit we can name. In a pull request, GITHUB_BASE_REF is a branch name.
base="${INPUT_BASE_REF:-}"
if [ -n "$base" ] && ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
  if git rev-parse --verify --quiet "origin/$base^{commit}" >/dev/null; then
    base="origin/$base"
  elif git fetch --no-tags --quiet origin "$base" 2>/dev/null; then
    base="$(git rev-parse FETCH_HEAD)"
  else
    warn "base $base is not in the clone (use actions/checkout with fetch-depth: 0); upgrade is skipped"
    base=""
  fi
fi
# A push creating a branch has before = 0000...: there is nothing to compare with.
if [[ "$base" =~ ^0+$ ]]; then base=""; fi

# The chart a file belongs to: the nearest folder above it with Chart.yaml; a subchart's
# files (x/charts/sub/...) count for the parent chart x, which renders them.
chart_of() {
  local dir
  dir="$(dirname "$1")"
  local found=""
  while [ "$dir" != "." ] && [ "$dir" != "/" ]; do
    if [ -f "$dir/Chart.yaml" ]; then found="$dir"; fi
    if [ -n "$found" ] && [ "$(basename "$(dirname "$found")")" != "charts" ]; then break; fi
    dir="$(dirname "$dir")"
  done
  # A chart at the top of the repository (its subcharts in charts/).
  if [ -f "./Chart.yaml" ] && { [ -z "$found" ] || [ "$(dirname "$found")" = "charts" ]; }; then found="."; fi
  printf '%s' "$found"
}

charts=()
if [ -n "${INPUT_CHARTS:-}" ]; then
  read -r -d '' -a charts <<<"$INPUT_CHARTS" || true
elif [ -n "$base" ]; then
  changed="$(git diff --name-only "$base...HEAD" 2>/dev/null || git diff --name-only "$base" HEAD)"
  declare -A seen=()
  while IFS= read -r file; do
    [ -n "$file" ] || continue
    chart="$(chart_of "$file")"
    if [ -n "$chart" ] && [ -z "${seen[$chart]:-}" ] && [ -f "$chart/Chart.yaml" ]; then
      seen[$chart]=1
      charts+=("$chart")
    fi
  done <<<"$changed"
else
  warn "no base to compare with and no charts input: nothing to check"
fi

multiline_output charts "$(printf '%s\n' ${charts[@]+"${charts[@]}"})"
if [ "${#charts[@]}" -eq 0 ]; then
  echo "chartguard: no changed charts"
  output exit-code 0
  exit 0
fi

common=(--fail-on "$fail_on" --no-color)
if [ -n "${INPUT_VALUES:-}" ]; then
  read -r -d '' -a values <<<"$INPUT_VALUES" || true
  for file in "${values[@]}"; do common+=(-f "$file"); done
fi
if [ -n "${INPUT_ARGS:-}" ]; then
  read -r -d '' -a extra <<<"$INPUT_ARGS" || true
  common+=("${extra[@]}")
fi

exit_code=0
record() { # keep the worst: 2 (bad input) over 1 (findings) over 0
  if [ "$1" -eq 2 ] || { [ "$1" -eq 1 ] && [ "$exit_code" -eq 0 ]; }; then exit_code="$1"; fi
}

echo "::group::chartguard check ${charts[*]}"
status=0
"${chartguard[@]}" check -o sarif --output-file "$sarif_file" "${common[@]}" "${charts[@]}" || status=$?
echo "::endgroup::"
record "$status"
if [ -s "$sarif_file" ]; then output sarif-file "$sarif_file"; fi

{
  echo "<!-- chartguard-plan -->"
  echo "## chartguard: upgrade plan"
  echo
  if [ -n "$base" ]; then echo "Compared with \`$(git rev-parse --short "$base")\` (${INPUT_BASE_REF})."; fi
} >"$plan_file"

for chart in "${charts[@]}"; do
  {
    echo
    echo "### \`$chart\`"
    echo
  } >>"$plan_file"
  if [ -z "$base" ]; then
    echo "No base to compare with: only \`check\` ran." >>"$plan_file"
    continue
  fi
  if ! git cat-file -e "$base:$chart/Chart.yaml" 2>/dev/null; then
    echo "New chart (not at the base): nothing to upgrade from." >>"$plan_file"
    continue
  fi
  echo "::group::chartguard upgrade --from git:$base --to $chart"
  status=0
  "${chartguard[@]}" upgrade --from "git:$base" --to "$chart" -o markdown --output-file "$out_dir/upgrade.md" "${common[@]}" || status=$?
  echo "::endgroup::"
  record "$status"
  if [ "$status" -eq 2 ]; then
    echo "chartguard could not compare this chart (exit code 2); see the job log." >>"$plan_file"
  elif [ -f "$out_dir/upgrade.md" ]; then
    cat "$out_dir/upgrade.md" >>"$plan_file"
  fi
  rm -f "$out_dir/upgrade.md"
done

output plan-file "$plan_file"
output exit-code "$exit_code"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$plan_file" >>"$GITHUB_STEP_SUMMARY"; fi
exit 0
