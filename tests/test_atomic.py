"""eventstudy.atomic.atomic_folder: complete and whole, or not at all."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

import eventstudy.atomic as atomic
from eventstudy.atomic import atomic_folder
from eventstudy.errors import InvalidParameterError


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def old_folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "manifest.json").write_text("old manifest")
    (out / "stale.png").write_bytes(b"old png")
    (out / "sub" / "x.csv").write_text("old")
    return out


def test_new_folder_is_created_with_exactly_the_written_files(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    with atomic_folder(out) as temp:
        assert temp.parent == out.parent and temp.name.startswith(".out.tmp-")
        assert not out.exists()  # nothing visible until the block completes
        (temp / "a.csv").write_text("a")
        (temp / "sub").mkdir()
        (temp / "sub" / "b.txt").write_text("b")
    assert tree(out) == {"a.csv": b"a", "sub/b.txt": b"b"}
    assert siblings(out) == ["out"]


def test_existing_folder_is_replaced_whole(tmp_path: Path) -> None:
    out = old_folder(tmp_path)
    with atomic_folder(out, marker="manifest.json") as temp:
        (temp / "manifest.json").write_text("new")
        assert tree(out)["stale.png"] == b"old png"  # old folder intact during the write
    assert tree(out) == {"manifest.json": b"new"}  # no stale file survives
    assert siblings(out) == ["out"]  # no trash, no temp


def test_exception_leaves_old_folder_untouched_and_no_temp(tmp_path: Path) -> None:
    out = old_folder(tmp_path)
    before = tree(out)
    with pytest.raises(ZeroDivisionError), atomic_folder(out) as temp:
        (temp / "manifest.json").write_text("half")
        raise ZeroDivisionError
    assert tree(out) == before
    assert siblings(out) == ["out"]


def test_keyboard_interrupt_leaves_nothing_when_there_was_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt), atomic_folder(out) as temp:
        (temp / "a.csv").write_text("a")
        raise KeyboardInterrupt
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_out_is_a_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("mine")
    with (
        pytest.raises(InvalidParameterError, match=r"`--out`.*a file") as info,
        atomic_folder(out, parameter="--out"),
    ):
        raise AssertionError("the block must not run")
    assert info.value.parameter == "--out"
    assert out.read_text() == "mine"
    assert siblings(out) == ["out"]


def test_foreign_folder_is_not_replaced_with_marker(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    with (
        pytest.raises(InvalidParameterError, match="manifest.json"),
        atomic_folder(out, marker="manifest.json"),
    ):
        raise AssertionError("the block must not run")
    assert (out / "thesis.tex").read_text() == "precious"


def test_empty_existing_folder_is_accepted_with_marker(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with atomic_folder(out, marker="manifest.json") as temp:
        (temp / "manifest.json").write_text("{}")
    assert tree(out) == {"manifest.json": b"{}"}


@pytest.mark.parametrize("which", ["cwd", "parent_of_cwd", "home"])
def test_protected_folders_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, which: str
) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    (work / "keep.txt").write_text("keep")
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(tmp_path / "a"))
    target = {"cwd": Path("."), "parent_of_cwd": Path(".."), "home": tmp_path / "a"}[which]
    with pytest.raises(InvalidParameterError, match="out"), atomic_folder(target):
        raise AssertionError("the block must not run")
    assert (work / "keep.txt").read_text() == "keep"


def test_root_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="root"), atomic_folder(Path("/")):
        raise AssertionError("the block must not run")


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True,
                    reason="root ignores folder permissions")
def test_unwritable_parent_is_a_typed_error(tmp_path: Path) -> None:
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(InvalidParameterError, match="writable"), atomic_folder(parent / "o"):
            raise AssertionError("the block must not run")
    finally:
        parent.chmod(stat.S_IRWXU)


def test_unwritable_parent_via_failing_mkdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same as above, for root too: mkdir fails with EACCES."""

    def deny(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", deny)
    with (
        pytest.raises(InvalidParameterError, match="Permission denied"),
        atomic_folder(tmp_path / "x" / "out"),
    ):
        raise AssertionError("the block must not run")


def test_failed_final_rename_restores_the_old_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = old_folder(tmp_path)
    before = tree(out)
    real_rename = os.rename

    def rename(src: str | Path, dst: str | Path) -> None:
        if Path(src).name.startswith(".out.tmp-"):
            raise OSError(5, "Input/output error")
        real_rename(src, dst)

    monkeypatch.setattr(atomic.os, "rename", rename)
    with (
        pytest.raises(InvalidParameterError, match="Input/output error"),
        atomic_folder(out) as temp,
    ):
        (temp / "new.csv").write_text("new")
    assert tree(out) == before
    assert siblings(out) == ["out"]


def test_files_are_fsynced_before_the_move(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    with atomic_folder(tmp_path / "out") as temp:
        for name in ("a", "b", "c"):
            (temp / name).write_text(name)
        assert synced == []
    # three files + the temporary folder + the parent after the rename
    assert len(synced) >= 5


def test_symlink_to_folder_replaces_its_target(tmp_path: Path) -> None:
    target = old_folder(tmp_path)
    link = tmp_path / "link"
    link.symlink_to(target, target_is_directory=True)
    with atomic_folder(link) as temp:
        (temp / "manifest.json").write_text("new")
    assert link.is_symlink()
    assert tree(link) == {"manifest.json": b"new"} == tree(target)


def test_concurrent_writers_last_one_wins_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def write(tag: str) -> None:
        try:
            with atomic_folder(out, marker="manifest.json") as temp:
                for i in range(20):
                    (temp / f"{tag}-{i}.csv").write_text(tag)
                (temp / "manifest.json").write_text(tag)
                barrier.wait(timeout=10)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(t,)) for t in "ABCD"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    files = tree(out)
    winner = files["manifest.json"].decode()
    assert set(files) == {"manifest.json"} | {f"{winner}-{i}.csv" for i in range(20)}
    assert set(files.values()) == {winner.encode()}  # one writer's folder, whole
    assert siblings(out) == ["out"]


def test_writer_that_lands_between_our_renames_is_replaced_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic version of the race: another writer's folder appears at ``out``
    after we moved the old one away and before our rename; we retry and win whole."""
    out = old_folder(tmp_path)
    real_rename = os.rename
    landed: list[bool] = []

    def rename(src: str | Path, dst: str | Path) -> None:
        if Path(src).name.startswith(".out.tmp-") and not landed:
            landed.append(True)
            (out / "other").mkdir(parents=True)  # the other writer's complete folder
            (out / "manifest.json").write_text("other")
        real_rename(src, dst)

    monkeypatch.setattr(atomic.os, "rename", rename)
    with atomic_folder(out, marker="manifest.json") as temp:
        (temp / "manifest.json").write_text("ours")
    assert landed == [True]
    assert tree(out) == {"manifest.json": b"ours"}
    assert siblings(out) == ["out"]
