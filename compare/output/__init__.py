"""Writing results to disk, knowing nothing of networks: run folder files (`runfolder`: atomic writes,
JSON, claims (locks), schema and environment versions) and matplotlib figures without global state
(`figures`: `pyplot`, `save_png`).

The bottom of `compare` with `compare.errors`: every layer above may import it. The package imports
nothing itself.
"""
