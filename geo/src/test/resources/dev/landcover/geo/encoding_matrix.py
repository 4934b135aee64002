"""Writes the GeoTIFF encoding matrix with GDAL and dumps GDAL's reading of every file.

Usage: /usr/bin/python3 encoding_matrix.py OUT_DIR
Writes small GeoTIFFs in every sample type x predictor x compression x byte order, each in one of
the layouts (tiled or striped, pixel or band interleaved, 1 or 3 bands; the layout cycles so that
every layout meets every type and compression), plus sub-byte, 12-bit, 16-bit float, signed
8-bit, 64-bit and JPEG variants. OUT_DIR/manifest.json lists, per file that GDAL could write:
{"name", "options", "expect": "read" | "refuse", "why", "width", "height", "bands", "dtype",
"nodata", "data": raw little-endian float64 file of GDAL's reading (band, row, column)}.
"expect" is what Landcover is meant to do with the file: read it equal to GDAL, or refuse it.
"""
import itertools
import json
import os
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()

W, H = 37, 29  # not multiples of the 16-pixel tiles or the 7-row strips: partial blocks
LAYOUTS = list(itertools.product(["tiled", "striped"], ["PIXEL", "BAND"], [1, 3]))
TYPES = {
    "Byte": (gdal.GDT_Byte, "u1"),
    "UInt16": (gdal.GDT_UInt16, "u2"),
    "Int16": (gdal.GDT_Int16, "i2"),
    "UInt32": (gdal.GDT_UInt32, "u4"),
    "Int32": (gdal.GDT_Int32, "i4"),
    "Float32": (gdal.GDT_Float32, "f4"),
    "Float64": (gdal.GDT_Float64, "f8"),
    "Int64": (gdal.GDT_Int64, "i8"),
    "UInt64": (gdal.GDT_UInt64, "u8"),
}
LOSSLESS = ["NONE", "DEFLATE", "LZW", "PACKBITS", "ZSTD", "LZMA"]


def values(rng, dtype, bands, nbits=None, smooth=False):
    """Samples with the type's extremes, runs (for PackBits and LZW) and noise."""
    shape = (bands, H, W)
    if smooth:
        y, x = np.mgrid[0:H, 0:W]
        base = np.stack([(x * (3 + b) + y * (5 - b)) % 256 for b in range(bands)])
        return (base + rng.integers(0, 6, shape)).clip(0, 255).astype("u1")
    if dtype.startswith("f"):
        a = rng.normal(0, 1000, shape).astype(dtype)
        a.flat[0:4] = [np.nan, np.inf, -np.inf, -0.0]
        a.flat[4:8] = [np.finfo(dtype).max, np.finfo(dtype).tiny, -1e-30, 3.5]
        a[:, 10:12, :] = 1.25  # a run
        a[:, 20, 5:9] = -9999  # the nodata value of some files
        a.flat[-3:] = np.nan  # NaN pixels beside nodata ones must stay NaN
        return a
    if nbits:
        return rng.integers(0, 1 << nbits, shape).astype(dtype)
    info = np.iinfo(dtype)
    lo, hi = int(info.min), int(info.max)
    if dtype in ("i8", "u8"):
        lo, hi = max(lo, -(1 << 53)), min(hi, 1 << 53)
    a = rng.integers(lo, hi, shape, dtype=dtype, endpoint=True)
    a.flat[0:2] = [lo, hi]
    a[:, 10:12, :] = a.flat[5]
    return a


def write(out_dir, name, gdt, arr, options, nodata=None, signed_byte=False):
    bands = arr.shape[0]
    mem = gdal.GetDriverByName("MEM").Create("", W, H, bands, gdt)
    mem.SetGeoTransform([500000, 30, 0, 4100000, 0, -30])
    for b in range(bands):
        band = mem.GetRasterBand(b + 1)
        band.WriteArray(arr[b])
        if nodata is not None:
            band.SetNoDataValue(nodata)
    path = os.path.join(out_dir, name + ".tif")
    try:
        gdal.GetDriverByName("GTiff").CreateCopy(path, mem, options=options)
        ds = gdal.Open(path)
        ref = ds.ReadAsArray()
    except RuntimeError as e:
        if os.path.exists(path):
            os.remove(path)
        return None, str(e)
    ref = np.asarray(ref).reshape(bands, H, W)
    band1 = ds.GetRasterBand(1)
    dtype = gdal.GetDataTypeName(band1.DataType)
    if band1.GetMetadataItem("PIXELTYPE", "IMAGE_STRUCTURE") == "SIGNEDBYTE":
        ref = ref.astype("i1")  # GDAL 3.6 returns the bytes; their value is signed
        dtype = "Int8"
    ref.astype("<f8").tofile(os.path.join(out_dir, name + ".bin"))
    nd = band1.GetNoDataValue()
    return {"name": name + ".tif", "options": options, "width": W, "height": H, "bands": bands,
            "dtype": dtype, "nodata": None if nd is None else ("nan" if nd != nd else nd),
            "data": name + ".bin"}, None


def main():
    out_dir = sys.argv[1]
    rng = np.random.default_rng(20261121)
    manifest = []
    refused_by_gdal = []

    def add(name, gdt, arr, options, expect, why="", nodata=None):
        item, error = write(out_dir, name, gdt, arr, options, nodata)
        if item is None:
            refused_by_gdal.append(name + ": " + error.splitlines()[0])
            return
        item["expect"] = expect
        item["why"] = why
        manifest.append(item)

    count = 0
    for tname, (gdt, dtype) in TYPES.items():
        for compress in LOSSLESS:
            for predictor in (1, 2, 3):
                for endian in ("LITTLE", "BIG"):
                    tiling, interleave, bands = LAYOUTS[count % len(LAYOUTS)]
                    count += 1
                    if predictor == 3 and not dtype.startswith("f"):
                        continue  # GDAL refuses to write it
                    opts = ["COMPRESS=" + compress, "ENDIANNESS=" + endian,
                            "INTERLEAVE=" + interleave]
                    if compress != "NONE":
                        opts.append("PREDICTOR=%d" % predictor)
                    elif predictor != 1:
                        continue
                    opts += ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"] if tiling == "tiled" \
                        else ["BLOCKYSIZE=7"]
                    name = "%s_%s_p%d_%s_%s_%s_%d" % (tname, compress, predictor, endian,
                                                      tiling, interleave, bands)
                    nodata = -9999 if dtype.startswith("f") and count % 2 == 0 else None
                    add(name, gdt, values(rng, dtype, bands), opts, "read", nodata=nodata)

    # Every layout for the common types and codecs.
    for tname, compress, predictor, (tiling, interleave, bands), endian in itertools.product(
            ["Byte", "UInt16", "Float32"], ["NONE", "DEFLATE", "LZW"], [1, 2], LAYOUTS,
            ["LITTLE", "BIG"]):
        if compress == "NONE" and predictor == 2:
            continue
        gdt, dtype = TYPES[tname]
        opts = ["COMPRESS=" + compress, "PREDICTOR=%d" % predictor, "ENDIANNESS=" + endian,
                "INTERLEAVE=" + interleave]
        opts += ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"] if tiling == "tiled" \
            else ["BLOCKYSIZE=7"]
        name = "layout_%s_%s_p%d_%s_%s_%d_%s" % (tname, compress, predictor, tiling, interleave,
                                                  bands, endian)
        add(name, gdt, values(rng, dtype, bands), opts, "read",
            nodata=-9999 if tname == "Float32" else 7)

    # Sub-byte, 12-bit, 16-bit float and signed 8-bit samples.
    for (tname, nbits, extra), compress, endian, (tiling, interleave, bands) in itertools.product(
            [("Byte", 1, []), ("Byte", 2, []), ("Byte", 4, []), ("UInt16", 12, []),
             ("UInt16", 10, []), ("Float32", 16, []), ("Byte", None, ["PIXELTYPE=SIGNEDBYTE"]),
             ("UInt32", 20, [])],
            ["NONE", "DEFLATE", "LZW", "PACKBITS"], ["LITTLE", "BIG"],
            [("tiled", "PIXEL", 3), ("striped", "BAND", 3), ("striped", "PIXEL", 1)]):
        gdt, dtype = TYPES[tname]
        opts = ["COMPRESS=" + compress, "ENDIANNESS=" + endian, "INTERLEAVE=" + interleave] + extra
        if nbits:
            opts.append("NBITS=%d" % nbits)
        opts += ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"] if tiling == "tiled" \
            else ["BLOCKYSIZE=7"]
        label = "nbits%d" % nbits if nbits else "signedbyte"
        name = "%s_%s_%s_%s_%s_%s_%d" % (label, tname, compress, endian, tiling, interleave, bands)
        arr = values(rng, dtype, bands, nbits=None if tname == "Float32" else nbits)
        if tname == "Float32":
            arr = arr.astype("f2").astype("f4")  # values a half float holds
        expect, why = ("refuse", "20-bit samples") if nbits == 20 else ("read", "")
        add(name, gdt, arr, opts, expect, why)
        for predictor in (2, 3):
            if compress != "NONE" and tname == "Float32" or (predictor == 2 and not nbits):
                add(name + "_p%d" % predictor, gdt, arr, opts + ["PREDICTOR=%d" % predictor],
                    "read")

    # 64-bit integers beyond 2^53 cannot be held by a double: refused, not rounded.
    for tname in ("Int64", "UInt64"):
        gdt, dtype = TYPES[tname]
        arr = values(rng, dtype, 1)
        arr.flat[3] = np.iinfo(dtype).max
        add("big_%s" % tname, gdt, arr, ["COMPRESS=DEFLATE"], "refuse", "64-bit beyond 2^53")

    # JPEG: grey, RGB, YCbCr (4:2:0), 4 bands, band interleaved; tiled and striped.
    for (label, bands, extra), (tiling, blocky), endian, quality in itertools.product(
            [("grey", 1, []), ("rgb", 3, ["PHOTOMETRIC=RGB"]),
             ("ycbcr", 3, ["PHOTOMETRIC=YCBCR"]), ("rgba", 4, ["PHOTOMETRIC=RGB", "ALPHA=YES"]),
             ("minisblack4", 4, ["PHOTOMETRIC=MINISBLACK"]),
             ("band", 3, ["INTERLEAVE=BAND"])],
            [("tiled", ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"]),
             ("striped", ["BLOCKYSIZE=8"])], ["LITTLE", "BIG"], [75, 95]):
        arr = values(rng, "u1", bands, smooth=True)
        opts = ["COMPRESS=JPEG", "JPEG_QUALITY=%d" % quality, "ENDIANNESS=" + endian] + extra + blocky
        add("jpeg_%s_%s_%s_q%d" % (label, tiling, endian, quality), gdal.GDT_Byte, arr, opts,
            "read")
    add("jpeg12_UInt16", gdal.GDT_UInt16, values(rng, "u2", 1, nbits=12),
        ["COMPRESS=JPEG", "NBITS=12"], "refuse", "12-bit JPEG")
    add("webp_rgb", gdal.GDT_Byte, values(rng, "u1", 3, smooth=True),
        ["COMPRESS=WEBP", "WEBP_LOSSLESS=YES"], "refuse", "WebP")
    add("lerc", gdal.GDT_Float32, values(rng, "f4", 1), ["COMPRESS=LERC"], "refuse", "LERC")
    add("ccitt", gdal.GDT_Byte, values(rng, "u1", 1, nbits=1), ["COMPRESS=CCITTFAX4", "NBITS=1"],
        "refuse", "CCITT fax")
    add("ycbcr_uncompressed", gdal.GDT_Byte, values(rng, "u1", 3, smooth=True),
        ["PHOTOMETRIC=YCBCR", "COMPRESS=NONE"], "refuse", "YCbCr without JPEG")

    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump({"files": manifest, "refused_by_gdal": refused_by_gdal}, f)
    print("%d files, %d combinations GDAL cannot write" % (len(manifest), len(refused_by_gdal)))


if __name__ == "__main__":
    main()
