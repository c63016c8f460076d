"""Case studies and their run folders: the case schema (`cases`; the shipped TOML files are package data
in ``compare/case_files/``), one case run (`study`: `run_case`, `run_seed`), sweeps over seeds and
machines (`sweep`), the numbers of ``metrics.json`` and the typed per-seed record (`metrics`:
`SeedRecord`), and report.md with its figures, re-rendered from the run folder (`report`).

Above `analysis`, `extraction` and `networks`; beside `studies` (neither imports the other). The
package imports nothing itself (the public names are `compare.<name>`).
"""
