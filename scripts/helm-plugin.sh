#!/usr/bin/env bash
# The `helm chartguard` plugin (plugin.yaml). Helm runs it with HELM_BIN (the helm that
# was called), HELM_NAMESPACE (from -n/--namespace, which Helm consumes) and
# HELM_PLUGIN_DIR set.
#
#   helm chartguard check CHART [flags]            -> chartguard check -n NS CHART [flags]
#   helm chartguard upgrade RELEASE CHART [flags]  -> helm get manifest/values RELEASE, then
#       chartguard upgrade --from <deployed manifest> --to CHART -f <deployed values> \
#                          --release RELEASE -n NS [flags]
#
# chartguard itself is found as: $CHARTGUARD_BIN, else the single-file bundle beside this
# script ($HELM_PLUGIN_DIR/bundle/chartguard.mjs: a git checkout, a path or a packaged
# plugin, run with node), else the npm package this plugin ships in
# ($HELM_PLUGIN_DIR/dist/cli/main.js), else `chartguard` on PATH.
set -euo pipefail

tmp=""

helm_bin="${HELM_BIN:-helm}"
namespace="${HELM_NAMESPACE:-default}"
plugin_dir="${HELM_PLUGIN_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

fail() {
  echo "helm chartguard: $*" >&2
  exit 2
}

usage() {
  cat <<'USAGE'
Usage:
  helm chartguard check CHART [flags]            check a chart (directory or .tgz)
  helm chartguard upgrade RELEASE CHART [flags]  compare the deployed release with CHART
  helm chartguard rules [RULE-ID]                list the rules, or explain one

upgrade reads the deployed release with `helm get manifest` and `helm get values`, renders
CHART with the release's user-supplied values and then any -f/--set given here (as
`helm upgrade --reuse-values` would), and reports what the upgrade will refuse, restart
and replace. Plugin flags: --reset-values (leave the deployed values out),
--revision N (compare with that revision). Other flags are chartguard's: -f, --set,
--set-string, --set-file, --set-json, -o, --output-file, --fail-on, --config, ...
USAGE
}

chartguard=()
find_chartguard() {
  local script
  if [ -n "${CHARTGUARD_BIN:-}" ]; then
    chartguard=("$CHARTGUARD_BIN")
    return
  fi
  for script in "$plugin_dir/bundle/chartguard.mjs" "$plugin_dir/dist/cli/main.js"; do
    if [ -f "$script" ]; then
      command -v node >/dev/null 2>&1 || fail "node is not on PATH; chartguard needs Node.js 20.19 or newer"
      chartguard=(node "$script")
      return
    fi
  done
  if command -v chartguard >/dev/null 2>&1; then
    chartguard=(chartguard)
  else
    fail "chartguard not found: run \`npm install -g chartguard\`, or set CHARTGUARD_BIN to its path"
  fi
}

# chartguard flags that take no value; any other flag without `=` takes the next argument.
is_switch() {
  case "$1" in
    --skip-missing-deps | --no-color | -q | --quiet | --show-suppressed | --no-config | --debug | --no-probe) return 0 ;;
    *) return 1 ;;
  esac
}

upgrade() {
  local release="" chart="" revision="" reset_values=false
  local -a rest=()
  while [ $# -gt 0 ]; do
    case "$1" in
      -h | --help) usage; exit 0 ;;
      --reset-values) reset_values=true; shift ;;
      --reuse-values) shift ;; # what this plugin does anyway
      --revision) [ $# -ge 2 ] || fail "--revision needs a number"; revision="$2"; shift 2 ;;
      --revision=*) revision="${1#--revision=}"; shift ;;
      --*=*) rest+=("$1"); shift ;;
      --* | -?) if is_switch "$1"; then
          rest+=("$1"); shift
        else
          [ $# -ge 2 ] || fail "$1 needs a value"
          rest+=("$1" "$2"); shift 2
        fi ;;
      -*) rest+=("$1"); shift ;; # -fvalues.yaml
      *) if [ -z "$release" ]; then release="$1"
        elif [ -z "$chart" ]; then chart="$1"
        else fail "unexpected argument \"$1\" (usage: helm chartguard upgrade RELEASE CHART [flags])"; fi
        shift ;;
    esac
  done
  [ -n "$release" ] && [ -n "$chart" ] || { usage >&2; exit 2; }
  [ -e "$chart" ] || fail "$chart: no such chart directory or .tgz (for a chart in a repository, fetch it first: helm pull REPO/CHART --version X)"

  local status=0
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/helm-chartguard.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  local -a at_revision=()
  [ -n "$revision" ] && at_revision=(--revision "$revision")
  local deployed="$tmp/$release.deployed.yaml" values="$tmp/$release.values.yaml"
  if ! "$helm_bin" get manifest "$release" -n "$namespace" ${at_revision[@]+"${at_revision[@]}"} >"$deployed" 2>"$tmp/err"; then
    fail "cannot read release \"$release\" in namespace \"$namespace\": $(head -n 1 "$tmp/err")"
  fi
  local -a values_args=()
  if [ "$reset_values" = false ]; then
    if ! "$helm_bin" get values "$release" -n "$namespace" ${at_revision[@]+"${at_revision[@]}"} -o yaml >"$values" 2>"$tmp/err"; then
      fail "cannot read the values of release \"$release\": $(head -n 1 "$tmp/err")"
    fi
    # `null` or `{}`: the release was installed with the chart's defaults only.
    if grep -qvE '^(null|\{\})?[[:space:]]*$' "$values"; then values_args=(-f "$values"); fi
  fi
  "${chartguard[@]}" upgrade --from "$deployed" --to "$chart" -n "$namespace" --release "$release" \
    ${values_args[@]+"${values_args[@]}"} ${rest[@]+"${rest[@]}"} || status=$?
  exit "$status"
}

case "${1:-}" in
  "" | -h | --help | help) usage ;;
  upgrade) shift; find_chartguard; upgrade "$@" ;;
  check) shift; find_chartguard; exec "${chartguard[@]}" check -n "$namespace" "$@" ;;
  *) find_chartguard; exec "${chartguard[@]}" "$@" ;;
esac
