#!/usr/bin/env python3
"""Execute the teaching notebooks and fail on the first cell that raises.

Usage: scripts/run-notebooks.py [--pmf PATH] [--timeout SECONDS] [--update] [NOTEBOOK ...]

Runs with the working directory Notebooks/ and PMF set to the absolute path of the pmf binary.
The executed copies stay in memory (a failing one is written to a temporary file for inspection),
so running the tests leaves the committed notebooks untouched; `--update` writes the outputs back
into the committed files (to refresh them on purpose). Needs nbclient, nbformat and ipykernel
(`make notebooks` creates .venv-notebooks with them).
"""
import argparse
import os
import pathlib
import signal
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pmf", default=str(ROOT / ".build" / "release" / "pmf"))
    parser.add_argument("--timeout", type=int, default=240, help="seconds per cell")
    parser.add_argument("--notebook-timeout", type=int, default=300, help="seconds per notebook")
    parser.add_argument("--update", action="store_true", help="write the outputs back into the notebooks")
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args()
    pmf = pathlib.Path(args.pmf).resolve()
    if not pmf.exists():
        sys.exit(f"run-notebooks: no pmf binary at {pmf}; run `make release` first")
    os.environ["PMF"] = str(pmf)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    folder = ROOT / "Notebooks"
    paths = [pathlib.Path(p).resolve() for p in args.notebooks] or sorted(folder.glob("*.ipynb"))
    total = time.monotonic()
    for path in paths:
        start = time.monotonic()
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, timeout=args.timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        def expired(signum, frame):
            raise TimeoutError(f"{path.name} took longer than {args.notebook_timeout} s")
        signal.signal(signal.SIGALRM, expired)
        signal.alarm(args.notebook_timeout)
        try:
            client.execute()
        except (CellExecutionError, TimeoutError) as error:
            failed = pathlib.Path(tempfile.mkdtemp(prefix="pmf-notebook-")) / path.name
            nbformat.write(notebook, failed)   # the failing output, for inspection
            print(f"FAILED {path.name} after {time.monotonic() - start:.1f} s (executed copy: {failed}):\n{error}",
                  file=sys.stderr)
            sys.exit(1)
        finally:
            signal.alarm(0)
        if args.update:
            for cell in notebook.cells:      # stable files: no per-run execution timestamps
                cell.get("metadata", {}).pop("execution", None)
            nbformat.write(notebook, path)
        print(f"ok {path.name}: {time.monotonic() - start:.1f} s", flush=True)
    print(f"{len(paths)} notebooks executed in {time.monotonic() - total:.1f} s")


if __name__ == "__main__":
    main()
