/**
 * The render `chartguard check CHART` is about to ask for, started before the rest of
 * chartguard loads (main.ts): on a large chart helm takes most of the run, and loading the
 * analysis and the parsers (about 0.3 s) then overlaps it instead of coming first.
 *
 * A guess that cannot change the outcome: the command line is read with check's own
 * definition (options.ts), the render is the request renderChart makes of a chart rendered
 * where it is, after the same checks (values files, symlinks, dependencies), and helm.ts
 * hands it only to a render asking for the very same thing. What is not read here (the
 * configuration) may ask for another render; then this one is stopped unused. Anything
 * this cannot tell (several paths, an archive, a missing dependency, a command line it
 * cannot read) starts nothing, and the run renders as it always does.
 */
import { Command } from "commander";
import { isChartDir, missingDependencies } from "../load/chart.ts";
import { findHelm, startEarlyRender } from "../render/helm.ts";
import { checkChartLinks, checkValueFiles } from "../render/preflight.ts";
import { chartRequest, DEFAULT_HELM_TIMEOUT_MS, renderInputs } from "../render/request.ts";
import { chartOptions, withCheckCommand, type CheckFlags } from "./options.ts";

export async function prestartCheck(argv: readonly string[]): Promise<void> {
  try {
    const command = readCheck(argv);
    if (command === undefined || command.paths.length !== 1 || command.flags.changedFiles === true) return;
    const chart = command.paths[0]!;
    if (/\.tgz$/i.test(chart) || !isChartDir(chart)) return;
    const options = chartOptions(command.flags);
    const inputs = renderInputs(options, command.flags.namespace);
    await checkValueFiles(inputs);
    checkChartLinks(chart);
    if (missingDependencies(chart).length > 0) return;
    const timeoutMs = options.timeoutMs ?? DEFAULT_HELM_TIMEOUT_MS;
    const helm = await findHelm(options.helm, process.env, timeoutMs);
    startEarlyRender(helm.path, chartRequest(chart, inputs).request, timeoutMs);
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
