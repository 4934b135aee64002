"""Reference vectors made by GDAL from a label raster, for the rasterization tests.

usage: make_vectors.py LABELS.tif OUTDIR
writes polys.gpkg (gdal_polygonize, 4-connected, field "class"), polys.geojson (the same through
ogr2ogr), polys-4326.gpkg (ogr2ogr -t_srs EPSG:4326), and offgrid.tif: an empty Byte raster in the
labels' CRS whose 45 m pixels and origin (shifted by 10.3 m east, 7.7 m south) match no label pixel
edge, so that the all-touched rule differs from the pixel-centre rule.
"""
import os
import sys

from osgeo import gdal, ogr, osr

gdal.UseExceptions()
labels, out = sys.argv[1], sys.argv[2]
src = gdal.Open(labels)
band = src.GetRasterBand(1)
srs = osr.SpatialReference(wkt=src.GetProjection())

gpkg = os.path.join(out, "polys.gpkg")
ds = ogr.GetDriverByName("GPKG").CreateDataSource(gpkg)
layer = ds.CreateLayer("polys", srs=srs, geom_type=ogr.wkbPolygon)
layer.CreateField(ogr.FieldDefn("class", ogr.OFTInteger))
gdal.Polygonize(band, band.GetMaskBand(), layer, 0, [], callback=None)
ds = None

gdal.VectorTranslate(os.path.join(out, "polys.geojson"), gpkg, format="GeoJSON")
gdal.VectorTranslate(os.path.join(out, "polys-4326.gpkg"), gpkg, format="GPKG", dstSRS="EPSG:4326")

gt = src.GetGeoTransform()
width = int(src.RasterXSize * gt[1] / 45) - 1
height = int(src.RasterYSize * -gt[5] / 45) - 1
off = gdal.GetDriverByName("GTiff").Create(os.path.join(out, "offgrid.tif"), width, height, 1, gdal.GDT_Byte)
off.SetGeoTransform((gt[0] + 10.3, 45.0, 0.0, gt[3] - 7.7, 0.0, -45.0))
off.SetProjection(src.GetProjection())
off = None
print("ok")
