"""The pure pipeline: no git, no network, no environment, no files, no clock."""
