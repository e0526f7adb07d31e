"""Photo ingest against a plain full decode of the same 12-megapixel JPEG.

Run from the repository root:  python bench/photo_bench.py [--image PATH] [--runs N] [--rounds N]

Without --image, writes one camera-like 4000x3000 JPEG (quality 92, about 4.7 MB: a scene with a
printed label under grain, EXIF with capture time and GPS) to a temporary directory. Then child
processes, one after the other, each warm up once and time N runs of one task alone, in
--rounds alternating rounds (so that a machine getting busier or quieter weighs on both sides);
each figure is the median of all its runs:
  ours      inspector.imaging.ingest_image: verify by decoding, read EXIF, make thumb + display
            (after the decode, a helper thread takes half of the resize, then the thumbnail);
  baseline  PIL.Image.open(path).load(): decode the whole image at full size, nothing else.
A third child runs ours pinned to one CPU and prints it as an `info:` line: what a single-core
server gets, where the helper thread cannot run alongside.
Separate processes keep either task from running on heap pages the other left mapped: alternating
in one process, the full decode faults in about 40% fewer pages than it does alone, and page
faults are a quarter of its time. Peak memory is the growth of the resident set's high-water
mark (VmHWM) over the first run, because Pillow allocates pixels outside Python's allocator,
where tracemalloc cannot see them.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 4000, 3000
JPEG_QUALITY = 92  # what phone cameras typically write
GRAIN_SIGMA = 6  # sensor grain; with the scene below, about 4.7 MB at quality 92
TEXTURE_SIGMA = 30  # gravel, foliage, fabric: detail coarser than grain
DEFAULT_RUNS = 5
DEFAULT_ROUNDS = 3


def make_photo(path: Path) -> None:
    """Write a camera-like JPEG: a smooth scene with shapes and a label, grain, EXIF with GPS."""
    from PIL import Image, ImageChops, ImageDraw
    from PIL.ExifTags import GPS, IFD, Base

    rnd = random.Random(12)
    scene = Image.new("RGB", (WIDTH // 8, HEIGHT // 8))
    draw = ImageDraw.Draw(scene)
    for y in range(HEIGHT // 8):  # sky to ground
        t = y / (HEIGHT // 8)
        sky_to_soil = (int(120 + 100 * t), int(160 + 50 * t), int(230 - 140 * t))
        draw.line([(0, y), (WIDTH // 8, y)], fill=sky_to_soil)
    for _ in range(80):  # sacks, boxes, shelves
        x0, y0 = rnd.randrange(WIDTH // 8), rnd.randrange(HEIGHT // 8)
        box = [x0, y0, x0 + rnd.randrange(10, 140), y0 + rnd.randrange(10, 100)]
        colour = tuple(rnd.randrange(256) for _ in range(3))
        shape = draw.rectangle if rnd.random() < 0.6 else draw.ellipse
        shape(box, fill=colour, outline=(20, 20, 20))
    photo = scene.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(photo)
    for row in range(12):  # a product label: fine detail a reviewer must be able to read
        line = f"PD2025{row:04d}  batch 2025-06-01  net 500 mL"
        draw.text((600, 900 + row * 40), line, fill=(15, 15, 15))
    texture = Image.effect_noise((WIDTH // 4, HEIGHT // 4), TEXTURE_SIGMA)
    texture = texture.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC)
    photo = ImageChops.add(photo, texture.convert("RGB"), scale=1.0, offset=-128)
    grain = Image.merge("RGB", [Image.effect_noise((WIDTH, HEIGHT), GRAIN_SIGMA) for _ in range(3)])
    photo = ImageChops.add(photo, grain, scale=1.0, offset=-128)

    exif = Image.Exif()
    exif[Base.Make] = "HUAWEI"
    exif[Base.Model] = "ELS-AN00"
    exif[Base.Orientation] = 1
    exif[IFD.Exif] = {
        Base.DateTimeOriginal: "2025:06:01 09:12:55",
        Base.OffsetTimeOriginal: "+08:00",
    }
    exif[IFD.GPSInfo] = {
        GPS.GPSLatitudeRef: "N",
        GPS.GPSLatitude: (40.0, 16.0, 39.0),
        GPS.GPSLongitudeRef: "E",
        GPS.GPSLongitude: (111.0, 11.0, 37.0),
        GPS.GPSAltitude: 1012.5,
        GPS.GPSHPositioningError: 4.5,
    }
    photo.save(path, "JPEG", quality=JPEG_QUALITY, exif=exif)


def ingest(path: Path) -> None:
    """What the server does once per uploaded photo."""
    from inspector.imaging import ingest_image

    ingest_image(path)


def full_decode(path: Path) -> None:
    """What opening the photo with Pillow costs before doing anything with it."""
    from PIL import Image

    with Image.open(path) as image:
        image.load()


TASKS: dict[str, Callable[[Path], None]] = {"ours": ingest, "baseline": full_decode}
ONE_CPU = "ours-on-one-cpu"


def measure_in_child(task: str, path: Path, runs: int) -> dict[str, Any]:
    """Run one task in a fresh process; return its timed runs (seconds) and peak MB."""
    child = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", task, str(path), str(runs)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    return json.loads(child.stdout)


def measure(path: Path, runs: int, rounds: int) -> dict[str, dict[str, float]]:
    """Each task's median and min seconds over all rounds, and its peak MB (the largest seen)."""
    samples: dict[str, list[float]] = {task: [] for task in (*TASKS, ONE_CPU)}
    peaks: dict[str, float] = dict.fromkeys(samples, 0.0)
    for _ in range(rounds):
        for task in samples:
            result = measure_in_child(task, path, runs)
            samples[task] += result["seconds"]
            peaks[task] = max(peaks[task], result["peak_mb"])
    return {task: {"median": statistics.median(seconds), "min": min(seconds), "peak_mb": peaks[task]}
            for task, seconds in samples.items()}


def child(task: str, path: Path, runs: int) -> None:
    """Time task alone: peak memory over a first (warm-up) run, then runs timed runs."""
    if task == ONE_CPU:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        task = "ours"
    work = TASKS[task]
    import PIL.JpegImagePlugin  # noqa: F401  (imports are not the task's cost)

    import inspector.imaging  # noqa: F401

    before = _high_water_kib()
    work(path)
    peak_mb = (_high_water_kib() - before) / 1024
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        work(path)
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))


def _high_water_kib() -> int:
    """Peak resident set of this process so far, in KiB (Linux).

    getrusage's ru_maxrss is not used because Linux carries it over from the parent across exec.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", type=Path, help="a JPEG to use instead of the generated one")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="timed runs per child process")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="child processes per task")
    parser.add_argument("--child", nargs=3, metavar=("TASK", "PATH", "RUNS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        task, path, runs = args.child
        child(task, Path(path), int(runs))
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = args.image
        if path is None:
            path = Path(tmp) / "photo.jpg"
            make_photo(path)
        run_bench(path, args.runs, args.rounds)


def run_bench(path: Path, runs: int, rounds: int) -> None:
    """Print what ingest produces, both timings, peak memory and the RESULT line."""
    from PIL import Image

    from inspector.imaging import ingest_image

    info, derivatives = ingest_image(path)
    print(f"photo: {path.name}, {info.width}x{info.height} {info.media_type}, "
          f"{path.stat().st_size / 1e6:.1f} MB, orientation {info.orientation}")
    print(f"exif: {info.exif}")
    for name, data in derivatives.items():
        with Image.open(io.BytesIO(data)) as copy:
            print(f"{name}: {copy.size[0]}x{copy.size[1]} JPEG, {len(data) / 1e3:.0f} kB")

    figures = measure(path, runs, rounds)
    ours, baseline, one_cpu = figures["ours"], figures["baseline"], figures[ONE_CPU]
    n = runs * rounds
    print(f"ours (verify + EXIF + thumb + display), median of {n}: {ours['median'] * 1e3:.1f} ms "
          f"(min {ours['min'] * 1e3:.1f})")
    print(f"baseline Image.open().load() at full size, median of {n}: "
          f"{baseline['median'] * 1e3:.1f} ms (min {baseline['min'] * 1e3:.1f})")
    print(f"info: ours pinned to one CPU (of {len(os.sched_getaffinity(0))}): "
          f"{one_cpu['median'] * 1e3:.1f} ms, {one_cpu['median'] / baseline['median']:.2f}x the baseline")
    print(f"peak memory of one ingest: {ours['peak_mb']:.0f} MB "
          f"(full decode alone: {baseline['peak_mb']:.0f} MB)")
    print(f"RESULT photo_ingest_vs_full_decode {ours['median'] / baseline['median']:.2f} target 1.0")


if __name__ == "__main__":
    main()
