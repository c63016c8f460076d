"""The import graph of `synth` and `compare`, read from the source with `ast` (imports inside functions
included): layers point down, with no cycles, no private names crossing modules, no project imports
hidden inside functions, and `synth` free of torch and of `compare`. See docs/ARCHITECTURE.md.

Documented exception: `compare/__init__.py` resolves its public names on first use (PEP 562,
``importlib.import_module`` in ``__getattr__``) so that ``import compare`` does not import torch; those
are not import statements and are not edges of this graph.
"""

from __future__ import annotations

import ast
import importlib
import os
from dataclasses import dataclass
from types import ModuleType

import networkx as nx
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = ("synth", "compare")

# Optional or heavy third-party dependencies that a function may import lazily, so that importing the
# library (or `occam synth ...`) does not pay for them: torch (networks), matplotlib (figures),
# devinterp (LLC cross-check), graphviz (circuit drawings), tqdm (progress bars), dask and joblib
# (distributed sweeps, the `dist` extra).
LAZY_ALLOWED = frozenset({"torch", "matplotlib", "devinterp", "graphviz", "tqdm", "dask", "distributed", "joblib",
                          # core dependencies, heavy to import (measured: scipy.stats 2.0 s, sympy 0.7 s,
                          # networkx 0.3 s) and needed only by exports (to_sympy, to_networkx), structure
                          # comparisons and a few statistics
                          "scipy", "sympy", "networkx"})

# The `occam` entry point loads a command's module when that command runs, so `occam synth ...` and
# `occam case list` do not import torch; these imports still count as edges for the cycle check.
LAZY_DISPATCH_MODULES: frozenset = frozenset()

# The parts of `compare`, top to bottom (docs/ARCHITECTURE.md): a part imports only parts of lower layers.
# `compare` itself (``__init__.py``) resolves its public names on first use, so it imports only errors.
COMPARE_LAYERS: tuple[tuple[str, ...], ...] = (
    ("compare.__main__",),
    ("compare.cli",),                       # argument parsing; calls the public API
    ("compare.study_args",),                # the studies' arguments (loaded by the CLI when a study runs)
    ("compare",),                           # the public API (PEP 562)
    ("compare.runs", "compare.studies"),    # case studies and run folders | simplicity-bias studies
    ("compare.analysis",),                  # a network's function, comparison, probes, LLC, statistics
    ("compare.extraction",),                # circuits from networks
    ("compare.networks",),                  # tasks, networks, training
    ("compare.output",),                    # run folder files, figures
    ("compare.errors",),
)

# Exceptions still allowed (none left: the result types live in `synth.result` below both engines).
KNOWN_CYCLES: list = []
KNOWN_PRIVATE: list = []
KNOWN_LAZY: list = []


@dataclass(frozen=True)
class Import:
    """One import statement's effect: ``module`` imports ``target`` (a module), binding ``names``."""

    module: str
    target: str
    names: tuple[str, ...]
    line: int
    in_function: bool

    def where(self) -> str:
        return f"{self.module}:{self.line}"


def _modules() -> dict[str, str]:
    """Every module of the project packages: dotted name -> file path."""
    found = {}
    for package in PACKAGES:
        for folder, dirs, files in os.walk(os.path.join(ROOT, package)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and
                             os.path.exists(os.path.join(folder, d, "__init__.py")))
            for name in sorted(files):
                if not name.endswith(".py"):
                    continue
                parts = os.path.relpath(os.path.join(folder, name), ROOT)[:-3].split(os.sep)
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                found[".".join(parts)] = os.path.join(folder, name)
    return found


MODULES = _modules()


def _is_package(module: str) -> bool:
    return MODULES[module].endswith("__init__.py")


def _resolve(module: str, level: int, name: str | None) -> str:
    """The absolute name of ``from <level dots><name> import ...`` written in ``module``."""
    if level == 0:
        return name or ""
    base = module.split(".")
    if not _is_package(module):
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _imports(module: str) -> list[Import]:
    tree = ast.parse(open(MODULES[module], encoding="utf-8").read(), MODULES[module])
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and ast.unparse(child.test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}:
                continue        # imports for annotations only: never run, so not an edge
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(module, alias.name, (), child.lineno, in_function))
            elif isinstance(child, ast.ImportFrom):
                target = _resolve(module, child.level, child.module)
                plain = []
                for alias in child.names:
                    submodule = f"{target}.{alias.name}"
                    if submodule in MODULES:          # `from package import submodule`
                        found.append(Import(module, submodule, (), child.lineno, in_function))
                    else:
                        plain.append(alias.name)
                if plain or not child.names:
                    found.append(Import(module, target, tuple(plain), child.lineno, in_function))
            visit(child, inner)

    visit(tree, False)
    return found


IMPORTS = [imp for module in MODULES for imp in _imports(module)]


def _project_target(target: str) -> str | None:
    """The project module an import reaches (the longest known prefix), or None for third-party."""
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        if name in MODULES:
            return name
    return None


def import_graph() -> nx.DiGraph:
    """Project modules and the imports between them (an edge per importing pair; ``lines`` lists where)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for imp in IMPORTS:
        target = _project_target(imp.target)
        if target is None or target == imp.module:
            continue
        if graph.has_edge(imp.module, target):
            graph[imp.module][target]["lines"].append(imp.line)
        else:
            graph.add_edge(imp.module, target, lines=[imp.line])
    return graph


def cycles() -> list[list[str]]:
    return sorted(sorted(c) for c in nx.simple_cycles(import_graph()))


def private_imports() -> list[str]:
    """Imports that reach a ``_private`` name or module of another module (a private module may be
    imported by the modules of its own package)."""
    bad = []
    for imp in IMPORTS:
        target = _project_target(imp.target)
        if target is None:
            continue
        for i, part in enumerate(imp.target.split(".")):
            owner = ".".join(imp.target.split(".")[:i])
            if part.startswith("_") and not part.startswith("__") and not imp.module.startswith(owner + "."):
                bad.append(f"{imp.where()} imports private module {imp.target}")
        for name in imp.names:
            if name.startswith("_") and not name.startswith("__"):
                bad.append(f"{imp.where()} imports {target}.{name}")
    return sorted(bad)


def private_attributes() -> list[str]:
    """``module._name`` read through a project module bound by ``import`` / ``from package import module``."""
    bad = []
    for module, path in MODULES.items():
        tree = ast.parse(open(path, encoding="utf-8").read(), path)
        bound = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _project_target(alias.name) == alias.name:
                        bound[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(module, node.level, node.module)
                for alias in node.names:
                    if f"{target}.{alias.name}" in MODULES:
                        bound[alias.asname or alias.name] = f"{target}.{alias.name}"
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")):
                dotted = ast.unparse(node.value)
                head = dotted.split(".")[0]
                if head in bound and bound[head] != module:
                    bad.append(f"{module}:{node.lineno} reads {dotted}.{node.attr}")
    return sorted(bad)


def function_level_imports() -> list[str]:
    """Imports inside functions of anything but an optional heavy third-party dependency."""
    return sorted(f"{imp.where()} imports {imp.target}" for imp in IMPORTS
                  if imp.in_function and imp.target.split(".")[0] not in LAZY_ALLOWED
                  and imp.module not in LAZY_DISPATCH_MODULES)


def test_the_graph_is_read():
    graph = import_graph()
    assert {"synth", "synth.portfolio", "compare", "compare.analysis.matching", "compare.extraction",
            "compare.runs", "compare.networks.tasks"} <= set(graph)
    assert graph.has_edge("compare.analysis.matching", "compare.extraction")
    assert graph.has_edge("compare.networks.tasks", "synth.spec") or graph.has_edge("compare.networks.tasks", "synth")
    assert _resolve("compare.extraction.methods", 2, "networks.tasks") == "compare.networks.tasks"
    assert _resolve("compare.runs.report", 2, "analysis.structure") == "compare.analysis.structure"
    assert _resolve("compare.runs", 1, "study") == "compare.runs.study"
    assert _resolve("compare.extraction", 1, "circuit") == "compare.extraction.circuit"


def _without_lines(items: list[str]) -> list[str]:
    """``module:line imports x`` without the line number (lines move as files are edited)."""
    return [item.split(":")[0] + " " + item.split(" ", 1)[1] for item in items]


def test_no_import_cycles():
    assert cycles() == KNOWN_CYCLES


def test_no_private_names_cross_modules():
    assert _without_lines(private_imports()) == _without_lines(KNOWN_PRIVATE)
    assert private_attributes() == []


def test_no_imports_inside_functions_but_heavy_optional_ones():
    assert _without_lines(function_level_imports()) == _without_lines(KNOWN_LAZY)


def test_the_dispatching_entry_point_imports_nothing_heavy_at_start():
    """`compare.cli` and `synth` import no torch at module level (so `occam synth` starts fast)."""
    graph = import_graph()
    top = nx.DiGraph()
    top.add_nodes_from(MODULES)
    for imp in IMPORTS:
        target = _project_target(imp.target)
        if not imp.in_function and target is not None and target != imp.module:
            top.add_edge(imp.module, target)
    reached = nx.descendants(top, "compare.cli") | {"compare.cli"}
    torch_users = {imp.module for imp in IMPORTS if not imp.in_function and imp.target.split(".")[0] == "torch"}
    assert reached & torch_users == set()
    assert graph.has_node("compare.cli")


def test_synth_never_imports_torch_or_compare():
    bad = [f"{imp.where()} imports {imp.target}" for imp in IMPORTS
           if imp.module.split(".")[0] == "synth" and imp.target.split(".")[0] in {"torch", "compare"}]
    assert bad == []


def test_modules_and_functions_do_not_share_names():
    """A package's public name is never the name of one of its sub-packages or modules (``compare.train``
    is the function; the module is ``compare.networks.training``): `synth`, `compare` and every
    sub-package (importing a submodule would rebind the package's attribute to the module)."""
    import compare

    assert {"train", "match", "extract"} <= set(compare.__all__)      # the names this test is about
    clashes = []
    for package in sorted(m for m in MODULES if _is_package(m)):
        module = importlib.import_module(package)
        names = getattr(module, "__all__", None)
        if names is None:       # a sub-package without __all__: what it defines (its submodules excluded)
            names = [n for n, v in vars(module).items() if not n.startswith("_") and not isinstance(v, ModuleType)]
        clashes += [f"{package}.{name}" for name in names if f"{package}.{name}" in MODULES]
    assert clashes == []


def _compare_unit(module: str) -> str:
    """The part of `compare` a module belongs to: its sub-package (``compare.runs``), or a top-level module
    (``compare.cli``, ``compare.errors``), or ``compare`` itself (the public API in ``__init__.py``)."""
    return ".".join(module.split(".")[:2])


def test_compare_sub_packages_form_layers():
    """Every import between two parts of `compare` points down `COMPARE_LAYERS` (docs/ARCHITECTURE.md);
    parts of one layer do not import each other, and a new sub-package must be placed in a layer."""
    rank = {unit: i for i, layer in enumerate(COMPARE_LAYERS) for unit in layer}
    units = {_compare_unit(m) for m in MODULES if m.split(".")[0] == "compare"}
    assert units - set(rank) == set(), "place the new part of compare in COMPARE_LAYERS"
    bad = []
    for a, b in import_graph().edges:
        if a.split(".")[0] == b.split(".")[0] == "compare" and _compare_unit(a) != _compare_unit(b):
            if rank[_compare_unit(a)] >= rank[_compare_unit(b)]:
                bad.append(f"{a} imports {b}")
    assert bad == []


if __name__ == "__main__":      # python tests/test_import_graph.py: the measurements, one per line
    for label, items in [("cycles", cycles()), ("private imports", private_imports()),
                         ("private attributes", private_attributes()),
                         ("function-level imports", function_level_imports())]:
        print(f"{label}: {len(items)}")
        for item in items:
            print("   ", item)

