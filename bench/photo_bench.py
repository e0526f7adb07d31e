"""Photo ingest, split between the request and the job, against a plain full decode of the same photos.

Run from the repository root:  python bench/photo_bench.py [--image PATH ...] [--runs N] [--rounds N]

Without --image, uses the real phone photos of shared/photos beside the checkout (two JPEGs and an
iPhone HEIC; see tests/real_photos.py). One process, pinned to one CPU (os.sched_setaffinity), so
the job's helper thread cannot run alongside: what a single-core server gets. Each round times, per
photo and in alternation, each task --runs times (so that a machine getting busier or quieter weighs
on all of them); each figure is the median of all its runs:
  request   what finishing an upload does with the bytes: SHA-256 of the file, then
            inspector.imaging.check_container (structure up to EOI / every HEIF box and item extent,
            header size, EXIF; no pixel decoded);
  job       inspector.imaging.ingest_image, the `process_photo` job: the full decode check and the
            thumb and display copies;
  baseline  PIL.Image.open(path).load(): decode the whole image at full size, nothing else.
RESULT lines (lower is better) compare the sums over the photos: request ÷ baseline (target 0.35) and
(request + job) ÷ baseline (target 1.2); the per-photo ratios are printed as info lines.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RUNS = 3
DEFAULT_ROUNDS = 3
REAL_PHOTOS = ("HMD_Nokia_8.3_5G.jpg", "jolla.jpg", "iphone_13_pro_max.HEIC")
REQUEST_TARGET = 0.35
WHOLE_TARGET = 1.2


def request_path(path: Path) -> None:
    """What the request that finishes an upload does with the assembled file."""
    from inspector.imaging import check_container

    digest = hashlib.sha256()
    with open(path, "rb") as fp:
        while block := fp.read(1024 * 1024):
            digest.update(block)
    check_container(path)


def job(path: Path) -> None:
    """What the process_photo job does: the full decode check and the derived sizes."""
    from inspector.imaging import ingest_image

    ingest_image(path)


def full_decode(path: Path) -> None:
    """What opening the photo with Pillow costs before doing anything with it."""
    from PIL import Image

    from inspector.imaging import _heif_image_file

    _heif_image_file()  # registers pillow_heif, so that Image.open reads the HEIC
    with Image.open(path) as image:
        image.load()


TASKS: dict[str, Callable[[Path], None]] = {"request": request_path, "job": job, "baseline": full_decode}


def real_photo_paths() -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from tests.real_photos import PHOTO_DIRS

    found = []
    for name in REAL_PHOTOS:
        for folder in PHOTO_DIRS:
            if (folder / name).is_file():
                found.append(folder / name)
                break
        else:
            raise SystemExit(f"{name} not found in {', '.join(map(str, PHOTO_DIRS))}")
    return found


def measure(paths: list[Path], runs: int, rounds: int) -> dict[Path, dict[str, float]]:
    """Each photo's median seconds per task, all alternating in this process."""
    samples = {path: {task: [] for task in TASKS} for path in paths}
    for path in paths:  # warm-up: imports, libheif and libjpeg initialised, page cache filled
        for work in TASKS.values():
            work(path)
    for _ in range(rounds):
        for _ in range(runs):
            for path in paths:
                for task, work in TASKS.items():
                    start = time.perf_counter()
                    work(path)
                    samples[path][task].append(time.perf_counter() - start)
    return {path: {task: statistics.median(seconds) for task, seconds in tasks.items()}
            for path, tasks in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", type=Path, action="append", help="a photo to use (repeatable)")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="timed runs per photo and task per round")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="alternating rounds")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    paths = args.image or real_photo_paths()

    from PIL import Image

    from inspector.imaging import check_container, ingest_image

    for path in paths:
        info = check_container(path)
        _, derivatives = ingest_image(path)
        sizes = []
        for name, data in derivatives.items():
            with Image.open(io.BytesIO(data)) as copy:
                sizes.append(f"{name} {copy.size[0]}x{copy.size[1]} {len(data) / 1e3:.0f} kB")
        print(f"photo: {path.name}, {info.width}x{info.height} {info.media_type}, {path.stat().st_size / 1e6:.1f} MB, "
              f"taken {info.exif['capture_time']}; {', '.join(sizes)}")

    figures = measure(paths, args.runs, args.rounds)
    n = args.runs * args.rounds
    print(f"one process pinned to CPU {cpu}; medians of {n} runs each, tasks alternating")
    for path, f in figures.items():
        print(f"info: {path.name}: request {f['request'] * 1e3:.1f} ms, job {f['job'] * 1e3:.1f} ms, "
              f"full decode {f['baseline'] * 1e3:.1f} ms; request {f['request'] / f['baseline']:.3f}x, "
              f"request + job {(f['request'] + f['job']) / f['baseline']:.2f}x")
    total = {task: sum(f[task] for f in figures.values()) for task in TASKS}
    print(f"RESULT photo_request_path_vs_full_decode {total['request'] / total['baseline']:.3f} "
          f"target {REQUEST_TARGET}")
    print(f"RESULT photo_request_plus_job_vs_full_decode {(total['request'] + total['job']) / total['baseline']:.2f} "
          f"target {WHOLE_TARGET}")


if __name__ == "__main__":
    main()
