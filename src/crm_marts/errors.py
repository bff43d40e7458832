"""Typed errors, each mapped to a CLI exit code."""

from __future__ import annotations


class CrmMartsError(Exception):
    """Base class; `exit_code` is what the CLI exits with."""

    exit_code = 1


class InputError(CrmMartsError):
    """Bad usage or bad input files: the user must fix something (exit 2)."""

    exit_code = 2


class BuildError(CrmMartsError):
    """A dbt model or test failed (exit 1)."""

    exit_code = 1
