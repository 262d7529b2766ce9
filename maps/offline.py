"""Saving a folium map as one HTML file that renders with no network.

folium's page loads Leaflet, jQuery, Bootstrap and the awesome-markers plugin from CDNs.
Here Leaflet 1.9.3 and jQuery 3.7.1 (the versions folium 0.20 names) are inlined from the
``xstatic-leaflet`` and ``xstatic-jquery`` packages, Leaflet's marker images become data
URIs, and the styling plugins, which only ``folium.Icon`` needs, are dropped. Only the
background tiles are fetched; without them markers, lines and popups still show.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

import folium

from touring.io.files import write_text_atomic

# What folium 0.20 links, and what it needs: the URL's file name decides.
INLINED = {"leaflet.js", "leaflet.css", "jquery-3.7.1.min.js"}
DROPPABLE = {"bootstrap.bundle.min.js", "bootstrap.min.css", "bootstrap-glyphicons.css", "all.min.css",
             "leaflet.awesome-markers.js", "leaflet.awesome-markers.css", "leaflet.awesome.rotate.min.css"}
LEAFLET_VERSION = "1.9.3"
JQUERY_VERSION = "3.7.1"

_SCRIPT = re.compile(r'<script src="(?P<url>[^"]+)"></script>')
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="(?P<url>[^"]+)"\s*/?>')


class OfflineError(ValueError):
    """A map needs a script or style sheet that cannot be inlined."""


def _data_uri(path: Path) -> str:
    return f"data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()}"


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    """The inlined files' text, keyed by the file name folium links."""
    import xstatic.pkg.jquery as jquery
    import xstatic.pkg.leaflet as leaflet

    if not leaflet.VERSION.startswith(LEAFLET_VERSION) or not jquery.VERSION.startswith(JQUERY_VERSION):
        raise OfflineError(f"folium 0.20 links Leaflet {LEAFLET_VERSION} and jQuery {JQUERY_VERSION}; installed are "
                           f"xstatic-leaflet {leaflet.VERSION} and xstatic-jquery {jquery.VERSION}")
    leaflet_dir, jquery_dir = Path(leaflet.BASE_DIR), Path(jquery.BASE_DIR)
    images = leaflet_dir / "images"
    css = (leaflet_dir / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"url\((['\"]?)images/([\w.-]+\.png)\1\)", lambda m: f"url({_data_uri(images / m.group(2))})", css)
    # Leaflet finds its default marker images through a CSS path, which a data URI breaks:
    # give it the images directly.
    icons = ("L.Icon.Default.imagePath = '';\nL.Icon.Default.mergeOptions({"
             f"iconUrl: '{_data_uri(images / 'marker-icon.png')}', "
             f"iconRetinaUrl: '{_data_uri(images / 'marker-icon-2x.png')}', "
             f"shadowUrl: '{_data_uri(images / 'marker-shadow.png')}'}});\n")
    return {
        "leaflet.js": (leaflet_dir / "leaflet.js").read_text(encoding="utf-8") + "\n" + icons,
        "leaflet.css": css,
        "jquery-3.7.1.min.js": (jquery_dir / "jquery.min.js").read_text(encoding="utf-8"),
    }


def _script(text: str) -> str:
    # "</script" inside the code would end the element early; "<\/" means the same in JS.
    # A source-map comment would make developer tools fetch a file that is not there.
    text = re.sub(r"^//# sourceMappingURL=.*$", "", text, flags=re.MULTILINE)
    return "<script>\n" + text.replace("</script", "<\\/script") + "\n</script>"


def offline_html(m: folium.Map) -> str:
    """The map's page with every script and style sheet inline.

    Raises
    ------
    OfflineError
        When the map links a file that is not inlined and is needed (a ``folium.Icon``
        needs awesome-markers; a plugin needs its own scripts).
    """
    html = m.get_root().render()
    assets = _assets()
    uses_awesome = "L.AwesomeMarkers" in html

    def replace(match: re.Match, wrap) -> str:
        url = match.group("url")
        name = url.rsplit("/", 1)[-1]
        if name in INLINED:
            return wrap(assets[name])
        if name in DROPPABLE:
            if not uses_awesome:
                return ""
            raise OfflineError(f"the map uses folium.Icon, which needs {url} and is not available offline "
                               "(use folium.Marker with a DivIcon)")
        raise OfflineError(f"the map needs {url}, which is not available offline "
                           "(use folium.Marker with a DivIcon instead of folium.Icon, and no plugins)")

    html = _SCRIPT.sub(lambda match: replace(match, _script), html)
    html = _STYLESHEET.sub(lambda match: replace(match, lambda text: f"<style>\n{text}\n</style>"), html)
    left = re.findall(r'<(?:script|img|link)[^>]+(?:src|href)="(https?:[^"]+)"', html)
    if left:
        raise OfflineError(f"the map still loads {left[0]} from the network")
    return html


def save_offline(m: folium.Map, path: str | Path) -> Path:
    """Write ``m`` as one self-contained HTML file (atomically); returns the path."""
    path = Path(path)
    write_text_atomic(path, offline_html(m))
    return path
