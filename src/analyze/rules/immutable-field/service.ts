/**
 * Service updates (docs/k8s-rules.md §1.8; ValidateServiceUpdate in
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go):
 * the primary cluster IP, the secondary IP's release, the primary IP family,
 * loadBalancerClass and healthCheckNodePort. Each rule is a small predicate over the two
 * sides; the cluster-IP rules are exclusive, tried in order, as the API server's are.
 */
import type { FieldPath } from "../../../load/yaml.ts";
import { getPath } from "../../../model/object.ts";
import { FIELD_IS_IMMUTABLE, fieldError, renderApiValue, validationSource } from "../../../k8s/api-errors.ts";
import { defaultedManifest } from "../../../k8s/defaults.ts";
import { SERVICE_KEEPS_ALLOCATED_VALUES } from "../../../k8s/update-rules.ts";
import { gateApplies } from "../../../k8s/versions.ts";
import { sameValue } from "../../upgrade/diff.ts";
import type { UpdatePair } from "../../upgrade/plan.ts";
import type { Checked, Problem } from "./problem.ts";
import { serviceRemedy } from "./remedies.ts";

/** The two sides of a Service update, as the rules read them. */
interface ServiceSides {
  pair: UpdatePair;
  version: string;
  /** The manifests after defaults. */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  /** clusterIPs[0] or clusterIP as written; undefined when unset. */
  beforeIP: string | undefined;
  afterIP: string | undefined;
  headless: { before: boolean; after: boolean };
}

type ServiceRule = (sides: ServiceSides) => Problem | undefined;

const CORE = validationSource("");
const MAY_NOT_CHANGE = "may not change once set";

/** §1.8: every rule; all cluster-IP rules are skipped when the old or new type is ExternalName. */
export function service(pair: UpdatePair, version: string): Checked | undefined {
  const before = defaultedManifest(pair.before.raw, "v1", "Service");
  const after = defaultedManifest(pair.after.raw, "v1", "Service");
  if (getPath(before, ["spec", "type"]) === "ExternalName" || getPath(after, ["spec", "type"]) === "ExternalName") return undefined;
  const beforeIP = primaryClusterIP(pair.before.raw);
  const afterIP = primaryClusterIP(pair.after.raw);
  const sides: ServiceSides = { pair, version, before, after, beforeIP, afterIP, headless: { before: beforeIP === "None", after: afterIP === "None" } };
  const clusterIP = sides.headless.before && sides.headless.after ? undefined : firstProblem(CLUSTER_IP_RULES, sides);
  const problems = [clusterIP, ...OTHER_RULES.map((rule) => rule(sides))].filter((p): p is Problem => p !== undefined);
  return { problems, remedy: (p) => serviceRemedy(pair, p) };
}

function firstProblem(rules: readonly ServiceRule[], sides: ServiceSides): Problem | undefined {
  for (const rule of rules) {
    const problem = rule(sides);
    if (problem) return problem;
  }
  return undefined;
}

/** The primary cluster IP's field error, with the new clusterIPs as the server prints them. */
function primaryIPError(sides: ServiceSides): string {
  const list = getPath(sides.pair.after.raw, ["spec", "clusterIPs"]);
  const value = renderApiValue(Array.isArray(list) && list.length > 0 ? list : [sides.afterIP], sides.version);
  return fieldError("spec.clusterIPs[0]", "Invalid value", MAY_NOT_CHANGE, value);
}

/** The field the chart writes the cluster IP in (clusterIPs when it writes only that). */
function ipPath(raw: Record<string, unknown>): FieldPath {
  return getPath(raw, ["spec", "clusterIP"]) === undefined && getPath(raw, ["spec", "clusterIPs"]) !== undefined ? ["spec", "clusterIPs"] : ["spec", "clusterIP"];
}

const ipChanged: ServiceRule = (s) => {
  if (s.beforeIP === undefined || s.afterIP === undefined || s.beforeIP === s.afterIP) return undefined;
  const headlessNote = s.headless.before || s.headless.after ? "; switching between headless (clusterIP: None) and a cluster IP is such a change" : "";
  return {
    path: ipPath(s.pair.after.raw),
    fieldError: primaryIPError(s),
    before: s.beforeIP,
    after: s.afterIP,
    why: `A Service's primary cluster IP cannot change once set${headlessNote} (${CORE}).`,
  };
};

const madeHeadless: ServiceRule = (s) =>
  s.beforeIP === undefined && s.headless.after
    ? {
        path: ipPath(s.pair.after.raw),
        fieldError: primaryIPError(s),
        before: "<allocated IP>",
        after: s.afterIP,
        why: `The Service already has an allocated cluster IP; making it headless (clusterIP: None) changes the primary cluster IP, which cannot change once set (${CORE}).`,
      }
    : undefined;

const ipPinned: ServiceRule = (s) =>
  s.beforeIP === undefined && s.afterIP !== undefined
    ? {
        path: ipPath(s.pair.after.raw),
        fieldError: primaryIPError(s),
        before: "<allocated IP>",
        after: s.afterIP,
        severity: "warning",
        why: `The Service was created without an explicit cluster IP, so the cluster allocated one; pinning ${s.afterIP} now fails unless it is exactly the allocated IP, because the primary cluster IP cannot change once set (${CORE}).`,
      }
    : undefined;

const headlessDropped: ServiceRule = (s) =>
  s.headless.before && s.afterIP === undefined
    ? {
        path: ["spec"],
        label: "spec.clusterIP",
        before: "None",
        after: undefined,
        severity: "warning",
        why: "Dropping `clusterIP: None` does not turn a headless Service into a normal one: the API server copies the old value (None) back into the update, so the upgrade succeeds but the Service stays headless (kubernetes/kubernetes #120937).",
      }
    : undefined;

const ipClearedBeforeCopyBack: ServiceRule = (s) =>
  s.beforeIP !== undefined && s.afterIP === undefined && !gateApplies(SERVICE_KEEPS_ALLOCATED_VALUES, s.version)
    ? {
        path: ["spec"],
        label: "spec.clusterIP",
        fieldError: fieldError("spec.clusterIP", "Invalid value", FIELD_IS_IMMUTABLE, '""'),
        before: s.beforeIP,
        after: undefined,
        why: `Removing the explicit clusterIP makes Helm's three-way patch clear it; Kubernetes ${s.version} does not yet copy allocated values back into an update (that arrived with PR #103532, believed 1.23), so the empty value is refused (${CORE}).`,
      }
    : undefined;

const CLUSTER_IP_RULES: readonly ServiceRule[] = [ipChanged, madeHeadless, ipPinned, headlessDropped, ipClearedBeforeCopyBack];

/** A secondary cluster IP may be released only with ipFamilyPolicy: SingleStack. */
const secondaryIPReleased: ServiceRule = (s) => {
  const bList = getPath(s.pair.before.raw, ["spec", "clusterIPs"]);
  const aList = getPath(s.pair.after.raw, ["spec", "clusterIPs"]);
  const aPolicy = getPath(s.pair.after.raw, ["spec", "ipFamilyPolicy"]);
  if (s.headless.before || s.headless.after || !Array.isArray(bList) || !Array.isArray(aList)) return undefined;
  if (bList.length !== 2 || aList.length !== 1 || aPolicy === "SingleStack") return undefined;
  return {
    path: ["spec", "clusterIPs"],
    fieldError: fieldError("spec.ipFamilyPolicy", "Invalid value", "must be set to 'SingleStack' when releasing the secondary clusterIP", renderApiValue(aPolicy ?? "", s.version)),
    before: bList,
    after: aList,
    why: `Removing the secondary cluster IP requires \`ipFamilyPolicy: SingleStack\` in the same update (${CORE}).`,
  };
};

/** ipFamilies[0]: not checked when switching to or from headless. */
const ipFamilyChanged: ServiceRule = (s) => {
  const bFamily = getPath(s.pair.before.raw, ["spec", "ipFamilies", 0]);
  const aFamily = getPath(s.pair.after.raw, ["spec", "ipFamilies", 0]);
  if (typeof bFamily !== "string" || typeof aFamily !== "string" || bFamily === aFamily || s.headless.before || s.headless.after) return undefined;
  return {
    path: ["spec", "ipFamilies", 0],
    fieldError: fieldError("spec.ipFamilies[0]", "Invalid value", MAY_NOT_CHANGE, renderApiValue(aFamily, s.version)),
    before: bFamily,
    after: aFamily,
    why: `A Service's primary IP family cannot change once set (${CORE}).`,
  };
};

function staysLoadBalancer(s: ServiceSides): boolean {
  return getPath(s.before, ["spec", "type"]) === "LoadBalancer" && getPath(s.after, ["spec", "type"]) === "LoadBalancer";
}

/** loadBalancerClass: may not change while the type stays LoadBalancer. */
const loadBalancerClassChanged: ServiceRule = (s) => {
  const bClass = getPath(s.before, ["spec", "loadBalancerClass"]);
  const aClass = getPath(s.after, ["spec", "loadBalancerClass"]);
  if (!staysLoadBalancer(s) || sameValue(bClass, aClass)) return undefined;
  return {
    path: ["spec", "loadBalancerClass"],
    fieldError: fieldError("spec.loadBalancerClass", "Invalid value", MAY_NOT_CHANGE, renderApiValue(aClass, s.version)),
    before: bClass,
    after: aClass,
    why: `A LoadBalancer Service's loadBalancerClass cannot change while it stays of type LoadBalancer (${CORE}).`,
  };
};

/** healthCheckNodePort: fixed while the Service stays LoadBalancer with externalTrafficPolicy: Local. */
const healthCheckNodePortChanged: ServiceRule = (s) => {
  const local = (o: Record<string, unknown>) => getPath(o, ["spec", "externalTrafficPolicy"]) === "Local";
  const bPort = getPath(s.before, ["spec", "healthCheckNodePort"]);
  const aPort = getPath(s.after, ["spec", "healthCheckNodePort"]);
  if (!staysLoadBalancer(s) || !local(s.before) || !local(s.after) || typeof bPort !== "number" || typeof aPort !== "number" || bPort === aPort) return undefined;
  return {
    path: ["spec", "healthCheckNodePort"],
    fieldError: fieldError("spec.healthCheckNodePort", "Forbidden", FIELD_IS_IMMUTABLE),
    before: bPort,
    after: aPort,
    why: `healthCheckNodePort cannot change while the Service is LoadBalancer with externalTrafficPolicy: Local (${CORE}).`,
  };
};

const OTHER_RULES: readonly ServiceRule[] = [secondaryIPReleased, ipFamilyChanged, loadBalancerClassChanged, healthCheckNodePortChanged];

/** clusterIPs[0] or clusterIP; "" and null count as unset (merge-trap handles explicit empties). */
function primaryClusterIP(raw: Record<string, unknown>): string | undefined {
  const list = getPath(raw, ["spec", "clusterIPs"]);
  if (Array.isArray(list) && typeof list[0] === "string" && list[0] !== "") return list[0];
  const single = getPath(raw, ["spec", "clusterIP"]);
  return typeof single === "string" && single !== "" ? single : undefined;
}
