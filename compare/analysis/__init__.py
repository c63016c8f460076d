"""What a trained network computes and how it compares with the shortest program, on one network: its
function and the minimal program of it (`function`), Z_p Fourier analysis (`fourier`), a program's DAG
(`structure`), the comparator (`matching`: `match` -> `Comparison`), and over training the probes per
checkpoint (`probes`), the LLC (`llc`) and trajectories (`trajectory`); intervals and rank statistics
(`stats`) for the layers above.

Imports `networks` and `extraction` below it, never `runs` or `studies` above. The package imports
nothing itself (the public names are `compare.<name>`).
"""
