// Verifies: the config in every ConfigMap that a kustomize output under deploy/kubernetes
// mounts for tokengate passes `tokengate check-config` without errors or warnings, with
// the environment its container gets (literal env values; a random secret for each
// secretKeyRef, as the operator's Secret would hold); and that each IdP overlay keeps the
// providers, routes and identity headers of its config/examples file; and that the Secret
// example's placeholder is refused, so applying the example as it is cannot work.
//
//   node check_configmaps.mjs REPO TOOLS_DIR TOKENGATE
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, loadManifests, loadYaml } from "./manifests.mjs";

const [repo, toolsDir, tokengateArg] = process.argv.slice(2);
const tokengate = tokengateArg && path.resolve(tokengateArg);
if (!tokengateArg) {
  console.error("usage: node check_configmaps.mjs REPO TOOLS_DIR TOKENGATE");
  process.exit(2);
}

function containerEnv(container) {
  const env = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) env[e.name] = crypto.randomBytes(48).toString("base64");
  }
  return env;
}

const YAML = await loadYaml(toolsDir);
const { rendered, plain } = loadManifests(repo, YAML);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "tokengate-configmaps-"));
let failed = 0;
let checked = 0;
try {
  for (const g of rendered) {
    for (const dep of g.docs.filter((d) => d.kind === "Deployment")) {
      const spec = dep.spec.template.spec;
      const tg = [...(spec.initContainers ?? []), ...spec.containers].find((c) => c.name === "tokengate");
      for (const mount of tg?.volumeMounts ?? []) {
        const cmName = spec.volumes.find((v) => v.name === mount.name)?.configMap?.name;
        const cm = g.docs.find((d) => d.kind === "ConfigMap" && d.metadata.name === cmName);
        if (!cm) continue;
        for (const [key, text] of Object.entries(cm.data ?? {})) {
          const file = path.join(work, `${checked}-${key}`);
          fs.writeFileSync(file, text);
          const r = spawnSync(tokengate, ["check-config", file], {
            encoding: "utf8", timeout: 30000,
            env: { PATH: process.env.PATH, ...containerEnv(tg) },
          });
          checked++;
          const where = `${g.name} ${describe(cm)} ${key}`;
          if (r.status !== 0 || r.stdout.trim() !== "config OK" || r.stderr.trim() !== "") {
            console.log(`FAIL ${where}: check-config exit ${r.status}\n${r.error ?? ""}${r.stderr}${r.stdout}`);
            failed++;
          } else {
            console.log(`ok ${where}: ${r.stdout.trim()}`);
          }
        }
      }
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
if (checked === 0) {
  console.log("FAIL no tokengate config found in any kustomize output");
  failed++;
}

for (const secret of plain.flatMap((g) => g.docs).filter((d) => d.kind === "Secret")) {
  const r = spawnSync(tokengate, ["check-config", path.join(repo, "deploy", "kubernetes", "base", "tokengate.json")], {
    encoding: "utf8", timeout: 30000,
    env: { PATH: process.env.PATH, TOKENGATE_HMAC_SECRET: secret.stringData?.["hmac-secret"] ?? "" },
  });
  if (r.status === 1 && /HMAC secret is \d+ bytes/.test(r.stderr)) console.log(`ok ${describe(secret)} placeholder refused: ${r.stderr.trim()}`);
  else {
    console.log(`FAIL the placeholder of ${describe(secret)} is accepted as a secret (exit ${r.status}): ${r.stderr}`);
    failed++;
  }
}

// The overlays adapt the examples to a pod (listeners, threads, drain); what decides
// about tokens must stay the same, or one of them is out of date.
const overlays = path.join(repo, "deploy", "kubernetes", "overlays");
for (const idp of fs.readdirSync(overlays)) {
  const example = path.join(repo, "config", "examples", `${idp}.json`);
  if (!fs.existsSync(example)) continue;
  const want = JSON.parse(fs.readFileSync(example, "utf8"));
  const got = JSON.parse(fs.readFileSync(path.join(overlays, idp, "tokengate.json"), "utf8"));
  for (const key of ["providers", "routes", "identity_headers", "default_auth", "token_sources", "payload_header"]) {
    if (JSON.stringify(want[key]) !== JSON.stringify(got[key])) {
      console.log(`FAIL overlays/${idp}/tokengate.json: "${key}" differs from config/examples/${idp}.json`);
      failed++;
    }
  }
  console.log(`ok overlays/${idp} matches config/examples/${idp}.json`);
}
console.log(failed === 0 ? `OK: ${checked} configs pass check-config` : `${failed} problem(s)`);
process.exit(failed === 0 ? 0 : 1);
