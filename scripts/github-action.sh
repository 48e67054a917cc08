#!/usr/bin/env bash
# The shell part of action.yml, runnable (and tested) outside GitHub:
#   INPUT_CHARTS        charts to check; empty: every chart with a file changed since the base
#   INPUT_BASE_REF      the ref to compare with (a branch name, origin/NAME, or a commit)
#   INPUT_VALUES        values files (-f) for every chart
#   INPUT_ARGS          more arguments for both commands (split on whitespace)
#   INPUT_CHECK_ARGS    more arguments for `check` only (e.g. --no-probe)
#   INPUT_UPGRADE_ARGS  more arguments for `upgrade` only (e.g. --from-values old.yaml)
#   INPUT_FAIL_ON       error | warning | info | none
#   CHARTGUARD          a chartguard command to use instead of the action's own bundle (tests)
# chartguard runs from the action's own folder (a checkout at the ref the workflow names):
# node bundle/chartguard.mjs, committed there, with no install and no registry lookup.
#
# Writes to $GITHUB_OUTPUT: charts, exit-code, sarif-file, plan-file; the plan also goes to
# $GITHUB_STEP_SUMMARY. Exits 0 when chartguard answered (0 clean, 1 findings, 2 bad input),
# so that the SARIF upload and the comment run; the action's last step fails on exit-code.
# Anything else (chartguard missing, crashed, killed, or a report missing) fails closed: an
# ::error:: line, the reason in the job summary, exit-code set, and this step exits 1.
set -euo pipefail

action_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
out_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/chartguard"
rm -rf -- "$out_dir" && mkdir -p -- "$out_dir"
sarif_file="$out_dir/chartguard.sarif"
plan_file="$out_dir/plan.md"
fail_on="${INPUT_FAIL_ON:-error}"
github_output="${GITHUB_OUTPUT:-/dev/null}"

output() { printf '%s=%s\n' "$1" "$2" >>"$github_output"; }
# A delimiter no value can contain (GitHub's multi-line output syntax ends a value at it).
delimiter="CHARTGUARD_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
multiline_output() { { printf '%s<<%s\n' "$1" "$delimiter"; printf '%s\n' "$2"; printf '%s\n' "$delimiter"; } >>"$github_output"; }
warn() { echo "::warning::chartguard: $*"; }
summary() { if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then printf '%s\n' "$@" >>"$GITHUB_STEP_SUMMARY"; fi; }
# Text from the repository (chart paths) in a markdown code span that it cannot close.
# The fence is longer than any backtick run inside; spaces pad text that starts or ends with one.
md_code() {
  local fence='`' pad=""
  while [[ "$1" == *"$fence"* ]]; do fence+='`'; done
  if [[ "$1" == '`'* || "$1" == *'`' ]]; then pad=" "; fi
  printf '%s%s%s%s%s' "$fence" "$pad" "$1" "$pad" "$fence"
}

failures=()
# chartguard did not answer with 0, 1 or 2: record why; the step fails at the end.
unexpected() {
  failures+=("$1")
  echo "::error::chartguard: $1"
}

if [ -n "${CHARTGUARD:-}" ]; then
  read -r -a chartguard <<<"$CHARTGUARD"
else
  chartguard=(node "$action_dir/bundle/chartguard.mjs")
fi

finish() { # outputs, summary, and the step's own status
  output exit-code "$1"
  if [ "${#failures[@]}" -gt 0 ]; then
    summary "## chartguard failed" "" "chartguard did not run to the end, so nothing was checked reliably:" ""
    for reason in "${failures[@]}"; do summary "- $reason"; done
    exit 1
  fi
  exit 0
}

# Before anything else: a chartguard that cannot start must not read as "no findings".
version_status=0
version="$("${chartguard[@]}" --version 2>"$out_dir/version.err")" || version_status=$?
if [ "$version_status" -ne 0 ]; then
  unexpected "\`${chartguard[*]} --version\` exited with $version_status ($(head -c 300 "$out_dir/version.err" | tr '\n' ' '))"
  multiline_output charts ""
  finish "$version_status"
fi
echo "chartguard $version"

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
  dir="$(dirname -- "$1")"
  local found=""
  while [ "$dir" != "." ] && [ "$dir" != "/" ]; do
    if [ -f "$dir/Chart.yaml" ]; then found="$dir"; fi
    if [ -n "$found" ] && [ "$(basename -- "$(dirname -- "$found")")" != "charts" ]; then break; fi
    dir="$(dirname -- "$dir")"
  done
  # A chart at the top of the repository (its subcharts in charts/).
  if [ -f "./Chart.yaml" ] && { [ -z "$found" ] || [ "$(dirname -- "$found")" = "charts" ]; }; then found="."; fi
  printf '%s' "$found"
}

# A path with a line break cannot be named safely in the log (workflow commands are lines).
nameable() {
  if [[ "$1" == *$'\n'* || "$1" == *$'\r'* ]]; then
    warn "skipped a path with a line break in its name: $(printf '%q' "$1" | tr -d '\n\r')"
    return 1
  fi
}

charts=()
if [ -n "${INPUT_CHARTS:-}" ]; then
  read -r -d '' -a charts <<<"$INPUT_CHARTS" || true
elif [ -n "$base" ]; then
  declare -A seen=()
  diff_file="$out_dir/changed"
  git diff -z --name-only "$base...HEAD" >"$diff_file" 2>/dev/null || git diff -z --name-only "$base" HEAD >"$diff_file"
  while IFS= read -r -d '' file; do
    nameable "$file" || continue
    chart="$(chart_of "$file")"
    if [ -n "$chart" ] && [ -z "${seen[$chart]:-}" ] && [ -f "$chart/Chart.yaml" ]; then
      seen[$chart]=1
      charts+=("$chart")
    fi
  done <"$diff_file"
else
  warn "no base to compare with and no charts input: nothing to check"
fi

multiline_output charts "$(printf '%s\n' ${charts[@]+"${charts[@]}"})"
if [ "${#charts[@]}" -eq 0 ]; then
  echo "chartguard: no changed charts"
  finish 0
fi

split() { # split an input on whitespace into the named array
  local -n into="$1"
  into=()
  if [ -n "$2" ]; then read -r -d '' -a into <<<"$2" || true; fi
}
common=(--fail-on "$fail_on" --no-color)
split values "${INPUT_VALUES:-}"
for file in ${values[@]+"${values[@]}"}; do common+=(-f "$file"); done
split extra "${INPUT_ARGS:-}"
split check_extra "${INPUT_CHECK_ARGS:-}"
split upgrade_extra "${INPUT_UPGRADE_ARGS:-}"

exit_code=0
# Keep the worst answer: 2 (bad input) over 1 (findings) over 0. A 1 without its report is
# not an answer (e.g. node failing to load the script also exits 1).
record() { # STATUS REPORT-FILE WHAT
  case "$1" in
    0 | 2) ;;
    1) if [ ! -s "$2" ]; then unexpected "$3 exited with 1 but wrote no report ($2)"; exit_code=1; return; fi ;;
    *) unexpected "$3 exited with $1 ($( [ "$1" -gt 128 ] && echo "killed by signal $(($1 - 128))" || echo "not an answer chartguard gives"))"; exit_code="$1"; return ;;
  esac
  if [ "$exit_code" -gt 2 ]; then return; fi
  if [ "$1" -eq 2 ] || { [ "$1" -eq 1 ] && [ "$exit_code" -eq 0 ]; }; then exit_code="$1"; fi
}

echo "::group::chartguard check ${charts[*]}"
status=0
"${chartguard[@]}" check -o sarif --output-file "$sarif_file" "${common[@]}" ${extra[@]+"${extra[@]}"} ${check_extra[@]+"${check_extra[@]}"} -- "${charts[@]}" || status=$?
echo "::endgroup::"
record "$status" "$sarif_file" "chartguard check"
if [ -s "$sarif_file" ]; then output sarif-file "$sarif_file"; fi

{
  echo "<!-- chartguard-plan -->"
  echo "## chartguard: upgrade plan"
  echo
  if [ -n "$base" ]; then echo "Compared with \`$(git rev-parse --short "$base")\` ($(md_code "${INPUT_BASE_REF}"))."; fi
} >"$plan_file"

for chart in "${charts[@]}"; do
  {
    echo
    echo "### $(md_code "$chart")"
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
  upgrade_report="$out_dir/upgrade.md"
  "${chartguard[@]}" upgrade --from "git:$base" --to="$chart" -o markdown --output-file "$upgrade_report" "${common[@]}" ${extra[@]+"${extra[@]}"} ${upgrade_extra[@]+"${upgrade_extra[@]}"} || status=$?
  echo "::endgroup::"
  record "$status" "$upgrade_report" "chartguard upgrade (chart $(md_code "$chart"))"
  if [ "$status" -eq 2 ]; then
    echo "chartguard could not compare this chart (exit code 2); see the job log." >>"$plan_file"
  elif [ -f "$upgrade_report" ]; then
    cat "$upgrade_report" >>"$plan_file"
  fi
  rm -f -- "$upgrade_report"
done

output plan-file "$plan_file"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$plan_file" >>"$GITHUB_STEP_SUMMARY"; fi
finish "$exit_code"
