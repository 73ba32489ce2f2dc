"""Errors that mean "the input is wrong": the command line shows their message as one line."""

from __future__ import annotations


class ConfigError(ValueError):
    """A configuration value is unknown, mistyped or inconsistent."""


class DataError(ValueError):
    """The data folder does not have the expected layout."""


class WeightsUnavailableError(RuntimeError):
    """The requested backbone weights cannot be obtained; the message is one sentence for the user."""


class RuntimeSetupError(RuntimeError):
    """The requested device layout cannot be set up in this process."""


USER_ERRORS: tuple[type[Exception], ...] = (
    ConfigError,
    DataError,
    WeightsUnavailableError,
    RuntimeSetupError,
    FileNotFoundError,
)
