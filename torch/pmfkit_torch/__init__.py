"""PMFKit's exported networks in PyTorch (docs/export.md)."""
