"""Downloading, verifying and unpacking dataset files.

Downloads are atomic: bytes go to a temporary file in the destination folder, the
length and MD5 are checked, and only then is the file renamed into place. A killed or
failed download leaves at most a ``*.part`` file, which no loader ever reads.
"""
import gzip
import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile

__all__ = ["calculate_md5", "check_md5", "check_integrity", "download_url",
           "extract_archive", "download_and_extract_archive"]

USER_AGENT = "numtorch"
_CHUNK = 1 << 20


def calculate_md5(fpath, chunk_size=_CHUNK):
    md5 = hashlib.md5(usedforsecurity=False) if sys.version_info >= (3, 9) else hashlib.md5()
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5, **kwargs):
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5=None):
    """True if ``fpath`` exists and (when ``md5`` is given) has that MD5."""
    if not os.path.isfile(fpath):
        return False
    if md5 is None:
        return True
    return check_md5(fpath, md5)


class _Progress:
    """Download progress: tqdm when installed, else a single updating stderr line."""

    def __init__(self, total, desc):
        self.total, self.desc, self.done = total, desc, 0
        self._bar = None
        try:
            from tqdm import tqdm
            self._bar = tqdm(total=total, unit="B", unit_scale=True, desc=desc, leave=False)
        except ImportError:
            self._last = -1

    def update(self, n):
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        if self.total:
            pct = int(100 * self.done / self.total)
            if pct != self._last:
                self._last = pct
                sys.stderr.write(f"\r{self.desc}: {pct:3d}% ({self.done}/{self.total} bytes)")
                sys.stderr.flush()

    def close(self):
        if self._bar is not None:
            self._bar.close()
        elif self.total:
            sys.stderr.write("\n")


def _urlretrieve_atomic(url, fpath, md5=None, timeout=60):
    """Fetch ``url`` into ``fpath`` via a temporary file in the same folder."""
    root = os.path.dirname(fpath) or "."
    fd, tmp = tempfile.mkstemp(dir=root, prefix=os.path.basename(fpath) + ".", suffix=".part")
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            total = int(length) if length is not None else None
            progress = _Progress(total, os.path.basename(fpath))
            received = 0
            try:
                while True:
                    chunk = resp.read(_CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    received += len(chunk)
                    progress.update(len(chunk))
            finally:
                progress.close()
            if total is not None and received != total:
                raise RuntimeError(f"Download of {url} is truncated: got {received} of "
                                   f"{total} bytes")
            out.flush()
            os.fsync(out.fileno())
        if md5 is not None:
            actual = calculate_md5(tmp)
            if actual != md5:
                raise RuntimeError(f"Checksum mismatch for {url}: expected MD5 {md5}, got "
                                   f"{actual}. The file was not kept.")
        os.replace(tmp, fpath)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def download_url(url, root, filename=None, md5=None, max_redirect_hops=3):
    """Download ``url`` to ``root/filename`` (skipped if a file with that MD5 is there).

    Raises:
        RuntimeError: naming the URL and the root when the server cannot be reached, the
            transfer is cut short, or the checksum does not match.
    """
    root = os.path.expanduser(os.fspath(root))
    filename = filename or os.path.basename(url)
    fpath = os.path.join(root, filename)
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        print("Using downloaded and verified file: " + fpath)
        return
    print(f"Downloading {url} to {fpath}")
    try:
        _urlretrieve_atomic(url, fpath, md5)
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise RuntimeError(f"Could not download {url} into {root}: {reason}. Check the network "
                           f"connection, or place {filename} in {root} by hand.") from e


def _extract_gzip(from_path, to_path):
    tmp_dir = os.path.dirname(to_path) or "."
    fd, tmp = tempfile.mkstemp(dir=tmp_dir, prefix=os.path.basename(to_path) + ".",
                               suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, gzip.open(from_path, "rb") as src:
            shutil.copyfileobj(src, out, _CHUNK)
        os.replace(tmp, to_path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Unpack a ``.tar(.gz|.bz2|.xz)``, ``.tgz``, ``.zip`` or ``.gz`` file; returns the folder."""
    from_path = os.fspath(from_path)
    if to_path is None:
        to_path = os.path.dirname(from_path)
    name = from_path.lower()
    if name.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz")):
        with tarfile.open(from_path, "r:*") as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(to_path, filter="data")
            else:  # pragma: no cover (old Pythons)
                for member in tar.getmembers():
                    target = os.path.realpath(os.path.join(to_path, member.name))
                    if not target.startswith(os.path.realpath(to_path) + os.sep):
                        raise RuntimeError(f"Unsafe path in archive {from_path}: {member.name}")
                tar.extractall(to_path)
    elif name.endswith(".zip"):
        with zipfile.ZipFile(from_path) as z:
            z.extractall(to_path)
    elif name.endswith(".gz"):
        _extract_gzip(from_path, os.path.join(to_path, os.path.basename(from_path)[:-3]))
    else:
        raise RuntimeError(f"Extraction of {from_path} not supported")
    if remove_finished:
        os.remove(from_path)
    return to_path


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None,
                                 remove_finished=False):
    download_root = os.path.expanduser(os.fspath(download_root))
    extract_root = extract_root or download_root
    filename = filename or os.path.basename(url)
    download_url(url, download_root, filename, md5)
    archive = os.path.join(download_root, filename)
    print(f"Extracting {archive} to {extract_root}")
    extract_archive(archive, extract_root, remove_finished)
