// Verifies: every manifest under deploy/kubernetes (each kustomize output and each plain
// example) matches the Kubernetes OpenAPI schema of its kind (kubernetes-models; Gateway
// API and Traefik CRD models for theirs) and names no field the kind lacks; and that the
// files of tests/deploy/data/bad-manifests are refused, so neither check is vacuous.
//
//   node validate_manifests.mjs REPO TOOLS_DIR
//
// The compiled schemas allow unknown properties, so a misspelt `readinesProbe` would
// pass them; the same package's TypeScript types do not (excess-property check), so each
// document is also type-checked by tsc as an object literal of its kind's interface.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, kustomizeVersion, loadManifests, loadYaml, toolsImporter } from "./manifests.mjs";

const [repo, toolsDir] = process.argv.slice(2);
if (!toolsDir) {
  console.error("usage: node validate_manifests.mjs REPO TOOLS_DIR");
  process.exit(2);
}
const importTool = await toolsImporter(toolsDir);

// apiVersion's group picks the package; core and *.k8s.io built-in groups are in
// kubernetes-models. Anything else has no schema here and fails.
function modelModule(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const groupPath = group ? `${group}/` : "";
  if (group === "gateway.networking.k8s.io") return `@kubernetes-models/gateway-api/${groupPath}${version}/${kind}`;
  if (group === "traefik.io") return `@kubernetes-models/traefik/${groupPath}${version}/${kind}`;
  if (group === "" || group === "apps" || group === "policy" || group === "batch" || group.endsWith(".k8s.io"))
    return `kubernetes-models/${groupPath}${version}/${kind}`;
  return null;
}

async function loadModel(doc) {
  const mod = modelModule(String(doc.apiVersion ?? ""), String(doc.kind ?? ""));
  if (!mod) return { error: `no schema for apiVersion ${doc.apiVersion}` };
  try {
    const m = await importTool(mod);
    return { mod, Model: m[doc.kind] };
  } catch (e) {
    return { error: `no schema for ${doc.apiVersion} ${doc.kind} (${mod}: ${e.message.split("\n")[0]})` };
  }
}

// The ExternalAuth HTTPRoute filter (GEP-1494) is experimental-channel only; the
// models follow the standard channel, whose filter-type enum lacks it. Its settings are
// checked against the model of the filter itself, the route with the filter left out.
async function experimentalParts(doc) {
  if (doc.kind !== "HTTPRoute") return { doc, errors: [] };
  const copy = structuredClone(doc);
  const errors = [];
  const { HTTPExternalAuthFilter } = await importTool(
    "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPExternalAuthFilter");
  for (const [i, rule] of (copy.spec?.rules ?? []).entries()) {
    if (!rule.filters) continue;
    rule.filters = rule.filters.filter((f) => {
      if (f.type !== "ExternalAuth") return true;
      try {
        new HTTPExternalAuthFilter(f.externalAuth).validate();
      } catch (e) {
        errors.push(`rules[${i}] ExternalAuth: ${e.message}`);
      }
      return false;
    });
  }
  return { doc: copy, errors };
}

async function schemaErrors(doc) {
  const { Model, mod, error } = await loadModel(doc);
  if (error) return [error];
  if (!Model) return [`${mod} exports no ${doc.kind}`];
  const { doc: rest, errors } = await experimentalParts(doc);
  try {
    new Model(rest).validate();
  } catch (e) {
    errors.push(e.message);
  }
  return errors;
}

// One tsc run for every document: each becomes `const dN: I<Kind> = {...};` on its own
// line. The file sits under TOOLS_DIR so the packages resolve as node_modules.
function typeErrors(entries) {
  const dir = path.join(toolsDir, "typecheck");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const imports = [];
  const lines = [];
  entries.forEach(({ doc, mod }, i) => {
    imports.push(`import type { I${doc.kind} as T${i} } from "${mod}";`);
    lines.push(`export const d${i}: T${i} = ${JSON.stringify(doc)};`);
  });
  fs.writeFileSync(path.join(dir, "manifests.ts"), imports.join("\n") + "\n" + lines.join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext",
                       skipLibCheck: true, types: [] },
    files: ["manifests.ts"],
  }));
  let out = "";
  try {
    execFileSync(process.execPath, [path.join(toolsDir, "node_modules", "typescript", "bin", "tsc"), "-p", dir, "--pretty", "false"], { encoding: "utf8" });
  } catch (e) {
    out = String(e.stdout) + String(e.stderr);
  }
  const byDoc = new Map();
  for (const line of out.split("\n").filter(Boolean)) {
    const m = /manifests\.ts\((\d+),\d+\): error TS\d+: (.*)$/.exec(line);
    const i = m ? Number(m[1]) - entries.length - 1 : -1;
    if (i < 0 || i >= entries.length) {
      byDoc.set(-1, [...(byDoc.get(-1) ?? []), line]);
      continue;
    }
    byDoc.set(i, [...(byDoc.get(i) ?? []), m[2]]);
  }
  return byDoc;
}

// Problems per group, all groups type-checked in one tsc run (it takes seconds).
async function check(groups) {
  const entries = [];
  const problems = new Map(groups.map((g) => [g, []]));
  for (const g of groups) {
    if (g.docs.length === 0) problems.get(g).push(`${g.name}: no documents`);
    for (const doc of g.docs) {
      (await schemaErrors(doc)).forEach((e) => problems.get(g).push(`${g.name} ${describe(doc)}: schema: ${e}`));
      const { mod } = await loadModel(doc);
      if (mod) entries.push({ group: g, doc, mod });
    }
  }
  for (const [i, errs] of typeErrors(entries)) {
    if (i < 0) throw new Error(`tsc failed outside the manifests:\n${errs.join("\n")}`);
    const g = entries[i].group;
    errs.forEach((e) => problems.get(g).push(`${g.name} ${describe(entries[i].doc)}: fields: ${e}`));
  }
  return problems;
}

const YAML = await loadYaml(toolsDir);
console.log(kustomizeVersion() ? `kustomize ${kustomizeVersion()} (kubectl), checked against kustomize_lite.mjs`
                                : "no kubectl with kustomize v5: manifests rendered by kustomize_lite.mjs");
const { rendered, plain } = loadManifests(repo, YAML);
const shipped = [...rendered, ...plain];

// Each bad file says, in a "# expect:" line, what must be reported about it.
const badDir = path.join(repo, "tests", "deploy", "data", "bad-manifests");
const bad = fs.readdirSync(badDir).filter((n) => n.endsWith(".yaml")).sort().map((f) => {
  const text = fs.readFileSync(path.join(badDir, f), "utf8");
  return { name: f, expect: /^# expect: (.*)$/m.exec(text)?.[1], docs: YAML.parseAllDocuments(text).map((d) => d.toJS()) };
});

const problems = await check([...shipped, ...bad]);
let failed = 0;
let documents = 0;
for (const g of shipped) {
  documents += g.docs.length;
  console.log(`checked ${g.name}: ${g.docs.map(describe).join(", ")}`);
  for (const p of problems.get(g)) {
    console.log(`FAIL ${p}`);
    failed++;
  }
}
for (const g of bad) {
  const hit = problems.get(g).find((p) => g.expect && p.includes(g.expect));
  if (hit) console.log(`refused ${g.name}: ${hit}`);
  else {
    console.log(`FAIL ${g.name} was not refused for "${g.expect}"; got: ${JSON.stringify(problems.get(g))}`);
    failed++;
  }
}
console.log(failed === 0 ? `OK: ${documents} documents valid, ${bad.length} bad files refused` : `${failed} problem(s)`);
process.exit(failed === 0 ? 0 : 1);
