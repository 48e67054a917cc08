import assert from "node:assert/strict";
import { test } from "node:test";
import {
  canonicalQuantity,
  compareQuantities,
  defaultedClaimTemplate,
  defaultedManifest,
  defaultedPodSpec,
  defaultedPodTemplate,
  defaultPullPolicy,
  parseQuantity,
  withDefaults,
} from "../../src/k8s/defaults.ts";
import { sameValue } from "../../src/analyze/upgrade/diff.ts";
import { parseYamlStream } from "../../src/load/yaml.ts";
import { objectsFromDocuments, type KubeObject } from "../../src/model/object.ts";
import { yaml } from "../helpers/rule-cases.ts";

function object(manifest: string): KubeObject {
  return objectsFromDocuments(parseYamlStream(manifest, "x.yaml"), { namespace: "default" }).objects[0]!;
}

test("quantities: canonical strings as the API server stores them", () => {
  const cases: [unknown, string][] = [
    ["1Gi", "1Gi"],
    ["1024Mi", "1Gi"],
    ["1536Mi", "1536Mi"],
    ["1.5Gi", "1536Mi"],
    ["0.5", "500m"],
    [0.5, "500m"],
    ["1000", "1k"],
    ["100m", "100m"],
    ["1e3", "1e3"],
    [2, "2"],
    ["0", "0"],
    ["512", "512"],
  ];
  for (const [input, expected] of cases) assert.equal(canonicalQuantity(input), expected, String(input));
  assert.equal(canonicalQuantity("not-a-quantity"), "not-a-quantity");
  assert.equal(parseQuantity("abc"), undefined);
});

test("quantities compare by value", () => {
  assert.equal(compareQuantities("1Gi", "1024Mi"), 0);
  assert.equal(compareQuantities("1Gi", "1073741824"), 0);
  assert.equal(compareQuantities("1Gi", "2Gi"), -1);
  assert.equal(compareQuantities("10Gi", "8Gi"), 1);
  assert.equal(compareQuantities("500m", 0.5), 0);
  assert.equal(compareQuantities("x", "1"), undefined);
});

test("image pull policy: latest or untagged → Always, tag or digest → IfNotPresent", () => {
  assert.equal(defaultPullPolicy("nginx"), "Always");
  assert.equal(defaultPullPolicy("nginx:latest"), "Always");
  assert.equal(defaultPullPolicy("nginx:1.27"), "IfNotPresent");
  assert.equal(defaultPullPolicy("registry:5000/nginx"), "Always");
  assert.equal(defaultPullPolicy("registry:5000/nginx:1.2"), "IfNotPresent");
  assert.equal(defaultPullPolicy("nginx@sha256:abc"), "IfNotPresent");
});

test("Deployment defaults (apps/v1) and pod template defaults; the input is not modified", () => {
  const o = object(yaml`
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      template:
        spec:
          containers:
            - name: app
              image: web:1.0
              ports: [{containerPort: 80}]
              readinessProbe: {httpGet: {port: 80}}
              env: [{name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]
              resources: {limits: {memory: 1024Mi}}
          volumes:
            - {name: cfg, configMap: {name: cfg}}
    status: {replicas: 3}
  `);
  const snapshot = JSON.stringify(o.raw);
  const d = withDefaults(o);
  assert.equal(JSON.stringify(o.raw), snapshot, "input untouched");
  assert.equal(d.status, undefined, "status dropped");
  assert.deepEqual(d.spec, {
    replicas: 1,
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
    template: {
      spec: {
        dnsPolicy: "ClusterFirst",
        restartPolicy: "Always",
        terminationGracePeriodSeconds: 30,
        schedulerName: "default-scheduler",
        containers: [
          {
            name: "app",
            image: "web:1.0",
            imagePullPolicy: "IfNotPresent",
            terminationMessagePath: "/dev/termination-log",
            terminationMessagePolicy: "File",
            ports: [{ containerPort: 80, protocol: "TCP" }],
            readinessProbe: {
              httpGet: { port: 80, path: "/", scheme: "HTTP" },
              timeoutSeconds: 1,
              periodSeconds: 10,
              successThreshold: 1,
              failureThreshold: 3,
            },
            env: [{ name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName", apiVersion: "v1" } } }],
            // Templates do not get requests from limits (that is SetDefaults_Pod only).
            resources: { limits: { memory: "1Gi" } },
          },
        ],
        volumes: [{ name: "cfg", configMap: { name: "cfg", defaultMode: 420 } }],
      },
    },
  });
});

test("writing defaults out explicitly is the same object", () => {
  const implicit = object(yaml`
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db}
    spec:
      serviceName: db
      selector: {matchLabels: {app: db}}
      template:
        metadata: {labels: {app: db}}
        spec: {containers: [{name: db, image: "db:1"}]}
      volumeClaimTemplates:
        - metadata: {name: data}
          spec:
            accessModes: [ReadWriteOnce]
            resources: {requests: {storage: 1Gi}}
  `);
  const explicit = object(yaml`
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db}
    spec:
      replicas: 1
      podManagementPolicy: OrderedReady
      revisionHistoryLimit: 10
      updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
      persistentVolumeClaimRetentionPolicy: {whenDeleted: Retain, whenScaled: Retain}
      serviceName: db
      selector: {matchLabels: {app: db}}
      template:
        metadata: {labels: {app: db}}
        spec:
          restartPolicy: Always
          dnsPolicy: ClusterFirst
          containers:
            - name: db
              image: "db:1"
              imagePullPolicy: IfNotPresent
              terminationMessagePath: /dev/termination-log
      volumeClaimTemplates:
        - apiVersion: v1
          kind: PersistentVolumeClaim
          metadata: {name: data, creationTimestamp: null}
          spec:
            accessModes: [ReadWriteOnce]
            volumeMode: Filesystem
            resources: {requests: {storage: 1024Mi}}
          status: {phase: Pending}
  `);
  assert.ok(sameValue(withDefaults(implicit), withDefaults(explicit)));
});

test("claim templates: TypeMeta dropped, volumeMode and status.phase defaulted", () => {
  assert.deepEqual(defaultedClaimTemplate({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data" }, spec: { resources: { requests: { storage: "8Gi" } } } }), {
    metadata: { name: "data" },
    spec: { resources: { requests: { storage: "8Gi" } }, volumeMode: "Filesystem" },
    status: { phase: "Pending" },
  });
});

test("Job, CronJob, DaemonSet, Service, Secret, StorageClass, PV defaults", () => {
  const job = defaultedManifest({ spec: { template: { spec: { restartPolicy: "Never", containers: [] } } } }, "batch/v1", "Job");
  assert.deepEqual(
    { ...(job.spec as Record<string, unknown>), template: undefined },
    {
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: "NonIndexed",
      suspend: false,
      manualSelector: false,
      podReplacementPolicy: "TerminatingOrFailed",
      template: undefined,
    },
  );
  const parallel = defaultedManifest({ spec: { parallelism: 3 } }, "batch/v1", "Job").spec as Record<string, unknown>;
  assert.equal(parallel.completions, undefined, "completions stay unset when only parallelism is set");

  const cron = defaultedManifest({ spec: { schedule: "* * * * *" } }, "batch/v1", "CronJob").spec as Record<string, unknown>;
  assert.deepEqual([cron.concurrencyPolicy, cron.suspend, cron.successfulJobsHistoryLimit, cron.failedJobsHistoryLimit], ["Allow", false, 3, 1]);

  const ds = defaultedManifest({ spec: {} }, "apps/v1", "DaemonSet").spec as Record<string, unknown>;
  assert.deepEqual(ds.updateStrategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });

  const svc = defaultedManifest({ spec: { type: "LoadBalancer", ports: [{ port: 80 }] } }, "v1", "Service").spec as Record<string, unknown>;
  assert.deepEqual(svc, {
    type: "LoadBalancer",
    sessionAffinity: "None",
    ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
    externalTrafficPolicy: "Cluster",
    internalTrafficPolicy: "Cluster",
    allocateLoadBalancerNodePorts: true,
  });
  assert.equal(defaultedManifest({}, "v1", "Secret").type, "Opaque");
  const sc = defaultedManifest({ provisioner: "x" }, "storage.k8s.io/v1", "StorageClass");
  assert.deepEqual([sc.reclaimPolicy, sc.volumeBindingMode], ["Delete", "Immediate"]);
  const pv = defaultedManifest({ spec: { capacity: { storage: "1024Mi" } } }, "v1", "PersistentVolume").spec as Record<string, unknown>;
  assert.deepEqual(pv, { capacity: { storage: "1Gi" }, persistentVolumeReclaimPolicy: "Retain", volumeMode: "Filesystem" });
});

test("bare pods: enableServiceLinks and requests from limits; templates: neither", () => {
  const spec = { containers: [{ name: "a", image: "a:1", resources: { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "500m" } } }] };
  const bare = defaultedPodSpec(spec, { bare: true });
  assert.equal(bare.enableServiceLinks, true);
  assert.deepEqual((bare.containers as { resources: unknown }[])[0]!.resources, { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "500m", memory: "1Gi" } });
  const template = defaultedPodTemplate({ spec });
  const templateSpec = template.spec as Record<string, unknown>;
  assert.equal(templateSpec.enableServiceLinks, undefined);
  assert.deepEqual((templateSpec.containers as { resources: unknown }[])[0]!.resources, spec.containers[0]!.resources);
});

test("legacy workload versions get pod template defaults only; unknown kinds are copied", () => {
  const legacy = defaultedManifest({ spec: { template: { spec: { containers: [] } } } }, "extensions/v1beta1", "Deployment");
  assert.equal((legacy.spec as Record<string, unknown>).revisionHistoryLimit, undefined);
  assert.equal(((legacy.spec as { template: { spec: Record<string, unknown> } }).template.spec).dnsPolicy, "ClusterFirst");
  const rollout = { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", spec: { template: { spec: { containers: [] } } } };
  assert.deepEqual(defaultedManifest(rollout, "argoproj.io/v1alpha1", "Rollout"), rollout);
});

test("null is defaulted like absent; an explicit non-default value is kept", () => {
  const d = defaultedManifest({ spec: { podManagementPolicy: null, revisionHistoryLimit: 3 } }, "apps/v1", "StatefulSet").spec as Record<string, unknown>;
  assert.equal(d.podManagementPolicy, "OrderedReady");
  assert.equal(d.revisionHistoryLimit, 3);
  const parallel = defaultedManifest({ spec: { podManagementPolicy: "Parallel" } }, "apps/v1", "StatefulSet").spec as Record<string, unknown>;
  assert.equal(parallel.podManagementPolicy, "Parallel");
});
