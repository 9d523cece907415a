"""The README's usage line and configuration table say exactly what `mini-init --help` prints."""

import re
import subprocess
from pathlib import Path

from mini_init_tools.paths import REPO_ROOT

README = REPO_ROOT / "README.md"
TABLE_ROW = re.compile(r"^\| `(?P<name>EP_[A-Z_]+)` \| (?P<default>`[^`]*`|\(unset\)) \|")


def readme_section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def readme_usage_line() -> str:
    """The first indented line of the README's Usage section: its code block."""
    for line in readme_section("Usage").splitlines():
        if line.startswith("    "):
            return line.strip()
    raise AssertionError("the README's Usage section has no indented usage line")


def readme_defaults() -> list[tuple[str, str]]:
    """(variable, default) for each row of the README's configuration table; unset is ''."""
    rows = []
    for line in readme_section("Configuration").splitlines():
        match = TABLE_ROW.match(line)
        if match:
            default = match["default"]
            rows.append((match["name"], "" if default == "(unset)" else default.strip("`")))
    return rows


def help_text(binary: Path) -> list[str]:
    finished = subprocess.run(
        [str(binary), "--help"], capture_output=True, text=True, timeout=30, check=False
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stderr == ""
    return finished.stdout.splitlines()


def help_defaults(lines: list[str]) -> list[tuple[str, str]]:
    """(variable, default) for each "  NAME=default" line after "environment (defaults):"."""
    start = lines.index("environment (defaults):")
    return [tuple(line.strip().split("=", 1)) for line in lines[start + 1 :]]  # type: ignore[misc]


def test_usage_line_is_the_first_line_of_help(init_binary: Path) -> None:
    assert help_text(init_binary)[0] == readme_usage_line()


def test_configuration_table_lists_every_variable_of_help_with_its_default(
    init_binary: Path,
) -> None:
    assert readme_defaults() == help_defaults(help_text(init_binary))
