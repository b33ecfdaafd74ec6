# Notebook executor for distsys (Debian's python3, nbclient, nbformat): runs one notebook on the
# tslab kernel; fails on any stderr, on late async errors and on outputs that differ from the file.
# Prints one JSON report on stdout; exits 0 if the notebook passed, 1 if not, 2 if it could not run.
#
#   /usr/bin/python3 scripts/notebooks.py [--write] [--cell-timeout S] [--total-timeout S] FILE
#
# scripts/notebooks.cjs calls it after registering the kernel, with JUPYTER_* set to .jupyter/.
# Why the machinery around nbclient:
# - tslab answers a failing cell with status "error" and no ename/evalue/traceback (nbclient then
#   says only "<Error>:"); the real text is in the cell's stderr stream. So any stderr output is a
#   failure, and its text is the report.
# - tslab logs uncaught exceptions and unhandled rejections to stderr under the last cell it ran,
#   usually after that cell went idle. nbclient stops reading a cell's output at idle and drops
#   messages of other cells, so those errors were lost. This client keeps every message of an
#   earlier cell ("late output"), and after the last cell runs one hidden settle cell that waits
#   for pending timers (50 ms, then while any is pending, up to 1 s), so late errors arrive too.
# Saved notebooks (--write) use nbformat's layout (sorted keys, 1-space indent, final newline),
# execution counts 1..N in cell order, no timing metadata, and consecutive stream outputs merged as
# Jupyter's frontends merge them: the same outputs always give the same bytes.

import argparse
import asyncio
import atexit
import copy
import difflib
import json
import os
import sys
import time

APT_HINT = (
    "sudo apt-get install -y jupyter-notebook jupyter-nbconvert python3-nbclient "
    "python3-ipykernel jupyter-client"
)

try:
    import nbformat
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionComplete, CellTimeoutError, DeadKernelError
    from nbclient.util import ensure_async
except ImportError as missing:  # still answer in JSON, so the caller can show one line
    print(json.dumps({
        "ok": False,
        "problem": f"Jupyter is not installed for {sys.executable} ({missing}); "
        f"install it with: {APT_HINT}",
    }))
    sys.exit(2)

KERNEL_NAME = "tslab"
NONDETERMINISTIC_TAG = "nondeterministic"
# Cell statuses of a passing run: same outputs as committed (or tagged nondeterministic), an empty
# cell, or (with --write) changed outputs that were saved.
PASSING = ("ok", "empty", "updated")
# Cell metadata recording when or how long a run took: different on every run, never saved.
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime")
OUTPUT_MESSAGES = ("stream", "display_data", "execute_result", "error")

# Runs after the last cell and is never saved. A block keeps its names out of the notebook's scope
# (an async arrow would need `await (async () => ...)()`, and tslab 1.0.22 reads a top-level
# `await (` as a call of a function named await); `process` is reached through globalThis so the
# cell compiles without Node's types.
# tslab itself keeps no "Timeout" resource alive, so any pending one is the notebook's.
SETTLE_CELL_SOURCE = """\
{
  const proc = (globalThis as any).process;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await sleep(50);
  const pending = () => proc.getActiveResourcesInfo().includes("Timeout");
  for (let waitedMs = 50; waitedMs < 1000 && pending(); waitedMs += 50) await sleep(50);
  if (pending()) console.log("timers pending");
}
"""


def first_line(source):
    for line in source.splitlines():
        if line.strip():
            return line.strip()
    return ""


def joined(value):
    """nbformat keeps multi-line strings as lists of lines on disk; compare them as one string."""
    return "".join(value) if isinstance(value, list) else value


def coalesce_streams(outputs):
    """Merges consecutive stream outputs of one name, as Jupyter's frontends do before saving, so a
    notebook saved from the browser and one executed here hold the same outputs."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.get("output_type") == "stream"
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] = joined(previous["text"]) + joined(output["text"])
        else:
            merged.append(copy.deepcopy(output))
    return merged


def comparable(outputs):
    """What is compared: output type, stream name and text, every MIME type of rich output (and an
    error's name and value). execution_count and metadata are not."""
    result = []
    for output in coalesce_streams(outputs):
        kind = output.get("output_type")
        if kind == "stream":
            text = joined(output.get("text", ""))
            result.append({"output_type": kind, "name": output.get("name"), "text": text})
        elif kind in ("display_data", "execute_result"):
            data = {mime: joined(value) for mime, value in output.get("data", {}).items()}
            result.append({"output_type": kind, "data": data})
        elif kind == "error":
            error = {"ename": output.get("ename"), "evalue": output.get("evalue")}
            result.append({"output_type": kind, **error})
        else:
            result.append({"output_type": kind})
    return result


def render(outputs, mime):
    """An output list as lines for a readable diff: a header per output, then its text in `mime`
    (text/plain where the output lacks that type)."""
    lines = []
    for output in outputs:
        kind = output["output_type"]
        if kind == "stream":
            lines.append(f"[{output['name']}]\n")
            body = output["text"]
        elif "data" in output:
            shown = mime if mime in output["data"] else "text/plain"
            value = output["data"].get(shown, "(no text/plain)")
            lines.append(f"[{kind} {shown}]\n")
            body = value if isinstance(value, str) else json.dumps(value, indent=1, sort_keys=True)
        else:
            lines.append(f"[{kind}] {output.get('ename')}: {output.get('evalue')}\n")
            continue
        lines.extend(line if line.endswith("\n") else line + "\n" for line in body.splitlines(True))
    return lines


def output_diff(committed, fresh):
    """A unified diff of the text/plain forms or, if those agree, of the first MIME type that
    differs; None when the outputs are the same."""
    old, new = comparable(committed), comparable(fresh)
    if old == new:
        return None

    def diff(mime):
        lines = difflib.unified_diff(render(old, mime), render(new, mime), "committed", "fresh")
        return "".join(lines)

    text = diff("text/plain")
    if text:
        return text
    for before, after in zip(old, new):
        data_before, data_after = before.get("data", {}), after.get("data", {})
        mimes = sorted(set(data_before) | set(data_after))
        differing = [m for m in mimes if data_before.get(m) != data_after.get(m)]
        if differing:
            return diff(differing[0])
    return "outputs differ in a field other than their text\n"


def stderr_texts(outputs):
    return [
        joined(o.get("text", ""))
        for o in outputs
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    ]


def error_texts(outputs):
    """Error outputs (kernels other than tslab send these) are failures too."""
    return [
        "\n".join([f"{o.get('ename')}: {o.get('evalue')}"] + list(o.get("traceback", [])))
        for o in outputs
        if o.get("output_type") == "error"
    ]


class CheckingClient(NotebookClient):
    """An nbclient that keeps the late output of earlier cells instead of dropping it."""

    def __init__(self, nb, **kwargs):
        super().__init__(nb, **kwargs)
        self.cell_of_msg_id = {}  # execute request id -> index of the cell that sent it
        self.late_outputs = {}  # cell index -> outputs that arrived after that cell went idle
        self.replies = {}  # cell index -> content of its execute_reply

    # Overrides nbclient's private poll loop (same signature from 0.7 through 0.10), which ignores
    # every message whose parent is not the cell being run.
    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        assert self.kc is not None
        self.cell_of_msg_id[parent_msg_id] = cell_index
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            msg_id = msg["parent_header"].get("msg_id")
            if msg_id == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:  # the kernel went idle: this cell is done
                    return
            elif msg_id in self.cell_of_msg_id and msg["msg_type"] in OUTPUT_MESSAGES:
                output = nbformat.v4.output_from_msg(msg)
                self.late_outputs.setdefault(self.cell_of_msg_id[msg_id], []).append(output)


def cell_report(index, cell):
    return {
        "index": index,  # position in the notebook's list of cells, markdown cells included
        "executionCount": None,  # the In [n] a reader sees
        "firstLine": first_line(cell.source),
        "status": "not-run" if cell.source.strip() else "empty",
        "nondeterministic": NONDETERMINISTIC_TAG in cell.metadata.get("tags", []),
        "errors": [],
        "diff": None,
        "seconds": None,
    }


async def execute(path, report, nb, cell_timeout_s, deadline):
    """Runs the code cells of `nb` until the first failure, then the settle cell. Fills `report`;
    returns the client (its late outputs are still to be placed)."""
    by_index = {entry["index"]: entry for entry in report["cells"]}

    def timeout_for(_cell):
        return max(1, min(cell_timeout_s, int(deadline - time.monotonic())))

    client = CheckingClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout_func=timeout_for,
        startup_timeout=60,
        allow_errors=True,  # failures are judged here, from stderr, not from tslab's bare reply
        record_timing=False,  # timestamps would change the saved file on every run
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )

    async def on_executed(cell, cell_index, execute_reply):
        client.replies[cell_index] = (execute_reply or {}).get("content", {})

    client.on_cell_executed = on_executed
    started = time.monotonic()
    try:
        async with client.async_setup_kernel():
            report["seconds"]["kernelStart"] = round(time.monotonic() - started, 2)
            info = await client.async_wait_for_reply(await ensure_async(client.kc.kernel_info()))
            if info is not None and "language_info" in info["content"]:
                nb.metadata["language_info"] = info["content"]["language_info"]
            kernel_busy = False  # a cell that timed out is still running: nothing else can run
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                entry = by_index[index]
                cell_started = time.monotonic()
                try:
                    count = client.code_cells_executed + 1
                    await client.async_execute_cell(cell, index, execution_count=count)
                except CellTimeoutError:
                    entry["errors"].append(f"the cell did not finish within {timeout_for(cell)} s")
                    kernel_busy = True
                except DeadKernelError:
                    entry["errors"].append("the kernel died while running this cell")
                    kernel_busy = True
                entry["seconds"] = round(time.monotonic() - cell_started, 3)
                entry["executionCount"] = cell.get("execution_count")
                entry["errors"] += stderr_texts(cell.outputs) + error_texts(cell.outputs)
                if not entry["errors"] and client.replies.get(index, {}).get("status") == "error":
                    entry["errors"].append("the kernel reported an error but wrote no stderr")
                entry["status"] = "error" if entry["errors"] else "ran"
                late_error = any(stderr_texts(outs) for outs in client.late_outputs.values())
                if entry["errors"] or late_error:  # later cells would mostly fail the same way
                    break
            if not kernel_busy:
                await settle(client, nb, report)
    except NoSuchKernel:
        report["problem"] = (
            f"the {KERNEL_NAME} kernel is not registered in JUPYTER_PATH="
            f"{os.environ.get('JUPYTER_PATH', '(unset)')}; run: node scripts/notebooks.cjs kernel"
        )
    except (RuntimeError, OSError) as error:  # "Kernel died before replying", a missing binary
        atexit.unregister(client._cleanup_kernel)  # nbclient leaves it registered; it would fail
        report["problem"] = f"the {KERNEL_NAME} kernel did not start: {error}"
    return client


async def settle(client, nb, report):
    """Runs the hidden settle cell, which nbclient needs to find in the notebook, then removes it."""
    cell = nbformat.v4.new_code_cell(SETTLE_CELL_SOURCE)
    nb.cells.append(cell)
    errors = report["afterLastCell"]["errors"]
    try:
        await client.async_execute_cell(cell, len(nb.cells) - 1, store_history=False)
        errors += stderr_texts(cell.outputs) + error_texts(cell.outputs)
        report["afterLastCell"]["timersPending"] = any(
            "timers pending" in joined(o.get("text", "")) for o in cell.outputs
        )
    except (CellTimeoutError, DeadKernelError) as error:
        errors.append(f"waiting for pending timers failed: {error}")
    finally:
        nb.cells.pop()


def place_late_outputs(client, nb, by_index):
    """Late output joins the cell that scheduled it (where a browser shows it too); its stderr
    fails that cell."""
    for index, outputs in client.late_outputs.items():
        nb.cells[index].outputs.extend(outputs)
        for text in stderr_texts(outputs):
            by_index[index]["errors"].append(
                "after the cell returned (thrown in a timer or callback, or an unhandled promise "
                f"rejection):\n{text}"
            )
            by_index[index]["status"] = "error"


def compare(committed, nb, by_index):
    for index, entry in by_index.items():
        cell = nb.cells[index]
        cell.outputs = coalesce_streams(cell.outputs)
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if entry["status"] != "ran":
            continue
        diff = output_diff(committed.cells[index].outputs, cell.outputs)
        if diff is None or entry["nondeterministic"]:  # tagged cells: saved, never compared
            entry["status"] = "ok"
        else:
            entry["status"] = "differs"
            entry["diff"] = diff


def passed(report, allowed=PASSING):
    return (
        report["problem"] is None
        and not report["afterLastCell"]["errors"]
        and all(entry["status"] in allowed for entry in report["cells"])
    )


async def run(path, cell_timeout_s, total_timeout_s):
    """Executes the notebook at `path`; returns (report, executed notebook or None)."""
    started = time.monotonic()
    committed = nbformat.read(path, as_version=4)
    nb = copy.deepcopy(committed)
    report = {
        "notebook": path,
        "ok": False,
        "problem": None,
        "cells": [cell_report(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"],
        "afterLastCell": {"errors": [], "timersPending": False},
        "seconds": {"kernelStart": None, "total": None},
        "written": False,
    }
    by_index = {entry["index"]: entry for entry in report["cells"]}
    client = await execute(path, report, nb, cell_timeout_s, started + total_timeout_s)
    if report["problem"] is not None:
        return report, None
    place_late_outputs(client, nb, by_index)
    compare(committed, nb, by_index)
    report["ok"] = passed(report)
    report["seconds"]["total"] = round(time.monotonic() - started, 2)
    return report, nb


def notebook_text(nb):
    """nbformat's own layout (sorted keys, 1-space indent, lines split), with a final newline."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def write_if_changed(path, nb):
    text = notebook_text(nb)
    with open(path, encoding="utf-8") as f:
        if f.read() == text:
            return False
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return True


def main(argv):
    parser = argparse.ArgumentParser(
        description="Run one notebook on the tslab kernel and check it; prints a JSON report."
    )
    parser.add_argument("notebook")
    parser.add_argument("--write", action="store_true", help="save fresh outputs into the file")
    parser.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell")
    parser.add_argument("--total-timeout", type=int, default=600, help="seconds per notebook")
    args = parser.parse_args(argv)

    report, nb = asyncio.run(run(args.notebook, args.cell_timeout, args.total_timeout))
    # Changed outputs are what --write is for. A failed run saves nothing: half the cells re-run
    # and an error in the middle would help no reader.
    if args.write and passed(report, PASSING + ("differs",)):
        for entry in report["cells"]:
            if entry["status"] == "differs":
                entry["status"] = "updated"
        report["written"] = write_if_changed(args.notebook, nb)
        report["ok"] = True
    print(json.dumps(report, indent=1))
    if report["problem"] is not None:
        return 2
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
