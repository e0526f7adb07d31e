"""Case-file PDF with 40 twelve-megapixel photos: our renderer against a fair plain ReportLab document.

Run from the repository root:  python bench/pdf_bench.py [rounds]

Writes 40 noisy 4000x3000 JPEGs (quality 90, 3-6 MB each) to a temporary directory once, then
renders in child processes pinned to one CPU, alternating the kinds over several rounds (default 3)
so that a busy machine slows each kind alike; the median of each kind is compared:
  plain      the fair alternative a ReportLab user would write: SimpleDocTemplate, one page per
             photo, each photo upright (exif_transpose) and downscaled with Pillow's thumbnail (which
             decodes JPEGs at a reduced scale) to the same print size, written as binary image
             streams (not ReportLab's default ASCII85);
  ours-cold  CaseFileRenderer over a whole case (checklist, samples, one evidence sheet per photo,
             signatures, QR codes, two layout passes) with no print-size copies yet;
  ours-warm  the same with the print-size copies already made (the job makes them when the case is
             submitted), the usual case for a download;
  originals  (once, for size) the plain document embedding the original files.
Targets: warm <= 0.5x and cold <= 1.0x the plain document's time; size <= 0.1x the originals'.
The PDFs are kept in bench/out/.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PHOTOS = 40
WIDTH, HEIGHT = 4000, 3000
JPEG_QUALITY = 90
NOISE_SIGMA = 12  # sensor grain; sets the file size (about 4.5 MB at quality 90)


def make_photos(directory: Path) -> list[Path]:
    """40 camera-like JPEGs: a smooth scene of shapes under full-resolution grain, EXIF dated."""
    from PIL import Image, ImageChops, ImageDraw

    grain = Image.merge("RGB", [Image.effect_noise((WIDTH, HEIGHT), NOISE_SIGMA) for _ in range(3)])
    paths = []
    for n in range(PHOTOS):
        rnd = random.Random(n)
        scene = Image.new("RGB", (WIDTH // 8, HEIGHT // 8))
        draw = ImageDraw.Draw(scene)
        for y in range(HEIGHT // 8):
            t = y / (HEIGHT // 8)
            draw.line([(0, y), (WIDTH // 8, y)], fill=(int(110 + 110 * t), int(150 + 70 * t), int(225 - 130 * t)))
        for _ in range(70):  # sacks, boxes, shelves
            x0, y0 = rnd.randrange(WIDTH // 8), rnd.randrange(HEIGHT // 8)
            box = [x0, y0, x0 + rnd.randrange(10, 140), y0 + rnd.randrange(10, 100)]
            colour = tuple(rnd.randrange(256) for _ in range(3))
            (draw.rectangle if rnd.random() < 0.6 else draw.ellipse)(box, fill=colour, outline=(20, 20, 20))
        photo = scene.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC)
        shifted = ImageChops.offset(grain, rnd.randrange(WIDTH), rnd.randrange(HEIGHT))
        photo = ImageChops.add(photo, shifted, scale=1.0, offset=-128)
        exif = Image.Exif()
        exif[0x0112] = 6 if n % 5 == 4 else 1  # every fifth photo taken in portrait
        exif[0x0132] = f"2026:03:05 09:{n:02d}:00"
        path = directory / f"photo-{n:02d}.jpg"
        photo.save(path, "JPEG", quality=JPEG_QUALITY, exif=exif)
        paths.append(path)
    return paths


class _DictCache:
    """The renderer's PhotoCache in memory (the service keeps it in files)."""

    def __init__(self) -> None:
        self.items: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.items.get(key)

    def put(self, key: str, data: bytes) -> None:
        self.items[key] = data


def run_ours(paths: list[Path], warm: bool) -> dict:
    sys.path.insert(0, str(ROOT))
    from inspector.pdf import CaseFileRenderer, register_cjk_font
    from inspector.pdf import styles as S
    from inspector.pdf.photos import prepare_for_print
    register_cjk_font(None)  # a worker loads its fonts once, not per file
    case = bench_case(paths)
    cache = _DictCache()
    if warm:  # made ahead, as the job does at submission: not part of the download's time
        for photo in case.photos:
            prepare_for_print(photo, S.PHOTO_TARGET_PX, cache)
    started = time.perf_counter()
    pdf = CaseFileRenderer(case, photo_cache=cache).render()
    seconds = time.perf_counter() - started
    (OUT / f"ours-{'warm' if warm else 'cold'}.pdf").write_bytes(pdf)
    return {"seconds": seconds, "bytes": len(pdf), "peak_mb": _peak_mb()}


def run_plain(paths: list[Path], originals: bool = False) -> dict:
    """The plain ReportLab document: photos downscaled with Pillow to our print size, or (originals)
    the original files embedded; binary image streams either way."""
    from reportlab import rl_config

    rl_config.useA85 = 0
    from PIL import Image as PILImage
    from PIL import ImageOps
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, PageBreak, SimpleDocTemplate

    target = (round(156 / 25.4 * 200), round(140 / 25.4 * 200))  # 156 x 140 mm at 200 dpi, as ours
    out = io.BytesIO()
    started = time.perf_counter()
    story = []
    for path in paths:
        if originals:
            story += [Image(str(path), width=153 * mm, height=115 * mm), PageBreak()]
            continue
        with PILImage.open(path) as original:
            original.thumbnail((max(target), max(target)))  # decodes at 1/2, 1/4 or 1/8 scale first
            upright = ImageOps.exif_transpose(original).convert("RGB")
        upright.thumbnail(target, PILImage.Resampling.LANCZOS)
        buffer = io.BytesIO()
        upright.save(buffer, "JPEG", quality=80)
        width, height = upright.size
        scale = min(156 * mm / width, 140 * mm / height)
        story += [Image(io.BytesIO(buffer.getvalue()), width=width * scale, height=height * scale), PageBreak()]
    SimpleDocTemplate(out, pagesize=A4).build(story)
    seconds = time.perf_counter() - started
    (OUT / ("plain-originals.pdf" if originals else "plain.pdf")).write_bytes(out.getvalue())
    return {"seconds": seconds, "bytes": len(out.getvalue()), "peak_mb": _peak_mb()}


def bench_case(paths: list[Path]):
    """A realistic case file around the 40 photos."""
    from inspector.pdf.data import (
        CaseFile, ChecklistItem, ChecklistSection, EvidencePhoto, GeoPoint, Inspector, Party,
        ResultStatus, Sample, Signature, Signatures, StandardAnswers, Verification, original_from_path,
    )
    first, second = Inspector("王建国", "15010220190031"), Inspector("李明", "15010220200457")
    start = datetime(2026, 3, 5, 9, 0)
    items = tuple(
        ChecklistItem(f"item.{i}", f"检查项目第{i + 1}项", "pass_fail_na",
                      "不符合" if i % 9 == 0 else "符合",
                      ResultStatus.FAIL if i % 9 == 0 else ResultStatus.PASS,
                      legal_basis="《中华人民共和国产品质量法》第二十七条")
        for i in range(30))
    photos = tuple(
        EvidencePhoto(sha256=hashlib.sha256(path.read_bytes()).hexdigest(), caption=f"现场照片第{n + 1}张",
                      inspector=first if n % 2 else second, open_original=original_from_path(path),
                      device_taken_at=start + timedelta(minutes=n), exif_taken_at=f"2026:03:05 09:{n:02d}:00",
                      gps=GeoPoint(40.8431, 111.6859, 5.0))
        for n, path in enumerate(paths))
    return CaseFile(
        agency_name="呼和浩特市新城区市场监督管理局", case_title="丰收农资经销部农资产品现场检查",
        inspection_subject="农资产品经营情况", case_number="呼新市监检〔2026〕12号", case_version=1,
        party=Party("呼和浩特市新城区丰收农资经销部", "92150102MA0N8K3T49", "赵丰收",
                    "呼和浩特市新城区成吉思汗大街88号", "0471-6281234"),
        inspectors=(first, second), started_at=start, ended_at=start + timedelta(hours=1, minutes=30),
        place="丰收农资经销部店内及仓库",
        answers=StandardAnswers("看清楚了", "不申请回避", "以上记录属实"),
        checklist=(ChecklistSection("一、化肥", items),),
        narrative="执法人员到达现场时，该经营部正在营业。" * 40,
        party_statement="没有意见。",
        samples=(Sample("复合肥料", "2袋", "120袋", seal_numbers=("FY2026-0311",)),),
        photos=photos,
        signatures=Signatures(
            party=Signature("赵丰收", refused=True, refusal_reason="老板不在", witness_name="孙立"),
            inspector1=Signature(first.name, signed_on=date(2026, 3, 5)),
            inspector2=Signature(second.name, signed_on=date(2026, 3, 5)),
        ),
        verification=Verification("https://nzdj.example.gov.cn/v", "bench"),
        issued_at=datetime(2026, 3, 7, 8, 30),
    )


def _peak_mb() -> float:
    """This process's peak resident memory since it started the child program.

    Linux carries ru_maxrss across exec, so a child forked from a parent that held 200 MB of
    generated photos would report at least that; VmHWM belongs to the new program only.
    """
    try:
        status = Path("/proc/self/status").read_text()
        return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _child(kind: str, directory: Path, cpu: int) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", kind, str(directory), str(cpu)],
                            capture_output=True, text=True, cwd=ROOT)
    if result.returncode:
        raise SystemExit(f"{kind} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(rounds: int) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    cpu = min(os.sched_getaffinity(0))
    kinds = ("plain", "ours-cold", "ours-warm")
    times: dict[str, list[float]] = {k: [] for k in kinds}
    last: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="pdf-bench-") as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        paths = make_photos(directory)
        sizes = [p.stat().st_size / 1e6 for p in paths]
        print(f"photos: {len(paths)} x {WIDTH}x{HEIGHT}, {min(sizes):.1f}-{max(sizes):.1f} MB each, "
              f"{sum(sizes):.0f} MB in all (made in {time.perf_counter() - started:.0f} s); "
              f"{rounds} rounds on CPU {cpu}")
        for n in range(rounds):
            order = kinds if n % 2 == 0 else tuple(reversed(kinds))  # alternate who goes first
            for kind in order:
                last[kind] = _child(kind, directory, cpu)
                times[kind].append(last[kind]["seconds"])
            print(f"round {n + 1}: " + "  ".join(f"{k} {times[k][-1]:.2f} s" for k in kinds))
        originals = _child("originals", directory, cpu)
    median = {k: statistics.median(v) for k, v in times.items()}
    for name, r, seconds in (("plain (Pillow downscale)", last["plain"], median["plain"]),
                             ("ours, cold", last["ours-cold"], median["ours-cold"]),
                             ("ours, warm", last["ours-warm"], median["ours-warm"]),
                             ("originals embedded", originals, originals["seconds"])):
        print(f"{name:25}  {seconds:7.2f} s  {r['bytes'] / 1e6:8.1f} MB  peak {r['peak_mb']:6.0f} MB")
    print(f"RESULT pdf_time_ratio_warm {median['ours-warm'] / median['plain']:.3f} target 0.5")
    print(f"RESULT pdf_time_ratio_cold {median['ours-cold'] / median['plain']:.3f} target 1.0")
    print(f"RESULT pdf_size_ratio {last['ours-cold']['bytes'] / originals['bytes']:.3f} target 0.1")
    print(f"RESULT pdf_peak_memory_mb {last['ours-cold']['peak_mb']:.0f} target 300")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        os.sched_setaffinity(0, {int(sys.argv[4])})
        photo_paths = sorted(Path(sys.argv[3]).glob("photo-*.jpg"))
        kind = sys.argv[2]
        if kind.startswith("ours"):
            result = run_ours(photo_paths, warm=kind == "ours-warm")
        else:
            result = run_plain(photo_paths, originals=kind == "originals")
        print(json.dumps(result))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
