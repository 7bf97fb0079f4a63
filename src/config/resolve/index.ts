/**
 * THE resolver: the one place where soa-configs become resolved configs and every default is applied
 * (the table is defaults.ts). Split by concern; this module is the entry point.
 */
export { DEFAULTS } from "./defaults.js";
export {
  generalConfig,
  generalProblems,
  instanceNames,
  interpolateDeployGroup,
  type Resolved,
  type ResolveOptions,
} from "./general.js";
export { resolveInstance } from "./long-running.js";
export { registrationNamespace, resolveNamespace, resolveNamespaces } from "./mesh.js";
export { resolveMonitoring } from "./monitoring.js";
export { resolveTronJob } from "./tron.js";
export { actionAsInstance } from "./tron-action.js";
