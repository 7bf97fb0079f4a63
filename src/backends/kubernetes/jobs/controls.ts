/**
 * Users' enable/disable of jobs on Kubernetes: one ConfigMap of the cluster (`paasta-job-controls` in the jobs'
 * namespace), a key per job (SERVICE.JOB → {enabled, since}). Read on every pass; written only by the verbs.
 */
import { type JobControl, jobKey } from "../../../model/jobs/records.js";
import type { Kube } from "../client.js";
import type { KubeObject } from "../render/types.js";
import { MANAGED } from "../render/types.js";
import { L, labelValue } from "./names.js";

const NAME = "paasta-job-controls";

type ConfigMap = KubeObject & { data?: Record<string, string> };

export class Controls {
  constructor(
    private readonly kube: Kube,
    private readonly cluster: string,
    private readonly namespace: string,
  ) {}

  private selector(): string {
    return `${MANAGED}=true,${L.cluster}=${labelValue(this.cluster)},paasta.yelp.com/job-controls=true`;
  }

  private async data(): Promise<Record<string, string>> {
    const maps = await this.kube.list<ConfigMap>("v1", "ConfigMap", this.selector(), this.namespace);
    return maps.find((m) => m.metadata.name === NAME)?.data ?? {};
  }

  async read(): Promise<JobControl[]> {
    return Object.entries(await this.data()).flatMap(([key, value]) => {
      const dot = key.indexOf(".");
      try {
        const v = JSON.parse(value) as { enabled: boolean; since: number };
        return [{ service: key.slice(0, dot), job: key.slice(dot + 1), enabled: v.enabled === true, since: v.since }];
      } catch {
        return [];
      }
    });
  }

  async set(c: JobControl): Promise<void> {
    const data = { ...(await this.data()), [jobKey(c)]: JSON.stringify({ enabled: c.enabled, since: c.since }) };
    await this.kube.apply({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: NAME,
        namespace: this.namespace,
        labels: { [MANAGED]: "true", [L.cluster]: labelValue(this.cluster), "paasta.yelp.com/job-controls": "true" },
      },
      data,
    });
  }
}
