"""The one exception family of `compare`."""

__all__ = ["CompareError"]


class CompareError(ValueError):
    """A user's mistake in a `compare` call: the message says what was wrong and where."""
