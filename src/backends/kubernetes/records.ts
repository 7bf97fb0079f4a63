/**
 * The RecordStore power on Kubernetes: each record is a ConfigMap `paasta-record-NAME` (key `record`) in the
 * control plane's namespace, labelled managed by paasta, written with server-side apply. A ConfigMap survives
 * restarts of deployd and is readable by every `paasta api` replica; records stay far below its 1 MiB limit.
 */
import type { Kube } from "./client.js";
import { FIELD_MANAGER, MANAGED } from "./render/types.js";

interface ConfigMap {
  metadata: { name: string };
  data?: Record<string, string>;
}

export class ConfigMapRecords {
  private namespaceReady = false;

  constructor(
    private readonly kube: Kube,
    private readonly namespace: string,
  ) {}

  async read(name: string): Promise<string | undefined> {
    const found = await this.kube.list<ConfigMap>("v1", "ConfigMap", `paasta.yelp.com/record=${name}`, this.namespace);
    return found[0]?.data?.record;
  }

  async write(name: string, text: string): Promise<void> {
    if (!this.namespaceReady) {
      await this.kube.apply({
        apiVersion: "v1",
        kind: "Namespace",
        // Not labelled managed: it holds no app, and cleanup of managed namespaces must never take it.
        metadata: { name: this.namespace, labels: { "yelp.com/owner": FIELD_MANAGER } },
      });
      this.namespaceReady = true;
    }
    await this.kube.apply({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: `paasta-record-${name}`,
        namespace: this.namespace,
        labels: { [MANAGED]: "true", "paasta.yelp.com/record": name },
      },
      data: { record: text },
    });
  }
}
