"""Writes the small valid GeoTIFFs that GeoTiffFuzzTest mutates.

Usage: /usr/bin/python3 fuzz_seeds.py OUT_DIR
One file per encoding family that the reader decodes: Deflate with the horizontal predictor,
LZW with the floating-point predictor and a nodata value, YCbCr JPEG with JPEGTables, BigTIFF
ZSTD, big-endian band-interleaved PackBits, LZMA 4-bit, uncompressed single strip.
"""
import os
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()

W, H = 40, 30


def write(path, gdt, arr, options, nodata=None):
    bands = arr.shape[0]
    mem = gdal.GetDriverByName("MEM").Create("", W, H, bands, gdt)
    mem.SetGeoTransform([300000, 10, 0, 5000000, 0, -10])
    mem.SetProjection("EPSG:32633")
    for b in range(bands):
        mem.GetRasterBand(b + 1).WriteArray(arr[b])
        if nodata is not None:
            mem.GetRasterBand(b + 1).SetNoDataValue(nodata)
    gdal.GetDriverByName("GTiff").CreateCopy(path, mem, options=options)


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:H, 0:W]
    smooth = np.stack([(x * 5 + y * 3 + 40 * b) % 256 for b in range(3)]).astype("u1")
    write(os.path.join(out, "deflate_u16.tif"), gdal.GDT_UInt16,
          rng.integers(0, 4000, (3, H, W)).astype("u2"),
          ["COMPRESS=DEFLATE", "PREDICTOR=2", "TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"])
    f = rng.normal(0, 100, (1, H, W)).astype("f4")
    f[0, 3, 3:6] = -9999
    f[0, 4, 4] = np.nan
    write(os.path.join(out, "lzw_f32.tif"), gdal.GDT_Float32, f,
          ["COMPRESS=LZW", "PREDICTOR=3", "BLOCKYSIZE=8"], nodata=-9999)
    write(os.path.join(out, "jpeg_ycbcr.tif"), gdal.GDT_Byte, smooth,
          ["COMPRESS=JPEG", "PHOTOMETRIC=YCBCR", "TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"])
    write(os.path.join(out, "zstd_bigtiff.tif"), gdal.GDT_Byte, smooth[:1],
          ["COMPRESS=ZSTD", "BIGTIFF=YES", "TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"])
    write(os.path.join(out, "packbits_be_band.tif"), gdal.GDT_Int16,
          rng.integers(-300, 300, (2, H, W)).astype("i2"),
          ["COMPRESS=PACKBITS", "ENDIANNESS=BIG", "INTERLEAVE=BAND", "BLOCKYSIZE=5"])
    write(os.path.join(out, "lzma_4bit.tif"), gdal.GDT_Byte,
          rng.integers(0, 16, (1, H, W)).astype("u1"), ["COMPRESS=LZMA", "NBITS=4"])
    write(os.path.join(out, "none_strip.tif"), gdal.GDT_Float64,
          rng.normal(0, 1, (1, H, W)), ["COMPRESS=NONE", "BLOCKYSIZE=%d" % H])


if __name__ == "__main__":
    main()
