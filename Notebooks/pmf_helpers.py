"""Small helpers shared by the PMFKit teaching notebooks.

They run the `pmf` command-line tool and read the gnuplot data files (`.dat`) it writes.
The binary is taken from the environment variable PMF, by default ../.build/release/pmf
relative to this folder (build it with `swift build -c release --product pmf` or `make release`).
"""
import json
import os
import pathlib
import shlex
import subprocess

HERE = pathlib.Path(__file__).resolve().parent
PMF = os.environ.get("PMF", str(HERE.parent / ".build" / "release" / "pmf"))


def pmf(*args, check=True, quiet=False):
    """Run `pmf ARGS...`; return the CompletedProcess (text mode).

    With check=True a non-zero exit raises RuntimeError with pmf's own message."""
    argv = [PMF] + [str(a) for a in args]
    if not quiet:
        print("$ pmf " + " ".join(shlex.quote(str(a)) for a in args))
    if not os.path.exists(PMF):
        raise RuntimeError(f"pmf binary not found at {PMF}: run `make release` or set PMF=/path/to/pmf")
    result = subprocess.run(argv, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"pmf exited with {result.returncode}: {result.stderr.strip()}")
    return result


def pmf_json(*args, check=True, quiet=False):
    """Run `pmf ARGS... --json` (add --json yourself) and parse standard output as JSON."""
    return json.loads(pmf(*args, check=check, quiet=quiet).stdout)


def read_dat(path):
    """Read a PMFKit gnuplot data file (the Gnuplot module's format: `# [column N] NAME [UNIT]`
    header lines, then `# NAME` before each dataset; every .dat the tool writes has it).
    Returns (columns, datasets): the column names, and a dict dataset name -> dict column name ->
    list of floats (NaN for missing values)."""
    columns, datasets, current = [], {}, None
    for line in pathlib.Path(path).read_text().splitlines():
        if line.startswith("#"):
            text = line[1:].strip()
            if text.startswith("[column"):
                columns.append(text.split("]", 1)[1].split()[0])
            elif text and not text.startswith("["):
                current = text
                datasets[current] = {c: [] for c in columns}
            continue
        fields = line.split()
        if not fields:
            continue
        for name, field in zip(columns, fields):
            datasets[current][name].append(float(field))   # float() reads NaN
    return columns, datasets
