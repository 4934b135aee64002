"""GDAL's reading of a polygon file written by Landcover, against gdal_polygonize of a class map.

usage: check_polygons.py MAP VECTOR [coverage] [8]
Prints one JSON object: per class (as strings) the polygon count and area of GDAL's polygonize of
MAP (4-connected, or 8-connected with "8" as gdal_polygonize.py -8; nodata masked), of VECTOR as OGR
reads it, and the raster's class area (pixel count x pixel area); whether `ogrinfo -al -so` opens
VECTOR, whether its layer CRS IsSame the map's, how many polygons GEOS finds invalid, and the
smallest polygon area. "equal" counts VECTOR's features whose boundary is that of one of GDAL's of
the same class: the same pixel edges (each ring cut into unit edges of the pixel grid, sorted),
which determine the same set of pixels whatever the rings' vertex order, start or joining at
corners (GDAL's 8-connected polygons are rings touching themselves at corners, invalid for GEOS,
where ours are MultiPolygons of valid parts). With
"coverage": the area of the union of all polygons, the sum of their areas and the union's number of
parts and holes.
"""
import json
import subprocess
import sys

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()
map_path, vector = sys.argv[1], sys.argv[2]
coverage = "coverage" in sys.argv[3:]
eight = "8" in sys.argv[3:]

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
gdal.Polygonize(band, band.GetMaskBand(), ref_layer, 0, ["8CONNECTED=8"] if eight else [], callback=None)
inverse = gdal.InvGeoTransform(gt)


def rings(g):
    if g.GetGeometryType() in (ogr.wkbPolygon, ogr.wkbPolygon25D):
        return [g.GetGeometryRef(i) for i in range(g.GetGeometryCount())]
    return [r for i in range(g.GetGeometryCount()) for r in rings(g.GetGeometryRef(i))]


def edges(g):
    """The polygon's boundary as sorted unit edges (x, y, horizontal?) of the pixel grid, hashed."""
    keys = []
    for ring in rings(g):
        xy = np.array(ring.GetPoints())[:, :2]
        px = np.rint(inverse[0] + xy[:, 0] * inverse[1] + xy[:, 1] * inverse[2]).astype(np.int64)
        py = np.rint(inverse[3] + xy[:, 0] * inverse[4] + xy[:, 1] * inverse[5]).astype(np.int64)
        x0, y0, x1, y1 = px[:-1], py[:-1], px[1:], py[1:]
        length = np.abs(x1 - x0) + np.abs(y1 - y0)
        step = np.repeat(np.arange(len(length)), length)
        offset = np.arange(len(step)) - np.repeat(np.cumsum(length) - length, length)
        sx, sy = np.sign(x1 - x0)[step], np.sign(y1 - y0)[step]
        ex = x0[step] + sx * offset + np.minimum(sx, 0)
        ey = y0[step] + sy * offset + np.minimum(sy, 0)
        keys.append((ex << 32) + (ey << 1) + (sx != 0))
    return hash(np.sort(np.concatenate(keys)).tobytes())


reference = {}
for f in ref_layer:
    key = (f.GetField("class"), edges(f.GetGeometryRef()))
    reference[key] = reference.get(key, 0) + 1
ref_layer.ResetReading()


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
equal = 0
for f in layer:
    g = f.GetGeometryRef()
    if not g.IsValid():
        invalid += 1
    key = (f.GetField("class"), edges(g))
    if reference.get(key, 0) > 0:
        reference[key] -= 1
        equal += 1
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
    "equal": equal,
    "smallest": smallest,
    "pixelArea": pixel_area,
}
if coverage:
    multi = ogr.Geometry(ogr.wkbMultiPolygon)
    for g in geoms:
        if g.GetGeometryType() == ogr.wkbMultiPolygon:
            for i in range(g.GetGeometryCount()):
                multi.AddGeometry(g.GetGeometryRef(i))
        else:
            multi.AddGeometry(g)
    union = multi.UnionCascaded()
    result["unionArea"] = union.GetArea()
    result["sumArea"] = sum(g.GetArea() for g in geoms)
    parts = [union] if union.GetGeometryType() == ogr.wkbPolygon else [union.GetGeometryRef(i) for i in range(union.GetGeometryCount())]
    result["unionParts"] = len(parts)
    result["unionHoles"] = sum(p.GetGeometryCount() - 1 for p in parts)
print(json.dumps(result))
