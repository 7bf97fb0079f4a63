/** The instances a command is about and their clusters' API clients (shared with the pipeline: src/deploy). */
export { clientsFor, type InstanceTarget, longRunningTargets, reportedTargets } from "../deploy/targets.js";
