"""A map sieved by Landcover against gdal_sieve.py's sieve (GDAL's SieveFilter) of the same map.

usage: compare_sieve.py MAP SIEVED THRESHOLD CONNECTIVITY
Sieves MAP with GDAL (THRESHOLD pixels, CONNECTIVITY 4 or 8, nodata masked as gdal_sieve.py
does) and prints one JSON object: the number of pixels where SIEVED differs from GDAL's result,
and the number of pixels.
"""
import json
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
map_path, sieved_path = sys.argv[1], sys.argv[2]
threshold, connectivity = int(sys.argv[3]), int(sys.argv[4])
src = gdal.Open(map_path)
band = src.GetRasterBand(1)
mem = gdal.GetDriverByName("MEM").Create("", src.RasterXSize, src.RasterYSize, 1, band.DataType)
out = mem.GetRasterBand(1)
gdal.SieveFilter(band, band.GetMaskBand(), out, threshold, connectivity)
reference = out.ReadAsArray()
sieved = gdal.Open(sieved_path)
ours = sieved.GetRasterBand(1).ReadAsArray()
print(json.dumps({"differing": int((reference != ours).sum()), "pixels": int(reference.size)}))
