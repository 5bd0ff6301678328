"""Red-team attacks on the local interpreter: every test runs in a capped, forked child."""
