"""Renders a raster in headless QGIS with the style QGIS loads for it by default (NAME.qml beside
NAME.tif) and reports what QGIS saw: the renderer type, the legend labels, and the colour of
given pixels of the picture, and the band names QGIS shows.
Usage: qgis_render.py RASTER OUT.png SCALE X,Y [X,Y ...]
The picture covers the raster's extent at SCALE picture pixels per raster pixel (1: one picture
pixel per raster pixel; 0.25: QGIS draws from the overviews). Prints one JSON object."""
import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import QgsApplication, QgsMapRendererSequentialJob, QgsMapSettings, QgsRasterLayer  # noqa: E402
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

raster, png, scale = sys.argv[1], sys.argv[2], float(sys.argv[3])
points = [tuple(int(v) for v in p.split(",")) for p in sys.argv[4:]]
app = QgsApplication([], False)
app.initQgis()
layer = QgsRasterLayer(raster, "map")
if not layer.isValid():
    print(json.dumps({"error": "QGIS cannot open " + raster}))
    sys.exit(1)
settings = QgsMapSettings()
settings.setLayers([layer])
settings.setDestinationCrs(layer.crs())
settings.setBackgroundColor(QColor(255, 255, 255))
settings.setOutputSize(QSize(round(layer.width() * scale), round(layer.height() * scale)))
settings.setExtent(layer.extent())
job = QgsMapRendererSequentialJob(settings)
job.start()
job.waitForFinished()
image = job.renderedImage()
image.save(png)
colours = []
for x, y in points:
    c = image.pixelColor(x, y)
    colours.append([c.red(), c.green(), c.blue()])
print(json.dumps({
    "renderer": layer.renderer().type(),
    "legend": [label for label, _ in layer.renderer().legendSymbologyItems()],
    "bands": [layer.dataProvider().generateBandName(b).split(": ", 1)[-1] for b in range(1, layer.bandCount() + 1)],
    "size": [image.width(), image.height()],
    "colours": colours,
}))
sys.stdout.flush()
# QGIS 3.22 may crash while tearing down its application object: leave without it.
os._exit(0)
