/** The git deployment record and waiting for deploys. */
import type { ErrorDef } from "./def.js";

export const DEPLOY_ERRORS = {
  PAASTA_NO_GIT_URL: {
    message: "service {service} has no git_url in service.yaml and none was given",
    fix: "Set git_url in {service}/service.yaml (any git URL or path), or pass -u/--git-url.",
    exit: 2,
    http: 400,
  },
  PAASTA_GIT_UNREACHABLE: {
    message: "cannot reach git remote {url}: {detail}",
    fix: "Check the URL (git_url in service.yaml or -u), your network and your credentials; `git ls-remote {url}` must work.",
    exit: 3,
    http: 503,
  },
  PAASTA_GIT_UNKNOWN_SHA: {
    message: "commit {sha} is not in {url}",
    fix: "Push the commit to the service's repository first, or check the SHA (`git log` shows the full SHA).",
    exit: 2,
    http: 400,
  },
  PAASTA_GIT_PUSH_FAILED: {
    message: "could not push tag {tag} to {url}: {detail}",
    fix: "Check that you may push tags to the repository; nothing was changed.",
    exit: 1,
    http: 502,
  },
  PAASTA_DEPLOY_GROUP_UNKNOWN: {
    message: "deploy group {group} is not a step of {service}/deploy.yaml (steps: {known})",
    fix: "Use one of the listed deploy groups, or add a step for it to deploy.yaml.",
    exit: 2,
    http: 400,
  },
  PAASTA_NOT_DEPLOYED: {
    message: "{what} has no deployment yet: deploy group {group} was never marked for deployment",
    fix: "Run `paasta mark-for-deployment -s SERVICE -c SHA -l {group}` first.",
    exit: 1,
    http: 404,
  },
  PAASTA_ROLLBACK_UNKNOWN_SHA: {
    message: "{sha} was never deployed to {group}",
    fix: "Pick a version from the history (`paasta rollback -s SERVICE -l {group}`), or pass --force.",
    exit: 1,
    http: 400,
  },
  PAASTA_NO_INSTANCES_MATCH: {
    message: "no instance of {service} matches {filters}",
    fix: "List the service's instances with `paasta list -i` and adjust -c/-i/-l.",
    exit: 2,
    http: 404,
  },
  PAASTA_ABORTED: {
    message: "aborted: {detail}",
    fix: "Nothing was changed. Re-run with --yes to confirm without a prompt.",
    exit: 1,
    http: 400,
  },
  PAASTA_DEPLOY_TIMEOUT: {
    message: "{detail}",
    fix: "Look at `paasta status -s {service} -v` and `paasta logs -s {service}` to see why the new version is not healthy.",
    exit: 1,
    http: 504,
  },
} as const satisfies Record<string, ErrorDef>;
