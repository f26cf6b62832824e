"""Write an output folder atomically: complete and whole, or not at all.

:func:`atomic_folder` is a context manager that yields a fresh temporary folder
*beside* the destination (same parent, so the same file system) and, only when
the ``with`` block finishes without an exception, moves it into place::

    with atomic_folder(out, marker="manifest.json") as tmp:
        (tmp / "a.csv").write_bytes(...)
        (tmp / "manifest.json").write_text(...)
    # here `out` holds exactly a.csv and manifest.json

Guarantees
----------
- **Nothing half-written.** An exception inside the block (including
  ``KeyboardInterrupt``) removes the temporary folder and leaves ``out``
  exactly as it was: the previous complete folder, or nothing.
- **Replaced whole.** On success an existing ``out`` folder is replaced as a
  whole, never merged: no stale file of an earlier run survives. The old folder
  is renamed to a hidden trash name, the new one renamed into place, then the
  trash removed. Between the two renames (two ``rename`` system calls) ``out``
  briefly does not exist; a reader sees the old complete folder, no folder, or
  the new complete folder, never a mix.
- **Durable.** Every file and folder written is ``fsync``-ed before the move,
  and the parent folder after it, so a crash right after the block does not
  leave a complete-looking folder with empty files.
- **Concurrent writers.** Two writers on the same ``out`` each build their own
  temporary folder; the last one to finish wins whole (the loser's complete
  folder is replaced, not mixed).
- **Refusals.** ``out`` existing as a file (or anything not a folder) raises
  :class:`~eventstudy.errors.InvalidParameterError` naming the parameter; so do
  an ``out`` that is the file-system root, the home folder, the current folder
  or one of its ancestors, and, when ``marker`` is given, an existing non-empty
  folder that does not contain ``marker`` (it was not written by us, so it is
  not ours to delete). A folder that cannot be created (permissions, read-only
  file system) raises the same error with the operating system's reason.

Temporary and trash folders are named ``.<name>.tmp-<random>`` and
``.<name>.old-<random>`` beside ``out``. Only a process killed without a
chance to clean up (``SIGKILL``, power loss) can leave one behind; it is never
mistaken for ``out``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from eventstudy.errors import InvalidParameterError

__all__ = ["atomic_folder"]

_TEMP_INFIX = ".tmp-"
_TRASH_INFIX = ".old-"
_MAX_ATTEMPTS = 20


def _hidden_sibling(out: Path, infix: str) -> Path:
    return out.parent / f".{out.name}{infix}{secrets.token_hex(6)}"


def _fsync_path(path: Path, *, directory: bool) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if directory else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:
        if directory:  # e.g. Windows cannot open folders; nothing more to do there
            return
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not directory:
            raise
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    """``fsync`` every file and folder under ``root`` (folders after their contents)."""
    for folder, _subfolders, files in os.walk(root, topdown=False):
        for name in files:
            path = Path(folder) / name
            if not path.is_symlink():
                _fsync_path(path, directory=False)
        _fsync_path(Path(folder), directory=True)


def _refuse_dangerous(out: Path, parameter: str) -> None:
    resolved = out.resolve()
    if resolved == Path(resolved.anchor):
        raise InvalidParameterError(parameter, "an output folder, not the file-system root", str(out))
    with contextlib.suppress(RuntimeError):  # no home folder known
        if resolved == Path.home().resolve():
            raise InvalidParameterError(parameter, "an output folder, not the home folder", str(out))
    cwd = Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise InvalidParameterError(
            parameter,
            "an output folder that is not the current folder or one of its parents "
            "(it is replaced whole)",
            str(out),
        )


def _check_existing(out: Path, parameter: str, marker: str | None) -> None:
    if not os.path.lexists(out):
        return
    if not out.is_dir():
        raise InvalidParameterError(
            parameter, "a folder path (an existing file is never replaced)", f"{out} (a file)"
        )
    if marker is not None and not (out / marker).is_file() and any(out.iterdir()):
        raise InvalidParameterError(
            parameter,
            f"a new or empty folder, or an earlier output folder (one holding {marker}); "
            "this folder has other files and is not replaced",
            str(out),
        )


def _make_temp(out: Path, parameter: str) -> Path:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(_MAX_ATTEMPTS):
            temp = _hidden_sibling(out, _TEMP_INFIX)
            try:
                temp.mkdir()  # mode 0o777 & ~umask, like any folder the user creates
            except FileExistsError:
                continue
            return temp
    except OSError as exc:
        raise InvalidParameterError(
            parameter, f"a writable folder path ({exc.strerror or exc})", str(out)
        ) from exc
    raise InvalidParameterError(parameter, "a folder path with a free temporary name", str(out))


def _move_into_place(temp: Path, out: Path, parameter: str, marker: str | None) -> None:
    """Rename ``temp`` to ``out``, first moving any existing ``out`` to a trash name."""
    trash: list[Path] = []
    try:
        for _ in range(_MAX_ATTEMPTS):
            _check_existing(out, parameter, marker)
            old: Path | None = None
            if os.path.lexists(out):
                old = _hidden_sibling(out, _TRASH_INFIX)
                try:
                    os.rename(out, old)
                    trash.append(old)
                except FileNotFoundError:  # a concurrent writer moved it first
                    old = None
            try:
                os.rename(temp, out)
                return
            except OSError as exc:
                # Another writer put a folder at `out` between our two renames: retry.
                if exc.errno in (errno.ENOTEMPTY, errno.EEXIST) or isinstance(
                    exc, FileExistsError
                ):
                    continue
                if old is not None and not os.path.lexists(out):
                    os.rename(old, out)  # put the previous folder back
                    trash.remove(old)
                raise InvalidParameterError(
                    parameter, f"a folder path that can be replaced ({exc.strerror or exc})",
                    str(out),
                ) from exc
        raise InvalidParameterError(
            parameter, "a folder not rewritten concurrently by many writers", str(out)
        )
    finally:
        for path in trash:
            shutil.rmtree(path, ignore_errors=True)
        with contextlib.suppress(OSError):
            _fsync_path(out.parent, directory=True)


@contextlib.contextmanager
def atomic_folder(
    out: str | Path, *, parameter: str = "out", marker: str | None = None
) -> Iterator[Path]:
    """Yield a temporary folder beside ``out``; move it to ``out`` whole on success.

    Parameters
    ----------
    out
        Destination folder. Its parent is created if needed. If ``out`` is a
        symbolic link to a folder, the link's target is replaced.
    parameter
        Name used in error messages (e.g. ``"out"`` or ``"--out"``).
    marker
        File name that marks a folder as an earlier output (e.g.
        ``"manifest.json"``). If given, an existing non-empty ``out`` without
        it is refused rather than deleted. ``None``: any existing folder is
        replaced (only the root, home, current folder and its ancestors are
        always refused).

    Yields
    ------
    pathlib.Path
        The empty temporary folder to write into.

    Raises
    ------
    InvalidParameterError
        ``out`` exists and is not a folder, is a protected folder, is a foreign
        non-empty folder (with ``marker``), or cannot be written.

    Notes
    -----
    See the module docstring for the exact guarantees. The checks on an
    existing ``out`` run before the block (fail fast, nothing is computed in
    vain) and again just before the move (the folder may have changed).
    """
    out = Path(out)
    if out.is_symlink() and out.is_dir():
        out = out.resolve()
    _refuse_dangerous(out, parameter)
    _check_existing(out, parameter, marker)
    temp = _make_temp(out, parameter)
    try:
        yield temp
        _fsync_tree(temp)
        _move_into_place(temp, out, parameter, marker)
    finally:
        if os.path.lexists(temp):  # failure anywhere above: leave `out` as it was
            shutil.rmtree(temp, ignore_errors=True)
