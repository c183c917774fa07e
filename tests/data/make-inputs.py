#!/usr/bin/env python3
# make-inputs.py: regenerates the image loader's test inputs in tests/data from the CC0 sample photos.
"""Usage: tests/data/make-inputs.py [SAMPLES_DIR]   (default /work/shared/samples)
       tests/data/make-inputs.py --hostile-seeds   (only the fuzzer's hostile seeds, from the files here)

Needs ImageMagick 6 (`convert`, `identify`) with PNG, JPEG, WebP and TIFF support. Everything made from a
photo starts from a 64x40 area of chelsea.png (CC0); the grey ramps and the damaged files are written
byte by byte here, so their exact contents are known to tests/test-input.c."""

import os
import shutil
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "fuzz-corpus")  # the fuzzer's seeds: a copy of some of these
CORPUS_FILES = ("rgb8.png", "rgba8.png", "grey16.png", "greyalpha.png", "palette.png", "one.png",
                "huge-header.png", "zero.png", "photo.jpg", "progressive.jpg", "exif6.jpg", "grey.jpg",
                "white-black.jpg", "photo.webp", "rgba.webp", "rgba-lossy.webp", "rgb8.tif",
                "rgb16.tif", "rgb8.bmp")
SAMPLES = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/samples"
W, H = 64, 40


def path(name):
    return os.path.join(HERE, name)


def magick(*args):
    subprocess.run(["convert", *args], check=True)


def identify(fmt, name):
    return subprocess.run(["identify", "-format", fmt, path(name)], check=True,
                          capture_output=True, text=True).stdout


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width, height, bit_depth, colour_type, rows, extra=b""):
    """A PNG from rows of already packed samples (filter type 0 on every row)."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    raw = b"".join(b"\0" + row for row in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


def png_chunks(data):
    """(offset, kind, payload) of each chunk of a PNG."""
    pos, out = 8, []
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        out.append((pos, kind, data[pos + 8:pos + 8 + length]))
        pos += 12 + length
    return out


# Exact grey ramps: test-input.c computes the same formulas.
def grey8_value(x, y):
    return (x * 4 + y * 3) & 0xff


def grey16_value(x, y):
    return (x * 1021 + y * 37) & 0xffff


def alpha8_value(x, y):
    return (y * 255) // (H - 1)


def exif_app1(orientation):
    """An APP1 segment holding a little-endian EXIF IFD with only the Orientation tag."""
    tiff = b"II*\0" + struct.pack("<I", 8)
    tiff += struct.pack("<H", 1) + struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0)
    tiff += struct.pack("<I", 0)
    body = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def main():
    src = os.path.join(SAMPLES, "chelsea.png")

    # Photo content: a cat's eyes, area-averaged in 16 bits so the 16-bit files hold more than 8 bits.
    magick(src, "-crop", "256x160+110+40", "+repage", "-resize", f"{W}x{H}!", "-depth", "16",
           "-strip", "-define", "png:color-type=2", path("rgb16.png"))
    # Alpha: opaque at the top row, transparent at the bottom one.
    magick(path("rgb16.png"), "(", "-size", f"{W}x{H}", "gradient:white-black", ")",
           "-alpha", "off", "-compose", "CopyOpacity", "-composite", "-depth", "16", "-strip",
           "-define", "png:color-type=6", path("rgba16.png"))
    # The 8-bit versions are the 16-bit ones rounded to nearest (ImageMagick 6's -depth 8 truncates).
    for src, dst, channels, ctype in (("rgb16.png", "rgb8.png", 3, 2), ("rgba16.png", "rgba8.png", 4, 6)):
        fmt = "rgba" if channels == 4 else "rgb"
        raw = subprocess.run(["convert", path(src), "-depth", "16", "-endian", "MSB", f"{fmt}:-"],
                             check=True, capture_output=True).stdout
        samples = struct.unpack(f">{len(raw) // 2}H", raw)
        assert len(samples) == W * H * channels
        data = bytes((v * 255 + 32767) // 65535 for v in samples)
        write(dst, png(W, H, 8, ctype, [data[y * W * channels:(y + 1) * W * channels]
                                        for y in range(H)]))
    # Palette with tRNS: 32 colours, the left 16 columns fully transparent.
    magick(path("rgb8.png"), "(", "-size", f"{W}x{H}", "xc:white", "-fill", "black",
           "-draw", "rectangle 0,0 15,39", ")", "-alpha", "off", "-compose", "CopyOpacity",
           "-composite", "-colors", "32", "-strip", "PNG8:" + path("palette.png"))

    # Grey ramps, written directly.
    write("grey8.png", png(W, H, 8, 0, [bytes(grey8_value(x, y) for x in range(W)) for y in range(H)]))
    write("grey16.png", png(W, H, 16, 0, [b"".join(struct.pack(">H", grey16_value(x, y))
                                                   for x in range(W)) for y in range(H)]))
    write("greyalpha.png", png(W, H, 8, 4, [b"".join(bytes((grey8_value(x, y), alpha8_value(x, y)))
                                                     for x in range(W)) for y in range(H)]))
    write("one.png", png(1, 1, 8, 2, [b"\xff\x80\x00"]))

    # JPEG (4:2:0 like most cameras) and ImageMagick's (libjpeg-turbo's) decode of it.
    jpeg = ["-quality", "90", "-sampling-factor", "2x2", "-strip"]
    magick(path("rgb8.png"), *jpeg, path("photo.jpg"))
    magick(path("photo.jpg"), "-depth", "8", "-strip", "-define", "png:color-type=2", path("photo-im.png"))
    magick(path("rgb8.png"), *jpeg, "-interlace", "JPEG", path("progressive.jpg"))
    magick(path("grey8.png"), "-quality", "95", "-strip", path("grey.jpg"))
    magick(path("rgb8.png"), "-colorspace", "CMYK", "-quality", "90", "-strip", path("cmyk.jpg"))
    # EXIF orientation 6 ("rotate 90 degrees clockwise to display"): stored turned 90 degrees
    # counter-clockwise, so the displayed image is rgb8.png again.
    magick(path("rgb8.png"), "-rotate", "-90", *jpeg, path("exif6-raw.jpg"))
    with open(path("exif6-raw.jpg"), "rb") as f:
        raw = f.read()
    os.remove(path("exif6-raw.jpg"))
    assert raw[:2] == b"\xff\xd8"
    write("exif6.jpg", raw[:2] + exif_app1(6) + raw[2:])
    assert identify("%[orientation] %w %h", "exif6.jpg") == f"RightTop {H} {W}", \
        identify("%[orientation] %w %h", "exif6.jpg")

    magick(path("rgb8.png"), "-quality", "80", "-strip", path("photo.webp"))
    magick(path("rgba8.png"), "-define", "webp:lossless=true", "-strip", path("rgba.webp"))
    magick(path("rgba8.png"), "-quality", "80", "-strip", path("rgba-lossy.webp"))
    # Left half white, right half black, in colour (YCbCr 4:2:0): white must come out as 65535.
    magick("-size", "32x16", "xc:white", "xc:black", "+append", "-type", "TrueColor", *jpeg,
           path("white-black.jpg"))
    magick(path("rgb8.png"), "-compress", "lzw", "-strip", path("rgb8.tif"))
    magick(path("rgb16.png"), "-compress", "zip", "-depth", "16", "-strip", path("rgb16.tif"))
    magick(path("rgb8.png"), "-strip", "BMP3:" + path("rgb8.bmp"))

    # Damaged and hostile inputs.
    with open(path("rgb8.png"), "rb") as f:
        good_png = f.read()
    idat = [c for c in png_chunks(good_png) if c[1] == b"IDAT"][0]
    write("truncated.png", good_png[:idat[0] + 8 + len(idat[2]) // 2])
    # Garbage in the middle of the IDAT's deflate stream, with a correct CRC so the zlib layer fails.
    payload = bytearray(idat[2])
    mid = len(payload) // 3
    payload[mid:mid + 64] = bytes((i * 97 + 13) & 0xff for i in range(64))
    write("corrupt.png", good_png[:idat[0]] + chunk(b"IDAT", bytes(payload))
          + good_png[idat[0] + 12 + len(idat[2]):])
    with open(path("photo.jpg"), "rb") as f:
        good_jpg = f.read()
    write("truncated.jpg", good_jpg[:len(good_jpg) * 6 // 10])
    # Huffman tables destroyed: every DHT's code counts say 255 codes of each length.
    bad = bytearray(good_jpg)
    pos = 2
    while pos + 4 <= len(bad) and bad[pos] == 0xff and bad[pos + 1] != 0xda:
        length = struct.unpack(">H", bad[pos + 2:pos + 4])[0]
        if bad[pos + 1] == 0xc4:
            bad[pos + 5:pos + 21] = b"\xff" * 16
        pos += 2 + length
    write("corrupt.jpg", bytes(bad))

    one_row = zlib.compress(b"\0" + b"\0" * (3 * 100), 9)
    write("huge-header.png", b"\x89PNG\r\n\x1a\n"
          + chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0))
          + chunk(b"IDAT", one_row) + chunk(b"IEND", b""))
    write("wide-header.png", b"\x89PNG\r\n\x1a\n"
          + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 100, 8, 2, 0, 0, 0))
          + chunk(b"IDAT", one_row) + chunk(b"IEND", b""))
    write("zero.png", b"\x89PNG\r\n\x1a\n"
          + chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 0, 8, 2, 0, 0, 0))
          + chunk(b"IDAT", zlib.compress(b"", 9)) + chunk(b"IEND", b""))
    write("not-an-image.png", b"This is a text file with a .png name, not a picture.\n")

    # Sanity checks of what ImageMagick made.
    kinds = {name: [c[1] for c in png_chunks(open(path(name), "rb").read())]
             for name in ("palette.png",)}
    assert b"PLTE" in kinds["palette.png"] and b"tRNS" in kinds["palette.png"], kinds
    for name, expect in (("rgb8.png", (8, 2)), ("rgb16.png", (16, 2)), ("rgba8.png", (8, 6)),
                         ("rgba16.png", (16, 6)), ("palette.png", (8, 3)), ("photo-im.png", (8, 2))):
        with open(path(name), "rb") as f:
            head = f.read(26)
        got = (head[24], head[25])
        assert got == expect, (name, got)

    os.makedirs(CORPUS, exist_ok=True)
    for name in CORPUS_FILES:
        assert os.path.getsize(path(name)) < 20000, name
        shutil.copyfile(path(name), os.path.join(CORPUS, name))


def exif_loop(entries):
    """Little-endian TIFF-structured EXIF: IFD0 with Orientation 6 and ENTRIES - 1 EXIF-IFD pointers back
    to IFD0 itself (FFmpeg 5.1 walks such a directory entries^3 times)."""
    ifd = struct.pack("<HHIHH", 0x0112, 3, 1, 6, 0) + struct.pack("<HHII", 0x8769, 4, 1, 8) * (entries - 1)
    return b"II*\0" + struct.pack("<IH", 8, entries) + ifd + struct.pack("<I", 0)


def riff_chunk(kind, data):
    return kind + struct.pack("<I", len(data)) + data + (b"\0" if len(data) & 1 else b"")


def hostile_seeds():
    """Small seeds for the fuzzer with the structures media-input.c keeps away from FFmpeg: metadata
    chunks, image data that goes on after the rows, chunk lengths past the end, self-referencing EXIF,
    TIFF string and GeoTIFF tags. Made from files in this folder, byte by byte."""
    def read(name):
        with open(path(name), "rb") as f:
            return f.read()

    def seed(name, data):
        assert len(data) < 20000, name
        with open(os.path.join(CORPUS, name), "wb") as f:
            f.write(data)

    os.makedirs(CORPUS, exist_ok=True)
    good_png = read("rgb8.png")
    chunks = png_chunks(good_png)
    ihdr_end = 8 + 12 + len(chunks[0][2])
    iend = [c for c in chunks if c[1] == b"IEND"][0][0]
    zeros = zlib.compress(b"\0" * (1 << 16), 9)
    ancillary = (chunk(b"gAMA", struct.pack(">I", 45455)) + chunk(b"iCCP", b"icc\0\0" + zeros)
                 + chunk(b"tEXt", b"Orientation\0" + b"6") + chunk(b"zTXt", b"Comment\0\0" + zeros)
                 + chunk(b"iTXt", b"Description\0\1\0en\0\0" + zeros)
                 + chunk(b"eXIf", exif_loop(4)) + chunk(b"prVt", b"private"))
    seed("hostile-ancillary.png", good_png[:ihdr_end] + ancillary + good_png[ihdr_end:iend]
         + chunk(b"zTXt", b"Author\0\0" + zeros) + good_png[iend:])
    seed("hostile-cut-length.png", good_png[:iend] + struct.pack(">I", 0xfffffff0) + b"zTXt" + zeros[:16])
    seed("hostile-cut-ztxt.png", good_png[:ihdr_end] + chunk(b"zTXt", b"Comment\0\0" + zeros)[:40])
    # The rows followed by 1 MiB of zeros in the same zlib stream.
    idat = [c for c in chunks if c[1] == b"IDAT"]
    rows = zlib.decompress(b"".join(c[2] for c in idat))
    seed("hostile-idat-extra.png", good_png[:idat[0][0]] + chunk(b"IDAT", zlib.compress(rows + b"\0" * (1 << 20), 9))
         + good_png[iend:])

    jpeg = read("photo.jpg")
    body = b"Exif\0\0" + exif_loop(60)
    seed("hostile-exif-loop.jpg", jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body + jpeg[2:])

    webp = read("photo.webp")
    assert webp[12:16] == b"VP8 "
    vp8x = riff_chunk(b"VP8X", struct.pack("<I", 0x28) + struct.pack("<I", W - 1)[:3] + struct.pack("<I", H - 1)[:3])
    riff = (b"WEBP" + vp8x + riff_chunk(b"ICCP", b"\0" * 600) + webp[12:] + riff_chunk(b"EXIF", exif_loop(60))
            + riff_chunk(b"XMP ", b"<x:xmpmeta/>"))
    seed("hostile-exif-loop.webp", b"RIFF" + struct.pack("<I", len(riff)) + riff)

    # rgb8.tif with a new first directory after its end: its own tags plus strings and GeoTIFF keys that
    # each ask for their own copy of one value.
    tif = read("rgb8.tif")
    assert tif[:4] == b"II*\0"
    ifd = struct.unpack("<I", tif[4:8])[0]
    count = struct.unpack("<H", tif[ifd:ifd + 2])[0]
    entries = [tif[ifd + 2 + 12 * i:ifd + 14 + 12 * i] for i in range(count)]
    extra_at = len(tif) + (len(tif) & 1)
    keys = 200
    keydir = struct.pack("<4H", 1, 1, 0, keys) + struct.pack("<4H", 3073, 34737, 1000, 0) * keys
    ascii_at = extra_at + len(keydir)
    text = b"A" * 999 + b"|"
    extra = keydir + text
    entries += [struct.pack("<HHII", tag, 2, len(text), ascii_at) for tag in (270, 271, 305, 315, 33432)]
    entries += [struct.pack("<HHII", 34735, 3, len(keydir) // 2, extra_at),
                struct.pack("<HHII", 34737, 2, len(text), ascii_at)]
    entries.sort(key=lambda e: struct.unpack("<H", e[:2])[0])
    new_ifd = struct.pack("<H", len(entries)) + b"".join(entries) + struct.pack("<I", 0)
    out = tif + b"\0" * (len(tif) & 1) + extra
    seed("hostile-tags.tif", out[:4] + struct.pack("<I", len(out)) + out[8:] + new_ifd)
    seed("hostile-far-ifd.tif", tif[:4] + struct.pack("<I", 0xffffff00) + tif[8:])

    # A 16x16 progressive JPEG with 501 scans (media-input.c refuses more than 500).
    sof = b"\xff\xc2" + struct.pack(">HBHHB", 11, 8, 16, 16, 1) + bytes([1, 0x11, 0])
    dht = b"\xff\xc4" + struct.pack(">H", 38) + bytes([0x00, 1] + [0] * 15 + [0x00, 0x10, 1] + [0] * 15 + [0x20])
    dc_scan = b"\xff\xda" + struct.pack(">H", 8) + bytes([1, 1, 0x00, 0, 0, 0, 0x0f])
    ac_scan = b"\xff\xda" + struct.pack(">H", 8) + bytes([1, 1, 0x00, 1, 63, 0, 0x1f])
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + b"\0" + b"\1" * 64
    seed("hostile-scans.jpg", b"\xff\xd8" + dqt + sof + dht + dc_scan + ac_scan * 500 + b"\xff\xd9")


if __name__ == "__main__":
    if sys.argv[1:] == ["--hostile-seeds"]:
        hostile_seeds()
    else:
        main()
        hostile_seeds()
