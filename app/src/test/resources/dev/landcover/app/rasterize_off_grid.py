"""Writes off-grid polygons (a GeoPackage in the image's CRS) and burns them onto the image's grid
with gdal_rasterize, with the pixel-centre rule and with -at.

usage: rasterize_off_grid.py IMAGE OUT_GPKG OUT_CENTRE_TIF OUT_AT_TIF
"""
import math
import sys

from osgeo import gdal, ogr, osr

gdal.UseExceptions()
image, gpkg, centre, touched = sys.argv[1:5]
ds = gdal.Open(image)
gt = ds.GetGeoTransform()
srs = osr.SpatialReference()
srs.ImportFromWkt(ds.GetProjection())
drv = ogr.GetDriverByName("GPKG")
out = drv.CreateDataSource(gpkg)
layer = out.CreateLayer("fields", srs, ogr.wkbPolygon)
layer.CreateField(ogr.FieldDefn("class", ogr.OFTInteger))


def world(px, py):
    return gt[0] + px * gt[1] + py * gt[2], gt[3] + px * gt[4] + py * gt[5]


# Slanted shapes whose edges cross pixels at every offset: a star, a thin rotated strip, a
# hexagon, each with its own class.
shapes = []
for k, (cx, cy, r, n, cls) in enumerate([(20.3, 17.7, 14.2, 5, 1), (61.9, 40.2, 11.6, 6, 3)]):
    ring = []
    for i in range(2 * n if cls == 1 else n):
        a = math.pi * i / n if cls == 1 else 2 * math.pi * i / n + 0.3
        rr = (r if i % 2 == 0 else r * 0.45) if cls == 1 else r
        ring.append(world(cx + rr * math.cos(a), cy + rr * math.sin(a)))
    shapes.append((ring, cls))
shapes.append(([world(5.2, 60.4), world(80.7, 45.1), world(81.6, 49.3), world(6.1, 64.8)], 2))
for ring, cls in shapes:
    geom = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in ring + ring[:1]:
        geom.AddPoint_2D(x, y)
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(geom)
    f = ogr.Feature(layer.GetLayerDefn())
    f.SetField("class", cls)
    f.SetGeometry(poly)
    layer.CreateFeature(f)
out = None
for target, at in ((centre, False), (touched, True)):
    dst = gdal.GetDriverByName("GTiff").Create(
        target, ds.RasterXSize, ds.RasterYSize, 1, gdal.GDT_Byte)
    dst.SetGeoTransform(gt)
    dst.SetProjection(ds.GetProjection())
    dst.GetRasterBand(1).SetNoDataValue(0)
    dst.GetRasterBand(1).Fill(0)
    gdal.Rasterize(dst, gpkg, attribute="class", allTouched=at)
    dst = None
