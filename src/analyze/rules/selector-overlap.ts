import { type Rule, ruleHelpUri } from "../rule.ts";
import { checkPodConsumers } from "./selector-overlap/consumers.ts";
import { checkHpas } from "./selector-overlap/hpas.ts";
import { checkMonitors } from "./selector-overlap/monitors.ts";
import { checkWorkloads } from "./selector-overlap/workloads.ts";

// Explanations several messages share.
const TWO_BUDGETS =
  "The eviction API refuses every eviction of a pod covered by two PodDisruptionBudgets with HTTP 500 \"This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.\", so kubectl drain, cluster-autoscaler and Karpenter cannot move the pods of {{shared}}.";
const COUNTED_PODS = "The pods an HPA counts are those its target's selector matches.";
const AMBIGUOUS = "Since Kubernetes 1.26 both HPAs stop scaling: ScalingActive=False, reason AmbiguousSelector (\"{{apiError}}\").";
const FIGHTING = "Before Kubernetes 1.26 both HPAs write the replica count and fight over it; from 1.26 both stop scaling (ScalingActive=False, reason AmbiguousSelector).";
const ONE_AUTOSCALER = "Keep one autoscaler per workload (a KEDA ScaledObject creates an HPA of its own).";
const SELECTOR_IMMUTABLE =
  "Workload selectors are immutable, so an installed release needs the workload re-created; where the shared pods belong to Jobs, render those without the selector labels instead.";

function scrapesOthers(what: string): string {
  return `Prometheus scrapes other applications' ${what} too (with this monitor's port and path), which adds failing targets and duplicates the targets of their own monitors.`;
}

/**
 * Selectors that take in pods (or Services) they were not written for
 * (k8s-rules.md §4, §8 item 15). Workload controllers skip pods owned by someone else,
 * so the damage is done by the selector consumers: Services route traffic to Job pods,
 * PDBs block evictions, HPAs stop scaling or average foreign load, monitors scrape twice.
 * NetworkPolicy overlap is not reported: policies are additive by design. The logic per
 * kind of selector lives in selector-overlap/.
 */
export const selectorOverlap: Rule = {
  meta: {
    id: "selector-overlap",
    severity: "warning",
    summary: "A workload, Service, PDB, HPA target or monitor selects pods (or Services) that belong to another workload.",
    messages: {
      selectsForeignPods: "selector {{selector}} also matches the pods of {{foreign}}",
      selectsJobPods: "selector {{selector}} also matches the pods of {{foreign}}, which their Jobs own",
      widerThanItsPods: "selector {{selector}} also matches the pods of {{foreign}}, though a label of its own pods tells them apart",
      pdbNeedsScale: "maxUnavailable or a percentage over the pods of {{unscalable}}, which have no /scale: no eviction is allowed",
      pdbNeedsScaleWhileRunning: "maxUnavailable or a percentage over the pods of {{unscalable}}, which have no /scale: no eviction is allowed while they run",
      pdbNeedsScaleNotDrained: "maxUnavailable or a percentage over the pods of {{unscalable}}, which have no /scale: the budget protects nothing and refuses every eviction",
      serviceSelectsJobs: "sends traffic meant for {{target}} to the pods of {{jobs}} too",
      pdbCoversJobs: "covers the pods of {{target}} and also those of {{jobs}}",
      headlessSelectsJobs: "headless Service for {{target}} also resolves to the pods of {{jobs}}",
      serviceSpreads: "spreads traffic over {{count}} long-running workloads: {{workloads}}",
      pdbSpreads: "one budget over {{count}} long-running workloads: {{workloads}}",
      governsStatefulSets: "selects the pods of {{count}} workloads by design: it is the headless Service governing {{statefulSets}}",
      gossipPeers: "selects the pods of {{count}} workloads by design: memberlist gossip peer discovery",
      clusterMembers: "selects the pods of {{count}} StatefulSets by design: members of one cluster governed by {{governing}}",
      copiesOfOneWorkload: "selects the pods of {{count}} copies of one workload by design: {{workloads}} run the same containers",
      servesSharedContainer: "selects the pods of {{count}} workloads by design: each of {{workloads}} runs {{containers}}",
      budgetOverCopies: "one budget over {{count}} copies of one workload by design: {{workloads}} run the same containers",
      sharedWithBudget: "the pods of {{shared}} are also covered by {{other}}: they cannot be evicted",
      sameBudgetTwice: "covers the same pods as {{other}} ({{shared}}): they cannot be evicted",
      sameTargetTwice: "{{other}} scales {{target}} too: both stop scaling (AmbiguousSelector)",
      sameTargetTwiceFighting: "{{other}} scales {{target}} too: both set its replica count and fight",
      targetsShareSelectedPods: "scales {{target}}, {{other}} scales {{otherTarget}}, and both count the pods of {{shared}}",
      targetsShareSelectedPodsFighting: "scales {{target}}, {{other}} scales {{otherTarget}}, and both count the pods of {{shared}}",
      countsForeignPods: "scales {{target}}, whose selector {{selector}} also matches the pods of {{foreign}}",
      everyService: "selector is {{selector}}: every Service in namespace {{namespaces}} is scraped",
      everyServiceAnywhere: "selector is {{selector}} with namespaceSelector.any: every Service of the cluster is scraped",
      everyPod: "selector is {{selector}}: every pod in namespace {{namespaces}} is scraped",
      everyPodAnywhere: "selector is {{selector}} with namespaceSelector.any: every pod of the cluster is scraped",
      scrapedTwice: "selects {{shared}} like {{other}}: each target is scraped twice",
    },
    details: {
      selectsJobPods:
        "The {{kind}} controller only adopts pods that no controller owns, and these pods belong to their Job while they exist, so the {{kind}} leaves them alone. It matters where a Service, PDB, HPA or monitor reuses this selector: those findings are reported on them.",
      widerThanItsPods:
        "The StatefulSet controller claims only pods named after the StatefulSet, so no pod moves between them. The selector is still wider than its own pods: every Service, PDB, HPA or monitor that reuses it takes in the pods of {{foreign}} too.",
      selectsForeignPods:
        "The {{kind}} controller leaves pods owned by another controller alone, but it adopts orphans with these labels, and every Service, PDB, HPA and monitor that reuses the selector counts the pods of {{foreign}} as {{object}}'s.",
      pdbNeedsScale:
        "The budget uses maxUnavailable or a percentage minAvailable, so the disruption controller needs the expected pod count from the pods' controller's /scale subresource. {{unscalable}} has none: the budget goes SyncFailed (\"{{scaleError}}\") with disruptionsAllowed 0, and every eviction of a selected pod is refused with 429, which stalls kubectl drain and node autoscalers.",
      pdbNeedsScaleNotDrained:
        "The budget uses maxUnavailable or a percentage minAvailable, so the disruption controller needs the expected pod count from the pods' controller's /scale subresource. {{unscalable}} has none: the budget goes SyncFailed (\"{{scaleError}}\") with disruptionsAllowed 0, and every eviction of a selected pod is refused with 429. kubectl drain never evicts DaemonSet pods, so node drains go on; what is left is a budget that limits nothing, reports an error status, and refuses whatever else evicts these pods (an autoscaler's DaemonSet eviction).",
      pdbNeedsScaleWhileRunning:
        "The budget uses maxUnavailable or a percentage minAvailable, so the disruption controller needs the expected pod count from the pods' controller's /scale subresource, and {{unscalable}} has none. These Jobs are deleted as soon as they succeed (hook-delete-policy hook-succeeded, or ttlSecondsAfterFinished 0), so only while they run on install or upgrade, and while a failed one is kept, the budget goes SyncFailed (\"{{scaleError}}\") with disruptionsAllowed 0 and every eviction of a selected pod is refused with 429: a node drain in that window waits for them.",
      serviceSelectsJobs:
        "Kubernetes puts every Ready pod that matches a Service selector into its endpoints, whoever owns it: while the pods of {{jobs}} run, the Service sends them traffic meant for {{target}}.",
      pdbCoversJobs:
        "While they run, the pods of {{jobs}} count as healthy pods of the budget, so it allows evicting more of {{target}}'s pods than intended, and draining a node has to respect the budget for the Job pods too.",
      headlessSelectsJobs:
        "A headless Service balances no traffic, but while the pods of {{jobs}} run its DNS name resolves to them too, so a client that connects by the Service's name (not a pod's own name) can reach a Job pod. These Jobs run again while the application serves (upgrade or test hooks, CronJobs, Jobs renamed or recreated on each release). A Job that runs once, at install (an install hook, or a Job with no hook that no release renames and that does not delete itself), is not reported: its pods are gone from the name before anything relies on it, and a name that exists for the pods' own DNS names or for peer discovery carries no client traffic meanwhile.",
      serviceSpreads:
        "Canary and blue/green setups spread one Service over several workloads on purpose; if this Service is meant for one of {{workloads}} only, narrow its selector.",
      pdbSpreads:
        "Disruptions of one workload use up the budget of the others. Canary setups sometimes do this on purpose; if this budget is meant for one of {{workloads}} only, narrow its selector.",
      governsStatefulSets:
        "It selects {{workloads}}. It is the headless Service that governs {{statefulSets}} (spec.serviceName): it exists for the pods' own DNS names ({{pod}}). A headless Service balances no traffic; its name resolves to every ready pod it selects.",
      gossipPeers:
        "It selects {{workloads}}. It is a headless peer-discovery Service for memberlist gossip, which every component of the release joins to share one ring; a headless Service balances no traffic.",
      clusterMembers:
        "{{workloads}} are all governed by the headless Service {{governing}} (one spec.serviceName), which selects all their pods: they are the shards or replicas of one clustered application that find each other as peers, and one client Service over all of them is how the application is reached.",
      copiesOfOneWorkload:
        "{{workloads}} run the same containers and images: one application split into copies (one per zone or shard, as zone-aware replication does), and one Service over all of them is how it is reached.",
      servesSharedContainer:
        "Each of {{workloads}} runs {{containers}} with the same image, and the Service selects their pods by a label none of them selects its own pods by, one put on them for this Service: it reaches that in all of them.",
      budgetOverCopies:
        "{{workloads}} run the same containers and images: one application split into copies (one per zone or shard, as zone-aware replication does). One budget over all of them limits the disruptions of the application as a whole, which is what a zone-aware rollout wants.",
      sharedWithBudget: TWO_BUDGETS,
      sameBudgetTwice: TWO_BUDGETS,
      sameTargetTwice: `${AMBIGUOUS} ${ONE_AUTOSCALER}`,
      sameTargetTwiceFighting: `${FIGHTING} ${ONE_AUTOSCALER}`,
      targetsShareSelectedPods: `${COUNTED_PODS} ${AMBIGUOUS} ${SELECTOR_IMMUTABLE}`,
      targetsShareSelectedPodsFighting: `${COUNTED_PODS} ${FIGHTING} ${SELECTOR_IMMUTABLE}`,
      countsForeignPods: `The HPA averages the resource usage of {{foreign}} into {{target}}'s metrics, so it scales on load that is not {{target}}'s. ${SELECTOR_IMMUTABLE}`,
      everyService: scrapesOthers("Services"),
      everyServiceAnywhere: scrapesOthers("Services"),
      everyPod: scrapesOthers("pods"),
      everyPodAnywhere: scrapesOthers("pods"),
      scrapedTwice:
        "Prometheus scrapes the same endpoints once per monitor, which doubles the load and produces duplicate series that break sums and alerts.",
    },
    why:
      "Kubernetes selects by labels, not by owner: a Service sends traffic to every Ready pod matching its selector, migration Jobs and hook pods included. A pod covered by two PDBs cannot be evicted at all, two HPAs counting the same pods both stop with AmbiguousSelector, and a PDB with maxUnavailable over Job or DaemonSet pods goes SyncFailed. FleetDM's Service sent traffic to its migration Job (fleetdm/fleet#29710). A headless Service that governs a StatefulSet (its spec.serviceName) or serves memberlist gossip, a client Service over the StatefulSets of one cluster (shards or replicas governed by one headless Service), a Service or PDB over copies of one workload (the same containers, one per zone or shard, as zone-aware replication runs them), and a Service over a container every selected workload runs, by a label none of them selects its own pods by, select several workloads by design: that is info, with the reason. A StatefulSet's own selector over other pods is info, and only where a label of its own pods would tell them apart: its controller claims only pods named after it. A workload's selector over a Job's pods is info (its controller never adopts them), and over a hook's only where a Service or PDB takes them in with the workload's own.",
    fix:
      "Give every workload's pod template a distinct app.kubernetes.io/component and put it into each selector (workload, Service, PDB); render Job and CronJob pods without the application's selector labels.",
    migration:
      "A Service, PDB or HPA selector can be changed in place: `helm upgrade` with the fixed chart is enough. A workload's own selector is immutable: adding app.kubernetes.io/component to it needs `kubectl delete <kind> <name> --cascade=orphan` before `helm upgrade` (the pods keep running and are adopted).",
    incident:
      "fleetdm/fleet #29710: the chart's database migration Job carried the same labels as the Fleet Deployment, so the Fleet Service sent live traffic to the migration pod while it ran.",
    helpUri: ruleHelpUri("selector-overlap"),
  },
  check(context, report) {
    // First: it notes which workloads a Service or PDB takes in with hook Jobs, which checkWorkloads asks.
    checkPodConsumers(context, report);
    checkWorkloads(context, report);
    checkHpas(context, report);
    checkMonitors(context, report);
  },
};
