"""The ``occam`` command: one console script, one group of subcommands per library area.

``occam synth table|examples|census|parse ...`` are the `synth` commands (`synth.cli`);
``occam case run|list``, ``occam compare programs|net`` and ``occam report`` are the comparison side.
Every subcommand is a thin wrapper over a public library function; a user's mistake prints one line
``occam: error: ...`` and exits with status 2. Progress goes to stderr (``--quiet`` silences it);
``--json`` prints one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import re
import sys
from pathlib import Path
from typing import Any, Sequence

import compare as api        # the public API: names load on first use (PEP 562), so `occam synth`
                             # and `occam case list` do not import torch
from synth import SynthError
from synth import cli as synth_cli

from .errors import CompareError
from .output.runfolder import to_jsonable

__all__ = ["build_parser", "main"]


def _common(p: Any) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress bars on stderr (there are none either "
                   "when stderr is not a terminal)")


_STUDY_HELP = {
    "prior": ("random-initialisation prior study: P_NN(f) vs minimal size",
              "Sample randomly initialised networks, count the functions they compute on all 2^n inputs, and "
              "relate log P(f) to the minimal program size in each basis, LZ complexity and SOP size; writes "
              "report.md, figures and JSON."),
    "posterior": ("posterior study: trained networks vs P_B (rejection sampling) vs the length posterior",
                  "For each target: train many networks to fit a training set (P_SGD), rejection-sample the "
                  "same network's prior (P_B) and enumerate the length posterior (P_len); compare them "
                  "(distances, rank correlations, noise tests); writes report.md, figures and JSON."),
    "learnability": ("learnability study: target minimal size vs held-out accuracy, with negative controls",
                     "Targets of known minimal size and random targets, trained at several training fractions "
                     "in several regimes (including chaotic tanh); Spearman correlations with permutation tests "
                     "and bootstrap intervals; writes report.md, figures and JSON."),
}
_STUDIES = tuple(_STUDY_HELP)


def build_parser(with_study: str | None = None):
    """The argparse parser of ``occam``. ``with_study`` ("prior", "posterior" or "learnability") adds that
    study's arguments (they import torch, so only when that group is the one asked for)."""
    parser = synth_cli.CLIParser(prog="occam", description="occam-circuits: do trained networks "
                                 "implement the simplest programs that fit their data?")
    groups = parser.add_subparsers(dest="group", metavar="GROUP", required=True,
                                   parser_class=synth_cli.CLIParser)
    g = groups.add_parser("synth", help="shortest programs in the circuit DSL (table, examples, census, "
                          "parse)", description="Shortest programs in the circuit DSL.")
    sub = g.add_subparsers(dest="command", metavar="COMMAND", required=True,
                           parser_class=synth_cli.CLIParser)
    synth_cli.add_commands(sub)

    g = groups.add_parser("case", help="case studies: run a case file, list the cases",
                          description="Case studies (one TOML file each; the shipped ones are in "
                          "compare/case_files, see its README.md).")
    sub = g.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=synth_cli.CLIParser)
    p = sub.add_parser("run", help="run a case study into runs/<case>/<hash>/ and write its report",
                       description="Train, synthesise, extract and compare for each seed; finished seeds "
                       "are skipped. Writes manifest.json, metrics.json, figures/, circuits/, report.md.")
    p.add_argument("case", help="a shipped case's name (sparse_parity) or a path to your own case file")
    p.add_argument("--seeds", type=_seed_count, default=None, metavar="N",
                   help="number of seeds, a count N: seed indices 0..N-1 (finished ones are skipped; a range "
                   "A:B of indices is `occam sweep CASE --seeds A:B`) (default: the case's run.seeds)")
    p.add_argument("--out", default="runs", help="folder of run folders (default: runs)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a case key, e.g. --set train.lr=0.05 or --set synth.budget=5e7 (work "
                   "units; synth.budget_s=SECONDS adds a wall-clock valve) (repeatable) (default: none)")
    p.add_argument("--no-cache", action="store_true", help="do not reuse or store trained models")
    _common(p)
    p = sub.add_parser("list", help="the shipped case files with their titles",
                       description="List the case studies (and say which files are invalid).")
    p.add_argument("--dir", default=None, help="folder of case files (default: the shipped cases)")
    _common(p)

    g = groups.add_parser("compare", help="compare two programs, or a trained network with a case's synthesis",
                          description="Functional and structural comparisons.")
    sub = g.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=synth_cli.CLIParser)
    p = sub.add_parser("programs", help="functional and structural comparison of two programs",
                       description="Agreement on the whole domain, sizes, supports, shared intermediate "
                       "functions, graph edit distance and isomorphism of two programs.")
    p.add_argument("a", help='program text, e.g. "xor(x0, xor(x1, x2))"')
    p.add_argument("b", help="program text")
    p.add_argument("--inputs", type=int, default=None, metavar="N",
                   help="number of Boolean inputs, a count (default: as read)")
    p.add_argument("--p", type=int, default=None, help="modulus for Z_p programs (inputs a, b) (default: "
                   "Boolean programs)")
    p.add_argument("--ged-timeout", type=float, default=2.0, help="seconds for graph edit distance "
                   "(default: %(default)s)")
    _common(p)
    p = sub.add_parser("net", help="extract, synthesise and compare a saved network on your examples (CSV) "
                       "or a case's task",
                       description="Load a network (a state dict, a model-cache checkpoint, or with "
                       "--full-module a whole pickled nn.Module of nn.Linear layers and elementwise "
                       "activations), extract a circuit from it, synthesise the shortest programs of the "
                       "training data (the examples of --data, or the case's training split) and compare "
                       "them, in each basis.")
    p.add_argument("checkpoint", metavar="MODEL", help="a .pt file: a state dict (read with weights_only), or "
                   "a whole nn.Module with --full-module")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", metavar="DATA.csv", help="your training examples: one 0/1 column per input, "
                     "then the label (the target is unknown elsewhere)")
    src.add_argument("--case", help="the case file or name the network was trained for (its weights must fit "
                     "the case's network)")
    p.add_argument("--queries", metavar="Q.csv", default=None, help="with --data: held-out inputs (default: "
                   "every input that is not an example)")
    p.add_argument("--queries-labelled", action="store_true", help="the last column of Q.csv is the label (the "
                   "target is then known on the queries)")
    p.add_argument("--bases", default=None, help="with --data: comma-separated bases (default: xag)")
    p.add_argument("--activation", default=None, help="hidden activation of a state dict (default: the "
                   "checkpoint's, else relu)")
    p.add_argument("--encoding", default="01", choices=("01", "pm1"), help="with --data: how the network "
                   "reads an input bit (0/1 or -1/+1) (default: %(default)s)")
    p.add_argument("--full-module", action="store_true", help="MODEL is a whole pickled nn.Module "
                   "(torch.save(model)); unpickling runs code from the file: only for files you trust")
    p.add_argument("--seed", type=int, default=None, help="split seed of the task (default: the case's run.seed)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="with --case: override a case key, e.g. --set train.lr=0.05 (repeatable) (default: none)")
    _common(p)

    # the study groups import torch: their arguments are added only when that group was asked for
    for name, (short, long) in _STUDY_HELP.items():
        p = groups.add_parser(name, help=short, description=long)
        if with_study == name:
            getattr(importlib.import_module(".study_args", __package__), f"add_{name}_arguments")(p)
            _common(p)

    p = groups.add_parser("sweep", help="many case studies x seeds on one machine or a Dask cluster",
                          description="Run every (case, seed) job that has not finished yet, on the chosen "
                          "backend, then gather each case's metrics and report from its run folder on disk "
                          "(so every backend gives the same output; an interrupted sweep resumes).")
    p.add_argument("cases", nargs="+", help="case files or names")
    p.add_argument("--seeds", default=None, metavar="N|A:B",
                   help="seeds of every case: a count N (seed indices 0..N-1, as in `occam case run`) or a "
                   "range A:B (indices A..B-1) (default: 0..max of the cases' run.seeds - 1)")
    p.add_argument("--backend", default="serial", choices=("serial", "joblib", "dask"),
                   help="where the jobs run: one after the other, joblib processes, or Dask (default: %(default)s)")
    p.add_argument("--n-jobs", type=int, default=2, help="parallel jobs (joblib, local Dask cluster) "
                   "(default: %(default)s)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help="a Dask scheduler address (default: a "
                   "local cluster)")
    p.add_argument("--out", default="runs", help="folder of run folders (default: runs)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a key of every case, e.g. --set train.lr=0.05 (repeatable) (default: none)")
    p.add_argument("--no-cache", action="store_true", help="do not reuse or store trained models")
    _common(p)

    p = groups.add_parser("report", help="re-render report.md and figures of a run folder",
                          description="Re-render report.md and figures/ from a run folder's files.")
    p.add_argument("folder", help="a run folder runs/<case>/<hash>")
    _common(p)
    return parser


def _seed_count(text: str) -> int:
    """``--seeds`` of ``case run``: a count N >= 1 (a range A:B is for ``occam sweep``)."""
    if ":" in text:
        raise argparse.ArgumentTypeError(f"--seeds of case run is a count N (seed indices 0..N-1), got {text!r}; "
                                         "for a range A:B of seed indices use occam sweep CASE --seeds A:B")
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"--seeds must be an integer >= 1 (a count N: seed indices 0..N-1), "
                                         f"got {text!r}")
    return n


def _progress(args: Any, label: str, **options: Any) -> synth_cli.ProgressBar:
    """The progress display of one command (a `synth.cli.ProgressBar`: tqdm bars with ETA on a terminal,
    silent with ``--quiet`` or when stderr is not a terminal); use it as a context manager."""
    return synth_cli.ProgressBar(getattr(args, "quiet", False), label, **options)


def _out(args: Any, obj: Any, text: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(to_jsonable(obj), indent=2, sort_keys=True))
    else:
        print(text)


def _case_run(args: Any, argv: Sequence[str] | None) -> int:
    with _progress(args, "case run") as say:
        r = api.run_case(args.case, seeds=args.seeds, out=args.out, overrides=args.overrides,
                     cache=not args.no_cache, progress=say,
                     argv=["occam", *(argv if argv is not None else sys.argv[1:])])
    agg = r.metrics["aggregate"]
    lines = [f"run folder: {r.folder}", f"report: {r.report}",
             f"seeds: {len(r.computed)} computed, {len(r.skipped)} finished earlier, {r.seconds:.1f} s"]
    for b, row in agg["bases"].items():
        imp = row["implements_shortest"]
        sb = row["shortest_best"]["mean"]
        und = f", undetermined in {imp['undetermined']}" if imp.get("undetermined") else ""
        if sb is not None:
            lines.append(f"basis {b}: implements the shortest program in {imp['count']}/{imp['n']} seeds{und}; "
                         f"held-out agreement with it {100 * sb:.1f}%")
        else:
            lo, hi = row["shortest_lower_bound"]["mean"], row["shortest_upper_bound"]["mean"]
            bounds = "" if lo is None else f" (shortest size between {lo:g} and {hi:g}, mean over seeds)" \
                if hi is not None else f" (shortest size at least {lo:g})"
            lines.append(f"basis {b}: shortest size not proven{bounds}; implements a shortest program in "
                         f"{imp['count']}/{imp['n']} seeds{und}")
    _out(args, {"folder": str(r.folder), "report": str(r.report), "computed": list(r.computed),
                "skipped": list(r.skipped), "seconds": r.seconds, "metrics": r.metrics}, "\n".join(lines))
    return 0


def _case_list(args: Any) -> int:
    if args.dir is not None and not Path(args.dir).is_dir():
        raise CompareError(f"--dir {args.dir!r}: not a folder")
    rows = api.list_cases(args.dir)
    width = max((len(r["name"]) for r in rows), default=0)
    text = "\n".join(f"{r['name']:<{width}}  {r['title'] if not r['error'] else 'INVALID: ' + r['error']}"
                      for r in rows) or "(no case files)"
    _out(args, rows, text)
    return 0


def _compare_programs(args: Any) -> int:
    if args.inputs is not None and not 1 <= args.inputs <= 20:
        raise CompareError(f"--inputs must be in 1..20, got {args.inputs}")
    if not (math.isfinite(args.ged_timeout) and args.ged_timeout > 0):
        raise CompareError(f"--ged-timeout must be a positive number of seconds, got {args.ged_timeout:g}")
    d = api.compare_programs(args.a, args.b, n_inputs=args.inputs, p=args.p, ged_timeout=args.ged_timeout)
    ged = ("n/a (graphs too large)" if d["graph_edit_distance"] is None else
           f"{d['graph_edit_distance']:g}" + ("" if d["ged_exact"] else " (upper bound)"))
    text = "\n".join([
        f"A: {d['a']}  (size {d['size_a']} in {d['basis_a']}, depth {d['depth_a']}, support {d['support_a']})",
        f"B: {d['b']}  (size {d['size_b']} in {d['basis_b']}, depth {d['depth_b']}, support {d['support_b']})",
        f"agreement on all {d['points']} inputs: {100 * d['agreement']:.2f}% "
        f"({'equivalent' if d['equivalent'] else 'different functions'})",
        f"support Jaccard {d['support_jaccard']:.2f}; shared intermediate functions "
        f"{'n/a' if d['shared_intermediate'] is None else format(d['shared_intermediate'], '.2f')}; "
        f"isomorphic {'yes' if d['isomorphic'] else 'no'}; graph edit distance {ged}"])
    _out(args, d, text)
    return 0


def _compare_net(args: Any) -> int:

    say = _progress(args, "compare net")     # closed before the output is printed
    if args.data is not None:
        if args.seed is not None or args.overrides:
            raise CompareError("--seed and --set go with --case, not --data")
        task = api.Task.from_csv(args.data, queries=args.queries, queries_labelled=args.queries_labelled,
                             encoding=args.encoding)
        model = api.load_network(args.checkpoint, activation=args.activation, full_module=args.full_module)
        bases = [b.strip() for b in (args.bases or "xag").split(",") if b.strip()]
        if not bases:
            raise CompareError(f"--bases {args.bases!r}: no basis named (comma-separated names, e.g. xag,aig)")
        found = api.compare_network(model, task, bases=bases, progress=say)
    else:
        if args.queries is not None or args.bases is not None:
            raise CompareError("--queries and --bases go with --data (a case names its own split and bases)")
        case = api.load_case(args.case, overrides=args.overrides)
        seed = case.config["run"]["seed"] if args.seed is None else args.seed
        task = case.make_task(seed)
        model = case.make_model(task, 0)
        if args.full_module or args.activation is not None:
            raise CompareError("--full-module and --activation go with --data (a case builds its own network)")
        import torch
        try:
            blob = torch.load(args.checkpoint, weights_only=True)
        except FileNotFoundError:
            raise CompareError(f"{args.checkpoint}: no such checkpoint file") from None
        except Exception as exc:
            raise CompareError(f"{args.checkpoint}: cannot load a checkpoint ({type(exc).__name__}: {exc})") from None
        try:
            model.load_state_dict(blob.get("state", blob) if isinstance(blob, dict) else None)
        except Exception as exc:
            # torch's first line only says "Error(s) in loading state_dict": name the first mismatch
            lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()] or [type(exc).__name__]
            detail = lines[1] if len(lines) > 1 and lines[0].startswith("Error(s) in loading") else lines[0]
            raise CompareError(f"{args.checkpoint}: the weights do not fit the network of case {case.name!r} "
                               f"({detail.rstrip('.')})") from None
        s, x = case.config["synth"], case.config["extract"]
        found = api.compare_network(model, task, bases=s["bases"], mode=s["mode"], method=x["method"],
                                synth_budget=s["budget"], synth_budget_s=s["budget_s"], top_k=s["top_k"],
                                slack=s["slack"], extract_options={"budget": x["budget"],
                                                                   "budget_s": x["budget_s"]},
                                function_budget=s["function_budget"], function_budget_s=s["function_budget_s"],
                                progress=say)
    say.close()
    lines = [f"task: {task.name} ({task.n_inputs} inputs, {len(task.train_idx)} examples, "
             f"{len(task.test_idx)} held-out; target "
             f"{'known' if task.target_known else 'unknown outside the labelled points'})"]
    for b, r in found.items():
        syn = r.synthesis
        shortest = (f"{syn.shortest[0]} (size {syn.min_size}{', proven minimal' if syn.exact else ', not proven'})"
                    if syn.shortest else "none found within the budget")
        circ = (f"{r.circuit.program} (size {r.circuit.n_gates}, fidelity {r.circuit.fidelity:.3f})"
                if r.circuit is not None else (f"failed: {r.extraction_error}" if r.extraction_error else "-"))
        lines += [f"[{b}] extracted circuit: {circ}", f"[{b}] shortest program: {shortest}",
                  f"[{b}] {r.comparison.verdict}"]
    _out(args, {b: r.as_dict() for b, r in found.items()}, "\n".join(lines))
    return 0


def _sweep(args: Any, argv: Sequence[str] | None) -> int:
    if args.seeds is None:
        counts = {api.load_case(c, overrides=args.overrides).config["run"]["seeds"] for c in args.cases}
        seeds = api.parse_seeds(max(counts))
    else:
        seeds = api.parse_seeds(args.seeds)
    jobs = api.plan_sweep(args.cases, seeds, overrides=tuple(args.overrides))
    with _progress(args, "sweep") as say:
        r = api.run_sweep(jobs, out=args.out, backend=args.backend, n_jobs=args.n_jobs, scheduler=args.scheduler,
                      cache=not args.no_cache, progress=say,
                      argv=["occam", *(argv if argv is not None else sys.argv[1:])])
    n = len(r.computed)
    lines = [f"{n} job{'' if n == 1 else 's'} computed, {len(r.skipped)} finished earlier, {len(r.failed)} failed; "
             f"{r.seconds:.1f} s on {r.backend}"]
    lines += [f"  {f}" for f in r.folders]
    lines += [f"  FAILED {job}: {err}" for job, err in r.failed]
    _out(args, {"computed": [str(j) for j in r.computed], "skipped": [str(j) for j in r.skipped],
                "failed": [[str(j), e] for j, e in r.failed], "folders": [str(f) for f in r.folders],
                "seconds": r.seconds, "backend": r.backend}, "\n".join(lines))
    return 0 if r.ok else 1


def _study(args: Any, name: str) -> int:
    module = importlib.import_module(".study_args", __package__)
    # the posterior study's rejection sampling reports "P_B: <k> accepted": a bar towards --accepted
    totals = [(re.compile(r"P_B: ([\d,]+) accepted"), args.accepted)] if name == "posterior" else []
    # the intervals' resamples ("bootstrap k/n resamples", compare.analysis.stats): a bar "<study> bootstrap"
    with _progress(args, name, totals=totals, named=("bootstrap",)) as say:
        study = getattr(module, f"{name}_from_args")(args, progress=say)
    report = f"{args.out}/report.md"
    _out(args, study.as_dict(), f"{study.headline()}\nreport: {report}")
    return 0


def _report(args: Any) -> int:
    path = api.write_report(args.folder)
    _out(args, {"report": str(path)}, f"report: {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``occam``; returns the exit status (0 success, 2 a user's mistake)."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(with_study=words[0] if words and words[0] in _STUDIES else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    if args.group == "synth":
        return synth_cli.run(args)
    handlers = {("case", "run"): lambda: _case_run(args, argv), ("case", "list"): lambda: _case_list(args),
                ("compare", "programs"): lambda: _compare_programs(args),
                ("compare", "net"): lambda: _compare_net(args), ("report", None): lambda: _report(args),
                ("sweep", None): lambda: _sweep(args, argv),
                **{(name, None): (lambda name=name: _study(args, name)) for name in _STUDIES}}
    try:
        return handlers[(args.group, getattr(args, "command", None))]()
    except (CompareError, SynthError) as exc:     # only the project's own errors are a user's mistake;
        msg = " ".join(str(exc).split()) or type(exc).__name__     # anything else is a bug: its traceback shows
        print(f"occam: error: {msg}", file=sys.stderr)
        return 2
    except BrokenPipeError:                     # the reader went away (``occam case list | head``)
        synth_cli.silence_stdout()
        return 0
    except KeyboardInterrupt:
        print("occam: interrupted (finished seeds are kept; run again to resume)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
