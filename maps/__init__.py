"""Map export (folium). The map builders arrive with the exports issue."""
