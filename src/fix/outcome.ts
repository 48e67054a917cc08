/** What `chartguard fix` found, proved and would write: the shape the report formats print. */
import type { RunbookStep } from "../report/runbook.ts";
import type { Repair, Unrepaired } from "./plan.ts";
import type { ProofResult } from "./proof.ts";

export interface RepairOutcome extends Repair {
  proven: boolean;
  /** Why the repair was dropped, when it was. */
  failure?: string[];
  /**
   * For a proven repair: whether an installed release needs the migration (the runbook's
   * commands) to take it, or a plain `helm upgrade` does (safe in a patch release).
   */
  migration?: "runbook" | "none";
  /** For a proven repair: the upgrade that ships it rolls the workload's pods (once). */
  restarts?: boolean;
}

export interface FixOutcome {
  /** The chart as the user named it. */
  chart: string;
  repairs: RepairOutcome[];
  /** The proven repairs as a unified diff (empty when there are none). */
  patch: string;
  /** The proof of the proven repairs together; absent when there is nothing to prove. */
  proof?: ProofResult;
  /** Findings left as they are, with the reason. */
  unrepaired: Unrepaired[];
  /** From the chart as it is to the repaired one: what an installed release runs. */
  runbook: RunbookStep[];
  /** Files written (`write`), relative to the chart directory. */
  written: string[];
}
