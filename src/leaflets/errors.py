"""The one exception hierarchy of leaflets; ``cli.py`` turns it into messages and exit codes."""

from __future__ import annotations

from pathlib import Path


class LeafletsError(Exception):
    """Base class of every error a user can cause with bad input."""

    exit_code = 1


class ConfigError(LeafletsError):
    """``leaflets.toml`` is missing, malformed or inconsistent."""

    exit_code = 2


class SettingsError(ConfigError):
    """Every problem of one settings file, each as ``path:line: message``."""

    def __init__(self, path: Path | str, problems: list[tuple[int | None, str]]):
        self.path, self.problems = Path(path), problems
        super().__init__(
            "\n".join(
                f"{path}:{line}: {message}" if line else f"{path}: {message}" for line, message in problems
            )
        )


class UnknownNameError(LeafletsError):
    """A leaflet, locale or edition that the project does not declare."""

    exit_code = 2

    def __init__(self, kind: str, name: str, known: list[str] | tuple[str, ...]):
        self.kind, self.name, self.known = kind, name, list(known)
        super().__init__(f"unknown {kind} {name!r}; known: {', '.join(self.known) or '(none)'}")


class SourceError(LeafletsError):
    """A problem at a place in a file, reported as ``path:line: message``."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path, self.line, self.message = Path(path), line, message
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {message}")


class OutsideProjectError(SourceError):
    """A file name, or a link, that leads outside the project's folders."""


class NotAProjectError(ConfigError):
    """A command that writes was run outside any project: it would write into the tool itself."""


class OutputError(LeafletsError):
    """The output folder cannot be written (read-only, full, missing, locked)."""


class CatalogError(SourceError):
    """A gettext catalogue that cannot be read."""


class TemplateError(SourceError):
    """A Jinja template that cannot be compiled or rendered."""


class UnsafeTranslationError(SourceError):
    """A translation adds markup or placeholders that its source string does not have."""


class MissingGlyphError(LeafletsError):
    """Text that no bundled font can draw: it would print as empty boxes."""


class FetchRefusedError(LeafletsError):
    """The document asked for a resource outside the allowed asset folders."""


class RenderError(LeafletsError):
    """WeasyPrint failed on a document."""


class ReleaseRefusedError(LeafletsError):
    """A release build would have produced a document marked as a draft."""
