"""Run folders: atomic writes (temp file + ``os.replace``), claims, manifests, environment versions.

A file in a run folder is either absent or complete: every write goes to a temporary file in the same
folder and is renamed over the target, so an interrupted run never leaves a half-written file behind.

Concurrent runs of one case into one folder coordinate through claim files (`claim`): a file created
with ``O_CREAT | O_EXCL`` holding the owner's host, PID and process start time. Whoever creates it owns
the work; a claim whose owner has died (same host, PID gone or reused) is stale and is broken by the
next claimant, so a killed run never blocks a rerun.
"""

from __future__ import annotations

import json
import math
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CompareError

__all__ = ["atomic_write_text", "atomic_write_bytes", "atomic_write_json", "read_json", "versions",
           "git_commit", "to_jsonable", "RunFolderError", "read_json_file", "try_claim", "release_claim",
           "claim_owner", "claim", "process_alive", "FILE_MODE", "RUN_SCHEMA", "check_schema"]

# the version of the run folder layout written in manifest.json and every metrics.json (``"schema"``);
# a file without the key was written before it existed and reads as schema 1
RUN_SCHEMA = 1


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()   # what open() would give; mkstemp alone makes files readable by the owner only


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temp file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write text (UTF-8) to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def to_jsonable(obj: Any) -> Any:
    """Plain JSON values: numpy scalars and arrays to Python, tuples to lists, NaN and inf to None."""

    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return None if math.isnan(f) or math.isinf(f) else f
    return obj


def atomic_write_json(path: str | Path, obj: Any) -> Path:
    """Write ``obj`` as indented, key-sorted JSON atomically (byte-identical for equal objects)."""
    text = json.dumps(to_jsonable(obj), indent=2, sort_keys=True, allow_nan=False) + "\n"
    return atomic_write_text(path, text)


def read_json(path: str | Path) -> Any:
    """Read a JSON file."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


class RunFolderError(CompareError):
    """A file of a run folder is missing, damaged or not what was expected; the message names the file."""


def read_json_file(path: str | Path, what: str = "file", *, kind: type = dict) -> Any:
    """Read a JSON file of a run folder: a damaged, truncated or unreadable file, or a document that is
    not a ``kind`` (dict or list), raises `RunFolderError` naming the file."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        raise RunFolderError(f"{path}: {what} missing") from None
    except json.JSONDecodeError as exc:
        raise RunFolderError(f"{path}: damaged or truncated {what} (invalid JSON at line {exc.lineno}, "
                             f"column {exc.colno}: {exc.msg})") from None
    except UnicodeDecodeError:
        raise RunFolderError(f"{path}: damaged {what} (not UTF-8 text)") from None
    except OSError as exc:
        raise RunFolderError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    if not isinstance(doc, kind):
        raise RunFolderError(f"{path}: damaged {what}: expected a JSON {'object' if kind is dict else 'array'}, "
                             f"got {type(doc).__name__}")
    return doc


def check_schema(doc: dict, path: str | Path) -> int:
    """The ``"schema"`` of a run folder file (1 when absent: written before the key existed); a schema
    newer than `RUN_SCHEMA`, or one that is not a positive integer, raises `RunFolderError` naming the file."""
    schema = doc.get("schema", 1)
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise RunFolderError(f"{path}: damaged run folder file: schema is {schema!r}, expected a positive integer")
    if schema > RUN_SCHEMA:
        raise RunFolderError(f"{path}: run folder schema {schema} is newer than this occam reads "
                             f"(schema {RUN_SCHEMA}); upgrade occam-circuits to read it")
    return schema


# ----------------------------------------------------------------------------------------------- claims

STALE_UNREADABLE_S = 30.0   # a claim file without a readable owner (its writer died mid-write) is stale after this


def _start_time(pid: int) -> str | None:
    """The start time of process ``pid`` (Linux: field 22 of /proc/<pid>/stat), None where unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def process_alive(pid: int) -> bool:
    """True while process ``pid`` runs on this machine (a killed process not yet reaped counts as gone)."""
    return _alive(pid, None)


def _alive(pid: int, start: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    now = _start_time(pid)
    if now is not None and start is not None and now != start:
        return False                       # the PID was reused by another process
    try:                                   # a killed process that its parent has not reaped yet
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                return False
    except (OSError, IndexError):
        pass
    return True


def claim_owner(path: str | Path) -> dict | None:
    """The owner record (host, pid, start, time) of a claim file, or None when absent or unreadable."""
    try:
        with open(path, encoding="utf-8") as fh:
            rec = json.load(fh)
    except (OSError, ValueError):
        return None
    return rec if isinstance(rec, dict) and isinstance(rec.get("pid"), int) else None


def _stale(path: Path) -> bool:
    rec = claim_owner(path)
    if rec is None:
        try:
            return time.time() - path.stat().st_mtime > STALE_UNREADABLE_S
        except FileNotFoundError:
            return False
    if rec.get("host") != socket.gethostname():
        return False                       # another machine's process: cannot tell, so it is respected
    return not _alive(rec["pid"], rec.get("start"))


def try_claim(path: str | Path) -> bool:
    """Create the claim file ``path`` atomically (``O_EXCL``); True when this process now owns it. A stale
    claim (its owner died) is broken first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
        except FileExistsError:
            if not _stale(path):
                return False
            _break(path)
            continue
        rec = {"host": socket.gethostname(), "pid": os.getpid(), "start": _start_time(os.getpid()),
               "time": time.time()}
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(rec, fh)
        return True
    return False


def _break(path: Path) -> None:
    """Remove a stale claim; a second lock (``<claim>.break``) makes sure two breakers do not remove a
    fresh claim made in between."""
    guard = path.with_name(path.name + ".break")
    try:
        fd = os.open(guard, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        try:
            if time.time() - guard.stat().st_mtime > STALE_UNREADABLE_S:
                guard.unlink()
        except FileNotFoundError:
            pass
        return
    os.close(fd)
    try:
        if _stale(path):
            path.unlink(missing_ok=True)
    finally:
        guard.unlink(missing_ok=True)


def release_claim(path: str | Path) -> None:
    """Remove a claim file this process owns (a claim of another process is left alone)."""
    rec = claim_owner(path)
    if rec is not None and rec.get("pid") == os.getpid() and rec.get("host") == socket.gethostname():
        Path(path).unlink(missing_ok=True)


@contextmanager
def claim(path: str | Path, *, wait: bool = True, poll_s: float = 0.2, timeout_s: float | None = None,
          on_wait: Any = None):
    """Hold the claim file ``path`` for the ``with`` block. ``wait=False`` yields False at once when another
    live process holds it (the block then must not do the work); otherwise waits (calling
    ``on_wait(owner)`` once) until it is free, or raises `CompareError` after ``timeout_s``."""
    t0 = time.monotonic()
    told = False
    while not try_claim(path):
        if not wait:
            yield False
            return
        if on_wait is not None and not told:
            on_wait(claim_owner(path))
            told = True
        if timeout_s is not None and time.monotonic() - t0 > timeout_s:
            owner = claim_owner(path) or {}
            raise CompareError(f"{path}: still claimed by process {owner.get('pid')} on "
                               f"{owner.get('host')} after {timeout_s:g} s")
        time.sleep(poll_s)
    try:
        yield True
    finally:
        release_claim(path)


def git_commit(cwd: str | Path | None = None) -> str | None:
    """The git commit of the project checkout (with ``+dirty`` when it has changes), or None."""
    cwd = Path(cwd) if cwd else Path(__file__).resolve().parents[2]     # the checkout: compare/output/../..
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True,
                              timeout=5)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd,
                               capture_output=True, text=True, timeout=5)
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def versions() -> dict[str, str | None]:
    """Versions of python, the platform and the libraries a result depends on."""
    out: dict[str, str | None] = {"python": sys.version.split()[0], "platform": platform.platform()}
    for mod in ("numpy", "torch", "sympy", "networkx", "matplotlib"):
        try:
            out[mod] = __import__(mod).__version__
        except Exception:   # an optional library that is not installed
            out[mod] = None
    try:
        out["occam-circuits"] = version("occam-circuits")
    except Exception:
        out["occam-circuits"] = None
    return out
