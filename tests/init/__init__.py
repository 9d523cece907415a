"""Binary-level tests of the init, for every architecture, as a plain child and as PID 1."""
