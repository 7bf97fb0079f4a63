/** Every `paasta` command, registered in one place. Each command module imports its heavy dependencies lazily. */
import type { Command } from "commander";
import * as alerts from "./commands/alerts.js";
import * as api from "./commands/api.js";
import * as autoscale from "./commands/autoscale.js";
import * as check from "./commands/check.js";
import * as completion from "./commands/completion.js";
import * as cookImage from "./commands/cook-image.js";
import * as deployd from "./commands/deployd.js";
import * as deploymentInfo from "./commands/deployment-info.js";
import * as fsm from "./commands/fsm.js";
import * as generateAlertmanagerConfig from "./commands/generate-alertmanager-config.js";
import * as generateDeployments from "./commands/generate-deployments.js";
import * as getImageVersion from "./commands/get-image-version.js";
import * as info from "./commands/info.js";
import * as itest from "./commands/itest.js";
import * as list from "./commands/list.js";
import * as listDeployQueue from "./commands/list-deploy-queue.js";
import * as listNamespaces from "./commands/list-namespaces.js";
import * as localRun from "./commands/local-run.js";
import * as logs from "./commands/logs.js";
import * as markForDeployment from "./commands/mark-for-deployment.js";
import * as meshStatus from "./commands/mesh-status.js";
import * as monitor from "./commands/monitor.js";
import * as pauseServiceAutoscaler from "./commands/pause-service-autoscaler.js";
import * as pipeline from "./commands/pipeline.js";
import * as pushToRegistry from "./commands/push-to-registry.js";
import * as reconcile from "./commands/reconcile.js";
import * as remoteRun from "./commands/remote-run.js";
import * as rollback from "./commands/rollback.js";
import * as secret from "./commands/secret.js";
import * as startStop from "./commands/start-stop.js";
import * as status from "./commands/status.js";
import * as tronctl from "./commands/tronctl.js";
import * as up from "./commands/up.js";
import * as validate from "./commands/validate.js";
import * as verifyImageExists from "./commands/verify-image-exists.js";
import * as waitForDeployment from "./commands/wait-for-deployment.js";
import type { Io } from "./io.js";

export type Runner = (p: Promise<number>) => Promise<void>;

export function registerAll(program: Command, io: Io, run: Runner): void {
  for (const mod of [
    validate,
    list,
    listNamespaces,
    info,
    check,
    fsm,
    markForDeployment,
    generateDeployments,
    startStop,
    rollback,
    deploymentInfo,
    getImageVersion,
    up,
    reconcile,
    deployd,
    api,
    listDeployQueue,
    status,
    autoscale,
    pauseServiceAutoscaler,
    meshStatus,
    tronctl,
    remoteRun,
    alerts,
    monitor,
    generateAlertmanagerConfig,
    logs,
    waitForDeployment,
    pipeline,
    cookImage,
    itest,
    pushToRegistry,
    verifyImageExists,
    localRun,
    secret,
    completion,
  ])
    mod.register(program, io, run);
}
