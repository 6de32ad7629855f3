"""raidwatch: evidence-backed dataset of police anti-trafficking raids."""
__version__ = "0.1.0"
