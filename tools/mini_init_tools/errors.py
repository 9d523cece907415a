"""The one exception the tool raises for problems a user can fix; the CLI prints it as one line."""


class ToolError(Exception):
    """A user-fixable failure. The message says what went wrong and how to fix it, in one line."""
