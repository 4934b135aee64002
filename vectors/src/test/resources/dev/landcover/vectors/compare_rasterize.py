"""Compares Landcover's rasterized labels with GDAL's rasterization of the same vectors.

usage: compare_rasterize.py VECTOR LIKE OURS ALL_TOUCHED [VECTOR LIKE OURS ALL_TOUCHED ...]
For each group, burns VECTOR's "class" field onto LIKE's grid with gdal.RasterizeLayer (what
gdal_rasterize -a class does; ALL_TOUCHED=TRUE when the flag is 1) and prints one JSON line:
pixels, pixels that differ, pixels GDAL labelled, whether OURS has LIKE's geotransform and CRS.
"""
import json
import sys

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
args = sys.argv[1:]
for i in range(0, len(args), 4):
    vector, like, ours, touched = args[i : i + 4]
    ref = gdal.Open(like)
    mem = gdal.GetDriverByName("MEM").Create("", ref.RasterXSize, ref.RasterYSize, 1, gdal.GDT_UInt16)
    mem.SetGeoTransform(ref.GetGeoTransform())
    mem.SetProjection(ref.GetProjection())
    vds = ogr.Open(vector)
    options = ["ATTRIBUTE=class"] + (["ALL_TOUCHED=TRUE"] if touched == "1" else [])
    gdal.RasterizeLayer(mem, [1], vds.GetLayer(0), options=options)
    expected = mem.GetRasterBand(1).ReadAsArray()
    got_ds = gdal.Open(ours)
    got = got_ds.GetRasterBand(1).ReadAsArray()
    a = osr.SpatialReference(wkt=ref.GetProjection())
    b = osr.SpatialReference(wkt=got_ds.GetProjection())
    print(json.dumps({
        "vector": vector, "allTouched": touched == "1",
        "pixels": int(expected.size),
        "different": int(np.count_nonzero(expected != got)) if expected.shape == got.shape else -1,
        "labelled": int(np.count_nonzero(expected)),
        "sameGeoTransform": got_ds.GetGeoTransform() == ref.GetGeoTransform(),
        "sameCrs": bool(a.IsSame(b)),
        "nodata": got_ds.GetRasterBand(1).GetNoDataValue(),
    }))
