"""mini-init-tools: build, image, test and benchmark tooling for the mini-init PID 1."""
