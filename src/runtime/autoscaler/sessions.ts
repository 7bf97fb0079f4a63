/**
 * active-requests from the local proxy: the sessions HAProxy has in flight to an instance's tasks, summed over
 * the namespaces it registers in (what `paasta mesh_status` shows per backend). Null — "not available" to
 * the autoscaler — while the proxy does not serve (HAProxy not installed or not started) or the instance
 * registers nowhere.
 */
import type { MeshStatusReader } from "../../backends/mesh-powers.js";
import type { ActiveRequestsSource } from "./metrics.js";

export function proxySessions(mesh: MeshStatusReader): ActiveRequestsSource {
  return {
    async activeRequests(ref) {
      const s = await mesh.meshStatus(ref);
      if (!s?.proxy.available) return null;
      const own = s.namespaces
        .filter((n) => n.served)
        .flatMap((n) => n.backends)
        .filter((b) => b.service === ref.service && b.instance === ref.instance && b.sessions !== null);
      return own.length === 0 ? null : own.reduce((n, b) => n + (b.sessions ?? 0), 0);
    },
  };
}
