"""`python -m mini_init_tools`: the same command line as `mini-init-tools`."""

from mini_init_tools.cli import app

app(prog_name="mini-init-tools")
