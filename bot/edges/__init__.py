"""Everything that touches the world: files, git, forges, templates, the Actions runtime."""
