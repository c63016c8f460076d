"""The simplicity-bias studies over many small networks: the prior over functions at initialisation
(`prior`, with `prior_findings` and `prior_report`), the posterior of trained networks (`posterior`,
`posterior_report`) and learnability against minimal size (`learnability`). Each study module runs the
study and writes its report through the ``*_report`` module below it.

Above `analysis` and `networks`; beside `runs` (neither imports the other). The package imports nothing
itself (the public names are `compare.<name>`; ``occam prior|posterior|learnability`` load their module
when the command runs).
"""
