// Offline checks of the Kubernetes manifests in a directory (default k8s/):
//  - every document against the API schemas of kubernetes-models;
//  - no unknown field anywhere (the schemas accept misspelled keys, so the
//    field names are checked against the models' type declarations);
//  - every pod template against the "restricted" Pod Security Standard
//    (baseline and restricted controls) and our own requirements: read-only
//    root, runAsUser/runAsGroup, /tmp (and /home/smuser where the job runs)
//    emptyDirs of medium Memory, config volumes mounted read-only;
//  - the namespace enforces "restricted"; the PodSecurityPolicy is
//    restrictive and admits every pod template;
//  - references between the documents (namespace, ConfigMaps, claims).
// Prints "ok FILE KIND/NAME" per document; problems as "FILE: KIND/NAME: PATH:
// problem" on stderr, exit 1.  Given several directories, checks each on its
// own (one process: the models load once) and starts every line with
// "DIR: ".
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const dirs = process.argv.length > 2 ? process.argv.slice(2).map((d) => resolve(d)) : [resolve(join(here, "../../k8s"))];
const prefix = (dir) => (dirs.length > 1 ? `${dir}: ` : "");
let dirPrefix = "";

const MODELS = {
  "v1/Namespace": "kubernetes-models/v1/Namespace",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Secret": "kubernetes-models/v1/Secret",
  "v1/PersistentVolumeClaim": "kubernetes-models/v1/PersistentVolumeClaim",
  "batch/v1/Job": "kubernetes-models/batch/v1/Job",
  "policy/v1beta1/PodSecurityPolicy": "kubernetes-models/policy/v1beta1/PodSecurityPolicy",
  "rbac.authorization.k8s.io/v1/ClusterRole": "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole",
  "rbac.authorization.k8s.io/v1/RoleBinding": "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding",
};

let failures = 0;
let bad = new Set();
function problem(where, msg) {
  console.error(`${dirPrefix}${where}: ${msg}`);
  bad.add(where);
  failures++;
}

// ---- unknown fields, from the models' .d.ts declarations -------------------
const ifaceCache = new Map();
function iface(dts) {
  if (ifaceCache.has(dts)) return ifaceCache.get(dts);
  const text = readFileSync(dts, "utf8");
  const imports = new Map();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) {
    const spec = m[2].startsWith(".") ? resolve(dirname(dts), m[2]) : fileURLToPath(import.meta.resolve(m[2]));
    imports.set(m[1], spec.replace(/\.js$/, "") + ".d.ts");
  }
  const body = text.match(/^export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m);
  const props = new Map();
  if (body) {
    for (const m of body[1].matchAll(/^ {4}"([^"]+)"\??: (.*?);?$/gm)) {
      const ref = m[2].match(/^(?:Array<)?(I\w+)>?$/);
      props.set(m[1], ref && imports.has(ref[1]) ? imports.get(ref[1]) : null);
    }
  }
  const r = body ? props : null;
  ifaceCache.set(dts, r);
  return r;
}

function unknownFields(obj, dts, path, where) {
  const props = iface(dts);
  if (!props || obj === null || typeof obj !== "object") return;
  if (Array.isArray(obj)) {
    obj.forEach((v, i) => unknownFields(v, dts, `${path}[${i}]`, where));
    return;
  }
  for (const [k, v] of Object.entries(obj)) {
    if (!props.has(k)) problem(where, `${path ? path + "." : ""}${k}: unknown field`);
    else if (props.get(k)) unknownFields(v, props.get(k), `${path ? path + "." : ""}${k}`, where);
  }
}

// ---- the Pod Security Standards ---------------------------------------------
const RESTRICTED_VOLUMES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
  "persistentVolumeClaim", "projected", "secret"];
const SAFE_SYSCTLS = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"];
const SELINUX_TYPES = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

// Problems of a pod spec under "restricted" (which includes "baseline").
function restricted(spec, meta) {
  const out = [];
  const psc = spec.securityContext ?? {};
  const all = [["initContainers", spec.initContainers], ["containers", spec.containers],
    ["ephemeralContainers", spec.ephemeralContainers]]
    .flatMap(([k, list]) => (list ?? []).map((c, i) => [`${k}[${i}] (${c.name})`, c]));
  for (const k of ["hostNetwork", "hostPID", "hostIPC"])
    if (spec[k] === true) out.push(`spec.${k}: must not be true`);
  if (psc.runAsNonRoot === false) out.push("securityContext.runAsNonRoot: must not be false");
  if (psc.runAsUser === 0) out.push("securityContext.runAsUser: must not be 0");
  if (psc.seccompProfile && !["RuntimeDefault", "Localhost"].includes(psc.seccompProfile.type))
    out.push("securityContext.seccompProfile.type: must be RuntimeDefault or Localhost");
  for (const s of psc.sysctls ?? [])
    if (!SAFE_SYSCTLS.includes(s.name)) out.push(`securityContext.sysctls: ${s.name} is not a safe sysctl`);
  const seOk = (o) => !o || (SELINUX_TYPES.includes(o.type ?? "") && !o.user && !o.role);
  if (!seOk(psc.seLinuxOptions)) out.push("securityContext.seLinuxOptions: not allowed");
  for (const [k, v] of Object.entries(meta?.annotations ?? {}))
    if (k.startsWith("container.apparmor.security.beta.kubernetes.io/") && v !== "runtime/default" && !v.startsWith("localhost/"))
      out.push(`metadata.annotations.${k}: AppArmor must be runtime/default or localhost/*`);
  for (const v of spec.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== "name");
    if (!RESTRICTED_VOLUMES.includes(type)) out.push(`volumes (${v.name}): type ${type} is not allowed`);
  }
  for (const [w, c] of all) {
    const sc = c.securityContext ?? {};
    if (sc.privileged === true) out.push(`${w}: privileged must not be true`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${w}: securityContext.allowPrivilegeEscalation must be false`);
    const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
    if (nonRoot !== true) out.push(`${w}: runAsNonRoot must be true (container or pod)`);
    if (sc.runAsUser === 0) out.push(`${w}: runAsUser must not be 0`);
    const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
    if (!["RuntimeDefault", "Localhost"].includes(seccomp))
      out.push(`${w}: seccompProfile.type must be RuntimeDefault or Localhost (container or pod)`);
    const caps = sc.capabilities ?? {};
    if (!(caps.drop ?? []).includes("ALL")) out.push(`${w}: securityContext.capabilities.drop must include ALL`);
    for (const a of caps.add ?? []) if (a !== "NET_BIND_SERVICE") out.push(`${w}: capability ${a} must not be added`);
    if (sc.procMount && sc.procMount !== "Default") out.push(`${w}: procMount must be Default`);
    if (!seOk(sc.seLinuxOptions)) out.push(`${w}: seLinuxOptions not allowed`);
    for (const p of c.ports ?? []) if (p.hostPort) out.push(`${w}: hostPort must not be set`);
  }
  return out;
}

// Our own requirements on top of "restricted".
function ours(spec) {
  const out = [];
  const psc = spec.securityContext ?? {};
  const vols = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
  const init = new Set(spec.initContainers ?? []);
  const containers = [...init, ...(spec.containers ?? [])];
  for (const c of containers) {
    const w = `container ${c.name}`;
    const sc = c.securityContext ?? {};
    if (sc.readOnlyRootFilesystem !== true) out.push(`${w}: securityContext.readOnlyRootFilesystem must be true`);
    if (sc.runAsNonRoot !== true) out.push(`${w}: securityContext.runAsNonRoot must be true`);
    for (const k of ["runAsUser", "runAsGroup"]) {
      const v = sc[k] ?? psc[k];
      if (!Number.isInteger(v) || v <= 0) out.push(`${w}: ${k} must be a uid/gid above 0`);
    }
    if (sc.seccompProfile?.type !== "RuntimeDefault") out.push(`${w}: securityContext.seccompProfile.type must be RuntimeDefault`);
    if (sc.privileged === true) out.push(`${w}: must not be privileged`);
    // The original's page: emptyDirs at /home/smuser (its work directory,
    // where the job's FIFOs go) and /tmp; an init container needs only /tmp.
    const memory = init.has(c) ? ["/tmp"] : ["/home/smuser", "/tmp"];
    for (const path of memory) {
      const m = (c.volumeMounts ?? []).find((x) => x.mountPath === path);
      if (!m) out.push(`${w}: ${path} must be mounted (an emptyDir of medium Memory)`);
      else if (vols.get(m.name)?.emptyDir?.medium !== "Memory")
        out.push(`${w}: ${path} (volume ${m.name}) must be an emptyDir with medium Memory`);
    }
    for (const m of c.volumeMounts ?? []) {
      const v = vols.get(m.name);
      if (!v) out.push(`${w}: volumeMount ${m.name}: no such volume`);
      else if ((v.configMap || v.secret) && m.readOnly !== true)
        out.push(`${w}: volumeMount ${m.name} (${v.configMap ? "configMap" : "secret"}) must be readOnly`);
    }
  }
  return out;
}

// Would this PodSecurityPolicy admit the pod spec?
function pspAdmits(psp, spec) {
  const s = psp.spec, out = [];
  const psc = spec.securityContext ?? {};
  for (const v of spec.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== "name");
    if (!(s.volumes ?? []).includes(type) && !(s.volumes ?? []).includes("*"))
      out.push(`volume type ${type} (${v.name}) not allowed`);
  }
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const sc = c.securityContext ?? {};
    if (s.readOnlyRootFilesystem && sc.readOnlyRootFilesystem !== true) out.push(`${c.name}: root not read-only`);
    if (s.allowPrivilegeEscalation === false && sc.allowPrivilegeEscalation !== false) out.push(`${c.name}: may escalate`);
    if (s.runAsUser?.rule === "MustRunAsNonRoot" && (sc.runAsUser ?? psc.runAsUser ?? 0) === 0) out.push(`${c.name}: root`);
    const inRanges = (v, r) => (r?.ranges ?? []).some((x) => v >= x.min && v <= x.max);
    if (s.runAsGroup?.rule === "MustRunAs" && !inRanges(sc.runAsGroup ?? psc.runAsGroup, s.runAsGroup))
      out.push(`${c.name}: runAsGroup outside the policy's ranges`);
  }
  if (psc.fsGroup !== undefined && s.fsGroup?.rule === "MustRunAs" &&
    !(s.fsGroup.ranges ?? []).some((x) => psc.fsGroup >= x.min && psc.fsGroup <= x.max))
    out.push("fsGroup outside the policy's ranges");
  return out;
}

// ---- the documents -------------------------------------------------------
async function validate(dir) {
  dirPrefix = prefix(dir);
  bad = new Set();
  const docs = [];
  for (const f of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const d of parseAllDocuments(readFileSync(join(dir, f), "utf8"))) {
      if (d.errors.length) { problem(f, d.errors[0].message); continue; }
      const obj = d.toJS();
      if (obj) docs.push({ file: f, obj, where: `${f}: ${obj.kind}/${obj.metadata?.name}` });
    }
  }
  if (docs.length === 0) problem(dir, "no manifests");

  const byKind = (k) => docs.filter((d) => d.obj.kind === k).map((d) => d.obj);
  const namespaces = byKind("Namespace");
  const nsNames = new Set(namespaces.map((n) => n.metadata.name));

  for (const { obj, where } of docs) {
    const key = `${obj.apiVersion}/${obj.kind}`;
    if (!MODELS[key]) { problem(where, `${key}: not a kind these manifests should hold`); continue; }
    const mod = await import(MODELS[key]);
    try {
      new mod[obj.kind](obj).validate();
    } catch (e) {
      problem(where, `schema: ${e.message}`);
    }
    const dts = fileURLToPath(import.meta.resolve(MODELS[key])).replace(/\.js$/, ".d.ts");
    unknownFields(obj, dts, "", where);
    const ns = obj.metadata?.namespace;
    const clusterScoped = ["Namespace", "PodSecurityPolicy", "ClusterRole"].includes(obj.kind);
    if (!clusterScoped && !nsNames.has(ns)) problem(where, `metadata.namespace: ${ns} is not a namespace defined here`);
  }

  const whereOf = (o) => docs.find((d) => d.obj === o).where;
  for (const n of namespaces) {
    const l = n.metadata.labels ?? {};
    if (l["pod-security.kubernetes.io/enforce"] !== "restricted")
      problem(whereOf(n), "label pod-security.kubernetes.io/enforce must be restricted");
  }

  const psps = byKind("PodSecurityPolicy");
  for (const p of psps) {
    const s = p.spec, w = whereOf(p);
    if (s.privileged !== false) problem(w, "spec.privileged must be false");
    if (s.allowPrivilegeEscalation !== false) problem(w, "spec.allowPrivilegeEscalation must be false");
    if (!(s.requiredDropCapabilities ?? []).includes("ALL")) problem(w, "spec.requiredDropCapabilities must include ALL");
    if ((s.allowedCapabilities ?? []).length) problem(w, "spec.allowedCapabilities must be empty");
    if (s.runAsUser?.rule !== "MustRunAsNonRoot") problem(w, "spec.runAsUser.rule must be MustRunAsNonRoot");
    if (s.readOnlyRootFilesystem !== true) problem(w, "spec.readOnlyRootFilesystem must be true");
    for (const k of ["hostNetwork", "hostIPC", "hostPID"]) if (s[k] === true) problem(w, `spec.${k} must be false`);
    for (const v of s.volumes ?? []) if (!RESTRICTED_VOLUMES.includes(v)) problem(w, `spec.volumes: ${v} is not allowed`);
    for (const k of ["runAsGroup", "supplementalGroups", "fsGroup"])
      if (s[k]?.rule !== "MustRunAs" || (s[k].ranges ?? []).some((r) => r.min < 1)) problem(w, `spec.${k}: must be MustRunAs without 0`);
    if (p.metadata.annotations?.["seccomp.security.alpha.kubernetes.io/defaultProfileName"] !== "runtime/default")
      problem(w, "the default seccomp profile must be runtime/default");
  }

  const configMaps = new Map(byKind("ConfigMap").map((c) => [c.metadata.name, c]));
  const claims = new Set(byKind("PersistentVolumeClaim").map((c) => c.metadata.name));
  for (const { obj, where } of docs.filter((d) => d.obj.kind === "Job")) {
    const tpl = obj.spec?.template ?? {};
    const spec = tpl.spec ?? {};
    for (const m of [...restricted(spec, tpl.metadata), ...ours(spec)]) problem(where, m);
    for (const p of psps) for (const m of pspAdmits(p, spec)) problem(where, `PodSecurityPolicy/${p.metadata.name} refuses it: ${m}`);
    if (spec.restartPolicy !== "Never") problem(where, "restartPolicy must be Never (a job is run once)");
    for (const v of spec.volumes ?? []) {
      if (v.configMap && !configMaps.has(v.configMap.name) && !v.configMap.optional)
        problem(where, `volume ${v.name}: ConfigMap ${v.configMap.name} is not defined here`);
      if (v.persistentVolumeClaim && !claims.has(v.persistentVolumeClaim.claimName))
        problem(where, `volume ${v.name}: claim ${v.persistentVolumeClaim.claimName} is not defined here`);
      if (v.secret && !v.secret.optional) problem(where, `volume ${v.name}: secret ${v.secret.secretName} must be optional`);
    }
    // An Indexed Job over a list: one completion per line.
    if (obj.spec.completionMode === "Indexed") {
      const lists = (spec.volumes ?? []).map((v) => configMaps.get(v.configMap?.name)?.data?.["files.txt"]).filter(Boolean);
      if (lists.length !== 1) problem(where, "an Indexed Job needs one ConfigMap with files.txt");
      else {
        const n = lists[0].split("\n").filter((l) => l.trim()).length;
        if (obj.spec.completions !== n) problem(where, `spec.completions is ${obj.spec.completions}, files.txt lists ${n}`);
      }
    }
  }

  for (const { where } of docs) if (!bad.has(where)) console.log(`${dirPrefix}ok ${where.replace(": ", " ")}`);
}

for (const dir of dirs) await validate(dir);
process.exit(failures ? 1 : 0);
