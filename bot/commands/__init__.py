"""One function per command: edges -> core -> edges. Each returns an exit code."""
