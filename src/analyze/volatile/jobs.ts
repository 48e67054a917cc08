/**
 * Plain Jobs (not hooks, a fixed name) as the volatile-* rules see them: Helm patches them,
 * and a Job's spec.template is immutable, so a template that changes between releases fails
 * the upgrade while the Job exists.
 */
import { getPath, type KubeObject } from "../../model/object.ts";
import { releaseOf } from "../release.ts";
import { deleteCommand } from "../migration.ts";

/** A ttlSecondsAfterFinished this short removes a finished Job long before a routine next release. */
const SHORT_TTL_SECONDS = 3600;

/**
 * A change to the template of a Job that Helm patches: an error; a warning when the Job is
 * removed some time after it finished (it fails only if it still exists), info when that is
 * within the hour (only an upgrade right after the last one fails). Undefined for a Job
 * Helm never patches (generateName).
 */
export function patchedJobSeverity(object: KubeObject): "error" | "warning" | "info" | undefined {
  if (object.generatedName || object.hooks.length > 0) return undefined;
  const ttl = getPath(object.raw, ["spec", "ttlSecondsAfterFinished"]);
  if (typeof ttl !== "number") return "error";
  return ttl <= SHORT_TTL_SECONDS ? "info" : "warning";
}

/** What keeps a Job's template out of the way of the next upgrade, and how to get an installed release past it. */
export const JOB_RECREATE_FIX =
  "For a one-off task, make the Job a Helm hook (helm.sh/hook: post-install,post-upgrade with helm.sh/hook-delete-policy: before-hook-creation) so Helm recreates it on each release, " +
  "or name it per release (e.g. with .Release.Revision), or give it a short spec.ttlSecondsAfterFinished. For a release already deployed, delete the finished Job before upgrading (the upgrade creates it again, so it runs once more).";

/** Delete the Job, then upgrade: the migration for an installed release. */
export function jobCommands(object: KubeObject): string[] {
  return [deleteCommand(object), releaseOf(object).upgrade];
}

