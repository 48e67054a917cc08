/**
 * The render `chartguard check CHART` is about to ask for, started before the rest of
 * chartguard loads (main.ts): on a large chart helm takes most of the run, and loading the
 * analysis and the parsers then overlaps it instead of coming first.
 *
 * A guess that cannot change the outcome: the command line is read with check's own
 * definition (options.ts), the render is the request renderChart makes of a chart rendered
 * where it is, and helm.ts hands it only to a render asking for the very same thing, which
 * renderChart asks for only after its checks of values files and symlinks pass. A chart
 * they refuse (a link out of the repository, a FIFO for a values file) never gets its
 * output read: main.ts stops the render unused, as it stops one that was not asked for.
 * What is not read here (the configuration, the chart's dependencies) may ask for another
 * render; then this one is stopped unused. The chart's name, which names the release, is
 * read from a plain `name:` line of Chart.yaml, not with a YAML parser, whose loading would
 * delay helm's start: a name read wrong asks for a render the run does not ask for, which is
 * then stopped unused. Anything this cannot tell (several paths, an archive, a name written
 * otherwise, a command line it cannot read) starts nothing, and the run renders as it
 * always does.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { findHelm, startEarlyRender } from "../render/helm.ts";
import { chartRequest, DEFAULT_HELM_TIMEOUT_MS, renderInputs } from "../render/request.ts";
import { chartOptions, withCheckCommand, type CheckFlags } from "./options.ts";

/** A plain `name: web` line at column 0 (quoted or not): enough for a guess, which a wrong one only wastes. */
const CHART_NAME = /^name:[ \t]+(["']?)([A-Za-z0-9][A-Za-z0-9_.-]*)\1[ \t]*(?:#.*)?$/m;

export async function prestartCheck(argv: readonly string[]): Promise<void> {
  try {
    const command = readCheck(argv);
    if (command === undefined || command.paths.length !== 1 || command.flags.changedFiles === true) return;
    const chart = command.paths[0]!;
    const chartFile = path.join(chart, "Chart.yaml");
    // Not a FIFO or a device, which would never end a read: the run refuses those itself.
    if (/\.tgz$/i.test(chart) || !statSync(chartFile).isFile()) return;
    const name = CHART_NAME.exec(readFileSync(chartFile, "utf8"))?.[2];
    if (name === undefined) return;
    const options = chartOptions(command.flags);
    const inputs = renderInputs(options, command.flags.namespace);
    const timeoutMs = options.timeoutMs ?? DEFAULT_HELM_TIMEOUT_MS;
    const helm = await findHelm(options.helm, process.env, timeoutMs);
    startEarlyRender(helm.path, chartRequest(chart, name, inputs), timeoutMs);
  } catch {
    // The run meets the same problem and reports it.
  }
}

/** The paths and flags of a `check` command line, read silently; undefined for any other command line. */
function readCheck(argv: readonly string[]): { paths: string[]; flags: CheckFlags } | undefined {
  let read: { paths: string[]; flags: CheckFlags } | undefined;
  const program = new Command("chartguard").exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined });
  program.option("--debug");
  withCheckCommand(program).action((paths: string[], flags: CheckFlags) => {
    read = { paths, flags };
  });
  try {
    program.parse(argv, { from: "user" });
  } catch {
    return undefined; // help, a version, or a command line the run will refuse
  }
  return read;
}
