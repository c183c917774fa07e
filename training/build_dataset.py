#!/usr/bin/python3
# build_dataset.py: the training set from named Debian 12 packages: photos (wallpapers, a game's
# and a library's pictures) and target-style art (flat colour and outlines), each package fetched
# with `apt-get download` and unpacked with `dpkg -x` into a cache outside the repository, its
# large pictures cut into square crops (PNG), a manifest recording each crop's source file,
# package, version and licence, and a validation split (by source file) kept out of training.
#
#   /usr/bin/python3 training/build_dataset.py OUT [--cache DIR] [--packages a,b] [--size 256]
#
# Needs python3-pil (decoding) and, for SVG art, rsvg-convert (librsvg2-bin).
import argparse
import csv
import fnmatch
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

# kind, package, the paths to take (globs on the unpacked path; none: every picture), why
PACKAGES = [
    ("photo", "plasma-workspace-wallpapers", ["usr/share/wallpapers/*"], "KDE wallpapers, many photographs"),
    ("photo", "lomiri-wallpapers-16.04", ["usr/share/backgrounds/*"], "Ubuntu Touch wallpapers, photographs"),
    ("photo", "gcompris-qt-data", [], "GCompris activities' pictures (where stored as plain files)"),
    ("photo", "python3-skimage", ["*/skimage/data/*"], "scikit-image's sample photographs"),
    ("art", "openclipart-svg", ["*.svg"], "public-domain clip art: flat colour, outlines"),
    ("art", "renpy-thequestion", ["*/game/images/*"], "anime-style visual novel: characters, backgrounds"),
    ("art", "renpy-demo", ["*/game/images/*"], "Ren'Py's demo: anime-style illustrations"),
    ("art", "hedgewars-data", ["*/Themes/*"], "cartoon game backgrounds"),
    ("art", "supertux-data", ["*/images/background*"], "cartoon game backgrounds"),
    ("art", "ktuberling-data", ["*/ktuberling/pics/*"], "cartoon scenes (SVG)"),
]
# The maintainers' test inputs: never training data.
FORBIDDEN = {"mate-backgrounds", "ukui-wallpapers", "python-matplotlib-data", "opencv-doc"}
PICTURE = re.compile(r"\.(png|jpe?g|svgz?)$", re.IGNORECASE)


def say(*a):
    print("build_dataset:", *a, flush=True)


def fetch(package, cache):
    """The package unpacked under CACHE/root/PACKAGE (reused when there); its version; or None."""
    root = cache / "root" / package
    stamp = root / ".version"
    if stamp.exists():
        return root, stamp.read_text().strip()
    debs = cache / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["apt-get", "download", package], cwd=debs, capture_output=True, text=True)
    found = sorted(debs.glob(f"{package}_*.deb"))
    if r.returncode != 0 or not found:
        say(f"skipping {package}: apt-get download failed: {r.stderr.strip()[-300:]}")
        return None, None
    deb = found[-1]
    version = subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], capture_output=True,
                             text=True).stdout.strip()
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    r = subprocess.run(["dpkg", "-x", str(deb), str(root)], capture_output=True, text=True)
    if r.returncode != 0:
        say(f"skipping {package}: dpkg -x failed: {r.stderr.strip()[-300:]}")
        return None, None
    stamp.write_text(version + "\n")
    return root, version


class Copyright:
    """A package's debian/copyright: in the machine-readable format (DEP-5), the licence of the
    last Files stanza whose pattern matches a file; otherwise the first License line."""

    def __init__(self, path):
        self.stanzas, self.fallback = [], "unknown (see the copyright file)"
        try:
            text = path.read_text(errors="replace")
        except OSError:
            return
        for block in re.split(r"\n\s*\n", text):
            files = re.search(r"^Files:\s*(.*(?:\n[ \t]+.*)*)", block, re.MULTILINE)
            lic = re.search(r"^License:\s*(.+)$", block, re.MULTILINE)
            if lic and self.fallback.startswith("unknown"):
                self.fallback = lic.group(1).strip()
            if files and lic:
                self.stanzas.append((files.group(1).split(), lic.group(1).strip()))

    def licence(self, relpath):
        """Installed paths differ from the source paths the stanzas name, so a pattern matches
        when it matches the installed path's tail (or the file's name)."""
        best = None
        parts = relpath.split("/")
        tails = ["/".join(parts[i:]) for i in range(len(parts))]
        for patterns, lic in self.stanzas:
            for p in patterns:
                if p == "*" or any(fnmatch.fnmatch(t, p) or fnmatch.fnmatch(t, "*/" + p) for t in tails):
                    best = lic
        return best or self.fallback


def decode(path):
    """The picture as RGB (transparency laid on white paper), or None."""
    try:
        if path.suffix.lower() in (".svg", ".svgz"):
            if shutil.which("rsvg-convert") is None:
                return None
            r = subprocess.run(["rsvg-convert", "--width", "768", "--keep-aspect-ratio",
                                "--background-color", "white", str(path)],
                               capture_output=True, timeout=60)
            if r.returncode != 0:
                return None
            im = Image.open(io.BytesIO(r.stdout))
        else:
            im = Image.open(path)
        im.load()
    except Exception:  # noqa: BLE001 (any undecodable file is skipped)
        return None
    if im.mode in ("RGBA", "LA", "P"):
        im = im.convert("RGBA")
        paper = Image.new("RGBA", im.size, (255, 255, 255, 255))
        paper.alpha_composite(im)
        im = paper
    return im.convert("RGB")


def crops(im, size, count, seed):
    """Up to COUNT square crops of SIZE px, the picture first scaled so its short side is at most
    twice SIZE (so a crop shows a part, not a speck); none from a picture smaller than SIZE."""
    w, h = im.size
    short = min(w, h)
    if short < size:
        return []
    if short > 2 * size:
        f = 2 * size / short
        im = im.resize((max(size, round(w * f)), max(size, round(h * f))), Image.LANCZOS)
        w, h = im.size
    out = []
    rng = int(hashlib.sha1(seed.encode()).hexdigest()[:8], 16)
    for i in range(count):
        x = (rng >> (i * 3)) % (w - size + 1) if w > size else 0
        y = (rng >> (i * 5 + 1)) % (h - size + 1) if h > size else 0
        c = im.crop((x, y, x + size, y + size))
        # a crop that is almost one colour (sky, empty paper) teaches nothing
        lo, hi = c.convert("L").getextrema()
        if hi - lo >= 24:
            out.append(c)
    return out


def is_validation(key, fraction):
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < fraction


def main():
    ap = argparse.ArgumentParser(description="Builds the training set from Debian packages.")
    ap.add_argument("out", type=Path)
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get(
        "XDG_CACHE_HOME", Path.home() / ".cache")) / "inkloop-training")
    ap.add_argument("--packages", help="a comma-separated subset of the packages")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--crops", type=int, default=3, help="crops per picture")
    ap.add_argument("--max-per-package", type=int, default=400,
                    help="pictures per package at most (chosen by a hash of the path)")
    ap.add_argument("--validation", type=float, default=0.1)
    args = ap.parse_args()

    chosen = PACKAGES
    if args.packages:
        names = set(args.packages.split(","))
        if names & FORBIDDEN:
            sys.exit(f"build_dataset: {', '.join(sorted(names & FORBIDDEN))}: not training data")
        unknown = names - {p for _, p, _, _ in PACKAGES}
        if unknown:
            sys.exit(f"build_dataset: not in the list: {', '.join(sorted(unknown))}")
        chosen = [p for p in PACKAGES if p[1] in names]
    if shutil.which("rsvg-convert") is None:
        say("rsvg-convert (librsvg2-bin) is missing: SVG art is skipped")
    args.cache.mkdir(parents=True, exist_ok=True)
    rows, counts = [], {}
    for kind, package, patterns, _ in chosen:
        assert package not in FORBIDDEN
        root, version = fetch(package, args.cache)
        if root is None:
            continue
        copyright_ = Copyright(root / "usr/share/doc" / package / "copyright")
        files = sorted(p for p in root.rglob("*") if p.is_file() and PICTURE.search(p.name)
                       and not p.relative_to(root).as_posix().startswith("usr/share/doc/")
                       and (not patterns or any(fnmatch.fnmatch(p.relative_to(root).as_posix(), g)
                                                for g in patterns)))
        files.sort(key=lambda p: hashlib.sha1(p.as_posix().encode()).hexdigest())
        n_pics = n_crops = 0
        for p in files:
            if n_pics >= args.max_per_package:
                break
            if p.stat().st_size < 20000 and not p.suffix.lower().startswith(".svg"):
                continue  # icons and interface bits
            im = decode(p)
            if im is None:
                continue
            rel = p.relative_to(root).as_posix()
            key = f"{package}/{rel}"
            got = crops(im, args.size, args.crops, key)
            if not got:
                continue
            split = "val" if is_validation(key, args.validation) else "train"
            n_pics += 1
            for i, c in enumerate(got):
                name = f"{kind}/{split}/{package}-{hashlib.sha1(key.encode()).hexdigest()[:12]}-{i}.png"
                (args.out / name).parent.mkdir(parents=True, exist_ok=True)
                c.save(args.out / name, optimize=False)
                rows.append({"file": name, "kind": kind, "split": split, "package": package,
                             "version": version, "source": "/" + rel,
                             "licence": copyright_.licence(rel),
                             "copyright": f"/usr/share/doc/{package}/copyright"})
                n_crops += 1
        counts[package] = (n_pics, n_crops)
        say(f"{package} {version}: {n_pics} pictures, {n_crops} crops"
            + ("" if n_pics else " (no picture large enough; Qt .rcc resources are not unpacked)"))
    if not rows:
        sys.exit("build_dataset: no pictures at all")
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "manifest.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    for kind in ("photo", "art"):
        for split in ("train", "val"):
            n = sum(1 for r in rows if r["kind"] == kind and r["split"] == split)
            say(f"{kind} {split}: {n} crops")
    say(f"wrote {args.out / 'manifest.csv'}")


if __name__ == "__main__":
    main()
