"""GDAL's reading of band descriptions and alpha masks, for GdalMetadataTest.

usage: gdal_metadata.py LIST OUT.json [WRITE.tif DESCRIPTIONS.json]
With WRITE.tif, first writes a byte GeoTIFF with the band descriptions of the JSON list (GDAL's writer).
Then for each file named in LIST (one a line): {"file", "descriptions": GetDescription() per band,
"alpha": whether GetMaskFlags() of band 1 has GMF_ALPHA}, or {"file", "error"}.
"""
import json
import sys

from osgeo import gdal

gdal.UseExceptions()
if len(sys.argv) > 3:
    with open(sys.argv[4], encoding="utf-8") as f:
        descriptions = json.load(f)
    ds = gdal.GetDriverByName("GTiff").Create(sys.argv[3], 7, 5, len(descriptions), gdal.GDT_Byte)
    ds.SetGeoTransform([500000, 10, 0, 4000000, 0, -10])
    for i, d in enumerate(descriptions):
        ds.GetRasterBand(i + 1).SetDescription(d)
    ds = None
out = []
with open(sys.argv[1], encoding="utf-8") as f:
    for path in f.read().splitlines():
        try:
            ds = gdal.Open(path)
            out.append({
                "file": path,
                "descriptions": [ds.GetRasterBand(b + 1).GetDescription() for b in range(ds.RasterCount)],
                "alpha": bool(ds.GetRasterBand(1).GetMaskFlags() & gdal.GMF_ALPHA),
            })
            ds = None
        except Exception as e:  # a file GDAL cannot open is left out of the comparison
            out.append({"file": path, "error": str(e)})
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(out, f)
