// Verifies: each kustomize output under deploy/kubernetes follows the deployment rules a
// schema cannot express: hardened containers, probes on the admin port, ports and
// listeners that match the mounted config, a Service and a NetworkPolicy that reach
// tokengate's port only, a PodDisruptionBudget, a grace period that covers preStop + drain,
// tokengate as a native sidecar in the native-sidecar overlay; and that a Deployment
// breaking each rule (tests/deploy/data/bad-policy) is refused for it.
//
//   node check_pod_policy.mjs REPO TOOLS_DIR
import fs from "node:fs";
import path from "node:path";
import { describe, loadManifests, loadYaml } from "./manifests.mjs";

const [repo, toolsDir] = process.argv.slice(2);
if (!toolsDir) {
  console.error("usage: node check_pod_policy.mjs REPO TOOLS_DIR");
  process.exit(2);
}

const port = (hostPort) => Number(String(hostPort).split(":").pop());
const selects = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

function containersOf(spec) {
  return [...(spec.initContainers ?? []).map((c) => ({ c, init: true })), ...(spec.containers ?? []).map((c) => ({ c, init: false }))];
}

function hardened(spec, problems) {
  const pod = spec.securityContext ?? {};
  if (spec.automountServiceAccountToken !== false) problems.push("automountServiceAccountToken is not false");
  for (const { c } of containersOf(spec)) {
    const sc = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) problems.push(`${where}: capabilities do not drop ALL`);
    if ((sc.capabilities?.add ?? []).length) problems.push(`${where}: adds capabilities ${sc.capabilities.add}`);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${where}: runAsNonRoot is not true`);
    if ((sc.seccompProfile ?? pod.seccompProfile)?.type !== "RuntimeDefault") problems.push(`${where}: seccompProfile is not RuntimeDefault`);
    if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) problems.push(`${where}: no cpu and memory requests`);
    if (!c.resources?.limits?.memory) problems.push(`${where}: no memory limit`);
  }
}

// The config the tokengate container reads: the ConfigMap volume mounted where its
// --config points.
function mountedConfig(tg, spec, docs, problems) {
  const args = tg.args ?? ["serve", "--config", "/etc/tokengate/config.json"];
  const file = args[args.indexOf("--config") + 1];
  if (args[0] !== "serve" || !file) return problems.push(`tokengate args ${JSON.stringify(args)} do not run serve --config FILE`);
  const mount = (tg.volumeMounts ?? []).find((m) => file.startsWith(m.mountPath.replace(/\/?$/, "/")));
  const volume = (spec.volumes ?? []).find((v) => v.name === mount?.name);
  const cm = docs.find((d) => d.kind === "ConfigMap" && d.metadata.name === volume?.configMap?.name);
  const text = cm?.data?.[path.basename(file)];
  if (!text) return problems.push(`no ConfigMap mounted provides ${file}`);
  return JSON.parse(text);
}

function probes(tg, config, problems) {
  const admin = (tg.ports ?? []).find((p) => p.containerPort === port(config.admin_listen));
  if (!admin) return problems.push(`tokengate declares no port for admin_listen ${config.admin_listen}`);
  if (!String(config.admin_listen).startsWith("0.0.0.0:") && !String(config.admin_listen).startsWith("[::]:"))
    problems.push(`admin_listen ${config.admin_listen} is unreachable for kubelet probes`);
  const want = { startupProbe: "/readyz", readinessProbe: "/readyz", livenessProbe: "/healthz" };
  for (const [probe, p] of Object.entries(want)) {
    const get = tg[probe]?.httpGet;
    if (!get) problems.push(`tokengate has no ${probe} httpGet`);
    else if (get.path !== p || (get.port !== admin.containerPort && get.port !== admin.name))
      problems.push(`tokengate ${probe} is ${get.path} on port ${get.port}, want ${p} on the admin port`);
  }
}

function drainBudget(spec, tg, tgInit, config, problems) {
  const drain = (config.limits?.drain_timeout_ms ?? 20000) / 1000;
  const sleep = (c) => c?.lifecycle?.preStop?.sleep?.seconds ?? 0;
  // A native sidecar is signalled only after the main containers have stopped, which
  // start with their own preStop sleeps; a classic sidecar is signalled with them.
  const before = tgInit ? Math.max(0, ...(spec.containers ?? []).map(sleep)) + sleep(tg) : sleep(tg);
  const grace = spec.terminationGracePeriodSeconds ?? 30;
  if (before === 0) problems.push("no preStop sleep: tokengate stops accepting before endpoints drop the pod");
  if (grace <= before + drain)
    problems.push(`terminationGracePeriodSeconds ${grace} does not exceed preStop ${before} s + drain_timeout_ms ${drain} s`);
}

function exposure(dep, tg, config, docs, problems) {
  const labels = dep.spec.template.metadata.labels;
  const http = (tg.ports ?? []).find((p) => p.containerPort === port(config.listen));
  if (!http) return problems.push(`tokengate declares no port for listen ${config.listen}`);
  const services = docs.filter((d) => d.kind === "Service" && selects(d.spec.selector, labels));
  if (services.length === 0) problems.push("no Service selects the pods");
  for (const s of services) {
    for (const p of s.spec.ports) {
      const target = p.targetPort ?? p.port;
      if (target !== http.name && target !== http.containerPort)
        problems.push(`Service ${s.metadata.name} port ${p.port} targets ${target}, not tokengate's ${http.name}`);
    }
  }
  const policies = docs.filter((d) => d.kind === "NetworkPolicy" && selects(d.spec.podSelector?.matchLabels, labels));
  if (policies.length === 0) problems.push("no NetworkPolicy selects the pods");
  for (const np of policies) {
    if (!(np.spec.policyTypes ?? []).includes("Ingress")) problems.push(`NetworkPolicy ${np.metadata.name} does not restrict ingress`);
    for (const rule of np.spec.ingress ?? []) {
      const ports = rule.ports ?? [];
      if (ports.length === 0) problems.push(`NetworkPolicy ${np.metadata.name} has a rule admitting every port`);
      for (const p of ports) {
        if (p.port !== http.containerPort && p.port !== http.name)
          problems.push(`NetworkPolicy ${np.metadata.name} admits port ${p.port}, not only tokengate's ${http.containerPort}`);
      }
    }
  }
  if (!docs.some((d) => d.kind === "PodDisruptionBudget" && selects(d.spec.selector?.matchLabels, labels)))
    problems.push("no PodDisruptionBudget selects the pods");
}

export function checkDeployment(dep, docs, nativeExpected) {
  const problems = [];
  const spec = dep.spec.template.spec;
  hardened(spec, problems);
  const tgMain = (spec.containers ?? []).find((c) => c.name === "tokengate");
  const tgInit = (spec.initContainers ?? []).find((c) => c.name === "tokengate");
  const tg = tgMain ?? tgInit;
  if (!tg) return ["no container named tokengate"];
  if (tgMain && tgInit) problems.push("tokengate is both a container and an init container");
  if (tgInit && tgInit.restartPolicy !== "Always") problems.push("tokengate init container lacks restartPolicy Always: it would block the pod");
  if (nativeExpected && !tgInit) problems.push("tokengate is not a native sidecar (initContainers, restartPolicy Always)");
  const config = mountedConfig(tg, spec, docs, problems);
  if (typeof config !== "object") return problems;
  probes(tg, config, problems);
  drainBudget(spec, tg, Boolean(tgInit), config, problems);
  exposure(dep, tg, config, docs, problems);
  return problems;
}

const YAML = await loadYaml(toolsDir);
const { rendered } = loadManifests(repo, YAML);
let failed = 0;
let deployments = 0;
for (const g of rendered) {
  for (const dep of g.docs.filter((d) => d.kind === "Deployment")) {
    deployments++;
    const problems = checkDeployment(dep, g.docs, g.name.includes("native-sidecar"));
    problems.forEach((p) => console.log(`FAIL ${g.name} ${describe(dep)}: ${p}`));
    if (problems.length === 0) console.log(`ok ${g.name} ${describe(dep)}`);
    failed += problems.length;
  }
}
if (deployments === 0) {
  console.log("FAIL no Deployment found under deploy/kubernetes");
  failed++;
}

// Each bad case: a YAML patch (RFC 7386 merge) to the base rendering and the problem it
// must cause. Lists are replaced whole by a merge patch, so cases rewrite containers.
const base = rendered.find((g) => g.name.startsWith("deploy/kubernetes/base"));
const badFile = path.join(repo, "tests", "deploy", "data", "bad-policy.yaml");
const merge = (a, b) => {
  if (typeof b !== "object" || b === null || Array.isArray(b)) return b;
  const out = { ...(typeof a === "object" && a && !Array.isArray(a) ? a : {}) };
  for (const [k, v] of Object.entries(b)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
};
for (const bad of YAML.parse(fs.readFileSync(badFile, "utf8"))) {
  const docs = base.docs.map((d) => structuredClone(d));
  const i = docs.findIndex((d) => d.kind === bad.kind && (!bad.name || d.metadata.name === bad.name));
  if (bad.patch) docs[i] = merge(docs[i], bad.patch);
  if (bad.remove) docs.splice(i, 1);
  if (bad.containers) {
    const dep = docs.find((d) => d.kind === "Deployment");
    dep.spec.template.spec.containers = dep.spec.template.spec.containers.map((c) =>
      bad.containers[c.name] ? merge(c, bad.containers[c.name]) : c);
  }
  const dep = docs.find((d) => d.kind === "Deployment");
  const problems = checkDeployment(dep, docs, bad.native === true);
  if (problems.some((p) => p.includes(bad.expect))) console.log(`refused "${bad.case}": ${bad.expect}`);
  else {
    console.log(`FAIL "${bad.case}" was not refused for "${bad.expect}"; got ${JSON.stringify(problems)}`);
    failed++;
  }
}
console.log(failed === 0 ? `OK: ${deployments} deployments follow the rules` : `${failed} problem(s)`);
process.exit(failed === 0 ? 0 : 1);
