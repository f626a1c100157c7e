"""A stand-in for the part of LaminDB's Python API the demo's scripts use.

There is no Python client for lamin yet: each call here runs the `lamin`
command-line tool, so the scripts beside this file run unchanged and their
runs, inputs and outputs are recorded as `lamin run`, `lamin cache` and
`lamin save` record them. Only what the scripts call is provided.
"""

import json
import os
import pathlib
import subprocess
import sys
import types

__all__ = ["Artifact", "Transform", "track", "finish", "save", "setup", "settings", "core"]


def _lamin(*args):
    """Runs lamin with args; returns its stdout. Messages go to stderr."""
    exe = os.environ.get("LAMIN_BIN") or "lamin"
    done = subprocess.run([exe, *args], stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"lamin {' '.join(args)} failed with exit code {done.returncode}")
    return done.stdout


def _lookups(kwargs):
    return [f"{k}={v}" for k, v in kwargs.items()]


def _login(handle):
    _lamin("login", handle)


setup = types.SimpleNamespace(login=_login)


class _Storage:
    @property
    def root(self):
        root = os.environ.get("LAMIN_INSTANCE")
        if not root:
            info = _lamin("info")
            root = next(line.split(None, 1)[1] for line in info.splitlines() if line.startswith("storage "))
        return pathlib.Path(root.strip())


settings = types.SimpleNamespace(storage=_Storage())


class Transform:
    """An external tool or pipeline to be tracked, like Cell Ranger."""

    def __init__(self, key, uid=None, version=None, type="pipeline", reference=None, reference_type=None):
        self.key, self.uid, self.version, self.type = key, uid, version, type
        self.reference, self.reference_type = reference, reference_type


def track(uid=None, transform=None):
    """Starts a run of the calling script, or joins the one it runs in."""
    if os.environ.get("LAMIN_RUN_UID"):
        return  # started by `lamin run` or `lamin demo`: lamin commands join it
    args = ["track"]
    if transform is not None:
        for flag, value in [("--uid", transform.uid), ("--key", transform.key), ("--type", transform.type),
                            ("--version", transform.version), ("--reference", transform.reference),
                            ("--reference-type", transform.reference_type)]:
            if value:
                args += [flag, value]
    else:
        if uid:
            args += ["--uid", uid]
        args.append(os.path.abspath(sys.argv[0]))
    for line in _lamin(*args).splitlines():
        if line.startswith("export "):
            line = line[len("export "):]
        name, _, value = line.partition("=")
        os.environ[name] = value.strip("'")


def finish():
    """Finishes the run started by track."""
    _lamin("finish")


class Artifact:
    """A file or folder to register, or one found in the instance."""

    def __init__(self, path, description=None, key=None, _record=None):
        self.path, self.description, self.key = pathlib.Path(path) if path else None, description, key
        self._record = _record or {}

    @property
    def uid(self):
        return self._record.get("uid")

    def save(self):
        args = ["save", str(self.path), "--format", "json"]
        if self.description:
            args += ["--description", self.description]
        if self.key:
            args += ["--key", self.key]
        self._record = json.loads(_lamin(*args))
        return self

    def cache(self):
        self.path = pathlib.Path(_lamin("cache", self.uid).strip())
        return self.path

    def view_lineage(self):
        """Prints where the artifact came from."""
        print(_lamin("lineage", self.uid), end="")

    @classmethod
    def get(cls, **kwargs):
        record = json.loads(_lamin("get", "artifact", *_lookups(kwargs), "--format", "json"))
        return cls(None, _record=record)

    @classmethod
    def filter(cls, **kwargs):
        return _Query(kwargs)

    @classmethod
    def from_dir(cls, path):
        return _Folder(path)

    def __repr__(self):
        return f"Artifact(uid={self.uid!r}, key={self._record.get('key')!r})"


class _Query:
    def __init__(self, lookups, order=None):
        self.lookups, self.order = lookups, order

    def order_by(self, field):
        return _Query(self.lookups, field)

    def __iter__(self):
        args = ["filter", "artifact", *_lookups(self.lookups), "--format", "json"]
        if self.order:
            args += ["--order", self.order]
        return iter([Artifact(None, _record=r) for r in json.loads(_lamin(*args))])


class _Folder:
    """The artifacts of a folder's files, saved together by save()."""

    def __init__(self, path):
        self.path = pathlib.Path(path)

    def save(self):
        _lamin("save", str(self.path), "--from-dir")


def save(records):
    """Saves what Artifact.from_dir returned."""
    records.save()


def _dataset(name):
    def write(*args, basedir, **kwargs):
        return pathlib.Path(_lamin("demo", "dataset", name, str(basedir)).strip())

    return write


core = types.SimpleNamespace(datasets=types.SimpleNamespace(
    fastq_perturbseq=_dataset("fastq_perturbseq"),
    dir_scrnaseq_cellranger=_dataset("dir_scrnaseq_cellranger"),
    schmidt22_perturbseq=_dataset("schmidt22_perturbseq"),
))
