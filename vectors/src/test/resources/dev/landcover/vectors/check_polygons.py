"""GDAL's reading of a polygon file written by Landcover, against gdal_polygonize of a class map.

usage: check_polygons.py MAP VECTOR [coverage]
Prints one JSON object: per class (as strings) the polygon count and area of GDAL's polygonize of
MAP (4-connected, nodata masked), of VECTOR as OGR reads it, and the raster's class area (pixel
count x pixel area); whether `ogrinfo -al -so` opens VECTOR, whether its layer CRS IsSame the map's,
how many polygons GEOS finds invalid, and the smallest polygon area. With "coverage": the area of
the union of all polygons, the sum of their areas and the union's number of parts and holes.
"""
import json
import subprocess
import sys

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()
map_path, vector = sys.argv[1], sys.argv[2]
coverage = len(sys.argv) > 3 and sys.argv[3] == "coverage"

src = gdal.Open(map_path)
band = src.GetRasterBand(1)
gt = src.GetGeoTransform()
pixel_area = abs(gt[1] * gt[5] - gt[2] * gt[4])
data = band.ReadAsArray()
nodata = band.GetNoDataValue()
valid = np.ones(data.shape, bool) if nodata is None else data != nodata
raster = {}
for value, count in zip(*np.unique(data[valid], return_counts=True)):
    raster[str(int(value))] = float(count) * pixel_area

mem = ogr.GetDriverByName("Memory").CreateDataSource("")
ref_layer = mem.CreateLayer("ref", srs=osr.SpatialReference(wkt=src.GetProjection()))
ref_layer.CreateField(ogr.FieldDefn("class", ogr.OFTInteger))
gdal.Polygonize(band, band.GetMaskBand(), ref_layer, 0, [], callback=None)


def stats(layer):
    out = {}
    for f in layer:
        c = str(f.GetField("class"))
        n, a = out.get(c, (0, 0.0))
        out[c] = (n + 1, a + f.GetGeometryRef().GetArea())
    layer.ResetReading()
    return {k: {"count": v[0], "area": v[1]} for k, v in out.items()}


info = subprocess.run(["ogrinfo", "-al", "-so", vector], capture_output=True, text=True)
ds = ogr.Open(vector)
layer = ds.GetLayer(0)
srs = layer.GetSpatialRef()
map_srs = osr.SpatialReference(wkt=src.GetProjection())
invalid = 0
smallest = None
names = {}
geoms = []
for f in layer:
    g = f.GetGeometryRef()
    if not g.IsValid():
        invalid += 1
    a = g.GetArea()
    smallest = a if smallest is None else min(smallest, a)
    names[str(f.GetField("class"))] = f.GetField("name")
    if coverage:
        geoms.append(g.Clone())
layer.ResetReading()
result = {
    "reference": stats(ref_layer),
    "ours": stats(layer),
    "raster": raster,
    "names": names,
    "ogrinfo": info.returncode == 0 and "Feature Count" in info.stdout,
    "sameCrs": srs is not None and bool(srs.IsSame(map_srs, ["IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES"])),
    "geometryType": ogr.GeometryTypeToName(layer.GetGeomType()),
    "invalid": invalid,
    "smallest": smallest,
    "pixelArea": pixel_area,
}
if coverage:
    multi = ogr.Geometry(ogr.wkbMultiPolygon)
    for g in geoms:
        multi.AddGeometry(g)
    union = multi.UnionCascaded()
    result["unionArea"] = union.GetArea()
    result["sumArea"] = sum(g.GetArea() for g in geoms)
    parts = [union] if union.GetGeometryType() == ogr.wkbPolygon else [union.GetGeometryRef(i) for i in range(union.GetGeometryCount())]
    result["unionParts"] = len(parts)
    result["unionHoles"] = sum(p.GetGeometryCount() - 1 for p in parts)
print(json.dumps(result))
