// A renderer for the kustomize features deploy/kubernetes uses — resources (files and
// directories), namespace, configMapGenerator (create/replace, files), images, JSON 6902
// patches (test/add/remove/replace/move/copy) and strategic-merge patches (maps merged,
// lists of named objects merged by name, other lists replaced) — for machines without a
// kustomize v5 (Debian 12's kubectl embeds v2). Generated ConfigMap names carry no hash
// suffix; manifests.mjs compares this output with `kubectl kustomize` wherever that
// exists, so the two cannot drift apart silently. Anything else in a kustomization is an
// error, never ignored.
import fs from "node:fs";
import path from "node:path";

const known = new Set(["apiVersion", "kind", "resources", "namespace", "configMapGenerator", "images", "patches"]);

function pointer(p) {
  if (p === "") return [];
  if (!p.startsWith("/")) throw new Error(`JSON pointer must start with "/": ${p}`);
  return p.slice(1).split("/").map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function parentOf(doc, p) {
  const keys = pointer(p);
  const last = keys.pop();
  let node = doc;
  for (const k of keys) {
    node = Array.isArray(node) ? node[Number(k)] : node?.[k];
    if (node === undefined) throw new Error(`patch path ${p} does not exist`);
  }
  return [node, last];
}

function get(doc, p) {
  const [parent, key] = parentOf(doc, p);
  const v = Array.isArray(parent) ? parent[Number(key)] : parent[key];
  if (v === undefined) throw new Error(`patch path ${p} does not exist`);
  return v;
}

function remove(doc, p) {
  const [parent, key] = parentOf(doc, p);
  const v = get(doc, p);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return v;
}

function add(doc, p, value) {
  const [parent, key] = parentOf(doc, p);
  if (Array.isArray(parent)) {
    if (key === "-") parent.push(value);
    else parent.splice(Number(key), 0, value);
  } else {
    parent[key] = value;
  }
}

function applyPatch(doc, ops) {
  for (const op of ops) {
    const value = structuredClone(op.value);
    switch (op.op) {
      case "test":
        if (JSON.stringify(get(doc, op.path)) !== JSON.stringify(op.value)) throw new Error(`patch test failed at ${op.path}`);
        break;
      case "add": add(doc, op.path, value); break;
      case "remove": remove(doc, op.path); break;
      case "replace": remove(doc, op.path); add(doc, op.path, value); break;
      case "move": add(doc, op.path, remove(doc, op.from)); break;
      case "copy": add(doc, op.path, structuredClone(get(doc, op.from))); break;
      default: throw new Error(`unsupported patch op ${op.op}`);
    }
  }
}

// Strategic merge as Kubernetes does it for the lists used here (containers, env,
// volumes, volumeMounts: merge key "name").
function merge(target, patch) {
  if (Array.isArray(patch)) {
    if (!Array.isArray(target) || !patch.every((p) => p && typeof p === "object" && "name" in p)) return structuredClone(patch);
    // kustomize puts the patch's items first, in patch order, then the untouched rest.
    const named = new Set(patch.map((p) => p.name));
    const merged = patch.map((p) => merge(target.find((t) => t?.name === p.name), p));
    return [...merged, ...target.filter((t) => !named.has(t?.name)).map((t) => structuredClone(t))];
  }
  if (patch && typeof patch === "object") {
    const out = target && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = merge(out[k], v);
    }
    return out;
  }
  return patch;
}

function configMap(dir, gen, YAML) {
  const data = {};
  for (const f of gen.files ?? []) {
    const [key, file] = f.includes("=") ? f.split("=", 2) : [path.basename(f), f];
    data[key] = fs.readFileSync(path.resolve(dir, file), "utf8");
  }
  for (const k of Object.keys(gen)) {
    if (!["name", "files", "behavior"].includes(k)) throw new Error(`configMapGenerator key ${k} is not supported`);
  }
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: gen.name }, data };
}

function setImages(doc, images) {
  const spec = doc?.spec?.template?.spec;
  if (!spec) return;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const img of images) {
      const [name, tag] = c.image.split(":");
      if (name !== img.name) continue;
      c.image = `${img.newName ?? name}:${img.newTag ?? tag ?? "latest"}`;
    }
  }
}

export function renderLite(dir, YAML) {
  const spec = YAML.parse(fs.readFileSync(path.join(dir, "kustomization.yaml"), "utf8"));
  for (const k of Object.keys(spec)) {
    if (!known.has(k)) throw new Error(`${dir}: kustomization key ${k} is not supported by kustomize_lite`);
  }
  let docs = [];
  for (const r of spec.resources ?? []) {
    const p = path.resolve(dir, r);
    if (fs.statSync(p).isDirectory()) docs.push(...renderLite(p, YAML));
    else docs.push(...YAML.parseAllDocuments(fs.readFileSync(p, "utf8")).map((d) => d.toJS()).filter((d) => d !== null));
  }
  for (const gen of spec.configMapGenerator ?? []) {
    const cm = configMap(dir, gen, YAML);
    const at = docs.findIndex((d) => d.kind === "ConfigMap" && d.metadata?.name === gen.name);
    if (gen.behavior === "replace") {
      if (at < 0) throw new Error(`${dir}: configMapGenerator replaces ${gen.name}, which no resource defines`);
      docs[at] = cm;
    } else {
      docs.push(cm);
    }
  }
  for (const patch of spec.patches ?? []) {
    const targets = docs.filter((d) => d.kind === patch.target?.kind && d.metadata?.name === patch.target?.name);
    if (targets.length !== 1) throw new Error(`${dir}: patch target ${patch.target?.kind}/${patch.target?.name} matches ${targets.length} objects`);
    const body = YAML.parse(patch.patch);
    if (Array.isArray(body)) applyPatch(targets[0], body);
    else Object.assign(targets[0], merge(targets[0], body));
  }
  if (spec.images) docs.forEach((d) => setImages(d, spec.images));
  if (spec.namespace) docs.forEach((d) => { d.metadata = { ...d.metadata, namespace: spec.namespace }; });
  return docs;
}

// kustomize appends a content hash to generated ConfigMap names (and to every reference
// to them); without it the rest must be identical.
export function withoutHashSuffixes(docs) {
  const text = JSON.stringify(docs).replace(/"(tokengate[a-z-]*-config)-[a-z0-9]{10}"/g, '"$1"');
  return JSON.parse(text);
}
