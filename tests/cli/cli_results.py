"""What a command run in-process (typer's ``CliRunner``) must show: success, or one error line."""

from __future__ import annotations

from typer.testing import Result


def ok(result: Result) -> Result:
    """``result``, after checking that its command exited 0 (its output shown if not)."""
    assert result.exit_code == 0, result.output
    return result


def one_line_error(result: Result) -> str:
    """The one line a failed command wrote: exit status 2, no traceback, on stderr a single line
    that starts ``error: ``, and nothing on stdout."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == "", result.stdout
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ")
    return line
