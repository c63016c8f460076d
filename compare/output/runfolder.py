"""Run folders: atomic writes (temp file + ``os.replace``), claims, manifests, environment versions.

A file in a run folder is either absent or complete: every write goes to a temporary file in the same
folder and is renamed over the target, so an interrupted run never leaves a half-written file behind.
A run killed between the two (SIGKILL, power loss) leaves its hidden temporary file
(``.<name>.<host>-<pid>.<random>.tmp``); `remove_stale_temps` (called by every report) removes those
whose writer is gone.

Concurrent runs of one case into one folder coordinate through claim files (`claim`): a file created
atomically (a complete temporary file hard-linked to the claim's name, which fails when the name exists;
``O_CREAT | O_EXCL`` where the file system has no hard links) holding the owner's host, PID and process
start time, so a claim is never seen half-written. Whoever creates it owns
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
import zlib
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CompareError

__all__ = ["atomic_write_text", "atomic_write_bytes", "atomic_write_json", "read_json", "versions",
           "git_commit", "to_jsonable", "RunFolderError", "read_json_file", "try_claim", "release_claim",
           "claim_owner", "claim", "process_alive", "FILE_MODE", "RUN_SCHEMA", "check_schema",
           "remove_stale_temps", "STALE_TEMP_S", "check_out"]

# the version of the run folder layout written in manifest.json and every metrics.json (``"schema"``);
# a file without the key was written before it existed and reads as schema 1
RUN_SCHEMA = 1


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()   # what open() would give; mkstemp alone makes files readable by the owner only


STALE_TEMP_S = 3600.0   # a temporary file this old is stale whoever wrote it (a write takes seconds)


def _host_tag() -> str:
    return f"{zlib.crc32(socket.gethostname().encode()) & 0xFFFFFF:06x}"


def _temp_file(path: Path) -> tuple[int, str]:
    """A new hidden temporary file beside ``path`` named for its writer (host and PID, for
    `remove_stale_temps`): ``.<name>.<host>-<pid>.<random>.tmp``; returns (fd, its path)."""
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{_host_tag()}-{os.getpid()}.", suffix=".tmp")


def remove_stale_temps(folder: str | Path) -> int:
    """Remove the temporary files of atomic writes under ``folder`` (recursively) whose writer was killed
    before it renamed them: those of a process of this host that is gone, and any older than
    `STALE_TEMP_S`. Temporary files of live writers (this host's, or another host's: it cannot be asked)
    are left alone. Returns how many were removed."""
    host = _host_tag()
    removed = 0
    for tmp in Path(folder).rglob(".*.tmp"):
        parts = tmp.name.rsplit(".", 3)                  # ".<name>", "<host>-<pid>", "<random>", "tmp"
        tag_host, _, pid = parts[1].partition("-") if len(parts) == 4 else ("", "", "")
        try:
            old = time.time() - tmp.lstat().st_mtime > STALE_TEMP_S
            dead = tag_host == host and pid.isdigit() and not process_alive(int(pid))
            if (old or dead) and tmp.is_file():
                tmp.unlink()
                removed += 1
        except FileNotFoundError:                        # renamed or removed meanwhile
            continue
    return removed


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temp file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temp_file(path)
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


def check_out(out: Any, what: str = "--out") -> Path:
    """``out`` as a Path: a string or path that is not an existing non-folder (nor inside one), else
    `CompareError` naming it. Commands check their output folder with it before doing any work."""
    if isinstance(out, bool) or not isinstance(out, (str, os.PathLike)) or not str(out).strip():
        raise CompareError(f"{what} must be a folder path, got {out!r}")
    path = Path(out)
    for parent in (path, *path.parents):
        if parent.exists():
            if not parent.is_dir():
                raise CompareError(f"{what} {str(out)!r}: {parent} is a file, not a folder")
            break
    return path


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
    """Create the claim file ``path`` atomically, complete (a temporary file holding the owner record,
    hard-linked to ``path``; ``O_EXCL`` where hard links are not supported); True when this process now owns
    it. A stale claim (its owner died) is broken first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rec = json.dumps({"host": socket.gethostname(), "pid": os.getpid(), "start": _start_time(os.getpid()),
                      "time": time.time()})
    fd, tmp = _temp_file(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(rec)
        os.chmod(tmp, FILE_MODE)
        for _ in range(2):
            try:
                os.link(tmp, path)
            except FileExistsError:
                if not _stale(path):
                    return False
                _break(path)
                continue
            except OSError:                              # no hard links on this file system
                return _claim_exclusive(path, rec)
            return True
        return False
    finally:
        Path(tmp).unlink(missing_ok=True)


def _claim_exclusive(path: Path, rec: str) -> bool:
    """`try_claim` with ``O_CREAT | O_EXCL`` (the record is written after the file is created: a writer
    killed in between leaves an unreadable claim, stale after `STALE_UNREADABLE_S`)."""
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
        except FileExistsError:
            if not _stale(path):
                return False
            _break(path)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(rec)
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
