"""Maps of a plan (folium): building them (:mod:`maps.tour`) is separate from saving them
for offline use (:mod:`maps.offline`)."""

from maps.offline import OfflineError, offline_html, save_offline
from maps.tour import day_map, person_map, tour_map

__all__ = ["OfflineError", "day_map", "offline_html", "person_map", "save_offline", "tour_map"]
