#!/usr/bin/env python3
"""Deflate's share of the window-read benchmark (docs/benchmarks.md).

Replays bench/chips.sh's windows over a tiled, pixel-interleaved Deflate GeoTIFF: counts the tiles
Landcover decodes (its block cache: 96 MB, least recently used) and GDAL decodes (its default
cache holds every tile of the run), then times, single-threaded in CPU seconds, zlib (the JDK's
inflater) and libdeflate (GDAL's) on exactly those tiles' bytes.
Usage: /usr/bin/python3 bench/read_inflate.py SCENE.tif WINDOWS.txt
"""
import collections
import ctypes
import sys
import time
import zlib

from osgeo import gdal

gdal.UseExceptions()
img, wins = sys.argv[1], sys.argv[2]
ds = gdal.Open(img)
band = ds.GetRasterBand(1)
tw, th = band.GetBlockSize()
tile_bytes = tw * th * ds.RasterCount * gdal.GetDataTypeSize(band.DataType) // 8
f = open(img, "rb")


def stored(tx, ty):
    off = int(band.GetMetadataItem("BLOCK_OFFSET_%d_%d" % (tx, ty), "TIFF"))
    cnt = int(band.GetMetadataItem("BLOCK_SIZE_%d_%d" % (tx, ty), "TIFF"))
    f.seek(off)
    return f.read(cnt)


windows = [tuple(map(int, line.split())) for line in open(wins) if line.strip()]
lru = collections.OrderedDict()
landcover, gdal_default, reads = [], [], 0
for x, y, w, h in windows:
    for ty in range(y // th, (y + h - 1) // th + 1):
        for tx in range(x // tw, (x + w - 1) // tw + 1):
            t = (tx, ty)
            reads += 1
            if t in lru:
                lru.move_to_end(t)
            else:
                landcover.append(t)
                lru[t] = True
    while len(lru) * tile_bytes > 96 << 20:
        lru.popitem(last=False)
seen = set()
for t in landcover:
    if t not in seen:
        seen.add(t)
        gdal_default.append(t)
blobs = {t: stored(*t) for t in seen}

ld = ctypes.CDLL("libdeflate.so.0")
ld.libdeflate_alloc_decompressor.restype = ctypes.c_void_p
ld.libdeflate_zlib_decompress.argtypes = [
    ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
    ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]
decompressor = ld.libdeflate_alloc_decompressor()
out = ctypes.create_string_buffer(tile_bytes)
n = ctypes.c_size_t()


def libdeflate(b):
    if ld.libdeflate_zlib_decompress(decompressor, b, len(b), out, tile_bytes, ctypes.byref(n)):
        raise SystemExit("libdeflate could not decode a tile")


def cpu(fn, tiles):
    c0 = time.process_time()
    for t in tiles:
        fn(blobs[t])
    return time.process_time() - c0


print("tiles read %d; decoded by Landcover (96 MB cache) %d; by GDAL (default cache) %d"
      % (reads, len(landcover), len(gdal_default)))
for _ in range(2):
    print("CPU s: zlib %.2f (Landcover's tiles) %.2f (GDAL's); libdeflate %.2f (Landcover's) %.2f (GDAL's)"
          % (cpu(zlib.decompress, landcover), cpu(zlib.decompress, gdal_default),
             cpu(libdeflate, landcover), cpu(libdeflate, gdal_default)))
