"""The run loop behind the public agent classes."""
