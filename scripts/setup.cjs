// Setup check for distsys (CommonJS, builtins only): Node >= 20.19, --deps runs npm ci if needed,
// --system apt-installs Jupyter and Chromium. DISTSYS_SETUP_AS_USER=1 acts as non-root, no sudo.
"use strict";

const childProcess = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const util = require("node:util");

const ROOT = path.resolve(__dirname, "..");
const MIN_NODE = [20, 19, 0];
const PYTHON = "/usr/bin/python3";
const CHROMIUM = "/usr/bin/chromium";

const JUPYTER_MODULES = ["nbclient", "nbconvert", "ipykernel", "jupyter_client", "notebook"];

/**
 * System tools the tests need: a quick check (`args`), a thorough one (`verifyArgs`, used after an
 * install) and the Debian packages that provide the tool. Importing the Jupyter modules takes
 * about 0.6 s, so the quick check only asks Python whether each module is installed (about 0.06 s).
 */
const SYSTEM_TOOLS = [
  {
    name: "Jupyter",
    command: PYTHON,
    args: [
      "-c",
      "import sys; from importlib.util import find_spec; " +
        `sys.exit(any(find_spec(m) is None for m in ${JSON.stringify(JUPYTER_MODULES)}))`,
    ],
    verifyArgs: ["-c", `import ${JUPYTER_MODULES.join(", ")}`],
    packages: [
      "jupyter-notebook",
      "jupyter-nbconvert",
      "python3-nbclient",
      "python3-ipykernel",
      "jupyter-client",
    ],
  },
  { name: "Chromium", command: CHROMIUM, args: ["--version"], packages: ["chromium"] },
];

function say(line) {
  console.error(`distsys: ${line}`);
}

/** Returns a one-line complaint if `version` (e.g. "20.18.1") is older than MIN_NODE, else null. */
function nodeVersionProblem(version) {
  const parts = version.split(".").map((part) => Number.parseInt(part, 10));
  for (let i = 0; i < MIN_NODE.length; i++) {
    const have = parts[i] ?? 0;
    if (have > MIN_NODE[i]) return null;
    if (have < MIN_NODE[i]) {
      return (
        `Node ${MIN_NODE.join(".")} or newer is needed, this is Node ${version}; ` +
        "install a newer Node (for example from https://nodejs.org) and try again"
      );
    }
  }
  return null;
}

/**
 * Why node_modules under `root` is out of sync with package-lock.json, or null if it is in sync.
 * npm writes node_modules/.package-lock.json after each install: it lists the same packages as
 * package-lock.json minus the root project and the optional packages skipped on this platform.
 */
function depsProblem(root) {
  const lockPath = path.join(root, "package-lock.json");
  const hiddenPath = path.join(root, "node_modules", ".package-lock.json");
  if (!fs.existsSync(lockPath)) return "package-lock.json is missing";
  if (!fs.existsSync(hiddenPath)) return "node_modules is not installed";
  const lock = JSON.parse(fs.readFileSync(lockPath, "utf8"));
  let hidden;
  try {
    hidden = JSON.parse(fs.readFileSync(hiddenPath, "utf8"));
  } catch {
    return "node_modules/.package-lock.json is unreadable";
  }
  const wanted = lock.packages ?? {};
  const installed = hidden.packages ?? {};
  for (const [key, entry] of Object.entries(wanted)) {
    if (key === "") continue;
    const have = installed[key];
    if (have === undefined) {
      if (entry.optional === true) continue;
      return `node_modules lacks ${key.replace(/^node_modules\//, "")}`;
    }
    if (!util.isDeepStrictEqual(have, entry)) {
      return `node_modules has a different ${key.replace(/^node_modules\//, "")} than package-lock.json`;
    }
  }
  for (const key of Object.keys(installed)) {
    if (!(key in wanted)) {
      return `node_modules has ${key.replace(/^node_modules\//, "")}, which package-lock.json does not list`;
    }
  }
  return null;
}

/** Runs npm with inherited stdio, through the npm that started this script when there is one. */
function runNpm(args) {
  const npmCli = process.env.npm_execpath;
  const result =
    npmCli && /\.[cm]?js$/.test(npmCli)
      ? childProcess.spawnSync(process.execPath, [npmCli, ...args], { cwd: ROOT, stdio: "inherit" })
      : childProcess.spawnSync("npm", args, {
          cwd: ROOT,
          stdio: "inherit",
          shell: process.platform === "win32",
        });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function ensureDeps() {
  const problem = depsProblem(ROOT);
  if (problem === null) return true;
  say(`${problem}; running npm ci`);
  const status = runNpm(["ci"]);
  if (status !== 0) {
    say(`npm ci failed (exit code ${status})`);
    process.exit(status);
  }
  const after = depsProblem(ROOT);
  if (after !== null) say(`warning: after npm ci, still: ${after}`);
  return false;
}

/** Runs every check of `tools` at once; resolves to the tools whose check failed. */
async function missingTools(tools, thorough = false) {
  const execFile = util.promisify(childProcess.execFile);
  const results = await Promise.all(
    tools.map((tool) =>
      execFile(tool.command, (thorough && tool.verifyArgs) || tool.args, { timeout: 20000 }).then(
        () => null,
        () => tool,
      ),
    ),
  );
  return results.filter((tool) => tool !== null);
}

function canSudo() {
  if (process.env.DISTSYS_SETUP_AS_USER === "1") return false;
  const result = childProcess.spawnSync("sudo", ["-n", "true"], { stdio: "ignore" });
  return result.status === 0;
}

function isRoot() {
  if (process.env.DISTSYS_SETUP_AS_USER === "1") return false;
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function names(tools) {
  return tools.map((tool) => tool.name).join(" and ");
}

/** Runs apt-get update and apt-get install for `packages`, as root or through `sudo -n`. */
function aptInstall(packages, viaSudo) {
  const steps = [
    ["apt-get", "update"],
    ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", ...packages],
  ];
  for (const step of steps) {
    const [command, ...args] = viaSudo ? ["sudo", "-n", ...step] : step;
    const result = childProcess.spawnSync(command, args, { stdio: "inherit" });
    if (result.error || result.status !== 0) {
      say(`${[command, ...args].join(" ")} failed (exit code ${result.status ?? "none"})`);
      process.exit(result.status || 1);
    }
  }
}

/** Installs what `checking` (a pending `missingTools` result) reports missing. */
async function ensureSystem(checking) {
  const missing = await checking;
  if (missing.length === 0) return true;
  const packages = missing.flatMap((tool) => tool.packages);
  const haveApt = fs.existsSync("/usr/bin/apt-get");
  const root = isRoot();
  if (haveApt && (root || canSudo())) {
    say(`the tests need ${names(missing)}; installing ${packages.join(" ")} with apt-get`);
    aptInstall(packages, !root);
    const still = await missingTools(missing, true);
    if (still.length > 0) {
      say(`${names(still)} still missing after apt-get install`);
      process.exit(1);
    }
    return false;
  }
  say(
    `the tests need ${names(missing)}; install ${missing.length > 1 ? "them" : "it"} with: ` +
      `sudo apt-get install -y ${packages.join(" ")}`,
  );
  process.exit(1);
}

async function main(argv) {
  const known = new Set(["--deps", "--system"]);
  const unknown = argv.filter((arg) => !known.has(arg));
  if (unknown.length > 0) {
    say(`unknown option ${unknown[0]}; usage: node scripts/setup.cjs [--deps] [--system]`);
    process.exit(2);
  }
  const nodeProblem = nodeVersionProblem(process.versions.node);
  if (nodeProblem !== null) {
    say(nodeProblem);
    process.exit(1);
  }
  const checked = [];
  let quiet = true;
  // The system checks run in child processes, alongside the node_modules check.
  const systemCheck = argv.includes("--system") ? missingTools(SYSTEM_TOOLS) : null;
  if (argv.includes("--deps")) {
    quiet = ensureDeps() && quiet;
    checked.push("node_modules");
  }
  if (systemCheck !== null) {
    quiet = (await ensureSystem(systemCheck)) && quiet;
    checked.push("Jupyter, Chromium");
  }
  if (quiet && checked.length > 0) console.log(`distsys setup: ok (${checked.join("; ")})`);
}

module.exports = { main, depsProblem, nodeVersionProblem, missingTools, SYSTEM_TOOLS };

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    say(`setup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
