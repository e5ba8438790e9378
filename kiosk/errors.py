"""One exception type per kind of failure; the CLI and the bridge turn each into a message people can act on."""


class KioskError(Exception):
    """Base for every failure the kiosk reports to a person rather than as a traceback."""


class ConfigError(KioskError):
    """The kiosk config file cannot be read or holds a bad value."""


class CampaignPackError(KioskError):
    """A campaign pack is missing or holds bad data.

    The message always names the file, the field and what is wrong.
    """

    def __init__(self, file: str, field: str, problem: str) -> None:
        self.file, self.field, self.problem = file, field, problem
        super().__init__(f"{file}: {field}: {problem}" if field else f"{file}: {problem}")


class StorageError(KioskError):
    """The local database cannot be opened, migrated or written (disk full, locked, corrupt, read-only)."""


class VaultError(KioskError):
    """Organiser keys are missing, or a passphrase/PIN is wrong."""


class VaultLockedError(VaultError):
    """An action needs the organiser passphrase and the vault is locked."""


class DecryptionError(VaultError):
    """A sealed record cannot be opened: its ciphertext or key was tampered with."""

    def __init__(self, record_id: str, reason: str = "authentication tag did not verify") -> None:
        self.record_id = record_id
        super().__init__(f"record {record_id} cannot be decrypted: {reason}")


class NoDisplayError(RuntimeError):
    """There is no screen to open a window on (the message says what to do instead)."""
