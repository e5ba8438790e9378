"""Campaign kiosk: offline-first petition and pledge collection for street stalls."""

__version__ = "0.1.0"
