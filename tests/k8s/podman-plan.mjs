// Turn the pod template of a Job manifest into `podman run` arguments, so
// that the pod's constraints are exercised locally as written:
//   node podman-plan.mjs JOB.yaml WORKDIR [--volume NAME=HOSTDIR]... [--env C.NAME=VALUE]...
//        [--index N] [--image IMAGE]
// Prints a JSON array, init containers first: {"name", "init", "args"}, args
// being everything after `podman run`.  Mapped: runAsUser/runAsGroup
// (--user), fsGroup (--group-add), readOnlyRootFilesystem (--read-only),
// capabilities (--cap-drop/--cap-add), allowPrivilegeEscalation false
// (no-new-privileges), seccomp RuntimeDefault (podman's default profile),
// env, command/args, volume mounts and their readOnly.  ConfigMaps defined in
// the manifest's directory are written under WORKDIR; every other volume
// must be given with --volume (an emptyDir of medium Memory: a directory on
// a tmpfs such as /dev/shm); a missing optional Secret is an empty directory.
// Anything that cannot be mapped faithfully is an error, not ignored.
import { chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

function die(msg) {
  console.error(`podman-plan: ${msg}`);
  process.exit(64);
}

const argv = process.argv.slice(2);
const [file, workdir] = argv;
if (!file || !workdir) die("usage: podman-plan.mjs JOB.yaml WORKDIR [--volume NAME=DIR]... [--env C.NAME=V]... [--index N] [--image I]");
const volumes = new Map(), envs = new Map();
let index = null, image = null;
for (let i = 2; i < argv.length; i += 2) {
  const v = argv[i + 1];
  if (v === undefined) die(`${argv[i]}: missing value`);
  if (argv[i] === "--volume") volumes.set(v.slice(0, v.indexOf("=")), v.slice(v.indexOf("=") + 1));
  else if (argv[i] === "--env") envs.set(v.slice(0, v.indexOf("=")), v.slice(v.indexOf("=") + 1));
  else if (argv[i] === "--index") index = v;
  else if (argv[i] === "--image") image = v;
  else die(`${argv[i]}: unknown option`);
}

const load = (f) => parseAllDocuments(readFileSync(f, "utf8")).map((d) => d.toJS()).filter(Boolean);
const job = load(file).find((d) => d.kind === "Job") ?? die(`${file}: no Job`);
const dir = dirname(resolve(file));
const configMaps = new Map(readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))
  .flatMap((f) => load(join(dir, f))).filter((d) => d.kind === "ConfigMap").map((c) => [c.metadata.name, c]));

const spec = job.spec.template.spec;
const psc = spec.securityContext ?? {};
for (const k of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[k]) die(`spec.${k} cannot be mapped`);
if (job.spec.completionMode === "Indexed" && index === null) die("an Indexed Job needs --index");

// The host directory of each volume.
const hostDir = new Map();
for (const v of spec.volumes ?? []) {
  if (volumes.has(v.name)) hostDir.set(v.name, volumes.get(v.name));
  else if (v.configMap) {
    const cm = configMaps.get(v.configMap.name) ?? die(`ConfigMap ${v.configMap.name} is not in ${dir}`);
    const d = join(workdir, `configmap-${v.name}`);
    mkdirSync(d, { recursive: true });
    for (const [k, val] of Object.entries(cm.data ?? {})) {
      writeFileSync(join(d, k), val);
      chmodSync(join(d, k), v.configMap.defaultMode ?? 0o644);
    }
    chmodSync(d, 0o755);
    hostDir.set(v.name, d);
  } else if (v.secret?.optional) {
    const d = join(workdir, `secret-${v.name}`);
    mkdirSync(d, { recursive: true });
    chmodSync(d, 0o755);
    hostDir.set(v.name, d);
  } else die(`volume ${v.name}: give its host directory with --volume ${v.name}=DIR`);
}

function plan(c, init) {
  const sc = c.securityContext ?? {};
  const args = ["--rm", "--name", `sm-k8s-${process.pid}-${c.name}`];
  if (sc.privileged) die(`${c.name}: privileged cannot be mapped`);
  const uid = sc.runAsUser ?? psc.runAsUser, gid = sc.runAsGroup ?? psc.runAsGroup;
  if (uid === undefined || gid === undefined) die(`${c.name}: no runAsUser/runAsGroup`);
  if ((sc.runAsNonRoot ?? psc.runAsNonRoot) && uid === 0) die(`${c.name}: runAsNonRoot with uid 0`);
  args.push("--user", `${uid}:${gid}`);
  if (psc.fsGroup !== undefined) args.push("--group-add", String(psc.fsGroup));
  if (sc.readOnlyRootFilesystem) args.push("--read-only", "--read-only-tmpfs=false");
  for (const cap of sc.capabilities?.drop ?? []) args.push("--cap-drop", cap);
  for (const cap of sc.capabilities?.add ?? []) args.push("--cap-add", cap);
  if (sc.allowPrivilegeEscalation === false) args.push("--security-opt", "no-new-privileges");
  const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
  if (seccomp !== "RuntimeDefault") die(`${c.name}: seccomp ${seccomp} cannot be mapped`);
  const env = new Map((c.env ?? []).map((e) => [e.name, e.value ?? die(`${c.name}: env ${e.name}: only values`)]));
  for (const [k, v] of envs) if (k.startsWith(`${c.name}.`)) env.set(k.slice(c.name.length + 1), v);
  if (index !== null) env.set("JOB_COMPLETION_INDEX", index);
  for (const [k, v] of env) args.push("--env", `${k}=${v}`);
  for (const m of c.volumeMounts ?? []) {
    const h = hostDir.get(m.name) ?? die(`${c.name}: volumeMount ${m.name}: no such volume`);
    const vol = spec.volumes.find((v) => v.name === m.name);
    const ro = m.readOnly || vol.persistentVolumeClaim?.readOnly;
    args.push("--volume", `${h}:${m.mountPath}${ro ? ":ro" : ""}`);
  }
  if (c.command) args.push("--entrypoint", JSON.stringify(c.command));
  args.push(image ?? c.image, ...(c.args ?? []));
  return { name: c.name, init, args };
}

console.log(JSON.stringify([...(spec.initContainers ?? []).map((c) => plan(c, true)),
  ...spec.containers.map((c) => plan(c, false))]));
