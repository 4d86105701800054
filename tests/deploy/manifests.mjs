// The manifests under deploy/kubernetes as the checks see them: every kustomization
// rendered by `kubectl kustomize`, and every other YAML file (ingress examples, extras,
// the Secret example) parsed as it is. Shared by the three manifest checks.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

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
// one embedded in kubectl >= 1.27. Debian 12's kubernetes-client (1.20) embeds v2.0.3.
export function kustomizeVersion() {
  let text;
  try {
    text = execFileSync("kubectl", ["version", "--client"], { encoding: "utf8" });
  } catch (e) {
    throw new Error("kubectl not found: the manifests are rendered with `kubectl kustomize` (kustomize v5), " +
                    "which this machine image ships as /usr/bin/kubectl");
  }
  const m = /Kustomize Version: v(\d+)\.(\d+)/.exec(text);
  if (!m || Number(m[1]) < 5) throw new Error(`kubectl embeds no kustomize v5 or later:\n${text}`);
  return `v${m[1]}.${m[2]}`;
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
  for (const k of kustomizations) {
    const dir = path.dirname(k);
    const spec = YAML.parse(fs.readFileSync(k, "utf8"));
    for (const r of spec.resources ?? []) covered.add(path.resolve(dir, r));
    const out = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", maxBuffer: 64 << 20 });
    rendered.push({ name: path.relative(repo, dir) + " (kustomize)", dir, docs: YAML.parseAllDocuments(out).map((d) => d.toJS()) });
  }
  const plain = files
    .filter((f) => !covered.has(f))
    .map((f) => ({ name: path.relative(repo, f), docs: YAML.parseAllDocuments(fs.readFileSync(f, "utf8")).map((d) => d.toJS()).filter((d) => d !== null) }));
  return { rendered, plain };
}

export function describe(doc) {
  return `${doc?.kind ?? "?"}/${doc?.metadata?.name ?? "?"}`;
}
