"""The command-line arguments of the simplicity-bias studies (`occam prior`, `occam posterior`, `occam
learnability`): for each study, ``add_<name>_arguments(parser)`` and ``<name>_from_args(args, progress)``,
which builds the study's config from the parsed arguments and runs it.

It sits above `compare.studies` (whose modules hold no argument parsing) and below `compare.cli`, which
loads it only when a study command runs: the studies import torch, and ``occam synth`` must not.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any, Callable

from .errors import CompareError
from .networks.activations import ACTIVATIONS
from .networks.batched import INITS, INPUT_ENCODINGS, OPTIMIZERS, NetFields, parse_widths
from .output.runfolder import check_out
from .studies.learnability import PROTOCOLS, LearnabilityConfig, LearnabilityStudy, run_learnability_study
from .studies.posterior import PosteriorConfig, PosteriorStudy, run_posterior_study
from .studies.prior import MAX_SAMPLES, PriorConfig, PriorStudy, run_prior_study

__all__ = ["add_net_arguments", "net_arguments", "add_prior_arguments", "prior_from_args",
           "add_posterior_arguments", "posterior_from_args", "add_learnability_arguments",
           "learnability_from_args", "parse_regimes"]


# -----------------------------------------------------------------------------------------------
# from compare/networks/batched.py

class _InputsCount(argparse.Action):
    """``--inputs N``: the number of Boolean inputs (a count, as in every other command). The old
    ``--inputs 01|pm1`` (the input encoding) still works: it sets ``--encoding`` and prints a one-line
    deprecation notice on stderr."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: str | None = None) -> None:
        if values in INPUT_ENCODINGS:
            print(f"occam: note: {option_string} {values} for the input encoding is deprecated; "
                  f"use --encoding {values} (--inputs is the number of inputs)", file=sys.stderr)
            namespace.encoding = values
            return
        try:
            n = int(values)
        except ValueError:
            parser.error(f"argument {option_string}: expected the number of inputs (an integer), got {values!r}")
        if n < 1:
            parser.error(f"argument {option_string}: the number of inputs must be >= 1, got {values!r}")
        setattr(namespace, self.dest, n)


def add_net_arguments(parser: Any, defaults: NetFields) -> None:
    """The `NetFields` options (``--inputs --widths --activation --sigma-w --sigma-b --no-bias --init
    --encoding``); ``--n`` is another spelling of ``--inputs``."""
    parser.add_argument("--inputs", "--n", dest="n", action=_InputsCount, default=defaults.n_inputs, metavar="N",
                        help="number of Boolean inputs, a count (default: %(default)s)")
    parser.add_argument("--widths", default=",".join(map(str, defaults.widths)),
                        help="hidden widths, e.g. 40,40 or 64x10 (ten layers of 64) (default: %(default)s)")
    parser.add_argument("--activation", default=defaults.activation, choices=ACTIVATIONS,
                        help="hidden activation (default: %(default)s)")
    parser.add_argument("--sigma-w", type=float, default=defaults.sigma_w,
                        help="scale of the initial weights (see --init) (default: %(default)s)")
    parser.add_argument("--sigma-b", type=float, default=defaults.sigma_b,
                        help="scale of the initial biases (see --init) (default: %(default)s)")
    parser.add_argument("--no-bias", action="store_true", help="layers without biases (default: with biases)")
    parser.add_argument("--init", default=defaults.init, choices=INITS,
                        help="initialisation scheme: standard (weights N(0, sigma_w^2 / fan_in)) or mingard2025 "
                        "(see the compare.networks.batched docstring) (default: %(default)s)")
    parser.add_argument("--encoding", default=defaults.inputs, choices=INPUT_ENCODINGS,
                        help="how the network reads an input bit: 01 (x in {0,1}) or pm1 (x in {-1,+1}); "
                        "formerly --inputs (default: %(default)s)")


def net_arguments(args: Any) -> dict[str, Any]:
    """`NetFields` keyword arguments from options added by `add_net_arguments`."""
    return {"n_inputs": args.n, "widths": parse_widths(args.widths), "activation": args.activation,
            "sigma_w": args.sigma_w, "sigma_b": args.sigma_b, "bias": not args.no_bias, "init": args.init,
            "inputs": args.encoding}


# -----------------------------------------------------------------------------------------------
# from compare/studies/prior.py

def add_prior_arguments(parser) -> None:
    """Arguments of ``occam prior`` on an argparse parser."""
    d = PriorConfig()
    add_net_arguments(parser, d)
    parser.add_argument("--samples", type=float, default=d.samples,
                        help="networks to sample, a count (1e6 accepted) (default: %(default)s)")
    parser.add_argument("--batch", type=int, default=d.batch, help="networks per batch (default: %(default)s)")
    parser.add_argument("--bases", default=",".join(d.bases), help="comma-separated bases of the minimal sizes (default: %(default)s)")
    parser.add_argument("--mode", default=d.mode, choices=("formula", "circuit"),
                        help="formula (trees) or circuit (shared gates) sizes (default: %(default)s)")
    parser.add_argument("--measures", default=",".join(d.measures), help="other complexity measures: lz,sop (or empty) (default: %(default)s)")
    parser.add_argument("--size-budget", type=float, default=d.size_budget,
                        help="work units per basis for minimal sizes (n >= 5; see synth.budget; 3e8 accepted) (default: %(default)s)")
    parser.add_argument("--size-budget-s", type=float, default=None,
                        help="optional wall-clock valve per basis, seconds (makes the censoring machine-dependent) (default: none)")
    parser.add_argument("--size-levels", type=int, default=None,
                        help="n >= 5: enumerate sizes up to this one only (reproducible censoring) (default: no limit)")
    parser.add_argument("--max-measured", type=int, default=d.max_measured,
                        help="measure the minimal size of at most this many functions (default: %(default)s)")
    parser.add_argument("--bootstrap", type=int, default=d.bootstrap, help="bootstrap resamples for the intervals (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the sampling (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=1, help="sampling processes (results do not depend on it) (default: %(default)s)")
    parser.add_argument("--out", required=True, help="output folder")


def prior_from_args(args: Any, progress: Callable[[str], None] | None = None) -> PriorStudy:
    """Run the study from parsed `add_prior_arguments` arguments (``progress`` gets a line per stage)."""
    check_out(args.out, "--out")
    samples = args.samples
    if not math.isfinite(samples) or samples != int(samples) or not 1 <= samples <= MAX_SAMPLES:
        raise CompareError(f"--samples: expected a whole number in 1..{MAX_SAMPLES:.0e} "
                           f"(compare.studies.prior.MAX_SAMPLES), got {samples!r}")
    cfg = PriorConfig(**net_arguments(args), samples=int(samples), batch=args.batch,
                      bases=tuple(b for b in args.bases.split(",") if b), mode=args.mode,
                      measures=tuple(m for m in args.measures.split(",") if m),
                      size_budget=args.size_budget, size_budget_s=args.size_budget_s, size_levels=args.size_levels,
                      max_measured=args.max_measured, bootstrap=args.bootstrap)
    return run_prior_study(cfg, args.seed, args.out, workers=args.workers, progress=progress)


# -----------------------------------------------------------------------------------------------
# from compare/studies/posterior.py

def add_posterior_arguments(parser: Any) -> None:
    """Arguments of ``occam posterior`` on an argparse parser."""
    d = PosteriorConfig()
    parser.add_argument("--targets", nargs="+", default=list(d.targets), metavar="TARGET",
                        help="targets: name[:k=v,...] from the task registry, a table 0x..., or program text (default: %(default)s)")
    add_net_arguments(parser, d)
    parser.add_argument("--train-count", type=int, default=d.train_count, help="training points |S|, a count (default: %(default)s)")
    parser.add_argument("--split-seed", type=int, default=d.split_seed, help="seed of the training set (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=d.runs, help="trained networks (P_SGD), a count (default: %(default)s)")
    parser.add_argument("--optimizer", default=d.optimizer, choices=OPTIMIZERS, help="optimiser of the P_SGD runs (default: %(default)s)")
    parser.add_argument("--lr", type=float, default=d.lr, help="learning rate of the P_SGD runs (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=None, help="minibatch size (default: full batch)")
    parser.add_argument("--max-steps", type=int, default=d.max_steps,
                        help="P_SGD: a run that has not fitted S after this many steps counts as not fitted (default: %(default)s)")
    parser.add_argument("--accepted", type=int, default=d.accepted, help="P_B: stop after this many accepted (default: %(default)s)")
    parser.add_argument("--max-samples", type=float, default=d.max_samples, help="P_B: stop after this many drawn (1e7 accepted) (default: %(default)s)")
    parser.add_argument("--batch", type=int, default=d.batch, help="P_B: networks per batch (default: %(default)s)")
    parser.add_argument("--basis", default=d.basis, help="basis of the length prior (default: %(default)s)")
    parser.add_argument("--len-slack", type=int, default=d.len_slack, help="sizes beyond the minimum enumerated (default: %(default)s)")
    parser.add_argument("--len-budget", type=float, default=d.len_budget,
                        help="work units for the enumeration (see synth.budget; 1e8 accepted) (default: %(default)s)")
    parser.add_argument("--len-budget-s", type=float, default=None,
                        help="optional wall-clock valve for the enumeration, seconds (default: none)")
    parser.add_argument("--bootstrap", type=int, default=d.bootstrap, help="bootstrap resamples for the intervals (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of training and sampling (default: %(default)s)")
    parser.add_argument("--out", required=True, help="output folder")


def posterior_from_args(args: Any, progress: Callable[[str], None] | None = None) -> PosteriorStudy:
    """Run the study from parsed `add_posterior_arguments` arguments."""
    check_out(args.out, "--out")
    if args.max_samples != int(args.max_samples):
        raise CompareError(f"--max-samples: expected a whole number, got {args.max_samples!r}")
    cfg = PosteriorConfig(**net_arguments(args), targets=tuple(args.targets), train_count=args.train_count,
                          split_seed=args.split_seed, runs=args.runs, optimizer=args.optimizer, lr=args.lr,
                          batch_size=args.batch_size, max_steps=args.max_steps, accepted=args.accepted,
                          max_samples=int(args.max_samples), batch=args.batch, basis=args.basis,
                          len_slack=args.len_slack, len_budget=args.len_budget, len_budget_s=args.len_budget_s,
                          bootstrap=args.bootstrap)
    return run_posterior_study(cfg, args.seed, args.out, progress=progress)


# -----------------------------------------------------------------------------------------------
# from compare/studies/learnability.py

def _floats(text: str, option: str) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise CompareError(f"{option}: expected comma-separated numbers, got {text!r}") from None


def add_learnability_arguments(parser: Any) -> None:
    """Arguments of ``occam learnability`` on an argparse parser."""
    d = LearnabilityConfig()
    parser.add_argument("--inputs", "--n", dest="n", type=int, default=d.n_inputs, metavar="N",
                        help="number of Boolean inputs, a count (default: %(default)s)")
    parser.add_argument("--widths", default=",".join(map(str, d.widths)), help="hidden widths, e.g. 64 or 40,40 (default: %(default)s)")
    parser.add_argument("--regimes", default=",".join(f"{a}:{s:g}" for a, s in d.regimes),
                        help="activation:sigma_w pairs (tanh:8 is the chaotic negative control) (default: %(default)s)")
    parser.add_argument("--sigma-b", type=float, default=d.sigma_b, help="scale of the initial biases (default: %(default)s)")
    parser.add_argument("--basis", default=d.basis, help="basis of the targets' minimal sizes (default: %(default)s)")
    parser.add_argument("--max-size", type=int, default=d.max_size, help="targets of minimal size 0..this (default: %(default)s)")
    parser.add_argument("--targets-per-size", type=int, default=d.targets_per_size,
                        help="targets of each minimal size, a count (default: %(default)s)")
    parser.add_argument("--random-targets", type=int, default=d.random_targets,
                        help="uniformly random targets (negative control), a count (default: %(default)s)")
    parser.add_argument("--train-fractions", default=",".join(f"{f:g}" for f in d.train_fractions),
                        help="comma-separated fractions of the 2^n points used for training (default: %(default)s)")
    parser.add_argument("--fixed-fraction", type=float, default=d.fixed_fraction,
                        help="training fraction at which held-out accuracy is compared across targets (default: %(default)s)")
    parser.add_argument("--threshold", type=float, default=d.threshold, help="held-out accuracy that counts as learned (default: %(default)s)")
    parser.add_argument("--seeds", type=int, default=d.seeds, help="networks per target and fraction, a count N (seeds 0..N-1) (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=d.epochs, help="training steps per network (default: %(default)s)")
    parser.add_argument("--protocol", default=d.protocol, choices=PROTOCOLS,
                        help="score after --epochs steps, or at the first step that fits the training set (default: %(default)s)")
    parser.add_argument("--lr", type=float, default=d.lr, help="learning rate (default: %(default)s)")
    parser.add_argument("--permutations", type=int, default=d.permutations,
                        help="resamples for the permutation p-values (default: %(default)s)")
    parser.add_argument("--bootstrap", type=int, default=d.bootstrap,
                        help="bootstrap resamples for the intervals over targets (default: %(default)s)")
    parser.add_argument("--enumeration-budget", type=float, default=d.enumeration_budget,
                        help="work units for enumerating the targets (see synth.budget; 1e8 accepted) (default: %(default)s)")
    parser.add_argument("--enumeration-budget-s", type=float, default=None,
                        help="optional wall-clock valve for that enumeration, seconds (default: none)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of targets and training (default: %(default)s)")
    parser.add_argument("--out", required=True, help="output folder")


def learnability_from_args(args: Any, progress: Any = None) -> "LearnabilityStudy":
    """Run the study from parsed `add_learnability_arguments` arguments."""
    check_out(args.out, "--out")
    cfg = LearnabilityConfig(n_inputs=args.n, widths=parse_widths(args.widths), regimes=parse_regimes(args.regimes),
                             sigma_b=args.sigma_b, basis=args.basis, max_size=args.max_size,
                             targets_per_size=args.targets_per_size, random_targets=args.random_targets,
                             train_fractions=_floats(args.train_fractions, "--train-fractions"),
                             fixed_fraction=args.fixed_fraction, threshold=args.threshold, seeds=args.seeds,
                             epochs=args.epochs, lr=args.lr, protocol=args.protocol,
                             permutations=args.permutations,
                             bootstrap=args.bootstrap, enumeration_budget=args.enumeration_budget,
                             enumeration_budget_s=args.enumeration_budget_s)
    return run_learnability_study(cfg, args.seed, args.out, progress=progress)


def parse_regimes(text: str) -> tuple[tuple[str, float], ...]:
    """``relu:1,tanh:1,tanh:8`` -> (("relu", 1.0), ("tanh", 1.0), ("tanh", 8.0)).

    >>> parse_regimes("relu:1,tanh:8")
    (('relu', 1.0), ('tanh', 8.0))
    """
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        act, colon, sw = part.partition(":")
        try:
            out.append((act.strip(), float(sw) if colon else 1.0))
        except ValueError:
            raise CompareError(f"--regimes: expected activation:sigma_w items such as relu:1,tanh:8, "
                               f"got {part!r}") from None
    return tuple(out)
