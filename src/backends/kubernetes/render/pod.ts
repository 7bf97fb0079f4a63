/** The pod template of an instance (reference §7.3): the main container, volumes, probes, lifecycle, placement. */
import { SECRET_REF } from "../../../config/patterns.js";
import type { DesiredApp } from "../../../model/app.js";
import { identityOf, paastaEnv } from "../../../model/task-env.js";
import { podAnnotations, podLabels } from "./labels.js";
import { containerName, secretObjectName, volumeName } from "./names.js";
import { affinity, nodeSelector, topologySpread } from "./placement.js";
import type { Json } from "./types.js";

/** The capabilities PaaSTA drops from every container (minus those in cap_add). */
const DEFAULT_CAP_DROP = [
  "SETPCAP",
  "MKNOD",
  "AUDIT_WRITE",
  "CHOWN",
  "NET_RAW",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "SETGID",
  "SETUID",
  "NET_BIND_SERVICE",
  "SYS_CHROOT",
  "SETFCAP",
];

function env(app: DesiredApp): Json[] {
  const c = app.config;
  const plain: Record<string, string> = { ...paastaEnv(identityOf(app), c.container_port), ...c.env };
  delete plain.PAASTA_HOST; // from the downward API below
  delete plain.PAASTA_CLUSTER;
  const out: Json[] = [];
  for (const [name, value] of Object.entries(plain).sort(([a], [b]) => a.localeCompare(b))) {
    const secret = SECRET_REF.exec(value);
    if (secret) {
      const shared = secret[1] !== undefined;
      const key = secret[2] as string;
      out.push({
        name,
        valueFrom: {
          secretKeyRef: { name: secretObjectName(c.namespace, app.service, key, shared), key, optional: false },
        },
      });
    } else out.push({ name, value });
  }
  const field = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
  out.push(
    field("PAASTA_CLUSTER", "metadata.labels['paasta.yelp.com/cluster']"),
    field("PAASTA_HOST", "spec.nodeName"),
    field("PAASTA_POD_IP", "status.podIP"),
    field("POD_NAME", "metadata.name"),
  );
  return out;
}

function probe(app: DesiredApp): Json | undefined {
  const hc = app.config.healthcheck;
  if (hc.mode === null) return undefined;
  const timing = {
    failureThreshold: hc.max_consecutive_failures,
    initialDelaySeconds: Math.round(hc.grace_period_seconds),
    periodSeconds: Math.max(1, Math.round(hc.interval_seconds)),
    timeoutSeconds: Math.max(1, Math.round(hc.timeout_seconds)),
  };
  switch (hc.mode) {
    case "http":
    case "https":
      return { httpGet: { path: hc.uri, port: app.config.container_port, scheme: hc.mode.toUpperCase() }, ...timing };
    case "tcp":
      return { tcpSocket: { port: app.config.container_port }, ...timing };
    case "cmd":
      return { exec: { command: ["/bin/sh", "-c", hc.cmd] }, ...timing };
  }
}

function preStop(app: DesiredApp): Json | undefined {
  const lc = app.config.lifecycle;
  if (lc.pre_stop_command !== null) {
    return {
      exec: { command: typeof lc.pre_stop_command === "string" ? [lc.pre_stop_command] : [...lc.pre_stop_command] },
    };
  }
  const d = lc.pre_stop_drain_seconds;
  if (d <= 0) return undefined;
  if (!lc.pre_stop_wait_for_connections_to_complete) return { exec: { command: ["/bin/sh", "-c", `sleep ${d}`] } };
  const port = app.config.container_port.toString(16).toUpperCase().padStart(4, "0");
  const wait = `sleep ${d}; while grep -q ':${port} [0-9A-F:]* 01 ' /proc/net/tcp /proc/net/tcp6 2>/dev/null; do sleep 1; done`;
  return { exec: { command: ["/bin/sh", "-c", wait] } };
}

/** terminationGracePeriodSeconds: explicit, else for mesh instances the drain plus the longest proxy timeout. */
function terminationGrace(app: DesiredApp): number | undefined {
  const lc = app.config.lifecycle;
  if (lc.termination_grace_period_seconds !== null) return lc.termination_grace_period_seconds;
  if (!app.config.in_mesh) return undefined;
  let grace = lc.pre_stop_drain_seconds + 1 + 1;
  if (lc.pre_stop_wait_for_connections_to_complete) {
    const mesh = app.config.mesh;
    const timeouts = mesh ? [mesh.timeout_server_ms, ...Object.values(mesh.endpoint_timeouts)] : [0];
    grace += Math.ceil(Math.min(1800, Math.max(...timeouts) / 1000 + 300));
  }
  return grace;
}

function volumes(app: DesiredApp): { volumes: Json[]; mounts: Json[] } {
  const vols = new Map<string, Json>();
  const mounts: Json[] = [];
  for (const v of app.config.volumes) {
    const name = volumeName("host", v.hostPath);
    vols.set(name, { name, hostPath: { path: v.hostPath } });
    mounts.push({ mountPath: v.containerPath, name, readOnly: v.mode === "RO" });
  }
  for (const sv of app.config.secret_volumes) {
    const secret = sv.secret_name;
    const name = volumeName("secret", secret);
    const spec: Json = {
      secretName: secretObjectName(app.config.namespace, app.service, secret, false),
      optional: false,
    };
    if (sv.items) spec.items = sv.items;
    if (sv.default_mode !== null) spec.defaultMode = Number.parseInt(sv.default_mode, 8);
    vols.set(name, { name, secret: spec });
    mounts.push({ mountPath: sv.container_path, name, readOnly: true });
  }
  for (const pv of app.config.persistent_volumes) {
    mounts.push({
      mountPath: pv.container_path,
      name: volumeName("pv", pv.container_path),
      readOnly: pv.mode === "RO",
    });
  }
  return { volumes: [...vols.values()].sort((a, b) => String(a.name).localeCompare(String(b.name))), mounts };
}

function resources(app: DesiredApp): Json {
  const c = app.config;
  const requests: Record<string, string> = {
    cpu: String(c.cpus),
    "ephemeral-storage": `${c.disk}Mi`,
    memory: `${c.mem}Mi`,
  };
  const limits: Record<string, string> = {
    cpu: String(+(c.cpus + c.cpu_burst_add).toFixed(6)),
    "ephemeral-storage": `${c.disk}Mi`,
    memory: `${c.mem}Mi`,
  };
  if (c.gpus !== null) {
    requests["nvidia.com/gpu"] = String(c.gpus);
    limits["nvidia.com/gpu"] = String(c.gpus);
  }
  return { limits, requests };
}

export function mainContainer(app: DesiredApp): Json {
  const c = app.config;
  const capAdd = c.pod.cap_add;
  const container: Json = {
    env: env(app),
    image: app.image_url ?? app.docker_image,
    name: containerName(app.instance),
    ports: [{ containerPort: c.container_port }],
    resources: resources(app),
    securityContext: {
      capabilities: {
        add: capAdd.length > 0 ? [...capAdd] : undefined,
        drop: DEFAULT_CAP_DROP.filter((d) => !capAdd.includes(d)).sort(),
      },
    },
  };
  if (c.pod.prometheus_port !== null && c.pod.prometheus_port !== c.container_port) {
    (container.ports as Json[]).push({ containerPort: c.pod.prometheus_port });
  }
  if (c.pod.privileged) (container.securityContext as Json).privileged = true;
  if (typeof c.cmd === "string") container.command = ["/bin/sh", "-c", c.cmd];
  else if (c.cmd !== null) container.command = [...c.cmd];
  if (c.args.length > 0) container.args = [...c.args];
  const p = probe(app);
  if (p) {
    container.livenessProbe = p;
    container.readinessProbe = p;
  }
  const stop = preStop(app);
  if (stop) container.lifecycle = { preStop: stop };
  const { mounts } = volumes(app);
  if (mounts.length > 0) container.volumeMounts = mounts;
  return container;
}

export function podTemplate(app: DesiredApp): Json {
  const c = app.config;
  const spec: Json = {
    containers: [mainContainer(app)],
    nodeSelector: nodeSelector(app),
    restartPolicy: "Always",
    shareProcessNamespace: true,
  };
  const aff = affinity(app);
  if (aff) spec.affinity = aff;
  const tsc = topologySpread(app);
  if (tsc) spec.topologySpreadConstraints = tsc;
  const grace = terminationGrace(app);
  if (grace !== undefined) spec.terminationGracePeriodSeconds = grace;
  const { volumes: vols } = volumes(app);
  if (vols.length > 0) spec.volumes = vols;
  const pod = c.pod;
  if (pod.service_account_name !== null) spec.serviceAccountName = pod.service_account_name;
  if (pod.fs_group !== null || pod.fs_group_change_policy !== null) {
    spec.securityContext = {
      fsGroup: pod.fs_group ?? undefined,
      fsGroupChangePolicy: pod.fs_group_change_policy ?? undefined,
    };
  }
  return { metadata: { annotations: podAnnotations(app), labels: podLabels(app) }, spec };
}
