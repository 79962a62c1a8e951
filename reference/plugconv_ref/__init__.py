"""Python helpers of the reference scripts that make the repository's fixtures (see reference/README.md)."""
