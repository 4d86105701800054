// The manifests under deploy/kubernetes as the checks see them: every kustomization
// rendered by `kubectl kustomize`, and every other YAML file (ingress examples, extras,
// the Secret example) parsed as it is. Shared by the three manifest checks.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { renderLite, withoutHashSuffixes } from "./kustomize_lite.mjs";

// The npm tools live in the build tree (npm_tools.sh), not beside this file, and some are
// ESM-only: a module placed in TOOLS_DIR imports them with Node's own resolution.
export async function toolsImporter(toolsDir) {
  const file = path.join(toolsDir, "import-from-here.mjs");
  if (!fs.existsSync(file)) fs.writeFileSync(file, "export default (specifier) => import(specifier);\n");
  return (await import(pathToFileURL(file).href)).default;
}

export async function loadYaml(toolsDir) {
  return (await (await toolsImporter(toolsDir))("yaml")).default;
}

function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

// kustomize v5 syntax (patches, resources naming directories) needs a v5 kustomize: the
// one embedded in kubectl >= 1.27. Debian 12's kubernetes-client (1.20) embeds v2.0.3, so
// without a newer kubectl the manifests are rendered by kustomize_lite.mjs instead.
// Returns "v5.5" and the like, or null when there is no usable kubectl.
export function kustomizeVersion() {
  let text;
  try {
    text = execFileSync("kubectl", ["version", "--client"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch (e) {
    return null;
  }
  const m = /Kustomize Version: v(\d+)\.(\d+)/.exec(text);
  return m && Number(m[1]) >= 5 ? `v${m[1]}.${m[2]}` : null;
}

// Objects with their keys sorted, documents sorted by kind and name: kubectl orders both
// its own way.
function canonical(docs) {
  const sortKeys = (v) => Array.isArray(v) ? v.map(sortKeys)
    : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])])) : v;
  return docs.map(sortKeys).map((d) => JSON.stringify(d)).sort();
}

function render(dir, YAML, kubectl) {
  const lite = renderLite(dir, YAML);
  if (!kubectl) return lite;
  const out = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", maxBuffer: 64 << 20 });
  const real = YAML.parseAllDocuments(out).map((d) => d.toJS());
  const a = canonical(withoutHashSuffixes(real));
  const b = canonical(lite);
  if (JSON.stringify(a) !== JSON.stringify(b))
    throw new Error(`${dir}: kustomize_lite.mjs renders differently from kubectl kustomize:\n` +
                    a.filter((x) => !b.includes(x)).join("\n") + "\n--- lite:\n" + b.filter((x) => !a.includes(x)).join("\n"));
  return real;
}

// Returns { rendered: [{name, docs}], plain: [{name, docs}] }; names are paths relative to
// the repository, docs are parsed objects. A file listed in a kustomization's resources
// is checked through the rendering only.
export function loadManifests(repo, YAML) {
  const root = path.join(repo, "deploy", "kubernetes");
  const files = walk(root).filter((f) => /\.ya?ml$/.test(f));
  const kustomizations = files.filter((f) => path.basename(f) === "kustomization.yaml");
  const covered = new Set(kustomizations);
  const rendered = [];
  const kubectl = kustomizeVersion() !== null;
  for (const k of kustomizations) {
    const dir = path.dirname(k);
    const spec = YAML.parse(fs.readFileSync(k, "utf8"));
    for (const r of spec.resources ?? []) covered.add(path.resolve(dir, r));
    rendered.push({ name: path.relative(repo, dir) + " (kustomize)", dir, docs: render(dir, YAML, kubectl) });
  }
  const plain = files
    .filter((f) => !covered.has(f))
    .map((f) => ({ name: path.relative(repo, f), docs: YAML.parseAllDocuments(fs.readFileSync(f, "utf8")).map((d) => d.toJS()).filter((d) => d !== null) }));
  return { rendered, plain };
}

export function describe(doc) {
  return `${doc?.kind ?? "?"}/${doc?.metadata?.name ?? "?"}`;
}
