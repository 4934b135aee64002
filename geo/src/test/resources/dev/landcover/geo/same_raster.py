"""Compares two GeoTIFFs as GDAL reads them: size, bands, types, block size, geotransform, CRS
(IsSame), nodata, band descriptions, colour table, category names, every pixel (NaN equal to NaN),
and the overviews' sizes and pixels. Prints a JSON list with one object per pair: {"differences":
[...], "cog": [errors, warnings] of the second file by GDAL's COG validator}.

Usage: same_raster.py A1 B1 [A2 B2 ...]"""
import json
import sys

import numpy as np
from osgeo import gdal
from osgeo_utils.samples import validate_cloud_optimized_geotiff as cog

gdal.UseExceptions()


def arrays_equal(x, y):
    if x.dtype.kind == "f":
        return np.array_equal(x, y, equal_nan=True)
    return np.array_equal(x, y)


def compare(a_path, b_path):
    a, b = gdal.Open(a_path), gdal.Open(b_path)
    diffs = []

    def same(what, x, y):
        if x != y:
            diffs.append("%s: %r against %r" % (what, x, y))

    same("size", (a.RasterXSize, a.RasterYSize, a.RasterCount), (b.RasterXSize, b.RasterYSize, b.RasterCount))
    same("geotransform", a.GetGeoTransform(), b.GetGeoTransform())
    sa, sb = a.GetSpatialRef(), b.GetSpatialRef()
    if (sa is None) != (sb is None) or (sa is not None and not sa.IsSame(sb)):
        diffs.append("CRS differs")
    same("image structure", a.GetMetadata("IMAGE_STRUCTURE"), b.GetMetadata("IMAGE_STRUCTURE"))


    for i in range(1, min(a.RasterCount, b.RasterCount) + 1):
        ba, bb = a.GetRasterBand(i), b.GetRasterBand(i)
        same("band %d type" % i, ba.DataType, bb.DataType)
        same("band %d block" % i, ba.GetBlockSize(), bb.GetBlockSize())
        same("band %d nodata" % i, str(ba.GetNoDataValue()), str(bb.GetNoDataValue()))
        same("band %d description" % i, ba.GetDescription(), bb.GetDescription())
        same("band %d categories" % i, ba.GetCategoryNames(), bb.GetCategoryNames())
        ca, cb = ba.GetColorTable(), bb.GetColorTable()
        same(
            "band %d colours" % i,
            None if ca is None else [ca.GetColorEntry(k) for k in range(ca.GetCount())],
            None if cb is None else [cb.GetColorEntry(k) for k in range(cb.GetCount())],
        )
        if not arrays_equal(ba.ReadAsArray(), bb.ReadAsArray()):
            diffs.append("band %d pixels differ" % i)
        same("band %d overviews" % i, ba.GetOverviewCount(), bb.GetOverviewCount())
        for o in range(min(ba.GetOverviewCount(), bb.GetOverviewCount())):
            oa, ob = ba.GetOverview(o), bb.GetOverview(o)
            same("band %d overview %d size" % (i, o), (oa.XSize, oa.YSize), (ob.XSize, ob.YSize))
            if (oa.XSize, oa.YSize) == (ob.XSize, ob.YSize) and not arrays_equal(oa.ReadAsArray(), ob.ReadAsArray()):
                diffs.append("band %d overview %d pixels differ" % (i, o))

    warnings, errors, _ = cog.validate(b_path, full_check=True)
    return {"differences": diffs, "cog": [errors, warnings]}


args = sys.argv[1:]
print(json.dumps([compare(args[i], args[i + 1]) for i in range(0, len(args), 2)]))
