"""Case files: one TOML file per case study, read and validated into a `Case` (schema in
``compare/case_files/README.md``).

The shipped cases live in the package (``compare/case_files/*.toml``, package data), so a case is found
by name (``load_case("sparse_parity")``) wherever the package is installed; a path to a user's own TOML
file works the same way.

A case names its task, network, training, extraction method, the bases to synthesise under, seeds and
budgets. Budgets count work (``budget`` keys, in `synth.budget` units), so a case gives the same numbers
on any machine; ``budget_s`` keys are optional wall-clock safety valves (an old case file whose only
budget is ``budget_s`` keeps the default work budget and gets that many seconds as its valve).
Validation is strict: an unknown section or key, a wrong type or an impossible value is a
`CompareError` naming the file, the key and (when it can be found) the line. ``--set key=value``
overrides go through the same checks.

>>> case = load_case_text('''
... [case]
... name = "tiny"
... [task]
... target = "and"
... params = { n = 3, k = 2 }
... ''', source="<doc>")
>>> case.name, case.config["synth"]["bases"], case.config["run"]["seeds"]
('tiny', ['xag', 'aon', 'mig'], 5)
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

import synth

from ..analysis.function import FUNCTION_BUDGET
from ..errors import CompareError
from ..extraction import METHODS
from ..extraction.methods import NEURON_BUDGET
from ..networks.activations import ACTIVATIONS
from ..networks.nets import MLP, ZpMLP
from ..networks.tasks import TARGETS, make_task
from ..networks.training import TrainConfig

__all__ = ["Case", "SCHEMA", "load_case", "load_case_text", "parse_override", "list_cases", "cases_dir",
           "resolve_case", "config_hash"]


# ----------------------------------------------------------------------------------------------- schema

class _Key:
    """One key of the schema: accepted types, a default, a check returning an error text or None, and
    an optional conversion of the checked value."""

    def __init__(self, types: tuple[type, ...], default: Any, check: Callable[[Any], str | None] | None = None,
                 doc: str = "", convert: Callable[[Any], Any] | None = None) -> None:
        self.types, self.default, self.check, self.doc, self.convert = types, default, check, doc, convert


def _pos(v: Any) -> str | None:
    return None if v > 0 else "must be > 0"


def _nonneg(v: Any) -> str | None:
    return None if v >= 0 else "must be >= 0"


def _frac(v: Any) -> str | None:
    return None if 0 < v <= 1 else "must be in (0, 1]"


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        return None if v in choices else f"must be one of {', '.join(map(repr, choices))}"
    return check


def _name(v: Any) -> str | None:
    return None if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", v) else \
        "must be letters, digits, '_', '-' or '.', not starting with '.' (it names the run folder)"


def _widths(v: Any) -> str | None:
    if not v or not all(isinstance(w, int) and not isinstance(w, bool) and w >= 1 for w in v):
        return "must be a non-empty list of ints >= 1"
    return None


def _bases(v: Any) -> str | None:
    if not v or not all(isinstance(b, str) for b in v):
        return "must be a non-empty list of basis names"
    bad = [b for b in v if b not in synth.BASES]
    if bad:
        return f"unknown basis {bad[0]!r} (known: {', '.join(synth.BASES)})"
    if len(set(v)) != len(v):
        return "lists a basis twice"
    return None


def _method(v: Any) -> str | None:
    known = [*METHODS, "fourier", "none"]
    return None if v in known else f"unknown method {v!r} (known: {', '.join(known)})"


def _optional_pos(v: Any) -> str | None:
    return None if v is None or v > 0 else "must be > 0"


def _work(v: Any) -> str | None:
    ok = v >= 1 and float(v).is_integer() and float(v) < 2 ** 62
    return None if ok else "must be a whole number of work units >= 1 (e.g. 2e8)"


def _basis_works(v: Any) -> str | None:
    for b, w in v.items():
        if b not in synth.BASES:
            return f"unknown basis {b!r} (known: {', '.join(synth.BASES)})"
        if not isinstance(w, (int, float)) or isinstance(w, bool) or not math.isfinite(w) or _work(w):
            return f"basis {b!r}: must be a whole number of work units >= 1 (e.g. 2e9)"
    return None


def _basis_work_key(doc: str) -> "_Key":
    """Work budgets per basis overriding a section's one budget: a table such as { xag = 4e9 }."""
    return _Key(_TABLE, {}, _basis_works, doc, convert=lambda v: {b: int(w) for b, w in v.items()})


def _work_key(default: int, doc: str) -> "_Key":
    """A work budget (`synth.budget` units): an integer, also written as a float such as 2e8."""
    return _Key((int, float), default, _work, doc, convert=int)


def _valve_key(doc: str) -> "_Key":
    """An optional wall-clock safety valve in seconds (absent: none)."""
    return _Key((int, float), None, _optional_pos, doc, convert=float)


_INT, _NUM, _STR, _BOOL, _LIST, _TABLE = (int,), (int, float), (str,), (bool,), (list,), (dict,)

# default work budget per basis (synth.budget units): a case's synthesis runs at 8-40 million units per CPU
# second on the reference machine (2 cores shared with other jobs; median 15 million), so 1.5e8 is the
# 10 s the seconds budget of earlier versions gave
SYNTH_BUDGET = 150_000_000

SCHEMA: Mapping[str, Mapping[str, _Key]] = {
    "case": {
        "name": _Key(_STR, None, _name, "identifier used for the run folder"),
        "title": _Key(_STR, "", None, "one-line title for the report"),
        "claim": _Key(_STR, "", None, "the claim under test"),
        "expect": _Key(_STR, "", None, "what a reader should expect to see"),
    },
    "task": {
        "target": _Key(_STR, None, None, "a name in compare.TARGETS or program text"),
        "params": _Key(_TABLE, {}, None, "target parameters (n, k, t, a, p, fn_seed, ...)"),
        "train_fraction": _Key(_NUM, None, _frac, "share of the domain used for training"),
        "train_count": _Key(_INT, None, _pos, "number of training points (instead of train_fraction)"),
        "encoding": _Key(_STR, "01", _one_of("01", "pm1"), "network input encoding"),
        "max_test": _Key(_INT, 4096, _pos, "held-out sample size when the domain exceeds 2**16 points"),
        "split": _Key(_STR, "per_seed", _one_of("per_seed", "fixed"),
                      "per_seed: each seed draws its own train split; fixed: one split for all seeds"),
    },
    "net": {
        "kind": _Key(_STR, "mlp", _one_of("mlp", "zp_mlp"), "mlp (Boolean tasks) or zp_mlp (Z_p tasks)"),
        "widths": _Key(_LIST, [64], _widths, "hidden widths"),
        "activation": _Key(_STR, None, _one_of(*ACTIVATIONS),
                           "default relu (mlp) / quadratic (zp_mlp)"),
        "bias": _Key(_BOOL, None, None, "default true (mlp) / false (zp_mlp)"),
        "sigma_w": _Key(_NUM, 1.0, _pos, "init scale of the weights"),
        "sigma_b": _Key(_NUM, 0.0, _nonneg, "init scale of the biases"),
        "embed_dim": _Key(_INT, None, _pos, "zp_mlp: learned embedding size (default one-hot)"),
    },
    "train": {
        "optimizer": _Key(_STR, "adamw", _one_of("sgd", "adam", "adamw")),
        "lr": _Key(_NUM, 1e-2, _pos),
        "momentum": _Key(_NUM, 0.0, _nonneg),
        "weight_decay": _Key(_NUM, 0.0, _nonneg),
        "loss": _Key(_STR, "ce", _one_of("ce", "hinge", "mse")),
        "hinge_margin": _Key(_NUM, 1.0, _pos),
        "batch_size": _Key(_INT, None, _pos, "omit for full batch"),
        "epochs": _Key(_INT, 1000, _pos, "maximum epochs"),
        "cleanup_epochs": _Key(_INT, None, _nonneg, "epochs after the training set is fitted"),
        "stop_at_generalise": _Key(_BOOL, False),
        "generalise_at": _Key(_NUM, 0.99, _frac),
        "eval_every": _Key(_INT, 10, _pos),
        "checkpoints": _Key(_INT, 0, _nonneg, "log-spaced checkpoints (besides epoch 0 and the last): the "
                            "program over training, seeds/<i>/trajectory.json"),
    },
    "extract": {
        "method": _Key(_STR, "prune_discretise", _method,
                       "a name in compare.METHODS, 'fourier' (Z_p tasks) or 'none'"),
        "budget": _work_key(NEURON_BUDGET, "synthesis work units per neuron"),
        "budget_s": _valve_key("optional wall-clock valve per neuron synthesis, seconds"),
        "bases": _Key(_LIST, None, _bases, "bases to extract in (default: every synth basis)"),
        "max_points": _Key(_INT, 1 << 16, _pos, "domain points checked (a seeded sample above it)"),
    },
    "synth": {
        "bases": _Key(_LIST, ["xag", "aon", "mig"], _bases, "bases to synthesise under"),
        "mode": _Key(_STR, "formula", _one_of("formula", "circuit")),
        "budget": _work_key(SYNTH_BUDGET, "work units per basis; an exhausted budget gives proven bounds "
                            "and exact = false"),
        "budget_s": _valve_key("optional wall-clock valve per basis, seconds"),
        "function_budget": _work_key(FUNCTION_BUDGET, "work units for the minimal program of the network's "
                                     "function and of the target, each, per basis"),
        "function_budget_s": _valve_key("optional wall-clock valve of those searches, seconds"),
        "basis_budget": _basis_work_key("work units per basis overriding budget for the bases named, e.g. "
                                        "{ xag = 4e9 }"),
        "basis_function_budget": _basis_work_key("work units overriding function_budget for the bases named"),
        "top_k": _Key(_INT, 10, _pos),
        "slack": _Key(_INT, 1, _nonneg, "sizes beyond the minimum enumerated for the posterior"),
    },
    "run": {
        "seeds": _Key(_INT, 5, _pos, "number of seeds"),
        "seed": _Key(_INT, 0, _nonneg, "root seed; per-seed seeds come from numpy SeedSequence(seed)"),
        "ged_timeout": _Key(_NUM, 1.0, _pos, "seconds for the graph edit distance search"),
    },
}

_REQUIRED = {("case", "name"), ("task", "target")}
MAX_SEEDS = 1000


# ----------------------------------------------------------------------------------------------- Case

@dataclass(frozen=True)
class Case:
    """A validated case study: its name, where it came from, and the full config (defaults filled in)."""

    name: str
    source: str
    config: dict
    overrides: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """The case's title (its name when none is given)."""
        return self.config["case"]["title"] or self.name

    def hash(self) -> str:
        """Hash of everything that defines the run except the number of seeds (seeds extend a run)."""
        return config_hash(self.config)

    def with_overrides(self, overrides: Sequence[str]) -> "Case":
        """A new Case with ``section.key=value`` overrides applied and validated."""
        cfg = copy.deepcopy(self.config)
        for item in overrides:
            section, key, value = parse_override(item, self.source)
            cfg[section][key] = value
        _check_config(cfg, self.source, text=None)
        return Case(cfg["case"]["name"], self.source, cfg, tuple(self.overrides) + tuple(overrides))

    def make_task(self, seed: int) -> Any:
        """The case's `Task`; ``seed`` is the split seed (see ``task.split``)."""

        t = self.config["task"]
        kw = {k: t[k] for k in ("train_fraction", "train_count") if t[k] is not None}
        return make_task(t["target"], seed=seed, encoding=t["encoding"], max_test=t["max_test"], **kw,
                         **t["params"])

    def make_model(self, task: Any, seed: int) -> Any:
        """A freshly initialised network for the task (seeded)."""

        n = self.config["net"]
        if n["kind"] == "zp_mlp":
            return ZpMLP(task.p, n["widths"], activation=n["activation"] or "quadratic",
                         bias=False if n["bias"] is None else n["bias"], embed_dim=n["embed_dim"],
                         sigma_w=n["sigma_w"], sigma_b=n["sigma_b"], seed=seed)
        return MLP(task.n_inputs, n["widths"], activation=n["activation"] or "relu",
                   bias=True if n["bias"] is None else n["bias"], sigma_w=n["sigma_w"], sigma_b=n["sigma_b"],
                   seed=seed)

    def train_config(self) -> Any:
        """The `TrainConfig` of the case."""

        return TrainConfig(**self.config["train"])

    def seeds(self, n: int | None = None) -> list[int]:
        """The per-seed integer seeds: ``SeedSequence(run.seed).spawn(n)``, stable as ``n`` grows."""

        n = self.config["run"]["seeds"] if n is None else n
        children = np.random.SeedSequence(self.config["run"]["seed"]).spawn(n)
        return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


def config_hash(config: Mapping[str, Any]) -> str:
    """12-hex-digit hash of a case config, ignoring ``run.seeds`` (so more seeds extend the same run)."""
    cfg = copy.deepcopy(dict(config))
    cfg["run"] = {k: v for k, v in cfg["run"].items() if k != "seeds"}
    cfg["case"] = {k: v for k, v in cfg["case"].items() if k == "name"}     # prose does not change results
    blob = json.dumps(cfg, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


# ----------------------------------------------------------------------------------------------- loading

def _line_of(text: str | None, section: str, key: str | None) -> int | None:
    """Line number (1-based) of ``key`` inside ``[section]`` of a TOML text, or of the section header."""
    if text is None:
        return None
    current = None
    for i, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        m = re.match(r"^\[([^\]]+)\]", s)
        if m:
            current = m.group(1).strip()
            if key is None and current == section:
                return i
            continue
        if current == section and key is not None and re.match(rf"^{re.escape(key)}\s*=", s):
            return i
    return None


def _where(source: str, text: str | None, section: str, key: str | None = None) -> str:
    line = _line_of(text, section, key)
    loc = f"{source}:{line}" if line else source
    return f"{loc}: [{section}]" + (f" {key}" if key else "")


def _type_name(types: tuple[type, ...]) -> str:
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false", list: "a list",
             dict: "a table"}
    return " or ".join(dict.fromkeys(names[t] for t in types))


def _check_value(sk: _Key, value: Any, where: str) -> Any:
    if value is None and sk.default is None:
        return None
    ok = isinstance(value, sk.types) and not (isinstance(value, bool) and bool not in sk.types)
    if not ok:
        raise CompareError(f"{where}: must be {_type_name(sk.types)}, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise CompareError(f"{where}: must be a finite number, got {value!r}")
    if sk.check is not None:
        msg = sk.check(value)
        if msg:
            raise CompareError(f"{where}: {msg}, got {value!r}")
    if sk.convert is not None:
        return sk.convert(value)
    return float(value) if sk.types == _NUM and not isinstance(value, bool) else value


def _check_config(cfg: dict, source: str, text: str | None) -> None:
    """Cross-key checks (a task's domain against the net, the bases and the extraction method)."""
    for section, keys in SCHEMA.items():
        for key, sk in keys.items():
            cfg[section][key] = _check_value(sk, cfg[section][key], _where(source, text, section, key))
    for section, key in _REQUIRED:
        if cfg[section][key] is None:
            raise CompareError(f"{_where(source, text, section)}: missing required key {key!r}")
    t = cfg["task"]
    if t["train_fraction"] is not None and t["train_count"] is not None:
        raise CompareError(f"{_where(source, text, 'task', 'train_count')}: give train_fraction or "
                           "train_count, not both")
    if cfg["run"]["seeds"] > MAX_SEEDS:
        raise CompareError(f"{_where(source, text, 'run', 'seeds')}: at most {MAX_SEEDS}, got "
                           f"{cfg['run']['seeds']}")
    # build the task once (split seed 0) so impossible targets / params fail here, naming the key
    kw = {k: t[k] for k in ("train_fraction", "train_count") if t[k] is not None}
    for k, v in t["params"].items():
        if not isinstance(v, (int, float, str)) or isinstance(v, bool):
            raise CompareError(f"{_where(source, text, 'task', 'params')}: parameter {k!r} must be a number "
                               f"or string, got {v!r}")
    try:
        task = make_task(t["target"], seed=0, encoding=t["encoding"], max_test=t["max_test"], **kw, **t["params"])
    except CompareError as exc:
        key = "target" if t["target"] not in TARGETS else "params"
        raise CompareError(f"{_where(source, text, 'task', key)}: {exc}") from None
    domain = task.domain
    net, ex, syn = cfg["net"], cfg["extract"], cfg["synth"]
    if (net["kind"] == "zp_mlp") != (domain == "zp"):
        want = "zp_mlp" if domain == "zp" else "mlp"
        raise CompareError(f"{_where(source, text, 'net', 'kind')}: task {task.name!r} is "
                           f"{'a Z_p' if domain == 'zp' else 'a Boolean'} task; use kind = {want!r}")
    for b in syn["bases"]:
        bdom = synth.get_basis(b).domain
        if bdom != domain:
            raise CompareError(f"{_where(source, text, 'synth', 'bases')}: basis {b!r} is for the {bdom} "
                               f"domain but task {task.name!r} is {'Z_p' if domain == 'zp' else 'Boolean'}")
    if domain == "zp" and ex["method"] not in ("fourier", "none"):
        raise CompareError(f"{_where(source, text, 'extract', 'method')}: Z_p tasks use 'fourier' or 'none', "
                           f"got {ex['method']!r}")
    if domain == "bool" and ex["method"] == "fourier":
        raise CompareError(f"{_where(source, text, 'extract', 'method')}: 'fourier' is for Z_p tasks")
    for key in ("basis_budget", "basis_function_budget"):
        extra = [b for b in syn[key] if b not in syn["bases"]]
        if extra:
            raise CompareError(f"{_where(source, text, 'synth', key)}: basis {extra[0]!r} is not in [synth] bases "
                               f"{syn['bases']}")
    if ex["bases"] is not None and not set(ex["bases"]) <= set(syn["bases"]):
        raise CompareError(f"{_where(source, text, 'extract', 'bases')}: every extraction basis must also be "
                           f"in [synth] bases {syn['bases']}, got {ex['bases']}")
    if domain == "bool" and task.n_inputs > 20:
        raise CompareError(f"{_where(source, text, 'task', 'params')}: the comparison enumerates all 2**n "
                           f"inputs; n={task.n_inputs} exceeds 20")


def load_case_text(text: str, *, source: str = "<string>", overrides: Sequence[str] = ()) -> Case:
    """Parse and validate a case from TOML text (``source`` names it in error messages)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CompareError(f"{source}: invalid TOML: {exc}") from None
    cfg: dict[str, dict] = {}
    for section, body in raw.items():
        if section not in SCHEMA:
            raise CompareError(f"{_where(source, text, section)}: unknown section (known: {', '.join(SCHEMA)})")
        if not isinstance(body, dict):
            raise CompareError(f"{source}: {section} must be a [{section}] table, got {body!r}")
        for key in body:
            if key not in SCHEMA[section]:
                raise CompareError(f"{_where(source, text, section, key)}: unknown key (known in [{section}]: "
                                   f"{', '.join(SCHEMA[section])})")
    for section, keys in SCHEMA.items():
        body = raw.get(section, {})
        cfg[section] = {k: copy.deepcopy(body.get(k, sk.default)) for k, sk in keys.items()}
    _check_config(cfg, source, text)
    case = Case(cfg["case"]["name"], source, cfg)
    return case.with_overrides(overrides) if overrides else case


_CASE_FILES = Path(__file__).resolve().parents[1] / "case_files"     # compare/case_files (package data)


def cases_dir() -> Path:
    """The folder of the shipped case files (``compare/case_files``, installed with the package)."""
    return _CASE_FILES


def resolve_case(path: str | Path) -> Path:
    """The case file of ``path``: an existing file, else the shipped case of that name (``sparse_parity``,
    ``sparse_parity.toml``, or ``cases/sparse_parity.toml``, where the case files were before they were
    shipped with the package)."""
    p = Path(path)
    if p.is_file():
        return p
    if p.parent in (Path("."), Path("cases")):
        for cand in (cases_dir() / p.name, cases_dir() / f"{p.name}.toml"):
            if cand.is_file():
                return cand
    names = ", ".join(sorted(c.stem for c in cases_dir().glob("*.toml")))
    raise CompareError(f"case file {str(path)!r} not found (give a path to a TOML file, or the name of a "
                       f"shipped case: {names})")


def load_case(path: str | Path, *, overrides: Sequence[str] = ()) -> Case:
    """Read and validate a case file (a path, or the name of a shipped case in `cases_dir`)."""
    p = resolve_case(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CompareError(f"{p}: cannot read case file: {exc}") from None
    return load_case_text(text, source=str(p), overrides=overrides)


def parse_override(item: str, source: str = "--set") -> tuple[str, str, Any]:
    """``section.key=value`` -> (section, key, value); the value is read as TOML (bare words as strings)."""
    if "=" not in item:
        raise CompareError(f"--set {item!r}: expected section.key=value (e.g. train.lr=0.05)")
    lhs, rhs = item.split("=", 1)
    parts = lhs.strip().split(".")
    if len(parts) != 2 or parts[0] not in SCHEMA:
        raise CompareError(f"--set {item!r}: the key must be section.key with a section in {', '.join(SCHEMA)}")
    section, key = parts
    if key not in SCHEMA[section]:
        raise CompareError(f"--set {item!r}: unknown key {key!r} in [{section}] (known: "
                           f"{', '.join(SCHEMA[section])})")
    rhs = rhs.strip()
    try:
        value = tomllib.loads(f"v = {rhs}")["v"]
    except tomllib.TOMLDecodeError:
        value = rhs
    return section, key, value


def list_cases(folder: str | Path | None = None) -> list[dict[str, Any]]:
    """Every case file in a folder (default `cases_dir`, the shipped cases): name, path, title, and an error
    if it is invalid."""
    folder = Path(folder) if folder is not None else cases_dir()
    out = []
    for p in sorted(folder.glob("*.toml")):
        try:
            c = load_case(p)
            out.append({"name": c.name, "path": str(p), "title": c.title, "seeds": c.config["run"]["seeds"],
                        "bases": c.config["synth"]["bases"], "error": None})
        except CompareError as exc:
            out.append({"name": p.stem, "path": str(p), "title": "", "seeds": None, "bases": None,
                        "error": str(exc)})
    return out
