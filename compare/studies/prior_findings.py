"""What a prior study found, in sentences with effect sizes and intervals: shared by the study's record
(`compare.studies.prior.PriorStudy.as_dict`) and its report (`compare.studies.prior_report`), and importing neither."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..analysis.stats import fmt_ci

if TYPE_CHECKING:      # annotations only: compare.studies.prior imports this module
    from .prior import PriorStudy

__all__ = ["RESOLVED", "resolved_key", "findings"]

RESOLVED = 10   # functions seen at least this often have a resolved P (relative s.e. <= 1/sqrt(10))


def resolved_key(c: dict) -> str:
    """Show the bias-corrected ρ over resolved functions when there is one, else the plug-in value."""
    return "corrected" if c.get("corrected") is not None else "rho_resolved"


def findings(study: PriorStudy) -> list[str]:
    """What the data support and what they do not, with effect sizes and intervals."""
    cfg, counts = study.config, study.counts
    out = []
    if counts.counts.max() == 1:
        out.append(f"Every one of the {counts.samples:,} networks computed a different function: at this sample "
                   "size the prior cannot be told from a uniform one, and no correlation with complexity can be "
                   "measured (all P = 1/N). A biased prior repeats functions; this one did not.")
    for b in study.sizes:
        c = study.correlations[f"size_{b}"]
        if c["rho"] is None and counts.counts.max() == 1:
            continue
        if c["rho"] is None:
            out.append(f"Basis {b}: no correlation measurable.")
            continue
        e = study.envelopes[f"size_{b}"]
        ex = study.exact[b]
        if (~ex).mean() > 0.5:
            out.append(f"Not assessed in {b}: {int((~ex).sum()):,} of the {len(ex):,} measured functions lie beyond "
                       f"the sizes enumerated within the budget (≥ {int(study.sizes[b][~ex].min())} gates), so the "
                       f"minimal size does not rank them (ρ over the exact sizes only: {c.get('rho_exact_only')}, "
                       f"{c.get('functions_exact')} functions); raise size_budget or size_levels.")
            continue
        lead = (f"Simpler functions are more probable in {b}" if c.get("hi") is not None and c["hi"] < 0 else
                f"Not assessed in {b} (no interval: too few functions seen {c.get('min_count')} times or more, "
                "or no resamples)" if c.get("hi") is None else
                f"The data do not show that simpler functions (in {b}) are more probable")
        txt = (lead
               + f": ρ(log P, minimal {cfg.mode} size) = {c['rho']:+.3f} over "
               + (f"the {c['functions']:,} functions seen" if len(study.measured) == len(counts.tables) else
                  f"a uniform sample of {c['functions']:,} of the {len(counts.tables):,} functions seen")
               + f", {fmt_ci(c, resolved_key(c), '+.3f')} over the "
               f"{c['functions_resolved']:,} seen at least {c['min_count']} times (bias-corrected)")
        if e.get("bits_per_gate") is not None:
            txt += (f"; the most probable function of each size falls by {e['bits_per_gate']:.2f} bits per gate "
                    f"(upper-envelope fit; P <~ 2^-{e['bits_per_gate']:.2f}·size)")
        if (~ex).any():
            txt += (f"; {int((~ex).sum()):,} functions beyond the enumeration enter at their lower bound "
                    f"(ρ over exact sizes only: {c.get('rho_exact_only')})")
        st = study.strata.get(f"size_{b}", {})
        if st.get("weighted_mean_rho") is not None:
            txt += (f"; at fixed entropy (number of ones) the mean within-stratum ρ is {st['weighted_mean_rho']:+.2f}, "
                    + ("so the bias is not only a preference for unbalanced functions" if st["weighted_mean_rho"] < -0.1
                       else "so what remains at fixed entropy is weak"))
        out.append(txt + ".")
    for k in study.measures:
        c = study.correlations[k]
        if c["rho"] is not None:
            name = {"lz": "Lempel–Ziv complexity", "sop": "SOP size"}[k]
            out.append(f"{name}: ρ = {c['rho']:+.3f} over the functions seen, {fmt_ci(c, resolved_key(c), '+.3f')} "
                       "over the resolved ones.")
    z = study.zipf
    if z.get("slope") is not None:
        out.append(f"Rank plot: P falls as rank^{z['slope']:.2f} over the {z['ranks_fitted']:,} functions seen at least "
                   f"{z['min_count']} times.")
    out.append(f"Not measured: functions with P below 1/N = {1 / counts.samples:.1g} (never sampled) — "
               f"{len(counts.tables):,} of the 2^{1 << cfg.n_inputs} functions were seen; the correlations are over "
               "functions seen at least once, whose P is noisy near the floor (the intervals resample the networks).")
    return out
