"""`mini-init-tools bench`: mini-init against tini, dumb-init and catatonit, interleaved."""
