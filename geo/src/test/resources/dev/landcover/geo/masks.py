"""Writes GeoTIFFs with GDAL masks (internal mask IFDs, .msk files, alpha bands) and GDAL's reading
of them: for each file a line of JSON {"file", "flags": GetMaskFlags() per band} and FILE.valid,
one byte per pixel (row-major), 1 where GetMaskBand() of every band is non-zero.

usage: masks.py DIR
"""
import json
import os
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
out = sys.argv[1]
W, H = 173, 131
rng = np.random.default_rng(5)
mask = np.full((H, W), 255, np.uint8)
mask[20:70, 30:120] = 0
mask[rng.random((H, W)) < 0.1] = 0
mask[:, 160:] = 0


def data(dtype, bands):
    info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
    hi = min(info.max, 60000) if info else 1000
    return [rng.integers(1, hi, (H, W)).astype(dtype) for _ in range(bands)]


def create(name, gdal_type, dtype, bands, options, internal, extra=None):
    path = os.path.join(out, name)
    gdal.SetConfigOption("GDAL_TIFF_INTERNAL_MASK", "YES" if internal else "NO")
    ds = gdal.GetDriverByName("GTiff").Create(path, W, H, bands, gdal_type, options)
    ds.SetGeoTransform([500000, 10, 0, 4000000, 0, -10])
    for b, a in enumerate(data(dtype, bands)):
        ds.GetRasterBand(b + 1).WriteArray(a)
    if extra is None:
        ds.CreateMaskBand(gdal.GMF_PER_DATASET)
        ds.GetRasterBand(1).GetMaskBand().WriteArray(mask)
    else:
        extra(ds)
    ds = None
    gdal.SetConfigOption("GDAL_TIFF_INTERNAL_MASK", None)
    return path


def alpha(ds, scale=1):
    ds.GetRasterBand(ds.RasterCount).WriteArray((mask.astype(np.uint32) * scale).astype(
        np.uint16 if scale > 1 else np.uint8))


files = [
    create("internal-byte-lzw-tiled.tif", gdal.GDT_Byte, np.uint8, 3,
           ["TILED=YES", "BLOCKXSIZE=64", "BLOCKYSIZE=32", "COMPRESS=LZW"], True),
    create("internal-uint16-deflate-strips.tif", gdal.GDT_UInt16, np.uint16, 2,
           ["COMPRESS=DEFLATE", "PREDICTOR=2", "BLOCKYSIZE=7"], True),
    create("internal-float32-zstd-bands.tif", gdal.GDT_Float32, np.float32, 3,
           ["COMPRESS=ZSTD", "INTERLEAVE=BAND", "TILED=YES"], True),
    create("internal-int16-none.tif", gdal.GDT_Int16, np.int16, 1, [], True),
    create("external-uint16.tif", gdal.GDT_UInt16, np.uint16, 3, ["COMPRESS=LZW"], False),
    create("external-byte-tiled.tif", gdal.GDT_Byte, np.uint8, 1, ["TILED=YES"], False),
    create("rgba-unassociated.tif", gdal.GDT_Byte, np.uint8, 4,
           ["ALPHA=YES", "PHOTOMETRIC=RGB", "COMPRESS=DEFLATE"], False, alpha),
    create("rgba-associated.tif", gdal.GDT_Byte, np.uint8, 4,
           ["ALPHA=PREMULTIPLIED", "PHOTOMETRIC=RGB", "TILED=YES"], False, alpha),
    create("gray-alpha-uint16.tif", gdal.GDT_UInt16, np.uint16, 2,
           ["ALPHA=YES", "COMPRESS=LZW"], False, lambda ds: alpha(ds, 257)),
    create("five-bands-alpha.tif", gdal.GDT_Byte, np.uint8, 5,
           ["ALPHA=YES"], False, alpha),
    create("rgba-nodata.tif", gdal.GDT_Byte, np.uint8, 4,
           ["ALPHA=YES", "PHOTOMETRIC=RGB"], False,
           lambda ds: (alpha(ds), [ds.GetRasterBand(b + 1).SetNoDataValue(7) for b in range(4)],
                       ds.GetRasterBand(2).WriteArray(np.where(mask[:, ::-1] == 0, 7, 9)
                                                      .astype(np.uint8)))),
    create("rgba-undefined.tif", gdal.GDT_Byte, np.uint8, 4,
           ["ALPHA=YES", "PHOTOMETRIC=RGB"], False,
           lambda ds: (alpha(ds), ds.GetRasterBand(4).SetColorInterpretation(gdal.GCI_Undefined))),
    create("no-mask.tif", gdal.GDT_Byte, np.uint8, 3, ["COMPRESS=DEFLATE"], False, lambda ds: None),
]
# gdal_translate -mask: RGBA to RGB with the alpha as an internal mask; and a COG with its mask.
rgb = os.path.join(out, "translate-mask.tif")
os.system("gdal_translate -q -b 1 -b 2 -b 3 -mask 4 -co COMPRESS=DEFLATE --config "
          "GDAL_TIFF_INTERNAL_MASK YES %s %s" % (files[6], rgb))
files.append(rgb)
cog = os.path.join(out, "cog-mask.tif")
gdal.Translate(cog, files[0], format="COG", creationOptions=["BLOCKSIZE=128", "COMPRESS=LZW"])
files.append(cog)
for path in files:
    ds = gdal.Open(path)
    valid = np.ones((H, W), bool)
    for b in range(ds.RasterCount):
        valid &= ds.GetRasterBand(b + 1).GetMaskBand().ReadAsArray() != 0
    valid.astype(np.uint8).tofile(path + ".valid")
    print(json.dumps({"file": path,
                      "flags": [ds.GetRasterBand(b + 1).GetMaskFlags()
                                for b in range(ds.RasterCount)]}))
