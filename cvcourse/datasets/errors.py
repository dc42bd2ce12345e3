"""The data layer's errors. Each message names the file and says how to fix it."""

from __future__ import annotations


class DataError(Exception):
    """Base class of every error the data layer raises."""


class CorruptFileError(DataError):
    """A file's content does not match the registry (truncated, damaged or a different file)."""


class DataUnavailableError(DataError):
    """A file is in no cache, no mirror, and its origin could not be reached."""


class BadDataError(DataError):
    """A dataset's files are readable but their content is wrong (missing values, missing images)."""
