// Verifies: docker/Dockerfile passes two linters (dockerfilelint's best-practice rules,
// dockerfile-utils' syntax validation) that both refuse tests/deploy/data/bad.Dockerfile;
// builds on Debian 12 with install-deps.sh and the CMake options of scripts/test.sh's
// normal build, which configure here with tests and benchmarks off; runs as a non-root
// numeric user, exposes the ports of the shipped config, and starts `tokengate serve
// --config /etc/tokengate/config.json`; and that .dockerignore lets every COPY source in.
//
//   node check_dockerfile.mjs REPO TOOLS_DIR
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { toolsImporter } from "./manifests.mjs";

const [repo, toolsDir] = process.argv.slice(2);
if (!toolsDir) {
  console.error("usage: node check_dockerfile.mjs REPO TOOLS_DIR");
  process.exit(2);
}
const dockerfile = path.join(repo, "docker", "Dockerfile");
const bin = (name) => path.join(toolsDir, "node_modules", ".bin", name);
const failures = [];
const fail = (msg) => failures.push(msg);

function dockerfilelint(file) {
  const r = spawnSync(bin("dockerfilelint"), ["-o", "json", file], { encoding: "utf8" });
  return JSON.parse(r.stdout).files[0].issues.map((i) => `line ${i.line}: ${i.title}`);
}

function dockerfileUtils(file) {
  const r = spawnSync(bin("dockerfile-utils"), ["lint", file], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() === "" ? [] : [(r.stdout + r.stderr).trim() || `exit ${r.status}`];
}

function lint() {
  for (const [name, run] of [["dockerfilelint", dockerfilelint], ["dockerfile-utils", dockerfileUtils]]) {
    const issues = run(dockerfile);
    issues.forEach((i) => fail(`${name}: ${i}`));
    if (issues.length === 0) console.log(`ok ${name}: no issues`);
    const bad = run(path.join(repo, "tests", "deploy", "data", "bad.Dockerfile"));
    if (bad.length === 0) fail(`${name} found nothing wrong with tests/deploy/data/bad.Dockerfile`);
    else console.log(`ok ${name} refuses bad.Dockerfile (${bad.length} issue(s))`);
  }
}

// test.sh's options for the normal build: the -D flags of the cmake call that configures
// build/, and the generator from common_args.
function testShOptions() {
  const text = fs.readFileSync(path.join(repo, "scripts", "test.sh"), "utf8").replace(/\\\n/g, " ");
  const call = /^\s*cmake -S \. -B build (.*)$/m.exec(text)?.[1];
  const generator = /common_args=\((-G \S+?)\)/.exec(text)?.[1];
  if (!call || !generator) throw new Error("scripts/test.sh: the normal build's cmake call was not found");
  return [generator, ...call.split(/\s+/).filter((w) => w.startsWith("-D"))];
}

function cmakeOf(stage) {
  for (const run of stage.filter((i) => i.getKeyword() === "RUN")) {
    const m = /(?:^|&&)\s*(cmake -S \S+ -B \S+[^&]*)/.exec(run.getArgumentsContent().replace(/\\\n/g, " "));
    if (m) return m[1].trim().split(/\s+/);
  }
  return null;
}

function buildStage(stage, from) {
  if (from.getImageName() !== "debian" || !["12", "bookworm"].includes(from.getImageTag()))
    fail(`build stage is ${from.getImage()}, want debian:12`);
  const runs = stage.filter((i) => i.getKeyword() === "RUN").map((i) => i.getArgumentsContent());
  if (!runs.some((r) => /install-deps\.sh build\b/.test(r))) fail("build stage does not install packages with scripts/install-deps.sh build");
  const cmake = cmakeOf(stage);
  if (!cmake) return fail("build stage runs no `cmake -S . -B DIR` configure");
  const args = cmake.join(" ");
  for (const opt of [...testShOptions(), "-DTOKENGATE_TESTS=OFF", "-DTOKENGATE_BENCH=OFF"]) {
    if (!args.includes(opt)) fail(`build stage cmake lacks ${opt} (scripts/test.sh builds with it)`);
  }
  // The same configure here, so an option combination CMake refuses fails now, not in
  // someone's image build. Configuring takes seconds; nothing is compiled.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tokengate-docker-cmake-"));
  try {
    const argv = cmake.slice(1).map((a, i, all) => (all[i - 1] === "-S" ? repo : all[i - 1] === "-B" ? dir : a));
    const r = spawnSync("cmake", argv, { encoding: "utf8", timeout: 120000 });
    if (r.status !== 0) fail(`the build stage's configure fails here:\n${r.stdout}${r.stderr}`);
    else console.log(`ok build stage configure: cmake ${argv.join(" ")}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runtimeStage(stage, from) {
  const image = from.getImage();
  if (!["debian:12-slim", "debian:bookworm-slim", "gcr.io/distroless/cc-debian12"].some((i) => image.startsWith(i)))
    fail(`runtime stage is ${image}, want debian:12-slim or distroless cc-debian12`);
  const last = (kw) => stage.filter((i) => i.getKeyword() === kw).pop();
  const user = last("USER")?.getArgumentsContent() ?? "";
  const [uid, gid] = user.split(":");
  if (!/^[0-9]+$/.test(uid) || Number(uid) === 0 || (gid !== undefined && !/^[0-9]+$/.test(gid)))
    fail(`runtime USER is "${user}", want a numeric non-root uid[:gid] (runAsNonRoot can only verify numbers)`);
  const config = JSON.parse(fs.readFileSync(path.join(repo, "deploy", "kubernetes", "base", "tokengate.json"), "utf8"));
  const exposed = stage.filter((i) => i.getKeyword() === "EXPOSE").flatMap((i) => i.getArgumentsContent().split(/\s+/))
    .map((p) => p.replace(/\/tcp$/, ""));
  for (const listen of [config.listen, config.admin_listen]) {
    const port = listen.split(":").pop();
    if (!exposed.includes(port)) fail(`runtime stage does not EXPOSE ${port} (${listen} in the shipped config)`);
  }
  const json = (kw) => {
    try {
      return JSON.parse(last(kw)?.getArgumentsContent() ?? "null");
    } catch {
      return `shell form: ${last(kw).getArgumentsContent()}`;
    }
  };
  const entry = json("ENTRYPOINT");
  const cmd = json("CMD");
  if (JSON.stringify(entry) !== JSON.stringify(["/usr/local/bin/tokengate"]))
    fail(`ENTRYPOINT is ${JSON.stringify(entry)}, want the binary in exec form (signals reach it, not a shell)`);
  if (JSON.stringify(cmd) !== JSON.stringify(["serve", "--config", "/etc/tokengate/config.json"]))
    fail(`CMD is ${JSON.stringify(cmd)}, want ["serve","--config","/etc/tokengate/config.json"]`);
  const copies = stage.filter((i) => i.getKeyword() === "COPY" && fromFlag(i) === "build").map((i) => i.getArgumentsContent());
  if (!copies.some((c) => /\s\/usr\/local\/bin\/tokengate$/.test(c)))
    fail("runtime stage does not COPY the binary from the build stage to /usr/local/bin/tokengate");
}

const fromFlag = (copy) => copy.getFlags().find((f) => f.getName() === "from")?.getValue();

// Docker's rule: the last pattern matching a path (or one of its parent directories)
// decides; "!" re-includes.
function dockerignored(patterns, file) {
  const glob = (p) => new RegExp("^" + p.replace(/\/$/, "").replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*\*/g, "\u0000").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]").replace(/\u0000/g, ".*") + "$");
  const prefixes = file.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
  let ignored = false;
  for (const raw of patterns) {
    const neg = raw.startsWith("!");
    const re = glob(neg ? raw.slice(1) : raw);
    if (prefixes.some((p) => re.test(p))) ignored = !neg;
  }
  return ignored;
}

function dockerignore(instructions) {
  const patterns = fs.readFileSync(path.join(repo, ".dockerignore"), "utf8").split("\n")
    .map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  for (const copy of instructions.filter((i) => i.getKeyword() === "COPY")) {
    if (fromFlag(copy)) continue;
    for (const src of copy.getArgumentsContent().split(/\s+/).slice(0, -1)) {
      const probe = src.endsWith("/") ? `${src}${fs.readdirSync(path.join(repo, src))[0]}` : src;
      if (!fs.existsSync(path.join(repo, src))) fail(`COPY source ${src} does not exist`);
      else if (dockerignored(patterns, probe.replace(/\/$/, ""))) fail(`.dockerignore keeps COPY source ${src} out of the context`);
    }
  }
  for (const kept of ["build/CMakeCache.txt", ".git/HEAD", "tests/CMakeLists.txt", "deploy/README.md"]) {
    if (!dockerignored(patterns, kept)) fail(`.dockerignore sends ${kept} to the build context`);
  }
}

const importTool = await toolsImporter(toolsDir);
const { DockerfileParser } = await importTool("dockerfile-ast");
lint();
const parsed = DockerfileParser.parse(fs.readFileSync(dockerfile, "utf8"));
const instructions = parsed.getInstructions();
const froms = parsed.getFROMs();
if (froms.length !== 2) fail(`${froms.length} stages, want 2 (build, runtime)`);
else {
  const stageOf = (k) => instructions.filter((i) => i.getRange().start.line > froms[k].getRange().start.line &&
    (k + 1 === froms.length || i.getRange().start.line < froms[k + 1].getRange().start.line));
  buildStage(stageOf(0), froms[0]);
  runtimeStage(stageOf(1), froms[1]);
}
dockerignore(instructions);
failures.forEach((f) => console.log(`FAIL ${f}`));
console.log(failures.length === 0 ? "OK: docker/Dockerfile" : `${failures.length} problem(s)`);
process.exit(failures.length === 0 ? 0 : 1);
