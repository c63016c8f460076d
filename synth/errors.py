"""The one exception family of `synth`."""

__all__ = ["SynthError"]


class SynthError(ValueError):
    """A user's mistake in a `synth` call: the message says what was wrong and where."""
