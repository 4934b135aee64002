"""Writes band-order variants of a Sentinel-2 stack with GDAL and prints GDAL's band descriptions.

Usage: s2_band_variants.py SCENE OUTDIR. Writes OUTDIR/reversed.tif (bands in reverse order,
descriptions kept), OUTDIR/reversed-nodesc.tif (the same without descriptions) and
OUTDIR/no-b11.tif (band 12, B11, left out); prints {file: [descriptions]} as JSON.
"""
import json
import os
import sys

from osgeo import gdal

gdal.UseExceptions()
src, out = sys.argv[1], sys.argv[2]
n = gdal.Open(src).RasterCount
paths = {
    "reversed.tif": list(range(n, 0, -1)),
    "reversed-nodesc.tif": list(range(n, 0, -1)),
    "no-b11.tif": [b for b in range(1, n + 1) if b != 12],
}
result = {}
for name, bands in paths.items():
    path = os.path.join(out, name)
    gdal.Translate(path, src, bandList=bands, creationOptions=["COMPRESS=DEFLATE"])
    if name == "reversed-nodesc.tif":
        ds = gdal.Open(path, gdal.GA_Update)
        for b in range(1, ds.RasterCount + 1):
            ds.GetRasterBand(b).SetDescription("")
        ds = None
    aux = path + ".aux.xml"  # descriptions are read from the GDAL_METADATA tag only
    if os.path.exists(aux):
        os.remove(aux)
    ds = gdal.Open(path)
    result[path] = [ds.GetRasterBand(b).GetDescription() for b in range(1, ds.RasterCount + 1)]
ds = gdal.Open(src)
result[src] = [ds.GetRasterBand(b).GetDescription() for b in range(1, ds.RasterCount + 1)]
print(json.dumps(result))
