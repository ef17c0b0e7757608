"""Writes of user data: atomic, in the user's file mode, through symlinks, and never over a save
made by another program.

A file is written to a temporary file first, then renamed into place, so a reader (or a crash)
sees the old file or the new one, never a torn one. Temporary files go to the workspace's
`.bip/tmp` (ignored by git) when it is on the same filesystem, else beside the file with a
hidden name; either way a temporary file left by a killed bip is removed by the next write.
Where the system can swap two files atomically (Linux `renameat2`, macOS `renamex_np`), a
checked write swaps the new file in and looks at what it displaced: a save by an editor that
landed after bip's last look is put back, never lost.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from toolkit.errors import BadInput, BipError, ConcurrentEdit

BOM = "\ufeff"
TMP_SUFFIX = ".bip-tmp"
LOCK_TIMEOUT = 120.0  # seconds another bip may hold a lock before we give up waiting
_TMP_NAME = re.compile(r"^\.?(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}" + re.escape(TMP_SUFFIX) + "$")
_OLD_TMP_NAME = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")  # mkstemp's, before 0.x
_OLD_TMP_AGE = 600.0


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text_style(data: bytes) -> tuple[bool, bool]:
    """(has a BOM, uses CRLF line endings) of a text file's bytes."""
    bom = data.startswith(BOM.encode("utf-8"))
    crlf = b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
    return bom, crlf


def file_style(path: Path, text: str) -> tuple[bool, bool]:
    """(has a BOM, uses CRLF) of the file at `path`, whose decoded text (BOM dropped) is `text`."""
    try:
        with open(path, "rb") as fh:
            bom = fh.read(3) == BOM.encode("utf-8")
    except OSError:
        bom = False
    return bom, "\r\n" in text and text.count("\n") == text.count("\r\n")


def styled(text: str, bom: bool, crlf: bool) -> bytes:
    """`text` (LF or mixed line endings, no BOM) encoded in a file's own style."""
    if crlf:
        text = re.sub(r"(?<!\r)\n", "\r\n", text)
    return ((BOM if bom and not text.startswith(BOM) else "") + text).encode("utf-8")


# --- writing ------------------------------------------------------------------------------------


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    atomic_write_bytes(path, text.encode(encoding))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that readers see the old or the new file, never a torn one.
    A symlink stays a symlink (the file it points to is replaced); a new file gets the user's
    usual mode (0666 less the umask), a replaced one keeps its mode."""
    target = _real(Path(path))
    tmp = _write_temp(target, data)
    try:
        _move_into_place(tmp, target)
    except BaseException:
        _unlink(tmp)
        raise
    _fsync_dir(target.parent)


def write_checked(path: Path, data: bytes, expected: str | None) -> bool:
    """Write `data` at `path` only if the file still holds what bip read: `expected` is the
    digest of its bytes (None: there was no file). Returns False, leaving the other program's
    file in place, when it changed; the caller reads it again and re-applies its change."""
    target = _real(Path(path))
    tmp = _write_temp(target, data)
    try:
        if expected is None:
            return _create_from(tmp, target)
        return _swap_checked(tmp, target, data, expected)
    finally:
        _unlink(tmp)
        _fsync_dir(target.parent)


def create_exclusive(path: Path, data: bytes) -> bool:
    """Write a new file only if none exists; return False (touching nothing) if one does.
    Atomic too: a crash leaves no file or the whole file."""
    target = Path(path)
    if target.is_symlink() and not target.exists():
        return False  # a dangling link is somebody's: never write through it
    target = _real(target)
    if target.exists():
        return False
    tmp = _write_temp(target, data)
    try:
        return _create_from(tmp, target)
    finally:
        _unlink(tmp)
        _fsync_dir(target.parent)


def _real(path: Path) -> Path:
    """The file a path names, through any symlinks, so the link itself survives the write."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _write_temp(target: Path, data: bytes) -> Path:
    """A temporary file holding `data`, on the target's filesystem, in the mode the result
    should have. Removes temporary files that killed bip processes left there."""
    folder = _temp_folder(target)
    hidden = "" if folder != target.parent else "."
    _remove_stale(folder, target)
    mode = None
    with contextlib.suppress(OSError):
        mode = target.stat().st_mode & 0o7777
    # A long name would make the temporary name too long where the real one is not.
    stem = target.name if len(target.name.encode()) <= 180 else digest(target.name.encode())[:16]
    for _ in range(100):
        tmp = folder / f"{hidden}{stem}.{os.getpid()}.{os.urandom(4).hex()}{TMP_SUFFIX}"
        try:
            # 0o666 less the umask, as any editor would create it (mkstemp's 0600 would hide
            # journal pages and posts from a web server).
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise _write_error(exc, target) from None
    else:  # pragma: no cover - 100 collisions of 32 random bits
        raise BipError(f"could not create a temporary file for {target}")
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_all(fh, data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException as exc:
        _unlink(tmp)
        if isinstance(exc, OSError):
            raise _write_error(exc, target) from None
        raise
    return tmp


def _write_all(fh: BinaryIO, data: bytes) -> None:
    fh.write(data)  # a seam: tests/hostile pauses a real bip here, mid-write, and kills it


_O_BINARY = getattr(os, "O_BINARY", 0)


def _temp_folder(target: Path) -> Path:
    """`.bip/tmp` of the workspace holding `target` if it shares the target's filesystem (git
    ignores `.bip`), else the target's own folder."""
    parent = target.parent
    try:
        device = parent.stat().st_dev
    except OSError:
        return parent
    for folder in (parent, *parent.parents):
        state = folder / ".bip"
        try:
            if not state.is_dir() or state.stat().st_dev != device:
                if folder.stat().st_dev != device:
                    break  # left the filesystem: no rename can cross it
                continue
        except OSError:
            break
        tmp = state / "tmp"
        try:
            tmp.mkdir(mode=0o700, exist_ok=True)
            ignore = tmp / ".gitignore"
            if not ignore.exists():
                ignore.write_bytes(b"# bip's temporary files\n*\n")
        except OSError:
            break
        return tmp
    return parent


def _remove_stale(folder: Path, target: Path) -> None:
    """Delete temporary files of bip processes that no longer run (killed mid-write)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        match = _TMP_NAME.match(name)
        if match:
            if not _alive(int(match["pid"])):
                _unlink(folder / name)
        elif folder == target.parent:
            old = _OLD_TMP_NAME.match(name)
            if old and old["name"] == target.name:
                with contextlib.suppress(OSError):
                    if time.time() - (folder / name).stat().st_mtime > _OLD_TMP_AGE:
                        _unlink(folder / name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) is not a probe there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process: alive
    return True


def _move_into_place(tmp: Path, target: Path) -> None:
    """The rename (a seam: tests pause a real bip here and kill it or save the file)."""
    try:
        os.replace(tmp, target)
    except OSError as exc:
        raise _write_error(exc, target) from None


def _create_from(tmp: Path, target: Path) -> bool:
    """Give `tmp` the name `target` only if no file has it (a hard link is atomic and
    exclusive); False if one exists."""
    try:
        os.link(tmp, target)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise _write_error(exc, target) from None
    # No hard links here (FAT, some network shares): check, then rename.
    if target.exists():
        return False
    _move_into_place(tmp, target)
    return True


def _swap_checked(tmp: Path, target: Path, data: bytes, expected: str) -> bool:
    _before_swap(target)
    try:
        swapped = exchange(tmp, target)
    except FileNotFoundError:
        return False  # deleted since bip read it: the caller reads again and says so
    if swapped is None:  # no atomic swap on this system: check, then rename (a tiny window)
        if _digest_of(target) != expected:
            return False
        _move_into_place(tmp, target)
        return True
    # `tmp` now holds what `target` held at the instant of the swap.
    if _digest_of(tmp) == expected:
        return True
    # Another program saved after bip's last look: put its file back.
    exchange(tmp, target)
    if _digest_of(tmp) == digest(data):
        return False
    # A third save landed in between; keep every version (vanishingly rare).
    keep = target.with_name(f"{target.name}.bip-conflict-{os.urandom(3).hex()}")
    os.replace(tmp, keep)
    raise ConcurrentEdit(
        f"{target} was saved by another program while bip wrote it; "
        f"the version bip displaced is kept as {keep}",
        hint="compare the two files and keep the one you want",
    )


def _before_swap(target: Path) -> None:
    """Nothing; a seam where tests pause a real bip between its last look and the swap."""


def _digest_of(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _write_error(exc, path) from None


def exchange(a: Path, b: Path) -> bool | None:
    """Swap two files' names atomically; None where the system cannot."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - no C library to ask
        return None
    src, dst = os.fsencode(a), os.fsencode(b)
    if sys.platform.startswith("linux"):
        func = getattr(libc, "renameat2", None)
        if func is None:
            return None
        at_fdcwd, rename_exchange = -100, 2
        result = func(at_fdcwd, src, at_fdcwd, dst, rename_exchange)
    elif sys.platform == "darwin":  # pragma: no cover - not on the CI runner
        func = getattr(libc, "renamex_np", None)
        if func is None:
            return None
        result = func(src, dst, 0x2)  # RENAME_SWAP
    else:  # pragma: no cover
        return None
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return None  # this filesystem cannot swap
    if code == errno.ENOENT:
        raise FileNotFoundError(code, os.strerror(code), str(b))
    raise _write_error(OSError(code, os.strerror(code), str(b)), b)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not every platform lets you open a directory.
    try:
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def _write_error(exc: OSError, path: Path) -> BipError:
    """An OSError while writing `path` as a message a person can act on."""
    code = exc.errno
    if code == errno.ENAMETOOLONG:
        return BadInput(
            f"cannot write {path}: the file name is too long for this file system",
            hint="use a shorter title or name",
        )
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "the file system is read-only" if code == errno.EROFS else "permission denied"
        return BipError(
            f"cannot write {path}: {reason}",
            hint=f"check that you may write to {path.parent}",
        )
    if code == errno.ENOSPC:
        return BipError(f"cannot write {path}: no space left on the disk; nothing was changed")
    if code == errno.EISDIR or path.is_dir():  # renaming onto "." says EBUSY, not EISDIR
        return BadInput(f"cannot write {path}: it is a folder", hint="give a file name")
    if code == errno.ENOENT and not path.parent.is_dir():
        return BadInput(
            f"cannot write {path}: the folder {path.parent} does not exist",
            hint=f"create it first (mkdir -p {path.parent}) or give another path",
        )
    return BipError(f"cannot write {path}: {exc.strerror or exc}")


def read_error(exc: OSError, path: Path) -> BipError:
    """An OSError while reading `path` as a message a person can act on."""
    code = exc.errno
    if code == errno.ENOENT:
        return BadInput(f"{path} does not exist")
    if code == errno.EISDIR:
        return BadInput(f"{path} is a folder, not a file")
    if code in (errno.EACCES, errno.EPERM):
        return BipError(
            f"cannot read {path}: permission denied", hint=f"check the permissions of {path}"
        )
    if code == errno.ENAMETOOLONG:
        return BadInput(f"cannot read {path}: the name is too long")
    return BipError(f"cannot read {path}: {exc.strerror or exc}")


def read_regular(path: Path) -> bytes:
    """A user file's bytes; a folder, FIFO, device or unreadable file is a clear error (a FIFO
    would otherwise block bip forever)."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | _O_BINARY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise read_error(exc, path) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise BadInput(f"{path} is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise BadInput(
                f"{path} is not a regular file (a pipe or a device)",
                hint="bip reads and writes ordinary files only",
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise read_error(exc, path) from None
    finally:
        os.close(fd)


# --- locking ------------------------------------------------------------------------------------


@contextlib.contextmanager
def locked(lock_path: Path | None, what: str = "the file") -> Iterator[None]:
    """An exclusive lock between bip processes for a whole read-plan-write cycle: a second
    writer waits its turn (filelock: flock on POSIX, msvcrt on Windows)."""
    if lock_path is None:
        yield
        return
    from filelock import FileLock, Timeout

    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(exc, lock_path.parent) from None
    lock = FileLock(str(lock_path), timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except Timeout:
        raise BipError(
            f"another bip command has been writing {what} for {LOCK_TIMEOUT:.0f} s",
            hint="is a bip command still running (a check-in waiting for an answer)? "
            "finish it, then run this again",
        ) from None
    except OSError as exc:
        raise _write_error(exc, lock_path) from None
    try:
        yield
    finally:
        lock.release()
