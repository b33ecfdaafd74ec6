// Notebook pipeline for distsys (CommonJS, builtins only): registers the tslab kernel inside the repo
// (.jupyter/), opens Jupyter on notebooks/, or executes notebooks headless and checks their outputs.
"use strict";

const childProcess = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
/** Debian's python: the `python3` first on PATH may be a pyenv or venv without Jupyter. */
const PYTHON = "/usr/bin/python3";
const EXECUTOR = path.join(__dirname, "notebooks.py");
const APT_INSTALL =
  "sudo apt-get install -y jupyter-notebook jupyter-nbconvert python3-nbclient " +
  "python3-ipykernel jupyter-client";
/** Chapter notebooks: two digits, an optional letter, a dash, a name (`01-fallacies.ipynb`, `09a-like-counter.ipynb`). */
const NOTEBOOK_NAME = /^\d\d[a-i]?-.*\.ipynb$/;
const CELL_TIMEOUT_S = 60;
const NOTEBOOK_TIMEOUT_S = 600;

const USAGE = `usage: node scripts/notebooks.cjs <command>
  open [jupyter args...]              register the kernel, start Jupyter on notebooks/
  execute [--write] [notebooks...]    run notebooks headless (default: every notebooks/NN-*.ipynb);
                                      without --write compare outputs with the committed ones,
                                      with --write save the fresh outputs into the notebooks
  kernel                              only register the tslab kernel in .jupyter/`;

function say(line) {
  console.error(`distsys: ${line}`);
}

/**
 * The environment of every Jupyter process: kernel specs, config, data, runtime files and IPython's
 * profile all live under `<root>/.jupyter`, so nothing is written to the user's home directory.
 */
function jupyterEnv(root = ROOT) {
  const dir = path.join(root, ".jupyter");
  return {
    ...process.env,
    JUPYTER_PATH: path.join(dir, "share", "jupyter"),
    JUPYTER_CONFIG_DIR: path.join(dir, "config"),
    JUPYTER_DATA_DIR: path.join(dir, "data"),
    JUPYTER_RUNTIME_DIR: path.join(dir, "runtime"),
    IPYTHONDIR: path.join(dir, "ipython"),
  };
}

function tslabBinary(root) {
  return path.join(root, "node_modules", ".bin", "tslab");
}

function kernelJsonPath(root) {
  return path.join(root, ".jupyter", "share", "jupyter", "kernels", "tslab", "kernel.json");
}

/**
 * Why the tslab kernel registered under `root` is unusable, or null if it is fine. The kernel.json
 * holds the absolute path of tslab, so a clone that moved must register again.
 */
function kernelProblem(root = ROOT) {
  const file = kernelJsonPath(root);
  let spec;
  try {
    spec = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return `no tslab kernel is registered in ${path.relative(root, path.dirname(file))}`;
  }
  const registered = Array.isArray(spec.argv) ? spec.argv[0] : undefined;
  if (registered !== tslabBinary(root)) {
    return `the tslab kernel starts ${registered}, not ${tslabBinary(root)}`;
  }
  return null;
}

/**
 * Registers the tslab kernel in `<root>/.jupyter` unless it already points at this clone's tslab
 * (then it returns at once, without starting Python). Throws an Error with one line saying what is
 * missing and how to install it.
 * @returns {{ registered: boolean, reason: string | null }}
 */
function ensureKernel(root = ROOT) {
  if (!fs.existsSync(tslabBinary(root))) {
    throw new Error("tslab is missing from node_modules: run `npm ci` (tslab is a devDependency)");
  }
  if (!fs.existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing; Jupyter comes from Debian: ${APT_INSTALL}`);
  }
  const reason = kernelProblem(root);
  if (reason === null) return { registered: false, reason };
  const result = childProcess.spawnSync(
    tslabBinary(root),
    [
      "install",
      `--python=${PYTHON}`,
      `--binary=${tslabBinary(root)}`,
      `--prefix=${path.join(root, ".jupyter")}`,
    ],
    { cwd: root, env: jupyterEnv(root), encoding: "utf8" },
  );
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.error !== undefined || result.status !== 0) {
    if (/jupyter is not installed/i.test(output)) {
      throw new Error(`Jupyter is not installed for ${PYTHON}; install it with: ${APT_INSTALL}`);
    }
    const detail = result.error?.message ?? output.trim().split("\n").pop();
    throw new Error(`could not register the tslab kernel in .jupyter/: ${detail}`);
  }
  const after = kernelProblem(root);
  if (after !== null) throw new Error(`registering the tslab kernel did not work: ${after}`);
  return { registered: true, reason };
}

/** The chapter notebooks under `<root>/notebooks`, sorted, as paths relative to `root`. */
function notebookPaths(root = ROOT) {
  const dir = path.join(root, "notebooks");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => NOTEBOOK_NAME.test(name))
    .sort()
    .map((name) => path.join("notebooks", name));
}

/**
 * Executes one notebook with scripts/notebooks.py and resolves to its JSON report (see that file):
 * `{ notebook, ok, problem, cells: [{ index, executionCount, firstLine, status, nondeterministic,
 * errors, diff, seconds }], afterLastCell: { errors, timersPending }, seconds: { kernelStart, total },
 * written }`.
 * Never rejects: a crash of the executor becomes a report with `problem` set.
 */
function executeNotebook(file, options = {}) {
  const root = options.root ?? ROOT;
  const args = [
    EXECUTOR,
    `--cell-timeout=${options.cellTimeoutS ?? CELL_TIMEOUT_S}`,
    `--total-timeout=${options.totalTimeoutS ?? NOTEBOOK_TIMEOUT_S}`,
  ];
  if (options.write === true) args.push("--write");
  args.push(file);
  return new Promise((resolve) => {
    const child = childProcess.spawn(PYTHON, args, { cwd: root, env: jupyterEnv(root) });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text) => (stderr += text));
    child.on("error", (error) => {
      resolve(crashReport(file, `could not start ${PYTHON} (${error.message}); ${APT_INSTALL}`));
    });
    child.on("close", (code) => {
      try {
        const report = { ...crashReport(file, null), ...JSON.parse(stdout) };
        // A kernel that died on start wrote why to its stderr, which reaches the executor's.
        if (report.problem !== null && stderr.trim() !== "") report.log = tail(stderr);
        resolve(report);
      } catch {
        resolve(crashReport(file, `the executor exited with ${code}:\n${tail(stderr)}`));
      }
    });
  });
}

function tail(text, linesMax = 15) {
  return text.trim().split("\n").slice(-linesMax).join("\n");
}

function crashReport(file, problem) {
  return {
    notebook: file,
    ok: false,
    problem,
    cells: [],
    afterLastCell: { errors: [], timersPending: false },
    seconds: { kernelStart: null, total: null },
    written: false,
  };
}

function indent(text, prefix = "    ") {
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => prefix + line)
    .join("\n");
}

/** Stack frames inside tslab and Node's vm tell a notebook's reader nothing: keep the user's. */
function withoutKernelFrames(text) {
  return text
    .split("\n")
    .filter(
      (line) => !/^\s+at .*(node_modules[\\/]tslab[\\/]|node:vm:|sigintHandlersWrap)/.test(line),
    )
    .join("\n");
}

function seconds(value) {
  return value === null || value === undefined ? "?" : `${value.toFixed(1)} s`;
}

const TIMERS_PENDING_NOTE =
  "  (a timer was still pending 1 s after the last cell: errors it throws later go unseen)";

/** The human form of a report: one status line, then each failing cell with its error or diff. */
function formatReport(report) {
  if (report.problem !== null && report.problem !== undefined) {
    const log = report.log === undefined ? "" : `\n${indent(report.log)}`;
    return `FAIL  ${report.notebook}: ${report.problem}${log}`;
  }
  const timing = `${seconds(report.seconds.total)}, kernel start ${seconds(report.seconds.kernelStart)}`;
  const timersNote = report.afterLastCell.timersPending === true ? [TIMERS_PENDING_NOTE] : [];
  if (report.ok) {
    const codeCells = report.cells.filter((cell) => cell.status !== "empty").length;
    const status = report.written ? "wrote" : "ok   ";
    const what = report.written ? "outputs saved" : "outputs unchanged";
    const line = `${status} ${report.notebook} (${timing}; ${codeCells} code cells, ${what})`;
    return [line, ...timersNote].join("\n");
  }
  const lines = [`FAIL  ${report.notebook} (${timing})`];
  for (const cell of report.cells) {
    const prompt = cell.executionCount === null ? "" : `, In [${cell.executionCount}]`;
    const where = `  cell ${cell.index}${prompt}: ${cell.firstLine}`;
    if (cell.status === "error") {
      lines.push(`${where}\n    failed; its stderr:`);
      for (const error of cell.errors) lines.push(indent(withoutKernelFrames(error), "      "));
    } else if (cell.status === "differs") {
      lines.push(`${where}\n    output differs from the committed notebook:`);
      lines.push(indent(cell.diff, "      "));
    }
  }
  for (const error of report.afterLastCell.errors) {
    lines.push("  after the last cell (thrown in a timer or an unhandled promise rejection):");
    lines.push(indent(withoutKernelFrames(error), "      "));
  }
  lines.push(...timersNote);
  const notRun = report.cells.filter((cell) => cell.status === "not-run").length;
  if (notRun > 0) lines.push(`  (stopped at the first failure: ${notRun} later cells not run)`);
  if (report.cells.some((cell) => cell.status === "differs")) {
    lines.push(
      "  If the new output is right, save it with `npm run notebooks:execute`; if a cell's output " +
        'changes from run to run, tag the cell "nondeterministic".',
    );
  }
  return lines.join("\n");
}

async function execute(args) {
  const write = args.includes("--write");
  const unknown = args.filter((arg) => arg.startsWith("-") && arg !== "--write");
  if (unknown.length > 0) throw new Error(`unknown option ${unknown[0]}\n${USAGE}`);
  const files = args.filter((arg) => !arg.startsWith("-"));
  const notebooks = files.length > 0 ? files : notebookPaths();
  if (notebooks.length === 0) {
    throw new Error("no notebooks to run: notebooks/ holds no NN-<chapter>.ipynb");
  }
  for (const file of notebooks) {
    if (!fs.existsSync(path.resolve(ROOT, file))) throw new Error(`no such notebook: ${file}`);
  }
  reportKernel(ensureKernel());
  let failed = 0;
  for (const file of notebooks) {
    const relative = path.relative(ROOT, path.resolve(file));
    const shown = relative.startsWith("..") ? path.resolve(file) : relative;
    const report = await executeNotebook(shown, { write });
    console.log(formatReport(report));
    if (!report.ok) failed += 1;
  }
  if (failed > 0) {
    say(`${failed} of ${notebooks.length} notebooks failed`);
    process.exitCode = 1;
  }
}

function reportKernel({ registered, reason }) {
  if (registered) say(`registered the tslab kernel in .jupyter/ (${reason})`);
}

/** JupyterLab's version if `jupyter lab` is installed (for Debian's python or on PATH), else null. */
function jupyterLabVersion() {
  const fromPython = childProcess.spawnSync(
    PYTHON,
    ["-c", "import jupyterlab; print(jupyterlab.__version__)"],
    { encoding: "utf8", env: jupyterEnv() },
  );
  if (fromPython.status === 0) return { version: fromPython.stdout.trim(), command: PYTHON };
  const onPath = childProcess.spawnSync("jupyter-lab", ["--version"], {
    encoding: "utf8",
    env: jupyterEnv(),
  });
  if (onPath.status === 0) return { version: onPath.stdout.trim(), command: "jupyter-lab" };
  return null;
}

function atLeast(version, wanted) {
  const have = version.split(".").map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < wanted.length; i++) {
    if ((have[i] ?? 0) !== wanted[i]) return (have[i] ?? 0) > wanted[i];
  }
  return true;
}

function open(extraArgs) {
  reportKernel(ensureKernel());
  const notebookDir = path.join(ROOT, "notebooks");
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const lab = jupyterLabVersion();
  let command;
  let args;
  if (lab !== null && atLeast(lab.version, [4, 1])) {
    say(`starting JupyterLab ${lab.version} (it renders Mermaid diagrams) on notebooks/`);
    command = lab.command;
    args = lab.command === PYTHON ? ["-m", "jupyterlab"] : [];
    args.push(`--ServerApp.root_dir=${notebookDir}`);
  } else {
    say("starting Jupyter Notebook 6 on notebooks/");
    say(
      "Notebook 6 shows Mermaid diagrams as their text; JupyterLab >= 4.1 draws them " +
        "(`pip install 'jupyterlab>=4.1'` where PyPI is reachable; `npm run notebooks` prefers it)",
    );
    command = PYTHON;
    args = ["-m", "notebook", `--notebook-dir=${notebookDir}`];
  }
  if (asRoot) args.push("--allow-root");
  args.push(...extraArgs);
  const child = childProcess.spawn(command, args, {
    cwd: ROOT,
    env: jupyterEnv(),
    stdio: ["inherit", "inherit", "pipe"],
  });
  let urlShown = false;
  let pending = "";
  child.stderr.on("data", (chunk) => {
    process.stderr.write(chunk);
    pending += chunk.toString("utf8");
    const lines = pending.split("\n");
    pending = lines.pop();
    for (const line of lines) {
      const url = /https?:\/\/(?:127\.0\.0\.1|localhost)[^\s]*/.exec(line);
      if (!urlShown && url !== null) {
        urlShown = true;
        say(`Jupyter is at ${url[0]} (Ctrl-C twice to stop)`);
      }
    }
  });
  child.on("error", (error) => {
    say(`could not start ${command}: ${error.message}; install Jupyter with: ${APT_INSTALL}`);
    process.exitCode = 1;
  });
  child.on("exit", (code, signal) => {
    process.exitCode = code ?? (signal === null ? 1 : 0);
  });
  // Ctrl-C reaches Jupyter directly (same process group); this process waits for it to finish.
  process.on("SIGINT", () => {});
}

async function main(argv) {
  const [command, ...args] = argv;
  try {
    if (command === "open") open(args);
    else if (command === "execute") await execute(args);
    else if (command === "kernel") {
      const result = ensureKernel();
      say(
        result.registered
          ? `registered the tslab kernel in .jupyter/ (${result.reason})`
          : "the tslab kernel in .jupyter/ is registered already",
      );
    } else {
      console.error(USAGE);
      process.exitCode = command === undefined || command === "--help" ? 0 : 2;
    }
  } catch (error) {
    say(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}

module.exports = {
  NOTEBOOK_NAME,
  ROOT,
  ensureKernel,
  executeNotebook,
  formatReport,
  jupyterEnv,
  kernelProblem,
  notebookPaths,
};

if (require.main === module) main(process.argv.slice(2));
