"""Code executors: the shared interface and one module per sandbox."""
